"""Outages and shutdowns across real processes: auth cut during a claim, catalog stopped, a quest
created in catalog while the worker runs, SSE replay after Last-Event-ID, SIGTERM of the API
under an open stream, the quest loader reading every page of catalog's list, and ingested
events counted once through client retries, a broker cut and a worker kill (guarantee 12)."""

from __future__ import annotations

import signal
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import admin_setup
import httpx

from processing_service.catalog.cache import QuestCache
from quest_common.db import make_engine
from quest_devtools.testing.players import REFERENCE_QUEST as REFERENCE
from quest_devtools.testing.players import Player, SseReader, wait_for


def admin_headers(cuttable_stack: Any) -> dict[str, str]:
    return dict(cuttable_stack.e2e.admin_headers())


def create_quest(stack: Any, headers: dict[str, str], **fields: Any) -> dict[str, Any]:
    suffix = uuid.uuid4().hex[:8]
    with httpx.Client(base_url=stack.gateway_url, timeout=10) as http:
        reward = admin_setup.reward(http, headers, f"r-{suffix}", "gold", 5)
        body = {
            "title": "Sign in twice",
            "streak": 2,
            "duplication": 1,
            "reward_id": reward["reward_id"],
            **fields,
        }
        return admin_setup.quest(http, headers, f"q-{suffix}", **body)


def test_a_claim_while_auth_is_cut_is_accepted_and_credited_once_after(
    cuttable_stack: Any,
) -> None:
    player = Player.sign_up(cuttable_stack.gateway_url)
    for _ in range(3):
        player.login()
    item = wait_for(lambda: (q := player.quests()[REFERENCE])["claimable"] == 1 and q)
    cuttable_stack.auth.cut()
    try:
        response = player.claim(item["quest"]["quest_id"])
        assert response.status_code == 202, response.text
        assert response.json()["credited"] is False
        grant_id = response.json()["grant_id"]
        assert player.diamonds() == 0  # the player reaches auth directly: nothing yet
        assert player.claim(item["quest"]["quest_id"]).status_code == 409  # claimed once
    finally:
        cuttable_stack.auth.restore()
    # The worker's delivery loop retries with backoff until auth accepts.
    wait_for(lambda: player.diamonds() == 10, timeout=90)
    # Later rounds (and the API's own first attempt, if it half-arrived) must not credit again.
    time.sleep(3)
    assert player.diamonds() == 10
    entries = player.ledger()
    assert [(e["item"], e["qty"], e["balance_after"]) for e in entries] == [("diamond", 10, 10)]
    assert grant_id  # the idempotency key auth saw on every attempt


def test_progress_advances_with_catalog_stopped_even_after_a_worker_restart(
    cuttable_stack: Any,
) -> None:
    stack = cuttable_stack.stack
    player = Player.sign_up(cuttable_stack.gateway_url)
    player.login()
    wait_for(lambda: player.quests()[REFERENCE]["streak"] == 1)
    stack.stop_component("catalog")
    try:
        # A restarted worker cannot read catalog at all: it counts with its local copy.
        assert stack.stop_component("worker") == 0
        stack.start_component("worker")
        player.login()
        wait_for(lambda: player.events() == 2)
        assert player.quests()[REFERENCE]["streak"] == 2
    finally:
        stack.start_component("catalog")


def test_a_quest_created_in_catalog_counts_without_a_restart(cuttable_stack: Any) -> None:
    player = Player.sign_up(cuttable_stack.gateway_url)
    player.login()
    wait_for(lambda: player.events() == 1)
    quest = create_quest(cuttable_stack, admin_headers(cuttable_stack))
    # catalog publishes QuestChanged; the worker drops its cached definitions and reads again.
    wait_for(lambda: quest["name"] in player.quests())
    player.login()
    wait_for(lambda: player.events() == 2)
    new = player.quests()[quest["name"]]
    assert (new["streak"], new["target"]) == (1, 2)
    assert player.quests()[REFERENCE]["streak"] == 2


def test_the_loader_reads_every_page_of_catalog(cuttable_stack: Any) -> None:
    headers = admin_headers(cuttable_stack)
    for _ in range(3):
        create_quest(cuttable_stack, headers)
    listed = httpx.get(
        f"{cuttable_stack.stack.service_url('catalog')}/api/catalog/quests",
        params={"active": "true", "trigger": "sign_in"},
        timeout=10,
    ).json()
    assert listed["count"] >= 4
    engine = make_engine(cuttable_stack.stack.database_url("processing"))
    cache = QuestCache(
        engine=engine, catalog_url=cuttable_stack.stack.service_url("catalog"), page_size=2
    )
    try:
        names = sorted(q["name"] for q in cache.quests())
    finally:
        cache.close()
        engine.dispose()
    assert names == sorted(q["name"] for q in listed["data"])


