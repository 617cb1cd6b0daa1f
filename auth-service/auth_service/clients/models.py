"""The OAuth2 clients table and the models of its admin routes and its tokens."""

import uuid
from datetime import datetime
from typing import Literal, get_args

from pydantic import BaseModel, field_validator
from pydantic import Field as PydanticField
from sqlalchemy import Column, String
from sqlalchemy.dialects.postgresql import ARRAY
from sqlmodel import Field, SQLModel

from auth_service.core.fields import NO_NUL, timestamp_column
from quest_common.db import utcnow
from quest_common.security import CLIENT_SCOPES

Scope = Literal["events:write", "wallet:debit"]
assert set(CLIENT_SCOPES) == set(get_args(Scope))  # one list of scopes, here and in common


class OAuthClient(SQLModel, table=True):
    """A game server's credentials. Only a keyed hash of the secret is stored (see
    `clients.service.hash_secret`): the secret is shown once, when created or rotated."""

    __tablename__ = "oauth_client"

    client_id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    name: str = Field(max_length=100)
    scopes: list[str] = Field(sa_column=Column(ARRAY(String(32)), nullable=False))
    secret_hash: str = Field(max_length=64)
    created_at: datetime = Field(default_factory=utcnow, sa_column=timestamp_column())
    secret_rotated_at: datetime | None = Field(
        default=None, sa_column=timestamp_column(nullable=True)
    )
    revoked_at: datetime | None = Field(default=None, sa_column=timestamp_column(nullable=True))
    # Access tokens issued before this are void (a rotation or the revocation), everywhere.
    tokens_valid_after: datetime | None = Field(
        default=None, sa_column=timestamp_column(nullable=True)
    )


class ClientCreate(BaseModel):
    name: str = PydanticField(min_length=1, max_length=100, pattern=NO_NUL)
    scopes: list[Scope] = PydanticField(min_length=1, max_length=len(CLIENT_SCOPES))

    @field_validator("scopes")
    @classmethod
    def _once_each(cls, value: list[str]) -> list[str]:
        if len(set(value)) != len(value):
            raise ValueError("a scope is listed twice")
        return value


class ClientPublic(BaseModel):
    """A client as admins and the client itself see it: never its secret."""

    client_id: uuid.UUID
    name: str
    scopes: list[Scope]
    created_at: datetime
    secret_rotated_at: datetime | None
    revoked_at: datetime | None


class ClientsPublic(BaseModel):
    data: list[ClientPublic]
    count: int


class ClientSecret(BaseModel):
    """The answer of a creation or a rotation: the only time the secret is shown."""

    client_id: uuid.UUID
    client_secret: str
    name: str
    scopes: list[Scope]


class ClientToken(BaseModel):
    """The client-credentials grant's answer (RFC 6749 §4.4.3): no refresh token."""

    access_token: str
    token_type: Literal["bearer"] = "bearer"  # noqa: S105
    expires_in: int
    scope: str
