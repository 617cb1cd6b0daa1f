"""Claims against a real auth: parallel claims never credit more than was earned (DESIGN §4,
§7.2), with the race forced; a claim made while auth is down is kept and credited once auth is
back (§7.4).

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
from processing_service.progress.rules import PlayerEvent, QuestRule
from quest_devtools.testing.auth_process import AuthProcess, auth_process
from quest_devtools.testing.databases import all_waiting
from quest_devtools.testing.plugin import DatabaseFactory
from quest_devtools.testing.proxy import TcpProxy
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
def auth_link(auth: AuthProcess, tcp_proxy: Callable[[str, int], TcpProxy]) -> TcpProxy:
    """The way to auth, for cutting it."""
    port = int(auth.url.rsplit(":", 1)[1])
    return tcp_proxy("127.0.0.1", port)


@pytest.fixture
def with_auth(settings: Settings, auth_link: TcpProxy) -> Settings:
    return settings.model_copy(update={"auth_url": f"http://127.0.0.1:{auth_link.port}"})


@pytest.fixture
def api(with_auth: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(with_auth)) as client:
        yield client


def earn(
    auth: AuthProcess,
    add_quest: Callable[..., dict[str, Any]],
    consume: Callable[[Sequence[PlayerEvent], Sequence[QuestRule]], None],
    rewards: int,
) -> tuple[str, dict[str, Any]]:
    """A player auth knows who has earned `rewards` rewards of 3 gold, none claimed yet."""
    quest = add_quest(streak=1, duplication=5, reward_item="gold", reward_qty=3)
    user_id, _ = auth.sign_up()
    start = datetime.now(UTC) - timedelta(hours=1)
    consume(
        [
            PlayerEvent(
                time=start + timedelta(minutes=i),
                event_id=str(uuid.uuid4()),
                user_id=uuid.UUID(user_id),
            )
            for i in range(rewards)
        ],
        [QuestRule.from_catalog(quest)],
    )
    return user_id, quest


def test_parallel_claims_behind_a_barrier_take_each_earned_reward_once(
    engine: Engine,
    settings: Settings,
    add_quest: Callable[..., dict[str, Any]],
    consume: Callable[[Sequence[PlayerEvent], Sequence[QuestRule]], None],
    api: TestClient,
    auth: AuthProcess,
    test_keys: TestKeys,
) -> None:
    user_id, quest = earn(auth, add_quest, consume, EARNED)
    user = uuid.UUID(user_id)
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
            answers = [pool.submit(claim, i) for i in range(CLAIMERS)]
            try:
                # Every claim waits: on the grants lock, or on another claim's progress row.
                wait_for(lambda: all_waiting(settings.database_url, answers, CLAIMERS), timeout=60)
            finally:
                holder.rollback()  # all of them on together
            results = [answer.result() for answer in answers]

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


def test_a_claim_while_auth_is_down_is_kept_and_credited_once_when_it_is_back(
    engine: Engine,
    with_auth: Settings,
    add_quest: Callable[..., dict[str, Any]],
    consume: Callable[[Sequence[PlayerEvent], Sequence[QuestRule]], None],
    api: TestClient,
    auth: AuthProcess,
    auth_link: TcpProxy,
    run_worker: Callable[..., Any],
    test_keys: TestKeys,
) -> None:
    user_id, quest = earn(auth, add_quest, consume, 1)
    headers = test_keys.headers(sub=user_id)
    url = f"/api/processing/me/quests/{quest['quest_id']}/claim"
    auth_link.cut()
    accepted = api.post(url, headers=headers)
    assert accepted.status_code == 202, accepted.text
    assert accepted.json()["credited"] is False
    assert api.post(url, headers=headers).status_code == 409  # claimed, if not credited yet
    assert auth.ledger(user_id) == []

    grant_id = accepted.json()["grant_id"]

    def grant() -> Any:
        with engine.connect() as connection:
            return connection.execute(
                text("SELECT status, attempts FROM reward_grant WHERE grant_id = :g"),
                {"g": grant_id},
            ).one()

    # The worker's delivery loop tries while auth is still down, then again once it is back.
    run_worker(with_auth.model_copy(update={"grant_poll_s": 0.2}))
    wait_for(lambda: grant().attempts >= 1, timeout=30)
    assert auth.ledger(user_id) == []
    auth_link.restore()
    wait_for(lambda: grant().status == "credited", timeout=30)
    assert auth.ledger(user_id) == [(grant_id, "gold", 3)]  # credited once, under its own key
