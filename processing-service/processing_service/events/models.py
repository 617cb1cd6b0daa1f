"""Every consumed event of a player (sign-ins and game servers' events), as recorded."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Column, DateTime, Identity, Index, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from quest_common.db import utcnow


class RecordedEvent(SQLModel, table=True):
    """Every consumed event, keyed by the envelope id: a redelivery inserts nothing."""

    __tablename__ = "player_event"
    __table_args__ = (Index("ix_player_event_user_seq", "user_id", "seq"),)

    event_id: str = Field(primary_key=True, max_length=128)
    # Consumption order: the order the rules were applied in (and the order a replay uses).
    seq: int | None = Field(
        default=None, sa_column=Column(BigInteger, Identity(), nullable=False, unique=True)
    )
    user_id: uuid.UUID
    user_name: str = Field(default="", max_length=64)
    type: str = Field(max_length=128)  # the envelope's type: `UserSignIn`, `ingest.match_won`
    # The quest event type it counts as (`sign_in`, `match_won`), and its properties.
    event_type: str = Field(default="sign_in", max_length=64)
    data: dict[str, Any] = Field(
        default_factory=dict,
        sa_column=Column(JSONB, nullable=False, server_default=text("'{}'::jsonb")),
    )
    source: str = Field(default="", max_length=256)
    # The player's zone the event was dated in (a sign-in's own; for an ingested event the
    # player's latest known zone; UTC when missing or unknown), so a replay
    # or a trace recomputes the same local dates the worker used.
    time_zone: str = Field(default="UTC", max_length=64)
    occurred_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    recorded_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False)
    )
