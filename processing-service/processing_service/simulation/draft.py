"""What a simulation is asked: a draft quest (as the catalog takes it) and a window of time."""

from __future__ import annotations

import uuid
from datetime import datetime
from http import HTTPStatus
from typing import Any, Literal, Protocol, Self

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from processing_service.progress.rules import QuestRule
from quest_common.refusals import ClientError


class UnusableRewardError(
    ClientError,
    status=HTTPStatus.UNPROCESSABLE_ENTITY,
    detail="reward_id does not name a usable reward",
):
    """The catalog's answer for `reward_id` is not a reward a quest can give."""


class RewardSource(Protocol):
    """Catalog's rewards (`catalog.cache.QuestCache`)."""

    def reward(self, reward_id: uuid.UUID) -> Any: ...


class DraftReward(BaseModel):
    model_config = ConfigDict(extra="ignore")

    reward_item: Literal["diamond", "gold", "xp", "badge"]
    reward_qty: int = Field(ge=1, le=1_000_000)


class DraftFilter(BaseModel):
    property: str = Field(min_length=1, max_length=64)
    op: Literal["eq", "ne", "in", "gt", "gte", "lt", "lte"]
    value: str | int | float | bool | list[str | int | float | bool]


class DraftQuest(BaseModel):
    """The quest fields the catalog takes on `POST /quests`, with the reward embedded (`reward`)
    or referenced (`reward_id`, looked up in the catalog)."""

    model_config = ConfigDict(extra="ignore")

    name: str = Field(default="draft", max_length=64)
    title: str = Field(default="Draft quest", max_length=200)
    trigger: Literal["sign_in", "event"] = "sign_in"
    event_type: str = Field(default="sign_in", min_length=1, max_length=64)
    where: list[DraftFilter] = Field(default=[], max_length=20)
    measure: Literal["count", "sum"] = "count"
    measure_property: str | None = Field(default=None, max_length=64)
    streak: int = Field(ge=1, le=10_000)
    duplication: int = Field(default=1, ge=1, le=10_000)
    auto_claim: bool = False
    streak_mode: Literal["count", "daily"] = "count"
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    reset: Literal["none", "daily", "weekly"] = "none"
    grace_days: int = Field(default=0, ge=0, le=7)
    cooldown_s: int = Field(default=0, ge=0, le=86_400)
    claim_within_s: int | None = Field(default=None, ge=1)
    reward_id: uuid.UUID | None = None
    reward: DraftReward | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.reward is None and self.reward_id is None:
            raise ValueError("give the reward: `reward` {reward_item, reward_qty} or `reward_id`")
        if self.streak_mode == "daily" and self.reset == "daily":
            raise ValueError("streak_mode daily with reset daily is meaningless")
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValueError("ends_at must be after starts_at")
        if self.grace_days and self.streak_mode != "daily":
            raise ValueError("grace_days applies to daily quests only")
        if self.measure == "sum" and not self.measure_property:
            raise ValueError("measure sum needs measure_property (a numeric property)")
        if self.measure == "sum" and self.streak_mode == "daily":
            raise ValueError("measure sum cannot be daily: a day counts once, a sum adds values")
        return self

    def reward_from(self, catalog: RewardSource) -> DraftReward:
        """The embedded reward, or the catalog's reward `reward_id` names."""
        if self.reward is not None:
            return self.reward
        try:
            return DraftReward.model_validate(catalog.reward(self.reward_id or uuid.UUID(int=0)))
        except ValidationError as exc:
            raise UnusableRewardError(self.reward_id) from exc

    def rule(self, reward: DraftReward) -> QuestRule:
        """The rule the worker would build from this quest once the catalog holds it."""
        return QuestRule.from_catalog(
            {
                **self.model_dump(mode="json", exclude={"reward"}),
                "quest_id": str(uuid.UUID(int=0)),
                "is_active": True,
                "reward": reward.model_dump(),
            }
        )


class SimulationRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")

    quest: DraftQuest
    since: datetime
    until: datetime | None = None

    @model_validator(mode="after")
    def _window(self) -> Self:
        if self.since.tzinfo is None or (self.until is not None and self.until.tzinfo is None):
            raise ValueError("since and until need a time zone offset (e.g. Z)")
        if self.until is not None and self.until <= self.since:
            raise ValueError("since must be before until")
        return self
