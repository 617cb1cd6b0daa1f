"""The users table and the request/response models of sign-up, profiles and user management."""

import uuid
from datetime import datetime
from enum import IntEnum, StrEnum

from pydantic import BaseModel, ConfigDict
from pydantic import Field as PydanticField
from sqlalchemy import BigInteger, Column, Index, Integer, text
from sqlmodel import Field, SQLModel

from auth_service.core.fields import NO_NUL, timestamp_column
from auth_service.users.timezones import DEFAULT_TIME_ZONE, MAX_NAME_LENGTH, TimeZoneName
from quest_common.db import utcnow

USER_NAME_PATTERN = r"^[A-Za-z0-9_.-]{3,64}$"


class UserStatus(IntEnum):
    NEW = 0  # never signed in: the first sign-in emits NewUserSignIn
    ACTIVE = 1
    BANNED = 2


class Role(StrEnum):
    PLAYER = "player"
    ADMIN = "admin"


class User(SQLModel, table=True):
    __tablename__ = "users"
    __table_args__ = (
        # The boards list players with nothing by sign-up.
        Index("ix_users_created_at", "created_at", "user_id"),
        # The few banned and deleted players, taken off the boards' counts at read time.
        Index(
            "ix_users_hidden",
            "user_id",
            postgresql_where=text("status = 2 OR deleted_at IS NOT NULL"),
        ),
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
    # Experience: credited like diamonds, never spent; the level follows from it and the curve.
    xp: int = Field(default=0, sa_column=Column(BigInteger, nullable=False, default=0))
    # The highest level an `auth.LevelReached` was stored for: each level is announced once.
    level_announced: int = Field(default=1, sa_column=Column(Integer, nullable=False, default=1))
    created_at: datetime = Field(default_factory=utcnow, sa_column=timestamp_column())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=timestamp_column())
    # Any sign-in: a password one or a resumed session that counted as one.
    last_sign_in_at: datetime | None = Field(
        default=None, sa_column=timestamp_column(nullable=True)
    )
    # Access tokens issued before this are void (ban, demotion, deletion, logout-everywhere).
    tokens_valid_after: datetime | None = Field(
        default=None, sa_column=timestamp_column(nullable=True)
    )
    # IANA name; every sign-in event carries it so processing counts the player's local days.
    time_zone: str = Field(default=DEFAULT_TIME_ZONE, max_length=MAX_NAME_LENGTH)
    # The last change through PATCH /users/me (None: never changed since sign-up).
    time_zone_changed_at: datetime | None = Field(
        default=None, sa_column=timestamp_column(nullable=True)
    )
    # Set when the account is deleted (anonymised): the row stays so the ledger still adds up.
    deleted_at: datetime | None = Field(default=None, sa_column=timestamp_column(nullable=True))


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
    xp: int
    created_at: datetime
    time_zone: str


class UserMe(UserPublic):
    """`GET /users/me`: the player's own view, with their level on the current curve."""

    level: int
    level_starts_at_xp: int
    next_level_at_xp: int | None  # None at the curve's last level


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
