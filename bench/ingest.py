"""Ingestion benchmarks (DESIGN §14): figures next to bounds measured in the same run, never
assertions.

1. Accepted events/s: batches of 100 events (`POST /api/processing/events/batch`, a client
   token with `events:write`) at concurrency 8 through the gateway of a native stack, for 30 s
   per run. Its bound is min(a bare ASGI app under the same uvicorn reading and parsing the same
   batch bodies (bench/bare_asgi.py), bare confirmed publishes of the same messages to a quorum
   queue: 100 per confirm wait, one connection per concurrent client). Measured in alternating
   slices (service, bare app, bare publishes, ...) so all three see the same load from
   everything else on the machine. The worker is stopped meanwhile (players are known first):
   what is measured is the API taking events, not the worker's consumption.
2. Ingested → counted: 100,000 `ingest.<type>` events for 10,000 players published straight to
   the worker's queue (its own database, catalog down: a local copy of one count quest on the
   type), timed from the worker's first consumer until all are recorded; its bound is min(bare
   consume of the same messages, bare PostgreSQL batch writes of the same rows).
3. Resident memory of every process (peak, and growth across each 30 s run), the spread of each
   figure over the runs, and the load average.

    uv run python bench/ingest.py [--runs 2] [--seconds 30] [--events 100000] [--players 10000]
                                  [--skip-http] [--skip-worker] [--target gateway|service]
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import benchkit
import httpx

from quest_common.events import INGEST_KEYS, SIGN_IN_KEYS, ingest_envelope_id, ingest_type, rfc3339
from quest_common.security import client_subject
from quest_devtools.testing.databases import create_database, drop_database, sqlalchemy_url
from quest_devtools.testing.plugin import AMQP_URL, PG_ADMIN_URL, free_port

EVENT_TYPE = "match_won"
BATCH_PATH = "/api/processing/events/batch"
HERE = Path(__file__).resolve().parent


# --- the events ----------------------------------------------------------------------------------


def game_events(count: int, players: list[str], *, start: datetime) -> list[dict[str, Any]]:
    """`count` events of EVENT_TYPE spread over `players`, as a game server sends them."""
    return [
        {
            "id": f"m-{uuid.uuid4().hex}",
            "type": EVENT_TYPE,
            "user_id": players[i % len(players)],
            "time": rfc3339(start + timedelta(microseconds=i)),
            "data": {"score": i % 1000, "mode": "ranked"},
        }
        for i in range(count)
    ]


def message(client_id: str, event: dict[str, Any]) -> benchkit.Message:
    """The broker message the service publishes for an accepted event (the contract in
    quest_common.events: `ingest.<type>`, an id derived from client and event id)."""
    envelope_id = ingest_envelope_id(client_id, event["id"])
    kind = ingest_type(event["type"])
    body = {
        "specversion": "1.0",
        "id": envelope_id,
        "source": client_subject(client_id),
        "type": kind,
        "subject": event["user_id"],
        "time": event["time"],
        "datacontenttype": "application/json",
        "data": {
            "user_id": event["user_id"],
            "client_event_id": event["id"],
            "data": event["data"],
        },
    }
    return benchkit.Message(
        routing_key=kind,
        body=json.dumps(body, separators=(",", ":")).encode(),
        envelope_id=envelope_id,
        envelope_type=kind,
        event_type=event["type"],
        user_id=uuid.UUID(event["user_id"]),
        source=client_subject(client_id),
        time=datetime.fromisoformat(event["time"]),
        data=event["data"],
    )


def bodies_of(requests: list[bytes]) -> list[bytes]:
    return [request.split(b"\r\n\r\n", 1)[1] for request in requests]


def batch_bodies(events: list[dict[str, Any]], size: int) -> list[bytes]:
    return [
        json.dumps({"events": events[at : at + size]}, separators=(",", ":")).encode()
        for at in range(0, len(events), size)
    ]


# --- bound 1a: a bare ASGI app reading and parsing the same bodies -------------------------------


@contextlib.contextmanager
def bare_app() -> Iterator[tuple[str, int]]:
    """bench/bare_asgi.py under the same uvicorn, with the flags the stack gives its services."""
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "--app-dir",
            str(HERE),
            "bare_asgi:app",
            "--lifespan",
            "off",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--timeout-graceful-shutdown",
            "5",
            "--log-level",
            "warning",
        ],
        env={**os.environ, "PYTHONPATH": str(HERE)},
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(base, timeout=1)
                break
            except httpx.HTTPError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit("the bare ASGI app did not start") from None
                time.sleep(0.2)
        yield base, process.pid
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()


# --- bound 1b: bare confirmed publishes of the same messages -------------------------------------


class BarePublishers:
    """`concurrency` connections, each publishing batches of the same messages (mandatory,
    persistent) to a quorum queue and awaiting each batch's confirms together, as the service
    does; nothing else."""

    def __init__(self, messages: list[benchkit.Message], *, concurrency: int, batch: int) -> None:
        from quest_common.broker.connection import connect
        from quest_common.broker.topology import declare_work_queue

        suffix = uuid.uuid4().hex[:8]
        self.exchange, self.queue = f"bench.{suffix}.events", f"bench.{suffix}.bare-ingest"
        setup = connect(AMQP_URL, name="bench-bare-publish-setup")
        try:
            declare_work_queue(
                setup.channel(),
                queue=self.queue,
                exchange=self.exchange,
                routing_keys=list(INGEST_KEYS),
            )
        finally:
            setup.close()
        self.batches = [messages[at : at + batch] for at in range(0, len(messages), batch)]
        self.concurrency = concurrency

    def run(self, seconds: float) -> float:
        """Confirmed messages/s over `seconds`; the queue is purged after."""
        counts = [0] * self.concurrency
        stop_at = time.monotonic() + seconds
        threads = [
            threading.Thread(target=self._publish, args=(i, stop_at, counts))
            for i in range(self.concurrency)
        ]
        started = time.monotonic()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - started
        from quest_common.broker.connection import connect

        purge = connect(AMQP_URL, name="bench-bare-publish-purge")
        try:
            purge.channel().queue_purge(self.queue)
        finally:
            purge.close()
        return sum(counts) / elapsed

    def _publish(self, index: int, stop_at: float, counts: list[int]) -> None:
        import pika

        from quest_common.broker.connection import connect

        connection = connect(AMQP_URL, name=f"bench-bare-publish-{index}")
        try:
            channel = connection.channel()
            pending: set[int] = set()
            published = 0
            ready = False

            def on_select(_frame: Any) -> None:
                nonlocal ready
                ready = True

            def on_confirm(frame: Any) -> None:
                tag, multiple = int(frame.method.delivery_tag), bool(frame.method.multiple)
                if multiple:
                    pending.difference_update([t for t in pending if t <= tag])
                else:
                    pending.discard(tag)

            # Confirms collected by callback on pika's channel underneath (the blocking one
            # would wait for each message's own confirm).
            channel._impl.confirm_delivery(ack_nack_callback=on_confirm, callback=on_select)
            while not ready:
                connection.process_data_events(time_limit=0.1)
            i = index
            while time.monotonic() < stop_at:
                for item in self.batches[i % len(self.batches)]:
                    # Noted before the publish: its confirm may be read while it is sent.
                    published += 1
                    pending.add(published)
                    channel.basic_publish(
                        self.exchange,
                        item.routing_key,
                        item.body,
                        pika.BasicProperties(
                            content_type="application/cloudevents+json",
                            delivery_mode=2,
                            message_id=item.envelope_id,
                            type=item.envelope_type,
                        ),
                        mandatory=True,
                    )
                while pending:
                    connection.process_data_events(time_limit=0.05)
                counts[index] += len(self.batches[i % len(self.batches)])
                i += self.concurrency
        finally:
            if connection.is_open:
                connection.close()

    def close(self) -> None:
        from quest_common.broker.topology import queue_names

        benchkit.remove_broker_names(
            AMQP_URL, exchange=self.exchange, queues=queue_names(self.queue)
        )


# --- 1. accepted events/s through the gateway ----------------------------------------------------


def _remove_stack_leftovers(databases: Any, suffix: str) -> None:
    from quest_common.broker.topology import queue_names

    for name in (databases.auth, databases.catalog, databases.processing):
        drop_database(PG_ADMIN_URL, name)
    queues = [
        *queue_names(f"bench.{suffix}.sign-ins"),
        *queue_names(f"bench.{suffix}.user-deletions"),
        *queue_names(f"bench.{suffix}.players"),
    ]
    benchkit.remove_broker_names(AMQP_URL, exchange=f"bench.{suffix}.events", queues=queues)


def _ok(response: httpx.Response, what: str) -> dict[str, Any]:
    if response.status_code >= 300:
        raise SystemExit(f"{what}: HTTP {response.status_code} {response.text[:300]}")
    answer: dict[str, Any] = response.json() if response.content else {}
    return answer


def set_up(stack: Any, *, players: int) -> tuple[str, str, list[str]]:
    """An `events:write` client and its token, the event type, and `players` players known to
    processing (signed up at auth, announced through the outbox, kept by the worker)."""
    config = stack.config
    gateway = httpx.Client(base_url=stack.gateway_url, timeout=30)
    admin = _ok(
        gateway.post(
            "/api/auth/login/access-token",
            data={"username": config.admin_user_name, "password": config.admin_password},
        ),
        "admin login",
    )
    as_admin = {"Authorization": f"Bearer {admin['access_token']}"}
    _ok(
        gateway.put(
            f"/api/catalog/event-types/by-name/{EVENT_TYPE}",
            json={
                "title": "Match won",
                "properties": {
                    "score": {"type": "integer", "required": True},
                    "mode": {"type": "string", "required": False},
                },
            },
            headers=as_admin,
        ),
        "event type",
    )
    client = _ok(
        gateway.post(
            "/api/auth/admin/clients",
            json={"name": "bench game server", "scopes": ["events:write"]},
            headers=as_admin,
        ),
        "client",
    )
    token = _ok(
        gateway.post(
            "/api/auth/login/access-token",
            data={
                "grant_type": "client_credentials",
                "client_id": client["client_id"],
                "client_secret": client["client_secret"],
            },
        ),
        "client token",
    )["access_token"]
    user_ids = []
    for i in range(players):
        signup = _ok(
            gateway.post(
                "/api/auth/signup",
                json={"user_name": f"bench_{uuid.uuid4().hex[:10]}_{i}", "password": "bench-pw-1"},
            ),
            "sign-up",
        )
        user_ids.append(str(signup["user_id"]))
    # Processing knows them once the worker kept their auth.UserCreated: until then (and until
    # it reads the event type) a batch naming them is a 422.
    probe = batch_bodies(game_events(len(user_ids), user_ids, start=datetime.now(UTC)), 500)
    deadline = time.monotonic() + 90
    for body in probe:
        while True:
            answer = gateway.post(
                BATCH_PATH,
                content=body,
                headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
            )
            if answer.status_code == 202:
                break
            if time.monotonic() > deadline:
                raise SystemExit(f"players never known: HTTP {answer.status_code} {answer.text}")
            time.sleep(0.5)
    gateway.close()
    return client["client_id"], token, user_ids


def _slice(url: str, requests: list[bytes], *, concurrency: int, seconds: float) -> benchkit.Load:
    return benchkit.run_load(url, requests, concurrency=concurrency, seconds=seconds, warmup=0.3)


def _add(total: benchkit.Load, part: benchkit.Load) -> None:
    total.latencies += part.latencies
    total.statuses.update(part.statuses)
    total.elapsed += part.elapsed
    total.cpu_seconds += part.cpu_seconds
    total.answered += part.answered


def accepted_rate(args: argparse.Namespace) -> list[dict[str, Any]]:
    from quest_devtools.devstack import Databases, Ports, Stack, StackConfig

    suffix = uuid.uuid4().hex[:8]
    config = StackConfig(
        mode="test",
        run_dir=Path(tempfile.mkdtemp(prefix="bench-stack-")),
        environment="test",
        databases=Databases(
            auth=f"b_auth_{suffix}", catalog=f"b_catalog_{suffix}", processing=f"b_proc_{suffix}"
        ),
        ports=Ports.free(),
        events_exchange=f"bench.{suffix}.events",
        sign_in_queue=f"bench.{suffix}.sign-ins",
        user_deletions_queue=f"bench.{suffix}.user-deletions",
        user_created_queue=f"bench.{suffix}.players",
        processing_client_secret=uuid.uuid4().hex,
        catalog_client_secret=uuid.uuid4().hex,
        signing_key_passphrase=uuid.uuid4().hex,
        admin_password=uuid.uuid4().hex,
        components=("auth", "catalog", "processing", "worker", "gateway"),
        # The per-client rate limit would measure itself: lifted for the benchmark.
        extra_env={"processing": {"INGEST_RATE_PER_S": "1000000000", "INGEST_BURST": "1000000000"}},
    )
    atexit.register(_remove_stack_leftovers, config.databases, suffix)
    results = []
    with Stack(config) as stack:
        client_id, token, players = set_up(stack, players=args.http_players)
        stack.stop_component("worker")  # the API is measured, not the worker's consumption
        url = stack.gateway_url if args.target == "gateway" else stack.service_url("processing")
        # Enough distinct events that no request is sent twice (a duplicate costs less).
        per_run = max(1, int(args.seconds * args.expect_batches_per_s))
        # Built a batch at a time and kept as bytes only (a run's events as dicts would take
        # hundreds of MiB); the first batches also make the bare publishers' messages.
        start = datetime.now(UTC) + timedelta(seconds=1)
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        requests, messages = [], []
        for n in range(per_run * args.runs):
            events = game_events(args.batch, players, start=start + timedelta(milliseconds=n))
            body = json.dumps({"events": events}, separators=(",", ":")).encode()
            requests.append(
                benchkit.request_bytes(url, "POST", BATCH_PATH, headers=headers, body=body)
            )
            if n < 50:
                messages += [message(client_id, e) for e in events]
        publishers = BarePublishers(messages, concurrency=args.concurrency, batch=args.batch)
        pids = [pid for c in stack._children.values() for pid in benchkit.family(c.process.pid)]
        try:
            with bare_app() as (bare_url, bare_pid):
                bare_requests = [
                    benchkit.request_bytes(bare_url, "POST", BATCH_PATH, headers=headers, body=b)
                    for b in bodies_of(requests[:200])
                ]
                for run in range(args.runs):
                    own = requests[run * per_run : (run + 1) * per_run]
                    results.append(
                        one_run(
                            args,
                            url=url,
                            requests=own,
                            bare_url=bare_url,
                            bare_requests=bare_requests,
                            publishers=publishers,
                            pids=pids,
                            bare_pid=bare_pid,
                        )
                    )
        finally:
            publishers.close()
    return results


def _bare_named(snapshot: dict[str, dict[str, float]]) -> dict[str, dict[str, float]]:
    return {f"bare_asgi[{name.split('[', 1)[1]}": v for name, v in snapshot.items()}


def one_run(
    args: argparse.Namespace,
    *,
    url: str,
    requests: list[bytes],
    bare_url: str,
    bare_requests: list[bytes],
    publishers: BarePublishers,
    pids: list[int],
    bare_pid: int,
) -> dict[str, Any]:
    slices = max(1, round(args.seconds / 10))
    service, bare = benchkit.Load(), benchkit.Load()
    publish_rates: list[float] = []
    load_before = benchkit.load_average()
    memory_start = benchkit.memory(pids)
    bare_memory_start = _bare_named(benchkit.memory([bare_pid]))
    sent = 0
    for _ in range(slices):
        # Each slice sends requests not sent before (run_load cycles through what it is given).
        part = _slice(
            url, requests[sent:], concurrency=args.concurrency, seconds=args.seconds / slices
        )
        sent += part.answered
        _add(service, part)
        _add(bare, _slice(bare_url, bare_requests, concurrency=args.concurrency, seconds=3.0))
        publish_rates.append(publishers.run(3.0))
    memory_end = benchkit.memory(pids)
    bare_memory_end = _bare_named(benchkit.memory([bare_pid]))
    accepted = service.ok(202) * args.batch / service.elapsed
    bare_rate = bare.ok(202) * args.batch / bare.elapsed
    publish_rate = sum(publish_rates) / len(publish_rates)
    bound = min(bare_rate, publish_rate)
    wrapped = sent > len(requests)
    figures = {
        "accepted_events_per_s": round(accepted),
        "batches_per_s": round(service.ok(202) / service.elapsed, 1),
        "refused": {str(s): n for s, n in service.statuses.items() if s != 202},
        "p50_ms": round(service.pct_ms(50), 1),
        "p99_ms": round(service.pct_ms(99), 1),
        "bare_asgi_events_per_s": round(bare_rate),
        "bare_publish_events_per_s": round(publish_rate),
        "bare_publish_spread": [round(min(publish_rates)), round(max(publish_rates))],
        "ratio_to_min_bound": benchkit.ratio(accepted, bound),
        "client_cores": round(service.client_cores, 3),
        "requests_repeated": wrapped,
        "load_average": [load_before, benchkit.load_average()],
        "memory_start": {**memory_start, **bare_memory_start},
        "memory_end": {**memory_end, **bare_memory_end},
        "rss_growth_mib": benchkit.memory_growth(
            {**memory_start, **bare_memory_start}, {**memory_end, **bare_memory_end}
        ),
    }
    print(
        f"accepted: {accepted:,.0f} events/s ({figures['batches_per_s']} batches of {args.batch}/s"
        f", p50 {figures['p50_ms']} ms, p99 {figures['p99_ms']} ms, refused {figures['refused']})"
        f"; bounds: bare ASGI {bare_rate:,.0f}/s, bare confirmed publishes {publish_rate:,.0f}/s"
        f" ({figures['bare_publish_spread'][0]:,}-{figures['bare_publish_spread'][1]:,});"
        f" accepted / min = {100 * figures['ratio_to_min_bound']:.0f}%;"
        f" load {load_before[0]:.2f}->{benchkit.load_average()[0]:.2f}"
        + (" (requests repeated: raise --expect-batches-per-s)" if wrapped else ""),
        flush=True,
    )
    benchkit.print_memory("start", figures["memory_start"])
    benchkit.print_memory("end", figures["memory_end"])
    return figures


# --- 2. ingested -> counted ----------------------------------------------------------------------


def count_quest() -> dict[str, Any]:
    """A count quest on EVENT_TYPE, as catalog would send it."""
    return {
        "quest_id": str(uuid.uuid4()),
        "name": "win-three-matches",
        "title": "Win 3 matches",
        "trigger": "event",
        "event_type": EVENT_TYPE,
        "measure": "count",
        "streak": 3,
        "duplication": 2,
        "auto_claim": False,
        "streak_mode": "count",
        "is_active": True,
        "reward": {"reward_item": "diamond", "reward_qty": 10},
    }


def counted_rate(*, messages: list[benchkit.Message], players: int) -> dict[str, Any] | None:
    from sqlmodel import Session

    from processing_service.catalog.cache import QuestDefinition
    from processing_service.core.db import run_migrations
    from quest_common.broker.connection import connect
    from quest_common.broker.topology import declare_work_queue, queue_names
    from quest_common.db import make_engine

    name = create_database(PG_ADMIN_URL, prefix="bench_ingest")
    db_url = sqlalchemy_url(PG_ADMIN_URL, name)
    settings = benchkit.worker_settings(db_url, AMQP_URL)
    try:
        run_migrations(db_url)
        engine = make_engine(db_url)
        with Session(engine) as session:
            quest = count_quest()
            session.add(
                QuestDefinition(
                    quest_id=uuid.UUID(quest["quest_id"]), name=quest["name"], payload=quest
                )
            )
            session.commit()
        engine.dispose()
        connection = connect(AMQP_URL, name="bench-ingest")
        try:
            channel = connection.channel()
            declare_work_queue(
                channel,
                queue=settings.sign_in_queue,
                exchange=settings.events_exchange,
                routing_keys=[*SIGN_IN_KEYS, *INGEST_KEYS],
            )
            benchkit.publish_confirmed(channel, settings.events_exchange, messages)
        finally:
            connection.close()  # idle during the wait: it would miss its heartbeats
        load_before = benchkit.load_average()
        run = benchkit.time_workers(
            env=benchkit.worker_env(settings),
            amqp_url=AMQP_URL,
            queue=settings.sign_in_queue,
            db_url=db_url,
            events=len(messages),
            workers=1,
        )
        deadlocks = benchkit.deadlocks(db_url)
    finally:
        benchkit.remove_broker_names(
            AMQP_URL,
            exchange=settings.events_exchange,
            queues=queue_names(settings.sign_in_queue),
        )
        drop_database(PG_ADMIN_URL, name)
    rate = len(messages) / run.consumed_s
    consume, write = benchkit.worker_bounds(
        AMQP_URL,
        PG_ADMIN_URL,
        messages,
        routing_keys=INGEST_KEYS,
        settings=settings,
        migrate=run_migrations,
    )
    bound = min(consume, write)
    print(
        f"counted: {len(messages):,} events of {players:,} players, one worker: "
        f"{run.consumed_s:.2f} s from its first consumer = {rate:,.0f} events/s "
        f"({run.elapsed_s:.2f} s with start-up); bounds: bare consume {consume:,.0f}/s, bare "
        f"PostgreSQL batch writes {write:,.0f}/s; worker / min = {100 * rate / bound:.0f}%; "
        f"deadlocks {deadlocks}; load {load_before[0]:.2f}->{benchkit.load_average()[0]:.2f}",
        flush=True,
    )
    benchkit.print_memory("start", run.memory_start)
    benchkit.print_memory("peak", run.memory_peak)
    return {
        "events": len(messages),
        "players": players,
        "events_per_s": round(rate),
        "bare_consume_per_s": round(consume),
        "bare_writes_per_s": round(write),
        "ratio_to_min_bound": benchkit.ratio(rate, bound),
        "deadlocks": deadlocks,
        "load_average": [load_before, benchkit.load_average()],
        "memory_start": run.memory_start,
        "memory_peak": run.memory_peak,
    }


# --- the runs ------------------------------------------------------------------------------------


def spread(runs: list[dict[str, Any]], key: str) -> list[float]:
    values = [r[key] for r in runs if r.get(key) is not None]
    return [min(values), max(values)] if values else []


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=2, help="repeats of each figure")
    parser.add_argument("--seconds", type=float, default=30.0, help="service time per run")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--batch", type=int, default=100, help="events per request")
    parser.add_argument("--http-players", type=int, default=200, help="players the batches name")
    parser.add_argument(
        "--expect-batches-per-s",
        type=float,
        default=60.0,
        help="distinct requests prepared per second of a run (none is sent twice)",
    )
    parser.add_argument("--target", choices=("gateway", "service"), default="gateway")
    parser.add_argument("--events", type=int, default=100_000, help="ingested -> counted")
    parser.add_argument("--players", type=int, default=10_000, help="ingested -> counted")
    parser.add_argument("--skip-http", action="store_true")
    parser.add_argument("--skip-worker", action="store_true")
    args = parser.parse_args()
    print(f"ingest benchmark on {benchkit.machine()}", flush=True)
    figures: dict[str, Any] = {}
    if not args.skip_http:
        runs = accepted_rate(args)
        figures["accepted"] = {
            "target": args.target,
            "concurrency": args.concurrency,
            "batch": args.batch,
            "seconds": args.seconds,
            "runs": runs,
            "spread": {
                key: spread(runs, key)
                for key in (
                    "accepted_events_per_s",
                    "bare_asgi_events_per_s",
                    "bare_publish_events_per_s",
                    "ratio_to_min_bound",
                )
            },
        }
        print(f"  spread over {len(runs)} runs: {figures['accepted']['spread']}", flush=True)
    if not args.skip_worker:
        client_id = uuid.uuid4().hex
        players = [str(uuid.uuid4()) for _ in range(args.players)]
        start = datetime.now(UTC) - timedelta(hours=1)
        counted = []
        for _ in range(args.runs):
            # New ids each run: the same envelope ids would be duplicates to a fresh worker's
            # bound and nothing else, but each run starts from empty databases anyway.
            events = game_events(args.events, players, start=start)
            figure = counted_rate(
                messages=[message(client_id, e) for e in events], players=args.players
            )
            if figure is None:
                break
            counted.append(figure)
        if counted:
            figures["counted"] = {
                "runs": counted,
                "spread": {
                    key: spread(counted, key)
                    for key in (
                        "events_per_s",
                        "bare_consume_per_s",
                        "bare_writes_per_s",
                        "ratio_to_min_bound",
                    )
                },
            }
            print(f"  spread over {len(counted)} runs: {figures['counted']['spread']}")
    benchkit.record("ingest", figures)


if __name__ == "__main__":
    main()
