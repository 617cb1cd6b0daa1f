"""Progression tables (badges, the boards' entries) and the public models of its routes."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel
from sqlalchemy import BigInteger, Column, DateTime, Index, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from quest_common.db import utcnow

BoardItem = Literal["diamond", "gold", "xp"]
BoardPeriod = Literal["all", "week", "month"]


class UserBadge(SQLModel, table=True):
    """A badge a player holds: once per player and name."""

    __tablename__ = "user_badge"
    __table_args__ = (
        UniqueConstraint("user_id", "badge", name="uq_user_badge_user_badge"),
        UniqueConstraint("idempotency_key", name="uq_user_badge_idempotency_key"),
    )

    badge_id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    user_id: uuid.UUID = Field(foreign_key="users.user_id", ondelete="CASCADE")
    badge: str = Field(max_length=64)
    # The credit that gave it: the same credit retried answers the same.
    idempotency_key: str = Field(max_length=200)
    reason: str = Field(default="", max_length=255)
    earned_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False)
    )


class BoardEntry(SQLModel, table=True):
    """One player's value on one board (item, period, period start). Written only by the
    `wallet_ledger` trigger of migration a0106_progression (`leaderboard_move`), read here."""

    __tablename__ = "leaderboard_entry"
    __table_args__ = (
        Index(
            "ix_leaderboard_entry_rank",
            "item",
            "period",
            "period_start",
            text("value DESC"),
            "reached_at",
            "user_id",
        ),
    )

    item: str = Field(max_length=16, primary_key=True)
    period: str = Field(max_length=8, primary_key=True)
    period_start: datetime = Field(
        sa_column=Column(DateTime(timezone=True), primary_key=True, nullable=False)
    )
    user_id: uuid.UUID = Field(foreign_key="users.user_id", primary_key=True, ondelete="CASCADE")
    value: int = Field(sa_column=Column(BigInteger, nullable=False))
    reached_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))


class BoardCount(SQLModel, table=True):
    """How many players hold each value on one board (values above 0), kept with the entries by
    the same trigger: a rank is a sum over the distinct values above a player's."""

    __tablename__ = "leaderboard_count"

    item: str = Field(max_length=16, primary_key=True)
    period: str = Field(max_length=8, primary_key=True)
    period_start: datetime = Field(
        sa_column=Column(DateTime(timezone=True), primary_key=True, nullable=False)
    )
    value: int = Field(sa_column=Column(BigInteger, primary_key=True, nullable=False))
    players: int


# --- public ----------------------------------------------------------------------------------


class BadgePublic(BaseModel):
    badge: str
    earned_at: datetime


class BadgesPublic(BaseModel):
    data: list[BadgePublic]
    count: int


class PlayerPublic(BaseModel):
    """What anyone signed in may see of another player: never balances, ids or settings."""

    user_name: str
    level: int
    badges: list[BadgePublic]
    member_since: datetime


class BoardRow(BaseModel):
    # Position on the board: equal values are ordered by who got there first.
    rank: int
    # Equal values share this one (1, 1, 3): it decides the medal.
    shared_rank: int
    user_name: str
    value: int
    you: bool


class MyRank(BaseModel):
    rank: int
    shared_rank: int
    value: int


class Board(BaseModel):
    item: BoardItem
    period: BoardPeriod
    period_starts_at: datetime | None  # None for all time
    resets_at: datetime | None  # the next reset (UTC); None for all time
    data: list[BoardRow]
    me: MyRank | None  # the caller's own place, even outside the top


class BadgeCredit(BaseModel):
    """What a badge credit answers (the internal credit route, item `badge`)."""

    idempotency_key: str
    user_id: uuid.UUID
    badge: str
    given: bool  # False: the player already held it (a badge is held once)
    earned_at: datetime
