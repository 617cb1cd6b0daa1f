"""Pipeline benchmarks (print figures, never assert).

1. Worker throughput: N sign-in events for P players published straight to the exchange, timed
   until all are committed; one worker, then two (worker processes, catalog down: local copy).
2. Sign-in → `check_in` latency: logins at a steady rate through the gateway of a native stack;
   time from the login response to the SSE event and to `GET /me/quests` showing it.

    uv run python bench/pipeline.py [--events 20000] [--players 1000] [--workers 1 2]
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import os
import statistics
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import benchkit
import httpx
from sqlmodel import Session

from processing_service.catalog.cache import QuestDefinition
from processing_service.core.db import run_migrations
from processing_service.worker import SIGN_IN_KEYS
from quest_common.broker.connection import connect
from quest_common.broker.topology import declare_work_queue, queue_names
from quest_common.db import make_engine
from quest_common.events import make_event
from quest_devtools.testing.databases import create_database, drop_database, sqlalchemy_url
from quest_devtools.testing.plugin import AMQP_URL, PG_ADMIN_URL


def reference_quest() -> dict[str, Any]:
    return {
        "quest_id": str(uuid.uuid4()),
        "name": "sign-in-three-times",
        "title": "Sign in 3 times",
        "trigger": "sign_in",
        "streak": 3,
        "duplication": 2,
        "auto_claim": False,
        "streak_mode": "count",
        "is_active": True,
        "reward": {"reward_item": "diamond", "reward_qty": 10},
    }


def load() -> str:
    """The machine's load average: other work on these 2 cores skews every figure."""
    one, five, _ = os.getloadavg()
    return f"load {one:.2f}/{five:.2f}"


def make_sign_ins(events: int, players: int) -> list[benchkit.Message]:
    """The benchmark's sign-in events: `events` of them spread over `players` players."""
    users = [uuid.uuid4() for _ in range(players)]
    start = datetime.now(UTC)
    messages = []
    for i in range(events):
        user = users[i % players]
        event = make_event(
            source="auth-service",
            type="UserSignIn",
            subject=str(user),
            data={"user_id": str(user), "user_name": "bench"},
            time=start + timedelta(milliseconds=i),
        )
        messages.append(
            benchkit.Message(
                routing_key="auth.UserSignIn",
                body=event.to_json(),
                envelope_id=event.id,
                envelope_type=event.type,
                event_type="sign_in",
                user_id=user,
                source=event.source,
                time=event.time,
            )
        )
    return messages


def throughput(*, events: int, players: int, workers: int) -> dict[str, Any]:
    sign_ins = make_sign_ins(events, players)
    name = create_database(PG_ADMIN_URL, prefix="bench_processing")
    db_url = sqlalchemy_url(PG_ADMIN_URL, name)
    settings = benchkit.worker_settings(db_url, AMQP_URL)
    connection = connect(AMQP_URL, name="bench")
    try:
        run_migrations(db_url)
        engine = make_engine(settings.database_url)
        with Session(engine) as session:
            quest = reference_quest()
            session.add(
                QuestDefinition(
                    quest_id=uuid.UUID(quest["quest_id"]), name=quest["name"], payload=quest
                )
            )
            session.commit()
        engine.dispose()
        channel = connection.channel()
        declare_work_queue(
            channel,
            queue=settings.sign_in_queue,
            exchange=settings.events_exchange,
            routing_keys=SIGN_IN_KEYS,
        )
        # Publish everything first, then start the workers: the time measured is consumption.
        benchkit.publish_confirmed(channel, settings.events_exchange, sign_ins)
        connection.close()  # idle during the wait: it would miss its heartbeats
        load_before = load()
        run = benchkit.time_workers(
            env=benchkit.worker_env(settings),
            amqp_url=AMQP_URL,
            queue=settings.sign_in_queue,
            db_url=db_url,
            events=events,
            workers=workers,
        )
        rate = events / run.consumed_s
        print(
            f"throughput: {events} events, {players} players, {workers} worker(s): "
            f"{run.consumed_s:.2f} s from the first consumer = {rate:,.0f} events/s "
            f"({run.elapsed_s:.2f} s incl. start-up = {events / run.elapsed_s:,.0f} events/s); "
            f"deadlocks {benchkit.deadlocks(db_url)}; {load_before} before, {load()} after",
            flush=True,
        )
        benchkit.print_memory("start", run.memory_start)
        benchkit.print_memory("end", run.memory_peak)
    finally:
        if connection.is_open:
            connection.close()
        benchkit.remove_broker_names(
            AMQP_URL,
            exchange=settings.events_exchange,
            queues=queue_names(settings.sign_in_queue),
        )
        drop_database(PG_ADMIN_URL, name)
    # The bounds, measured right after the worker on the same events (same run, same load).
    consume, write = benchkit.worker_bounds(
        AMQP_URL,
        PG_ADMIN_URL,
        sign_ins,
        routing_keys=SIGN_IN_KEYS,
        settings=settings,
        migrate=run_migrations,
    )
    bound = min(consume, write)
    print(
        f"  bounds: bare pika consume (quorum queue, prefetch {settings.prefetch}, ack per "
        f"{settings.batch_size}) {consume:,.0f}/s; bare PostgreSQL batch writes of the same "
        f"rows {write:,.0f}/s; worker / min = {100 * rate / bound:.0f}%; {load()}",
        flush=True,
    )
    return {
        "workers": workers,
        "events": events,
        "players": players,
        "events_per_s": round(rate),
        "bare_consume_per_s": round(consume),
        "bare_writes_per_s": round(write),
        "ratio_to_min_bound": benchkit.ratio(rate, bound),
        "load_average": benchkit.load_average(),
        "memory_start": run.memory_start,
        "memory_end": run.memory_peak,
    }


