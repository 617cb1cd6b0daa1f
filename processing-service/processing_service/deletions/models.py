"""Tombstones of deleted players: what stays after a deletion, so nothing brings them back."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Column, DateTime
from sqlmodel import Field, SQLModel

from quest_common.db import utcnow


class UserTombstone(SQLModel, table=True):
    """A deleted player: only the id and when (no name, nothing else about them)."""

    __tablename__ = "user_tombstone"

    user_id: uuid.UUID = Field(primary_key=True)
    deleted_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False)
    )
