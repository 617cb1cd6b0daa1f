"""Every consumed sign-in event, as recorded."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import BigInteger, Column, DateTime, Identity, Index
from sqlmodel import Field, SQLModel

from quest_common.db import utcnow


class SignInEvent(SQLModel, table=True):
    """Every consumed sign-in, keyed by the envelope id: a redelivery inserts nothing."""

    __tablename__ = "sign_in_event"
    __table_args__ = (Index("ix_sign_in_event_user_seq", "user_id", "seq"),)

    event_id: str = Field(primary_key=True, max_length=128)
    # Consumption order: the order the rules were applied in (and the order a replay uses).
    seq: int | None = Field(
        default=None, sa_column=Column(BigInteger, Identity(), nullable=False, unique=True)
    )
    user_id: uuid.UUID
    user_name: str = Field(default="", max_length=64)
    type: str = Field(max_length=64)
    source: str = Field(default="", max_length=256)
    # The player's zone the event carried (IANA name; UTC when missing or unknown), so a replay
    # or a trace recomputes the same local dates the worker used.
    time_zone: str = Field(default="UTC", max_length=64)
    occurred_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    recorded_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False)
    )