def _remove_stack_leftovers(databases: Any, suffix: str) -> None:
    """Drop the latency run's databases, exchange and queues."""
    for name in (databases.auth, databases.catalog, databases.processing):
        drop_database(PG_ADMIN_URL, name)
    benchkit.remove_broker_names(
        AMQP_URL,
        exchange=f"bench.{suffix}.events",
        queues=queue_names(f"bench.{suffix}.sign-ins"),
    )


def every_sign_in_quest(client: httpx.Client, admin: str, password: str) -> None:
    """A quest every sign-in moves: a check_in is sent only when a quest moved, and the
    reference quest is done for a player after six sign-ins."""
    token = client.post(
        "/api/auth/login/access-token", data={"username": admin, "password": password}
    ).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    reward = client.put(
        "/api/catalog/rewards/by-name/bench-diamond",
        json={"reward_item": "diamond", "reward_qty": 1},
        headers=headers,
    )
    quest = client.put(
        "/api/catalog/quests/by-name/bench-every-sign-in",
        json={
            "title": "Every sign-in",
            "streak": 10_000,
            "duplication": 1,
            "reward_id": reward.json()["reward_id"],
        },
        headers=headers,
    )
    if quest.status_code not in (200, 201):
        raise SystemExit(f"setup failed: quest HTTP {quest.status_code} {quest.text[:200]}")


