"""Rewards: what a completed quest pays out (an item and a quantity)."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Self

from pydantic import model_validator
from sqlalchemy import String
from sqlmodel import Field, SQLModel

from catalog_service.core.models import CatalogRow, slug_column, slug_field, unique_slug_field
from catalog_service.core.writes import badge_reward_error


class RewardItem(StrEnum):
    diamond = "diamond"
    gold = "gold"
    xp = "xp"  # experience: credited like diamonds, never spent; levels follow from it
    badge = "badge"  # the badge named by the reward (`reward_name`), held once per player


class RewardChecks(SQLModel):
    """The rule spanning a reward body's fields (a PATCH is checked merged, by the service)."""

    if TYPE_CHECKING:
        reward_item: RewardItem
        reward_qty: int

    @model_validator(mode="after")
    def _badge_once(self) -> Self:
        error = badge_reward_error(reward_item=self.reward_item, reward_qty=self.reward_qty)
        if error is not None:
            raise ValueError(error)
        return self


class RewardBase(SQLModel):
    reward_name: str = unique_slug_field()
    reward_item: RewardItem = Field(sa_type=String(16))
    reward_qty: int = Field(ge=1, le=1_000_000)


class RewardCreate(RewardChecks, RewardBase):
    pass


class RewardUpsert(RewardChecks):
    """Body of `PUT /rewards/by-name/{name}`: the name comes from the path."""

    reward_item: RewardItem
    reward_qty: int = Field(ge=1, le=1_000_000)


class RewardUpdate(SQLModel):
    """PATCH body: fields left out stay as they are; none of them is nullable."""

    reward_name: str = slug_field(default=None)
    reward_item: RewardItem = Field(default=None)
    reward_qty: int = Field(default=None, ge=1, le=1_000_000)


class Reward(CatalogRow, RewardBase, table=True):
    reward_id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    reward_name: str = slug_column()


class RewardEmbedded(SQLModel):
    """The reward as embedded in every quest read, so a reader needs one call."""

    reward_id: uuid.UUID
    reward_name: str
    reward_item: RewardItem
    reward_qty: int


class RewardPublic(RewardBase):
    reward_id: uuid.UUID
    created_at: datetime
    updated_at: datetime


class RewardsPublic(SQLModel):
    data: list[RewardPublic]
    count: int
