"""Public response models of the processing API."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from processing_service.progress import rules
from processing_service.progress.rules import ProgressState, QuestRule


class RewardEmbeddedPublic(BaseModel):
    """The quest's reward, as catalog embeds it."""

    model_config = ConfigDict(extra="allow")

    reward_id: uuid.UUID | None = None
    reward_name: str = ""
    reward_item: Literal["diamond", "gold"]
    reward_qty: int


class QuestPublic(BaseModel):
    """The catalog quest as this service last read it. Fields catalog adds later pass through
    (additive changes), so the player's view never lags behind the catalog's."""

    model_config = ConfigDict(extra="allow")

    quest_id: uuid.UUID
    name: str
    title: str
    description: str = ""
    trigger: str = "sign_in"
    streak: int
    duplication: int
    auto_claim: bool = False
    streak_mode: Literal["count", "daily"] = "count"
    reward_id: uuid.UUID | None = None
    is_active: bool = True
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    reward: RewardEmbeddedPublic


class QuestProgressPublic(BaseModel):
    quest: QuestPublic
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
        quest=QuestPublic.model_validate(quest),
        streak=state.streak,
        target=rule.streak,
        completed=state.completed,
        duplication=rule.duplication,
        claimed=state.claimed,
        claimable=state.claimable,
        status=rules.status(rule, state),
    )
