"""Public response models of the processing API."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel


class QuestProgressPublic(BaseModel):
    quest: dict[str, Any]  # the catalog quest, with its embedded reward
    streak: int
    target: int
    completed: int
    duplication: int
    claimed: int
    claimable: int
    status: Literal["in_progress", "claimable", "done"]


class QuestProgressList(BaseModel):
    data: list[QuestProgressPublic]
    count: int


class ClaimResult(BaseModel):
    progress: QuestProgressPublic
    grant_id: str
    item: str
    qty: int
    credited: bool


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
