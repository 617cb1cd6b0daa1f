"""Each player's progress per quest."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import Column, DateTime, UniqueConstraint
from sqlmodel import Field, SQLModel

from quest_common.db import utcnow


class QuestProgress(SQLModel, table=True):
    __tablename__ = "quest_progress"
    __table_args__ = (UniqueConstraint("user_id", "quest_id", name="uq_progress_user_quest"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    user_id: uuid.UUID
    quest_id: uuid.UUID
    streak: float = 0  # steps toward the target; a sum quest's running total
    completed: int = 0
    claimed: int = 0
    last_day: date | None = None
    # Player time (DESIGN §10): only quests using the matching rule ever set these.
    last_counted_at: datetime | None = Field(
        default=None, sa_column=Column(DateTime(timezone=True), nullable=True)
    )
    period: date | None = None
    period_completed: int = 0
    grace_used: int = 0
    expired: int = 0
    updated_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False)
    )
