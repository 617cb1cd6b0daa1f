"""Pipeline benchmarks (print figures, never assert).

1. Worker throughput: N sign-in events for P players published straight to the exchange, timed
   until all are committed; one worker, then two (worker processes, catalog down: local copy).
2. Sign-in → `check_in` latency: logins at a steady rate through the gateway of a native stack;
   time from the login response to the SSE event and to `GET /me/quests` showing it.

    uv run python bench/pipeline.py [--events 20000] [--players 1000] [--logins 200]
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pika
import psycopg
from sqlmodel import Session

from processing_service.catalog.cache import QuestDefinition
from processing_service.core.config import Settings
from processing_service.core.db import run_migrations
from processing_service.worker import SIGN_IN_KEYS
from quest_common.broker.connection import connect
from quest_common.broker.topology import declare_work_queue, delete_work_queue
from quest_common.db import make_engine
from quest_common.events import make_event
from quest_devtools.testing.databases import create_database, drop_database, sqlalchemy_url
from quest_devtools.testing.plugin import AMQP_URL, PG_ADMIN_URL, free_port


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


def count_events(db_url: str) -> int:
    with psycopg.connect(db_url.replace("postgresql+psycopg://", "postgresql://")) as conn:
        row = conn.execute("SELECT count(*) FROM sign_in_event").fetchone()
        return int(row[0]) if row else 0


def deadlocks(db_url: str) -> int:
    """Deadlocks PostgreSQL detected in this database (each one costs a second of waiting)."""
    with psycopg.connect(db_url.replace("postgresql+psycopg://", "postgresql://")) as conn:
        row = conn.execute(
            "SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()"
        ).fetchone()
        return int(row[0]) if row else 0


def load() -> str:
    """The machine's load average: other work on these 2 cores skews every figure."""
    one, five, _ = os.getloadavg()
    return f"load {one:.2f}/{five:.2f}"


def throughput(*, events: int, players: int, workers: int) -> None:
    name = create_database(PG_ADMIN_URL, prefix="bench_processing")
    db_url = sqlalchemy_url(PG_ADMIN_URL, name)
    suffix = uuid.uuid4().hex[:8]
    settings = Settings(
        environment="test",
        database_url=db_url,
        amqp_url=AMQP_URL,
        events_exchange=f"bench.{suffix}.events",
        sign_in_queue=f"bench.{suffix}.sign-ins",
        catalog_url=f"http://127.0.0.1:{free_port()}",
        auth_url=f"http://127.0.0.1:{free_port()}",
    )
    procs: list[subprocess.Popen[bytes]] = []
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
        users = [uuid.uuid4() for _ in range(players)]
        start = datetime.now(UTC)
        channel.confirm_delivery()
        for i in range(events):
            user = users[i % players]
            event = make_event(
                source="auth-service",
                type="UserSignIn",
                subject=str(user),
                data={"user_id": str(user), "user_name": "bench"},
                time=start + timedelta(milliseconds=i),
            )
            channel.basic_publish(
                settings.events_exchange,
                "auth.UserSignIn",
                event.to_json(),
                pika.BasicProperties(delivery_mode=2),
            )
        connection.close()  # idle during the wait: it would miss its heartbeats
        env = {
            **os.environ,
            "ENVIRONMENT": "test",
            "DATABASE_URL": db_url,
            "AMQP_URL": AMQP_URL,
            "EVENTS_EXCHANGE": settings.events_exchange,
            "SIGN_IN_QUEUE": settings.sign_in_queue,
            "CATALOG_URL": settings.catalog_url,
            "AUTH_URL": settings.auth_url,
            "LOG_LEVEL": "WARNING",
        }
        load_before = load()
        began = time.monotonic()
        for _ in range(workers):
            procs.append(
                subprocess.Popen(
                    [sys.executable, "-m", "processing_service.worker"],
                    env=env,
                    stderr=subprocess.DEVNULL,
                )
            )
        # Start-up (interpreter, imports, connections) is reported apart from consumption, which
        # is timed from the first worker's consumer (with two, the second may join a bit later).
        watch = connect(AMQP_URL, name="bench-watch")
        try:
            while (
                watch.channel().queue_declare(settings.sign_in_queue, passive=True).method
            ).consumer_count < 1:
                time.sleep(0.02)
        finally:
            watch.close()
        consuming = time.monotonic()
        while count_events(db_url) < events:
            time.sleep(0.05)
        done = time.monotonic()
        elapsed, consumed = done - began, done - consuming
        print(
            f"throughput: {events} events, {players} players, {workers} worker(s): "
            f"{consumed:.2f} s from the first consumer = {events / consumed:,.0f} events/s "
            f"({elapsed:.2f} s incl. start-up = {events / elapsed:,.0f} events/s); "
            f"deadlocks {deadlocks(db_url)}; {load_before} before, {load()} after",
            flush=True,
        )
    finally:
        for proc in procs:
            proc.send_signal(signal.SIGTERM)
        for proc in procs:
            proc.wait(30)
        if connection.is_open:
            connection.close()
        cleanup = connect(AMQP_URL, name="bench-cleanup")
        delete_work_queue(cleanup.channel(), settings.sign_in_queue)
        cleanup.channel().exchange_delete(settings.events_exchange)
        cleanup.close()
        drop_database(PG_ADMIN_URL, name)