def latency(*, logins: int, rate: float) -> dict[str, Any]:
    from quest_devtools.devstack import Databases, Ports, Stack, StackConfig

    suffix = uuid.uuid4().hex[:8]
    run_dir = Path(tempfile.mkdtemp(prefix="bench-stack-"))
    config = StackConfig(
        mode="test",
        run_dir=run_dir,
        environment="test",
        databases=Databases(
            auth=f"b_auth_{suffix}",
            catalog=f"b_catalog_{suffix}",
            processing=f"b_processing_{suffix}",
        ),
        ports=Ports.free(),
        events_exchange=f"bench.{suffix}.events",
        sign_in_queue=f"bench.{suffix}.sign-ins",
        processing_client_secret=uuid.uuid4().hex,
        signing_key_passphrase=uuid.uuid4().hex,
        admin_password=uuid.uuid4().hex,
        components=("auth", "catalog", "processing", "worker", "gateway"),
    )
    # Registered before the stack starts, so an interrupted run also leaves nothing behind.
    atexit.register(_remove_stack_leftovers, config.databases, suffix)
    with Stack(config) as stack:
        client = httpx.Client(base_url=stack.gateway_url, timeout=10)
        every_sign_in_quest(client, config.admin_user_name, config.admin_password)
        players = []
        for i in range(min(25, max(1, logins // 10))):
            name = f"bench_{suffix}_{i}"
            signup = client.post(
                "/api/auth/signup", json={"user_name": name, "password": "bench-password"}
            )
            login = client.post(
                "/api/auth/login/access-token",
                data={"username": name, "password": "bench-password"},
            )
            if signup.status_code != 201 or login.status_code != 200:
                raise SystemExit(
                    f"setup failed: signup HTTP {signup.status_code} {signup.text[:120]}, "
                    f"login HTTP {login.status_code} {login.text[:120]}"
                )
            players.append((name, login.json()["access_token"]))
        arrivals: dict[str, list[float]] = {name: [] for name, _ in players}
        streams_ready = threading.Barrier(len(players) + 1)

        def listen(name: str, token: str) -> None:
            # The stack stops under open streams at the end: that ends the thread, quietly.
            with (
                contextlib.suppress(httpx.HTTPError),
                httpx.Client(
                    base_url=stack.gateway_url, timeout=httpx.Timeout(10, read=None)
                ) as sse,
                sse.stream(
                    "GET",
                    "/api/processing/notifications/stream",
                    headers={"Authorization": f"Bearer {token}", "Last-Event-ID": "999999999999"},
                ) as response,
            ):
                streams_ready.wait()
                event = None
                for line in response.iter_lines():
                    if line.startswith("event:"):
                        event = line.split(":", 1)[1].strip()
                    elif line.startswith("data:") and event == "check_in":
                        arrivals[name].append(time.monotonic())

        for name, token in players:
            threading.Thread(target=listen, args=(name, token), daemon=True).start()
        streams_ready.wait()
        time.sleep(1.0)
        sse_ms: list[float] = []
        quests_ms: list[float] = []
        refused: dict[int, int] = {}
        missing = 0
        lock = threading.Lock()
        pids = [
            pid
            for child in stack._children.values()  # the stack's own processes, for their memory
            for pid in benchkit.family(child.process.pid)
        ]
        memory_start = benchkit.memory(pids)
        load_before = benchkit.load_average()
        print(f"latency: {logins} logins at {rate:g}/s through the gateway; {load()}", flush=True)

        def one_login(i: int) -> None:
            # Each login on its own schedule slot (a pool thread), so a slow answer does not
            # lower the offered rate; the player's stream says when its check_in arrived.
            nonlocal missing
            name, token = players[i % len(players)]
            seen = len(arrivals[name])
            response = client.post(
                "/api/auth/login/access-token",
                data={"username": name, "password": "bench-password"},
            )
            done = time.monotonic()
            if response.status_code != 200:
                # Counted and printed: a refused login (e.g. the gateway's rate limit) is no sample.
                with lock:
                    refused[response.status_code] = refused.get(response.status_code, 0) + 1
                print(f"  login {i}: HTTP {response.status_code} {response.text[:120]}")
                return
            deadline = done + 5
            while len(arrivals[name]) <= seen and time.monotonic() < deadline:
                time.sleep(0.001)
            with lock:
                if len(arrivals[name]) > seen:
                    sse_ms.append((arrivals[name][seen] - done) * 1000)
                else:
                    missing += 1
            if i % 10 == 0:  # the read side, sampled: polling it every login would skew the rate
                headers = {"Authorization": f"Bearer {token}"}
                shown = client.get("/api/processing/me/quests", headers=headers)
                if shown.status_code == 200:
                    with lock:
                        quests_ms.append((time.monotonic() - done) * 1000)

        interval = 1.0 / rate
        started = next_at = time.monotonic()
        with ThreadPoolExecutor(max_workers=16) as pool:
            for i in range(logins):
                time.sleep(max(0.0, next_at - time.monotonic()))
                next_at += interval
                pool.submit(one_login, i)
            offered = logins / (time.monotonic() - started)
        memory_end = benchkit.memory(pids)
        print(
            f"  offered {offered:.1f} logins/s; refused logins: {sum(refused.values())} "
            f"{refused or ''}; no check_in within 5 s: {missing}"
        )
        report("login -> SSE check_in", sse_ms, logins)
        report("login -> GET /me/quests answered (sampled 1 in 10)", quests_ms, len(quests_ms))
        print("  memory (resident) of the stack's processes, start and end of the run:")
        benchkit.print_memory("start", memory_start)
        benchkit.print_memory("end", memory_end)
        ordered = sorted(sse_ms)
        return {
            "logins": logins,
            "offered_per_s": round(offered, 1),
            "sse_p50_ms": round(statistics.median(ordered), 1) if ordered else None,
            "sse_p99_ms": round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))], 1)
            if ordered
            else None,
            "missing": missing,
            "refused": refused,
            "load_average": [load_before, benchkit.load_average()],
            "memory_start": memory_start,
            "memory_end": memory_end,
            "rss_growth_mib": benchkit.memory_growth(memory_start, memory_end),
        }


def report(label: str, samples: list[float], expected: int) -> None:
    if not samples:
        print(f"{label}: no samples")
        return
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    print(
        f"{label}: n={len(samples)}/{expected} p50={statistics.median(ordered):.1f} ms "
        f"p99={p99:.1f} ms max={ordered[-1]:.1f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--players", type=int, default=1_000)
    parser.add_argument(
        "--logins", type=int, default=3000, help="60 s at the default rate (memory compared)"
    )
    parser.add_argument("--rate", type=float, default=50.0)
    parser.add_argument(
        "--workers", type=int, nargs="+", default=[1, 2], help="worker process counts to time"
    )
    parser.add_argument("--skip-latency", action="store_true")
    parser.add_argument("--skip-throughput", action="store_true")
    args = parser.parse_args()
    print(f"pipeline benchmark on {benchkit.machine()}", flush=True)
    figures: dict[str, Any] = {}
    if not args.skip_throughput:
        figures["throughput"] = [
            throughput(events=args.events, players=args.players, workers=workers)
            for workers in args.workers
        ]
    if not args.skip_latency:
        figures["latency"] = latency(logins=args.logins, rate=args.rate)
    benchkit.record("pipeline", figures)


if __name__ == "__main__":
    main()
