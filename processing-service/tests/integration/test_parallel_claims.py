"""Parallel claims never credit more than was earned (DESIGN §4, §7.2), with the race forced.

Claims that merely run at the same time rarely meet inside the window between reading a
player's progress and writing the claim. Here they do: the claims start together behind a
barrier while the test holds the grants table locked, so every claim that got past its progress
read waits right before its first grant statement; once all of them wait, the lock goes and they
run on together. Without the progress row lock each would have read the same "2 claimable".

Auth is a real auth process here: what each claim credited is read back from its ledger.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text

from auth_service.core.db import run_migrations as migrate_auth
from processing_service.core.config import Settings
from processing_service.main import create_app
from processing_service.progress.rules import QuestRule
from processing_service.progress.service import ReceivedSignIn
from quest_devtools.testing.auth_process import AuthProcess, auth_process
from quest_devtools.testing.databases import lock_waiters
from quest_devtools.testing.plugin import DatabaseFactory
from quest_devtools.testing.tokens import TestKeys
from quest_devtools.testing.waiting import wait_for

CLAIMERS = 10
EARNED = 2


@pytest.fixture
def auth(
    database_url_factory: DatabaseFactory, settings: Settings, amqp_url: str
) -> Iterator[AuthProcess]:
    with auth_process(
        database_url=database_url_factory("auth", migrate_auth),
        amqp_url=amqp_url,
        exchange=settings.events_exchange,
    ) as process:
        yield process


@pytest.fixture
def api(settings: Settings, auth: AuthProcess) -> Iterator[TestClient]:
    with TestClient(create_app(settings.model_copy(update={"auth_url": auth.url}))) as client:
        yield client


def test_parallel_claims_behind_a_barrier_take_each_earned_reward_once(
    engine: Engine,
    settings: Settings,
    add_quest: Callable[..., dict[str, Any]],
    consume: Callable[[Sequence[ReceivedSignIn], Sequence[QuestRule]], None],
    api: TestClient,
    auth: AuthProcess,
    test_keys: TestKeys,
) -> None:
    quest = add_quest(streak=1, duplication=5, reward_item="gold", reward_qty=3)
    user_id, _ = auth.sign_up()  # the credits need a player auth knows
    user = uuid.UUID(user_id)
    start = datetime.now(UTC) - timedelta(hours=1)
    consume(
        [
            ReceivedSignIn(str(uuid.uuid4()), user, "p", "UserSignIn", start + timedelta(minutes=i))
            for i in range(EARNED)
        ],
        [QuestRule.from_catalog(quest)],
    )
    headers = test_keys.headers(sub=str(user))
    url = f"/api/processing/me/quests/{quest['quest_id']}/claim"
    gate = threading.Barrier(CLAIMERS)

    def claim(_: int) -> tuple[int, dict[str, Any]]:
        gate.wait(timeout=30)
        response = api.post(url, headers=headers)
        return response.status_code, response.json()

    with engine.connect() as holder:
        holder.execute(text("LOCK TABLE reward_grant IN EXCLUSIVE MODE"))
        with ThreadPoolExecutor(max_workers=CLAIMERS) as pool:
            answers = pool.map(claim, range(CLAIMERS))
            try:
                # Every claim waits: on the grants lock, or on another claim's progress row.
                wait_for(lambda: lock_waiters(settings.database_url) >= CLAIMERS, timeout=60)
            finally:
                holder.rollback()  # all of them on together
            results = list(answers)

    statuses = sorted(status for status, _ in results)
    assert statuses == [200] * EARNED + [409] * (CLAIMERS - EARNED), results
    claimed_grants = {body["grant_id"] for status, body in results if status == 200}
    with engine.connect() as connection:
        grants = connection.execute(
            text("SELECT grant_id::text, qty, status FROM reward_grant WHERE user_id = :u"),
            {"u": user},
        ).all()
        claimed = connection.execute(
            text("SELECT completed, claimed FROM quest_progress WHERE user_id = :u"),
            {"u": user},
        ).one()
    # Answers, grants, the progress row and auth's ledger tell one story.
    assert {g.grant_id for g in grants} == claimed_grants
    assert [g.status for g in grants] == ["credited"] * EARNED
    assert (claimed.completed, claimed.claimed) == (EARNED, EARNED)
    ledger = auth.ledger(user_id)
    assert sorted(key for key, _, _ in ledger) == sorted(claimed_grants)
    assert [(item, qty) for _, item, qty in ledger] == [("gold", 3)] * EARNED
