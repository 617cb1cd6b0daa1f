"""Messages the worker could not process, moved out of the DLQ so admins can see and replay them."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Column, DateTime, Text
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from quest_common.db import utcnow


class DeadLetterBase(SQLModel):
    queue: str = Field(max_length=255)
    routing_key: str = Field(default="", max_length=255)
    message_id: str | None = Field(default=None, max_length=255)
    reason: str = Field(default="", max_length=255)
    delivery_count: int = 0


class DeadLetter(DeadLetterBase, table=True):
    __tablename__ = "dead_letter"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    body: str = Field(sa_column=Column(Text, nullable=False))
    headers: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSONB, nullable=False))
    received_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False)
    )
    replayed_at: datetime | None = Field(
        default=None, sa_column=Column(DateTime(timezone=True), nullable=True)
    )


class DeadLetterPublic(DeadLetterBase):
    id: uuid.UUID
    body: str
    received_at: datetime
    replayed_at: datetime | None


class DeadLettersPublic(SQLModel):
    data: list[DeadLetterPublic]
    count: int
