"""Database tables and the public/request models of the auth service.

One module for every table: Alembic autogenerate and the migrations see them together, and the
service modules (users, tokens, keys, wallet, throttle) import from one place.
"""

import uuid
from datetime import datetime
from enum import IntEnum, StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, field_validator
from pydantic import Field as PydanticField
from sqlalchemy import BigInteger, Column, DateTime, Index, Integer, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from auth_service.timezones import DEFAULT_TIME_ZONE, MAX_NAME_LENGTH, TimeZoneName
from quest_common.db import utcnow

USER_NAME_PATTERN = r"^[A-Za-z0-9_.-]{3,64}$"
# PostgreSQL text cannot hold NUL: refuse it at the edge (422) instead of failing in the database.
NO_NUL = r"^[^\x00]*$"


class UserStatus(IntEnum):
    NEW = 0  # never signed in: the first sign-in emits NewUserSignIn
    ACTIVE = 1
    BANNED = 2


class Role(StrEnum):
    PLAYER = "player"
    ADMIN = "admin"


Item = Literal["diamond", "gold"]


def _ts(*, nullable: bool = False) -> Column[datetime]:
    return Column(DateTime(timezone=True), nullable=nullable)


# --- users -----------------------------------------------------------------------------------


class User(SQLModel, table=True):
    __tablename__ = "users"
    __table_args__ = (
        # The leaderboard reads the top balances.
        Index("ix_users_diamond", text("diamond DESC")),
        Index("ix_users_gold", text("gold DESC")),
        Index(
            "ix_users_tokens_valid_after",
            "tokens_valid_after",
            postgresql_where=text("tokens_valid_after IS NOT NULL"),
        ),
    )

    user_id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    user_name: str = Field(max_length=64, unique=True, index=True)
    hashed_password: str = Field(max_length=255)
    status: int = Field(default=UserStatus.NEW, sa_column=Column(Integer, nullable=False))
    role: str = Field(default=Role.PLAYER, max_length=16)
    # BigInteger: balances only grow through credits and must not overflow at 2^31.
    diamond: int = Field(default=0, sa_column=Column(BigInteger, nullable=False, default=0))
    gold: int = Field(default=0, sa_column=Column(BigInteger, nullable=False, default=0))
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    # Any sign-in: a password one or a resumed session that counted as one.
    last_sign_in_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    # Access tokens issued before this are void (ban, demotion, deletion, logout-everywhere).
    tokens_valid_after: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    # IANA name; every sign-in event carries it so processing counts the player's local days.
    time_zone: str = Field(default=DEFAULT_TIME_ZONE, max_length=MAX_NAME_LENGTH)
    # The last change through PATCH /users/me (None: never changed since sign-up).
    time_zone_changed_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    # Set when the account is deleted (anonymised): the row stays so the ledger still adds up.
    deleted_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))


class UserCreate(BaseModel):
    user_name: str = PydanticField(pattern=USER_NAME_PATTERN, min_length=3, max_length=64)
    password: str = PydanticField(min_length=8, max_length=128, pattern=NO_NUL)
    time_zone: TimeZoneName = DEFAULT_TIME_ZONE


class UserSelfUpdate(BaseModel):
    """PATCH /users/me: what players change about themselves (fields left out are kept)."""

    model_config = ConfigDict(extra="forbid")

    time_zone: TimeZoneName | None = None


class TimeZoneChangeRefused(BaseModel):
    """409 body: the zone was changed less than the allowed interval ago."""

    detail: str
    next_change_at: datetime


class UserPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    user_id: uuid.UUID
    user_name: str
    role: Role
    status: UserStatus
    diamond: int
    gold: int
    created_at: datetime
    time_zone: str


class UserAdminView(UserPublic):
    """A user as admins see it: also whether the account was deleted."""

    # Set on a deleted (anonymised) account: its row stays so the ledger still adds up.
    deleted_at: datetime | None = None


class UsersPublic(BaseModel):
    data: list[UserAdminView]
    count: int


class UserAdminUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    role: Role | None = None
    status: UserStatus | None = None


class PasswordChange(BaseModel):
    current_password: str = PydanticField(min_length=1, max_length=128, pattern=NO_NUL)
    new_password: str = PydanticField(min_length=8, max_length=128, pattern=NO_NUL)


# --- tokens ----------------------------------------------------------------------------------


class RefreshToken(SQLModel, table=True):
    """One issued refresh token. Only its SHA-256 is stored: a database leak yields no tokens."""

    __tablename__ = "refresh_token"
    __table_args__ = (Index("ix_refresh_token_family", "family_id"),)

    token_id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    family_id: uuid.UUID
    user_id: uuid.UUID = Field(foreign_key="users.user_id", index=True, ondelete="CASCADE")
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    expires_at: datetime = Field(sa_column=_ts())
    spent_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    revoked_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))


class Token(BaseModel):
    access_token: str
    refresh_token: str
    token_type: Literal["bearer"] = "bearer"  # noqa: S105
    expires_in: int


