"""The reference catalog, present after the first start without any manual step.

Seeding goes through the same idempotent upserts as `PUT /…/by-name/{name}`: running it again
changes nothing, and an admin's later edits to other fields are overwritten only if the seed's
own values differ.
"""

from __future__ import annotations

from catalog_service.core.uow import UnitOfWork
from catalog_service.quests import service as quests
from catalog_service.quests.models import QuestPublic, QuestUpsert, StreakMode, Trigger
from catalog_service.rewards import service as rewards
from catalog_service.rewards.models import RewardItem, RewardUpsert
from quest_common import audit

REFERENCE_REWARD = "ten-diamonds"
REFERENCE_QUEST = "sign-in-three-times"


def seed_reference_catalog(*, uow: UnitOfWork) -> QuestPublic:
    reward, _ = rewards.upsert_reward(
        uow=uow,
        name=REFERENCE_REWARD,
        actor=audit.SYSTEM,
        data=RewardUpsert(reward_item=RewardItem.diamond, reward_qty=10),
    )
    quest, _ = quests.upsert_quest(
        uow=uow,
        name=REFERENCE_QUEST,
        actor=audit.SYSTEM,
        data=QuestUpsert(
            title="Sign in three times",
            description="Sign in 3 times, get 10 diamonds, claim it by hand, at most twice.",
            trigger=Trigger.sign_in,
            streak=3,
            duplication=2,
            auto_claim=False,
            streak_mode=StreakMode.count,
            reward_id=reward.reward_id,
        ),
    )
    return quest
