"""Public response models of the processing API."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel

from processing_service.progress import rules
from processing_service.progress.rules import ProgressState, QuestRule


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


def progress_item(quest: dict[str, Any], state: ProgressState) -> QuestProgressPublic:
    rule = QuestRule.from_catalog(quest)
    return QuestProgressPublic(
        quest=quest,
        streak=state.streak,
        target=rule.streak,
        completed=state.completed,
        duplication=rule.duplication,
        claimed=state.claimed,
        claimable=state.claimable,
        status=rules.status(rule, state),
    )
