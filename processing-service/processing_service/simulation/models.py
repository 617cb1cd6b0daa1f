"""Simulation jobs: state, progress and result in a table, so any API replica can answer."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Column, DateTime
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from quest_common.db import utcnow


class Simulation(SQLModel, table=True):
    __tablename__ = "simulation"

    simulation_id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    state: str = Field(default="running", max_length=16)  # running | done | failed
    progress: float = 0.0
    request: dict[str, Any] = Field(sa_column=Column(JSONB, nullable=False))
    result: dict[str, Any] | None = Field(default=None, sa_column=Column(JSONB, nullable=True))
    error: str | None = Field(default=None, max_length=500)
    actor_id: str = Field(default="", max_length=64)
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False)
    )
    # Touched with every progress update: a running job not touched for long lost its process.
    updated_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False)
    )
