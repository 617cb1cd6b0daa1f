"""Rewards: what a completed quest pays out (an item and a quantity)."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import DateTime, String
from sqlmodel import Field, SQLModel

from quest_common.db import utcnow

SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
SLUG_MAX = 64


class RewardItem(StrEnum):
    diamond = "diamond"
    gold = "gold"


class RewardBase(SQLModel):
    reward_name: str = Field(
        min_length=1,
        max_length=SLUG_MAX,
        schema_extra={"pattern": SLUG_PATTERN},
        description="Unique slug: lowercase letters, digits and single dashes.",
    )
    reward_item: RewardItem = Field(sa_type=String(16))
    reward_qty: int = Field(ge=1, le=1_000_000)


class RewardCreate(RewardBase):
    pass


class RewardUpsert(SQLModel):
    """Body of `PUT /rewards/by-name/{name}`: the name comes from the path."""

    reward_item: RewardItem
    reward_qty: int = Field(ge=1, le=1_000_000)


class RewardUpdate(SQLModel):
    """PATCH body: fields left out stay as they are; none of them is nullable."""

    reward_name: str = Field(
        default=None, min_length=1, max_length=SLUG_MAX, schema_extra={"pattern": SLUG_PATTERN}
    )
    reward_item: RewardItem = Field(default=None)
    reward_qty: int = Field(default=None, ge=1, le=1_000_000)


class Reward(RewardBase, table=True):
    reward_id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    reward_name: str = Field(max_length=SLUG_MAX, unique=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True))
    updated_at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True))


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