def test_sse_replays_exactly_what_was_missed_after_last_event_id(stack: Any) -> None:
    player = Player.sign_up(stack.gateway_url)
    player.login()
    first = SseReader(stack.gateway_url, player.headers)
    wait_for(lambda: any(e == "check_in" for _, e, _ in first.received))
    seen = [r for r in first.received if r[2].get("quest_name") == REFERENCE]
    last_id = max(i for i, _, _ in first.received)
    assert [(e, d["streak"]) for _, e, d in seen] == [("check_in", 1)]
    player.login()
    player.login()  # the third sign-in completes the quest
    wait_for(lambda: player.events() == 3)
    headers = {**player.headers, "Last-Event-ID": str(last_id)}
    again = SseReader(stack.gateway_url, headers)
    wait_for(lambda: any(e == "quest_completed" for _, e, _ in again.received))
    replayed = list(again.received)
    ids = [i for i, _, _ in replayed]
    assert ids == sorted(set(ids)) and min(ids) > last_id
    assert [
        (event, data.get("streak"), data["completed"])
        for _, event, data in replayed
        if data.get("quest_name") == REFERENCE
    ] == [("check_in", 2, 0), ("check_in", 0, 1), ("quest_completed", None, 1)]


def test_sigterm_of_the_api_with_an_open_stream_exits_cleanly(cuttable_stack: Any) -> None:
    stack = cuttable_stack.stack
    player = Player.sign_up(cuttable_stack.gateway_url)
    player.login()
    reader = SseReader(cuttable_stack.gateway_url, player.headers)
    assert reader.connected.wait(10) and reader.status == 200
    try:
        # uvicorn re-raises the signal once it has shut down cleanly, hence -SIGTERM.
        assert stack.stop_component("processing", sig=signal.SIGTERM) == -signal.SIGTERM
        assert reader.ended.wait(10)  # the stream was ended, not left hanging
        log = stack.log_path("processing").read_text()
        assert "Application shutdown complete" in log
        assert "timeout graceful shutdown exceeded" not in log  # streams did not hold it up
    finally:
        stack.start_component("processing")
    # The restarted API serves again.
    assert player.quests()[REFERENCE]["streak"] == 1


def test_every_event_answered_202_counts_once_through_retries_a_broker_cut_and_a_worker_kill(
    cuttable_stack: Any,
) -> None:
    """Guarantee 12: clients send batches and retry each one (same ids) until it is answered
    202 — and once more after that, as a client does whose 202 was lost — while the API's broker
    connection is cut and the worker is killed mid-stream. Every event is counted exactly once."""
    gateway = cuttable_stack.gateway_url
    admin = admin_headers(cuttable_stack)
    event_type = f"hit_{uuid.uuid4().hex[:8]}"
    with httpx.Client(base_url=gateway, timeout=15) as http:
        admin_setup.event_type(http, admin, event_type, admin_setup.HIT, title="Hit")
        quest = create_quest(
            cuttable_stack, admin, event_type=event_type, streak=10_000, duplication=1
        )
        token = admin_setup.events_token(http, admin)
    player = Player.sign_up(gateway)
    player.login()
    at = datetime.now(UTC) - timedelta(minutes=1)
    batches = [
        [
            {
                "id": f"b{b}-e{i}",
                "type": event_type,
                "user_id": player.user_id,
                "time": (at + timedelta(milliseconds=b * 50 + i)).isoformat(),
                "data": {"n": i},
            }
            for i in range(50)
        ]
        for b in range(16)
    ]

    def send_until_accepted(batch: list[dict[str, Any]]) -> None:
        with httpx.Client(base_url=gateway, timeout=10) as http:
            deadline = time.monotonic() + 60
            accepted = 0
            while accepted < 2:  # the second 202: a retry after a lost answer
                assert time.monotonic() < deadline
                try:
                    response = http.post(
                        "/api/processing/events/batch",
                        json={"events": batch},
                        headers={"Authorization": f"Bearer {token}"},
                    )
                except httpx.TransportError:
                    time.sleep(0.2)
                    continue
                if response.status_code == 202:
                    accepted += 1
                    continue
                assert response.status_code in (503, 502, 429), response.text
                time.sleep(0.2)

    def wait_known() -> bool:
        # Processing learns of the player from auth's `UserCreated`.
        probe = {**batches[0][0], "id": "probe", "data": {"n": 0}}
        response = httpx.post(
            f"{gateway}/api/processing/events",
            json=probe,
            headers={"Authorization": f"Bearer {token}"},
            timeout=10,
        )
        return response.status_code == 202

    wait_for(wait_known, timeout=20)
    stack = cuttable_stack.stack
    with ThreadPoolExecutor(4) as pool:
        sent = [pool.submit(send_until_accepted, b) for b in batches[:8]]
        cuttable_stack.broker.cut()  # the API's broker connection, during the batches
        time.sleep(1.0)
        cuttable_stack.broker.restore()
        stack.kill_component("worker")  # SIGKILL: whatever batch it held is redelivered
        sent += [pool.submit(send_until_accepted, b) for b in batches[8:]]
        time.sleep(0.5)
        stack.start_component("worker")
        for future in sent:
            future.result()

    expected = 1 + sum(len(b) for b in batches)  # the probe, and every batch's events

    def counted() -> int:
        return int(player.quests()[quest["name"]]["streak"])

    wait_for(lambda: counted() >= expected, timeout=60)
    time.sleep(1.0)  # anything counted twice would show by now
    assert counted() == expected
    assert player.events() == expected + 1  # and the player's one sign-in
