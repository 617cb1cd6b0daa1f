"""A reward to credit through auth; its id is the idempotency key, so it is credited once."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import Column, DateTime, Index, text
from sqlmodel import Field, SQLModel

from quest_common.db import utcnow

# `earned`: a reward of a quest whose rewards expire, waiting for the player's claim (never
# delivered in that state); a claim turns the oldest one `pending`, and one claimed too late
# becomes `expired`.
GrantStatus = Literal["earned", "pending", "credited", "expired"]


class Grant(SQLModel, table=True):
    __tablename__ = "reward_grant"
    __table_args__ = (
        Index("ix_grant_pending", "status", "next_attempt_at"),
        Index(
            "ix_grant_earned",
            "user_id",
            "quest_id",
            "earned_at",
            postgresql_where=text("status = 'earned'"),
        ),
        # The operations figures sum what was minted in the last hour and day.
        Index("ix_reward_grant_credited_at", "credited_at"),
    )

    grant_id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    user_id: uuid.UUID = Field(index=True)
    quest_id: uuid.UUID
    quest_title: str = Field(default="", max_length=200)
    item: str = Field(max_length=16)
    qty: int
    # For a badge reward: the badge's name (its reward's), which auth gives once per player.
    badge: str | None = Field(default=None, max_length=64)
    reason: str = Field(max_length=64)
    status: str = Field(default="pending", max_length=16)
    attempts: int = 0
    last_error: str | None = Field(default=None, max_length=500)
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False)
    )
    next_attempt_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False)
    )
    # When the reward was earned (the completing sign-in's time); the expiry counts from it.
    earned_at: datetime | None = Field(
        default=None, sa_column=Column(DateTime(timezone=True), nullable=True)
    )
    credited_at: datetime | None = Field(
        default=None, sa_column=Column(DateTime(timezone=True), nullable=True)
    )


LEDGER_REASON_MAX = 255  # auth's ledger reason column


@dataclass(frozen=True, slots=True)
class GrantData:
    grant_id: uuid.UUID
    user_id: uuid.UUID
    quest_id: uuid.UUID
    quest_title: str
    item: str
    qty: int
    reason: str
    badge: str | None = None  # a badge reward's badge, which auth gives once per player

    @classmethod
    def of(cls, row: Any) -> GrantData:
        return cls(
            row.grant_id,
            row.user_id,
            row.quest_id,
            row.quest_title,
            row.item,
            row.qty,
            row.reason,
            row.badge,
        )

    @property
    def ledger_reason(self) -> str:
        """What the player's wallet history says: the quest by its title, in words
        ("Quest: Sign in three times"); the reason code when the title is unknown."""
        return f"Quest: {self.quest_title}"[:LEDGER_REASON_MAX] if self.quest_title else self.reason
