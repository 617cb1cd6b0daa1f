"""Refresh tokens and signing keys (tables), and the token and JWKS response models."""

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict
from pydantic import Field as PydanticField
from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from auth_service.core.fields import NO_NUL, timestamp_column
from quest_common.db import utcnow


class RefreshToken(SQLModel, table=True):
    """One issued refresh token. Only its SHA-256 is stored: a database leak yields no tokens."""

    __tablename__ = "refresh_token"
    __table_args__ = (Index("ix_refresh_token_family", "family_id"),)

    token_id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    family_id: uuid.UUID
    user_id: uuid.UUID = Field(foreign_key="users.user_id", index=True, ondelete="CASCADE")
    created_at: datetime = Field(default_factory=utcnow, sa_column=timestamp_column())
    expires_at: datetime = Field(sa_column=timestamp_column())
    spent_at: datetime | None = Field(default=None, sa_column=timestamp_column(nullable=True))
    revoked_at: datetime | None = Field(default=None, sa_column=timestamp_column(nullable=True))
    # Set when spent: the successor, sealed with a key derived from this token (never stored),
    # so a refresh racing the one that spent it gets the same successor back within the grace.
    successor_sealed: str | None = Field(default=None, max_length=256)


class Token(BaseModel):
    access_token: str
    refresh_token: str
    token_type: Literal["bearer"] = "bearer"  # noqa: S105
    expires_in: int


class ServiceToken(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"  # noqa: S105
    expires_in: int


class LogoutRequest(BaseModel):
    """POST /logout: the token to give up (or none: the cookie's). Nothing else: a field the
    route would ignore (`resume`) is refused rather than silently accepted."""

    model_config = ConfigDict(extra="forbid")

    refresh_token: str | None = PydanticField(
        default=None, min_length=1, max_length=256, pattern=NO_NUL
    )


class RefreshRequest(BaseModel):
    refresh_token: str | None = PydanticField(
        default=None, min_length=1, max_length=256, pattern=NO_NUL
    )
    # The web UI starting with a valid refresh cookie: the player is back, which is a sign-in
    # (UserSignIn with method "resume") when their last sign-in is old enough.
    resume: bool = False


class KeyStatus(StrEnum):
    NEXT = "next"  # published in the JWKS, not signing yet (rotation step 1)
    ACTIVE = "active"  # the one key every replica signs with
    PREVIOUS = "previous"  # no longer signing, still published until its tokens expire
    RETIRED = "retired"  # gone from the JWKS


class SigningKey(SQLModel, table=True):
    __tablename__ = "signing_key"

    key_id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    kid: str = Field(max_length=64, unique=True)
    algorithm: str = Field(default="RS256", max_length=16)
    # PKCS#8 PEM encrypted with SIGNING_KEY_PASSPHRASE: the database alone cannot sign.
    private_key_pem: str = Field(max_length=8192)
    public_key_pem: str = Field(max_length=4096)
    status: str = Field(default=KeyStatus.ACTIVE, max_length=16, index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_column=timestamp_column())
    activated_at: datetime | None = Field(default=None, sa_column=timestamp_column(nullable=True))
    retired_at: datetime | None = Field(default=None, sa_column=timestamp_column(nullable=True))


class Jwk(BaseModel):
    kty: str
    kid: str
    use: str
    alg: str
    n: str
    e: str


class Jwks(BaseModel):
    keys: list[Jwk]
