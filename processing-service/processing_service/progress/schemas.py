"""Public models of the quest routes: a player's progress on each quest, and a claim."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class RewardEmbeddedPublic(BaseModel):
    """The quest's reward, as catalog embeds it."""

    model_config = ConfigDict(extra="allow")

    reward_id: uuid.UUID | None = None
    reward_name: str = ""
    reward_item: Literal["diamond", "gold", "xp", "badge"]
    reward_qty: int


class QuestFilterPublic(BaseModel):
    """One condition on an event's property; a quest counts an event only when all hold."""

    property: str
    op: Literal["eq", "ne", "in", "gt", "gte", "lt", "lte"]
    value: str | int | float | bool | list[str | int | float | bool]


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
    # Any event (DESIGN §14): what the quest counts, and what must be done first.
    event_type: str = "sign_in"
    where: list[QuestFilterPublic] = []
    measure: Literal["count", "sum"] = "count"
    measure_property: str | None = None
    requires: list[str] = Field(default=[], description="Names of the quests to finish first")
    reward: RewardEmbeddedPublic


class ExpiringRewardPublic(BaseModel):
    """An earned, unclaimed reward that is lost if not claimed by `expires_at`."""

    earned_at: datetime
    expires_at: datetime


class PrerequisitePublic(BaseModel):
    """A quest that must be completed once before this one counts."""

    name: str
    title: str


class QuestProgressPublic(BaseModel):
    quest: QuestPublic
    streak: int | float = Field(
        description="Progress toward `target`: events (or days) counted, or for a sum quest the "
        "sum so far (the excess of a completion carries over)"
    )
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
    locked_by: list[PrerequisitePublic] = Field(
        default=[],
        description="Prerequisites not completed yet: while any is left, nothing counts here",
    )


class QuestProgressList(BaseModel):
    data: list[QuestProgressPublic]
    count: int


class ClaimResult(BaseModel):
    progress: QuestProgressPublic
    grant_id: str
    item: str
    qty: int
    credited: bool
