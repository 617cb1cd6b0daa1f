"""Limits of one API replica, on a real `uvicorn` process: SSE streams per player, taken before
the response starts; simulations admitted at most two at a time, run apart from the players'
reads (which stay within twice their idle p99 while simulations run)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

import httpx
from sqlalchemy import Engine, text

from quest_devtools.testing.tokens import TestKeys
from quest_devtools.testing.waiting import wait_for

STREAM = "/api/processing/notifications/stream"


async def _open_streams(base: str, token: str, count: int) -> tuple[list[int], int]:
    """Open `count` streams at once; → (the statuses, how many 200s are still open once every
    answer is in). An open stream of a new player has nothing to send yet, so reading from it
    waits; one that ended reads to its end at once."""
    headers = {"Authorization": f"Bearer {token}"}
    timeout = httpx.Timeout(30, read=2)
    limits = httpx.Limits(max_connections=count + 5)
    async with httpx.AsyncClient(base_url=base, timeout=timeout, limits=limits) as client:
        gate = asyncio.Event()

        async def open_one() -> httpx.Response:
            await gate.wait()
            request = client.build_request("GET", STREAM, headers=headers)
            return await client.send(request, stream=True)

        tasks = [asyncio.create_task(open_one()) for _ in range(count)]
        await asyncio.sleep(0.2)
        gate.set()
        responses = await asyncio.gather(*tasks)
        still_open = 0
        for response in responses:
            if response.status_code == 200:
                try:
                    await anext(response.aiter_raw())
                except StopAsyncIteration:
                    pass  # ended at once
                except httpx.ReadTimeout:
                    still_open += 1
        for response in responses:
            await response.aclose()
        return [r.status_code for r in responses], still_open


def test_thirty_parallel_opens_give_five_open_streams_and_twenty_five_429(
    start_api: Callable[..., str], test_keys: TestKeys
) -> None:
    base = start_api()
    token = test_keys.mint()
    statuses, still_open = asyncio.run(_open_streams(base, token, 30))
    assert sorted(statuses) == [200] * 5 + [429] * 25, statuses
    assert still_open == 5
    # Closed streams give their places back: the next opens get them.
    again: list[int] = []

    def five_again() -> bool:
        again[:] = asyncio.run(_open_streams(base, token, 6))[0]
        return sorted(again) == [200] * 5 + [429]

    assert wait_for(five_again, timeout=30), again


SIMULATIONS = "/api/processing/admin/simulations"
DRAFT = {
    "quest": {
        "streak": 3,
        "streak_mode": "daily",
        "reward": {"reward_item": "gold", "reward_qty": 1},
    },
    "since": "2026-01-01T00:00:00Z",
}
FILL = text(
    """
    INSERT INTO player_event
        (event_id, user_id, user_name, type, source, occurred_at, recorded_at)
    SELECT gen_random_uuid()::text, u.user_id, 'player', 'UserSignIn', 'auth-service',
           timestamptz '2026-01-01' + e.n * interval '7 hours', now()
    FROM (SELECT gen_random_uuid() AS user_id FROM generate_series(1, :players)) AS u,
         generate_series(1, :per_player) AS e(n)
    ORDER BY u.user_id, e.n
    """
)


def fill_events(engine: Engine, *, players: int, per_player: int) -> None:
    """Recorded sign-ins for simulations to replay (enough to keep them busy a while)."""
    with engine.begin() as connection:
        connection.execute(FILL, {"players": players, "per_player": per_player})


def simulation_rows(engine: Engine) -> tuple[int, int]:
    with engine.connect() as connection:
        jobs = connection.execute(text("SELECT count(*) FROM simulation")).scalar_one()
        audited = connection.execute(
            text("SELECT count(*) FROM audit_entry WHERE action = 'simulation.start'")
        ).scalar_one()
    return int(jobs), int(audited)


def test_at_most_two_simulations_run_at_once_then_429_with_retry_after(
    start_api: Callable[..., str], engine: Engine, test_keys: TestKeys
) -> None:
    fill_events(engine, players=2_000, per_player=50)
    base = start_api()
    admin = test_keys.headers(role="admin")
    with httpx.Client(base_url=base, timeout=30) as client:
        answers = [client.post(SIMULATIONS, json=DRAFT, headers=admin) for _ in range(3)]
        assert [a.status_code for a in answers] == [202, 202, 429], [a.text for a in answers]
        refused = answers[2]
        assert int(refused.headers["Retry-After"]) > 0
        assert "simulations" in refused.json()["detail"]
        # The refused one left nothing behind: no job row, no audit entry.
        assert simulation_rows(engine) == (2, 2)

        def both_done() -> bool:
            states = [
                client.get(f"{SIMULATIONS}/{a.json()['simulation_id']}", headers=admin).json()
                for a in answers[:2]
            ]
            assert all(s["state"] != "failed" for s in states), states
            return all(s["state"] == "done" for s in states)

        wait_for(both_done, timeout=120, interval=0.5)
        # Their places are free again.
        assert client.post(SIMULATIONS, json=DRAFT, headers=admin).status_code == 202


def _p99(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]


def test_players_reads_stay_within_twice_their_idle_p99_while_simulations_run(
    start_api: Callable[..., str], engine: Engine, test_keys: TestKeys, add_quest: Any
) -> None:
    """A guarantee of isolation, measured in one run: GET /me/quests idle, then with two
    simulations running all along (restarted as they finish), then idle again; 100 reads
    each."""
    add_quest()
    fill_events(engine, players=4_000, per_player=50)
    base = start_api()
    admin, player = test_keys.headers(role="admin"), test_keys.headers()
    with httpx.Client(base_url=base, timeout=30) as client:

        def read() -> float:
            started = time.perf_counter()
            response = client.get("/api/processing/me/quests", headers=player)
            elapsed = time.perf_counter() - started
            assert response.status_code == 200, response.text
            return elapsed

        for _ in range(20):  # warm up: connections, caches
            read()
        idle = [read() for _ in range(100)]

        running: list[str] = []

        def keep_two_running() -> None:
            for job in list(running):
                state = client.get(f"{SIMULATIONS}/{job}", headers=admin).json()["state"]
                assert state != "failed"
                if state == "done":
                    running.remove(job)
            while len(running) < 2:
                started = client.post(SIMULATIONS, json=DRAFT, headers=admin)
                assert started.status_code == 202, started.text
                running.append(started.json()["simulation_id"])

        keep_two_running()
        # Both have started replaying (their progress moved) before the measure begins.
        wait_for(
            lambda: all(
                client.get(f"{SIMULATIONS}/{job}", headers=admin).json()["progress"] > 0
                for job in running
            ),
            timeout=60,
            interval=0.2,
        )
        busy: list[float] = []
        for _ in range(10):
            busy += [read() for _ in range(10)]
            keep_two_running()

        def all_done() -> bool:
            states = [client.get(f"{SIMULATIONS}/{j}", headers=admin).json() for j in running]
            return all(s["state"] == "done" for s in states)

        wait_for(all_done, timeout=120, interval=0.5)
        idle_after = [read() for _ in range(100)]
    # The idle figure is the worse of the runs before and after: other work on a shared
    # machine then moves the bound, not the verdict.
    idle_p99, busy_p99 = max(_p99(idle), _p99(idle_after)), _p99(busy)
    print(f"GET /me/quests p99: idle {idle_p99 * 1000:.1f} ms, busy {busy_p99 * 1000:.1f} ms")
    # Twice the idle p99, with a floor of 50 ms above it: on two shared cores one scheduler
    # slice given to another process lands in a 100-read p99 whatever the API does. What this
    # guards against is far beyond it (before admission control: 33 ms idle, 382 ms busy).
    assert busy_p99 <= max(2 * idle_p99, idle_p99 + 0.050), (idle_p99, busy_p99)
