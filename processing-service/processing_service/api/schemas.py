"""Public response models of the processing API."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from processing_service.progress import rules
from processing_service.progress.rules import ProgressState, QuestRule
from processing_service.progress.service import PlayerTime
from quest_common.db import utcnow
from quest_common.rows import from_row


class RewardEmbeddedPublic(BaseModel):
    """The quest's reward, as catalog embeds it."""

    model_config = ConfigDict(extra="allow")

    reward_id: uuid.UUID | None = None
    reward_name: str = ""
    reward_item: Literal["diamond", "gold", "xp", "badge"]
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
    reset: Literal["none", "daily", "weekly"] = "none"
    grace_days: int = 0
    cooldown_s: int = 0
    claim_within_s: int | None = None
    reward: RewardEmbeddedPublic


class ExpiringRewardPublic(BaseModel):
    """An earned, unclaimed reward that is lost if not claimed by `expires_at`."""

    earned_at: datetime
    expires_at: datetime


class QuestProgressPublic(BaseModel):
    quest: QuestPublic
    streak: int
    target: int
    completed: int
    duplication: int
    claimed: int
    claimable: int
    status: Literal["in_progress", "claimable", "done"]
    # Player time (DESIGN §10), all in the player's zone: the one their latest sign-in carried.
    time_zone: str = Field(description="The player's IANA zone these fields are computed in")
    period_ends_at: datetime | None = Field(
        description="The next reset (UTC instant of the player's local midnight); null: none"
    )
    grace_left: int = Field(description="Missed days the current streak can still absorb")
    next_count_at: datetime | None = Field(
        description="When the next sign-in can count (cooldown, next local day); null: now"
    )
    expiring: list[ExpiringRewardPublic] = Field(
        description="Unclaimed rewards that will expire, soonest first"
    )
    expired: int = Field(description="Earned rewards lost because they were not claimed in time")
    counted_today: bool = Field(description="A sign-in already counted on the player's local today")


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


def progress_item(
    quest: dict[str, Any],
    state: ProgressState,
    *,
    player: PlayerTime | None = None,
    now: datetime | None = None,
) -> QuestProgressPublic:
    rule = QuestRule.from_catalog(quest)
    player = player or PlayerTime()
    now = now or utcnow()
    zone = player.zone
    earned_at = player.earned_at(rule.quest_id)
    # Rewards past their deadline count as expired from that moment, before a claim marks them.
    late = min(rules.expired(rule, earned_at, now=now), max(state.claimable, 0))
    if late:
        state = dataclasses.replace(state, expired=state.expired + late)
    # The state's counters (streak, completed, claimed, claimable, expired) as they are; the
    # rest is the quest's and the player's time.
    return from_row(
        QuestProgressPublic,
        state,
        quest=QuestPublic.model_validate(quest),
        target=rule.streak,
        duplication=rule.duplication,
        status=rules.status(rule, state, at=now, zone=zone),
        time_zone=zone,
        period_ends_at=rules.period_ends_at(rule, now=now, zone=zone),
        grace_left=rules.grace_left(rule, state, now=now, zone=zone, incidents=player.incidents),
        next_count_at=rules.next_count_at(rule, state, now=now, zone=zone),
        expiring=[
            ExpiringRewardPublic(earned_at=e.earned_at, expires_at=e.expires_at)
            for e in rules.expiring(rule, earned_at, now=now)
        ],
        counted_today=state.last_day is not None and state.last_day == rules.local_date(now, zone),
    )