def _remove_stack_leftovers(databases: Any, suffix: str) -> None:
    """Drop the latency run's databases, exchange and queues."""
    for name in (databases.auth, databases.catalog, databases.processing):
        drop_database(PG_ADMIN_URL, name)
    connection = connect(AMQP_URL, name="bench-cleanup")
    try:
        channel = connection.channel()
        queue = f"bench.{suffix}.sign-ins"
        for name in (queue, f"{queue}.retry", f"{queue}.dlq"):
            channel.queue_delete(queue=name)
        channel.exchange_delete(exchange=f"bench.{suffix}.events")
    finally:
        connection.close()


def latency(*, logins: int, rate: float) -> None:
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
        players = []
        for i in range(max(1, logins // 10)):
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
        print(f"latency: {logins} logins at {rate:g}/s through the gateway; {load()}", flush=True)
        interval = 1.0 / rate
        next_at = time.monotonic()
        for i in range(logins):
            name, token = players[i % len(players)]
            time.sleep(max(0.0, next_at - time.monotonic()))
            next_at += interval
            seen = len(arrivals[name])
            response = client.post(
                "/api/auth/login/access-token",
                data={"username": name, "password": "bench-password"},
            )
            done = time.monotonic()
            if response.status_code != 200:
                # Counted and printed: a refused login (e.g. the gateway's rate limit) is no sample.
                refused[response.status_code] = refused.get(response.status_code, 0) + 1
                print(f"  login {i}: HTTP {response.status_code} {response.text[:120]}")
                continue
            deadline = done + 5
            while len(arrivals[name]) <= seen and time.monotonic() < deadline:
                time.sleep(0.001)
            if len(arrivals[name]) > seen:
                sse_ms.append((arrivals[name][seen] - done) * 1000)
            else:
                missing += 1
            if i % 10 == 0:  # the read side, sampled: polling it every login would skew the rate
                headers = {"Authorization": f"Bearer {token}"}
                shown = client.get("/api/processing/me/quests", headers=headers)
                if shown.status_code == 200:
                    quests_ms.append((time.monotonic() - done) * 1000)
        print(
            f"  refused logins: {sum(refused.values())} {refused or ''}; "
            f"no check_in within 5 s: {missing}"
        )
        report("login -> SSE check_in", sse_ms, logins)
        report("login -> GET /me/quests answered (sampled 1 in 10)", quests_ms, len(quests_ms))


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
    parser.add_argument("--logins", type=int, default=200)
    parser.add_argument("--rate", type=float, default=50.0)
    parser.add_argument("--skip-latency", action="store_true")
    parser.add_argument("--skip-throughput", action="store_true")
    args = parser.parse_args()
    for workers in () if args.skip_throughput else (1, 2):
        throughput(events=args.events, players=args.players, workers=workers)
    if not args.skip_latency:
        latency(logins=args.logins, rate=args.rate)


if __name__ == "__main__":
    main()
