"""Seeders racing on the same names still leave one row each (no 5xx, no duplicate), and
writers racing on prerequisites never close a cycle."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from threading import Barrier

from catalog_service.core.db import create_db_engine
from catalog_service.core.errors import InvalidError
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


def test_two_writers_never_close_a_prerequisite_cycle_between_them(
    catalog_db_url: str, unique_name: Callable[[str], str]
) -> None:
    """A requires B and B requires A, written at the same moment: each check alone passes
    against the other's old state, so only the lock keeps one of them out."""
    engine = create_db_engine(catalog_db_url)
    try:
        reward, _ = rewards.upsert_reward(
            uow=UnitOfWork(engine),
            name=unique_name("cycle-reward"),
            data=RewardUpsert(reward_item=RewardItem.gold, reward_qty=1),
        )
        pairs = [(unique_name("cycle-a"), unique_name("cycle-b")) for _ in range(10)]
        for pair in pairs:
            for name in pair:
                quests.upsert_quest(
                    uow=UnitOfWork(engine),
                    name=name,
                    data=QuestUpsert(title="Cycle", streak=1, reward_id=reward.reward_id),
                )
        start = Barrier(2 * len(pairs))

        def require(name: str, other: str) -> bool:
            start.wait()
            try:
                quests.upsert_quest(
                    uow=UnitOfWork(engine),
                    name=name,
                    data=QuestUpsert(
                        title="Cycle", streak=1, reward_id=reward.reward_id, requires=[other]
                    ),
                )
            except InvalidError:
                return False
            return True

        with ThreadPoolExecutor(max_workers=2 * len(pairs)) as pool:
            results = [(pool.submit(require, a, b), pool.submit(require, b, a)) for a, b in pairs]
            outcomes = [(first.result(), second.result()) for first, second in results]
        # Exactly one of each pair: never both (a cycle), never neither (nothing to refuse).
        assert all(sorted(pair) == [False, True] for pair in outcomes), outcomes
    finally:
        engine.dispose()
