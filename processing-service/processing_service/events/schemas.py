"""Public models of the recorded events' routes."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel


class EventPublic(BaseModel):
    event_id: str
    user_id: str
    user_name: str
    type: str
    source: str
    time: datetime
    recorded_at: datetime


class EventList(BaseModel):
    data: list[EventPublic]
    count: int
