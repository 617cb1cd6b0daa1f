"""Operator incidents: windows in which a missed local day never breaks a daily streak."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, Column, DateTime
from sqlmodel import Field, SQLModel

from quest_common.db import utcnow


class Incident(SQLModel, table=True):
    __tablename__ = "incident"
    __table_args__ = (CheckConstraint("ends_at > starts_at", name="ck_incident_window"),)

    incident_id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    starts_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    ends_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    reason: str = Field(max_length=200)
    declared_by: str = Field(default="", max_length=128)
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False)
    )
