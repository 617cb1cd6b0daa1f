"""Per-player notifications, kept for a while so an SSE client can replay what it missed."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Column, DateTime, Identity, Index
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from quest_common.db import utcnow


@dataclass(frozen=True, slots=True)
class Notification:
    """One notification, the same object from its insert to its SSE frame: built by a domain
    (seq 0), stored by the unit of work (seq set), published, heard by each API replica and sent
    to the player's streams."""

    user_id: str
    event: str  # the SSE event name: check_in, quest_completed, reward_credited
    data: dict[str, Any]
    seq: int = 0  # the SSE `id`, once stored


class NotificationRecord(SQLModel, table=True):
    __tablename__ = "notification"
    __table_args__ = (
        Index("ix_notification_user_seq", "user_id", "seq"),
        # Append-only: a BRIN index serves the retention cleanup at a fraction of a btree's cost.
        Index("ix_notification_created_at", "created_at", postgresql_using="brin"),
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    # The SSE `id`: increasing, so `Last-Event-ID` means "everything after this one".
    seq: int | None = Field(
        default=None, sa_column=Column(BigInteger, Identity(), nullable=False, unique=True)
    )
    user_id: uuid.UUID
    event: str = Field(max_length=32)
    data: dict[str, Any] = Field(sa_column=Column(JSONB, nullable=False))
    created_at: datetime = Field(
        default_factory=utcnow,
        sa_column=Column(DateTime(timezone=True), nullable=False),
    )
