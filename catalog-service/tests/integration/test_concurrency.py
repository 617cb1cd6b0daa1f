"""Seeders racing on the same names still leave one row each (no 5xx, no duplicate)."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from catalog_service.core.db import create_db_engine
from catalog_service.core.uow import UnitOfWork
from catalog_service.quests import service as quests
from catalog_service.quests.models import QuestUpsert
from catalog_service.rewards import service as rewards
from catalog_service.rewards.models import RewardItem, RewardUpsert
from quest_devtools.testing.databases import scalar


def test_parallel_upserts_of_one_name_make_one_row(
    catalog_db_url: str, unique_name: Callable[[str], str]
) -> None:
    engine = create_db_engine(catalog_db_url)
    reward_name, quest_name = unique_name("race-reward"), unique_name("race-quest")
    try:
        with ThreadPoolExecutor(max_workers=8) as pool:
            reward_results = list(
                pool.map(
                    lambda _: rewards.upsert_reward(
                        uow=UnitOfWork(engine),
                        name=reward_name,
                        data=RewardUpsert(reward_item=RewardItem.gold, reward_qty=3),
                    ),
                    range(8),
                )
            )
            reward_ids = {reward.reward_id for reward, _ in reward_results}
            assert len(reward_ids) == 1
            assert sum(created for _, created in reward_results) == 1

            quest_results = list(
                pool.map(
                    lambda i: quests.upsert_quest(
                        uow=UnitOfWork(engine),
                        name=quest_name,
                        data=QuestUpsert(
                            title="Race", streak=1 + i % 2, reward_id=next(iter(reward_ids))
                        ),
                    ),
                    range(8),
                )
            )
        assert len({quest.quest_id for quest, _ in quest_results}) == 1
        assert sum(created for _, created in quest_results) == 1
        assert scalar(engine, "SELECT count(*) FROM quest WHERE name = :n", n=quest_name) == 1
    finally:
        engine.dispose()