class ServiceToken(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"  # noqa: S105
    expires_in: int


class RefreshRequest(BaseModel):
    refresh_token: str | None = PydanticField(
        default=None, min_length=1, max_length=256, pattern=NO_NUL
    )
    # The web UI starting with a valid refresh cookie: the player is back, which is a sign-in
    # (UserSignIn with method "resume") when their last sign-in is old enough.
    resume: bool = False


# --- signing keys ----------------------------------------------------------------------------


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
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    activated_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    retired_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))


class Jwk(BaseModel):
    kty: str
    kid: str
    use: str
    alg: str
    n: str
    e: str


class Jwks(BaseModel):
    keys: list[Jwk]


# --- wallet ----------------------------------------------------------------------------------


class WalletLedger(SQLModel, table=True):
    __tablename__ = "wallet_ledger"
    __table_args__ = (Index("ix_wallet_ledger_user_created", "user_id", "created_at"),)

    entry_id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    # Unique: the same credit retried (a claim, a redelivered grant) lands once.
    idempotency_key: str = Field(max_length=200, unique=True)
    user_id: uuid.UUID = Field(foreign_key="users.user_id", ondelete="CASCADE")
    item: str = Field(max_length=16)
    qty: int = Field(sa_column=Column(BigInteger, nullable=False))
    reason: str = Field(default="", max_length=255)
    balance_after: int = Field(sa_column=Column(BigInteger, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    # The admin who made a manual adjustment; None for credits from a service.
    actor_id: uuid.UUID | None = Field(default=None)


class WalletCredit(BaseModel):
    idempotency_key: str = PydanticField(min_length=1, max_length=200, pattern=NO_NUL)
    user_id: uuid.UUID
    item: Item
    qty: int = PydanticField(ge=1, le=1_000_000)
    reason: str = PydanticField(default="", max_length=255, pattern=NO_NUL)


class WalletCreditResult(BaseModel):
    entry_id: uuid.UUID
    idempotency_key: str
    user_id: uuid.UUID
    item: Item
    qty: int
    balance: int  # the balance of `item` right after this credit
    created_at: datetime
    diamond: int  # current balances
    gold: int


class LedgerEntryPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    entry_id: uuid.UUID
    item: Item
    qty: int
    reason: str
    balance_after: int
    created_at: datetime


class LedgerEntriesPublic(BaseModel):
    data: list[LedgerEntryPublic]
    count: int


class LeaderboardEntry(BaseModel):
    rank: int
    user_id: uuid.UUID
    user_name: str
    item: Item
    balance: int


class Leaderboard(BaseModel):
    data: list[LeaderboardEntry]
    count: int


# --- login throttle --------------------------------------------------------------------------


class LoginThrottle(SQLModel, table=True):
    """Failed sign-ins per account name or per client address, shared by every replica."""

    __tablename__ = "login_throttle"
    __table_args__ = (UniqueConstraint("scope", "subject", name="uq_login_throttle_scope_subject"),)

    throttle_id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    # "account" | "address" (login), "<action>:<kind>" (auth_service.abuse)
    scope: str = Field(max_length=16)
    subject: str = Field(max_length=255)
    failures: int = Field(default=0)
    window_started_at: datetime = Field(sa_column=_ts())
    locked_until: datetime | None = Field(default=None, sa_column=_ts(nullable=True))


class Message(BaseModel):
    detail: str


# --- operator tools: adjustments, personal data ----------------------------------------------

ADJUSTMENT_MAX = 1_000_000


class Adjustment(BaseModel):
    """A manual correction of a balance by an admin: positive credits, negative debits."""

    model_config = ConfigDict(extra="forbid")

    item: Item
    qty: int = PydanticField(ge=-ADJUSTMENT_MAX, le=ADJUSTMENT_MAX)
    reason: str = PydanticField(min_length=1, max_length=200, pattern=NO_NUL)

    @field_validator("qty")
    @classmethod
    def _not_zero(cls, value: int) -> int:
        if value == 0:
            raise ValueError("qty must not be 0")
        return value

    @field_validator("reason")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("reason must not be blank")
        return value


class AdjustmentResult(BaseModel):
    entry_id: uuid.UUID
    user_id: uuid.UUID
    item: Item
    qty: int
    reason: str
    balance: int  # the balance of `item` right after this adjustment
    created_at: datetime
    diamond: int
    gold: int


class AccountDeletion(BaseModel):
    password: str = PydanticField(min_length=1, max_length=128, pattern=NO_NUL)


class ProfileExport(UserPublic):
    updated_at: datetime
    last_sign_in_at: datetime | None


class LedgerEntryExport(LedgerEntryPublic):
    idempotency_key: str


class SessionExport(BaseModel):
    """A refresh token's metadata; the token itself is never stored, only its hash (left out)."""

    model_config = ConfigDict(from_attributes=True)

    token_id: uuid.UUID
    family_id: uuid.UUID
    created_at: datetime
    expires_at: datetime
    spent_at: datetime | None
    revoked_at: datetime | None


class AuditAboutYou(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    at: datetime
    action: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None


class PersonalDataExport(BaseModel):
    exported_at: datetime
    profile: ProfileExport
    ledger: list[LedgerEntryExport]
    sessions: list[SessionExport]
    admin_changes: list[AuditAboutYou]
