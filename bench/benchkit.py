"""What every benchmark shares: the machine (cores, load average), process memory and CPU from
/proc, a light keep-alive HTTP/1.1 load generator, a service started under uvicorn, and the
results file.

Each benchmark prints its figures next to a bound measured in the same run and records them with
`record(...)` into `bench/results/latest.json` (one section per benchmark, rewritten per run),
with the core count and load average at the time. Figures only, never assertions.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import subprocess
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

RESULTS = Path(__file__).resolve().parent / "results" / "latest.json"
CORES = len(os.sched_getaffinity(0))
_TICK = os.sysconf("SC_CLK_TCK")
_PAGE = os.sysconf("SC_PAGE_SIZE")


# --- the machine ---------------------------------------------------------------------------------


def load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def machine() -> str:
    one, five, _ = os.getloadavg()
    return f"{CORES} cores, load {one:.2f}/{five:.2f}"


# --- processes -----------------------------------------------------------------------------------


def family(pid: int) -> list[int]:
    """A process and its descendants (uvicorn workers, a hashing pool), from /proc."""
    pids, todo = [], [pid]
    while todo:
        one = todo.pop()
        pids.append(one)
        with contextlib.suppress(OSError):
            for task in os.listdir(f"/proc/{one}/task"):
                with open(f"/proc/{one}/task/{task}/children") as handle:
                    todo += [int(child) for child in handle.read().split()]
    return pids


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time of these processes."""
    total = 0.0
    for pid in pids:
        with contextlib.suppress(OSError), open(f"/proc/{pid}/stat") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / _TICK
    return total


def named(*commands: str) -> list[int]:
    """Processes whose command name starts with one of `commands` (the database and broker
    servers: `postgres`, `beam.smp`), whoever started them."""
    pids = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            with contextlib.suppress(OSError), open(f"/proc/{entry}/comm") as handle:
                if handle.read().strip().startswith(commands):
                    pids.append(int(entry))
    return pids


def machine_cpu_seconds() -> float:
    """CPU time every process of the machine has used, all cores: user, nice, system, irq and
    softirq (idle, I/O wait and time stolen by the host left out)."""
    with open("/proc/stat") as handle:
        user, nice, system, _idle, _iowait, irq, softirq = map(int, handle.readline().split()[1:8])
    return (user + nice + system + irq + softirq) / _TICK


def rss_mib(pid: int) -> tuple[float, float]:
    """(current, peak) resident memory of one process in MiB."""
    now = peak = 0.0
    with contextlib.suppress(OSError), open(f"/proc/{pid}/status") as handle:
        for line in handle:
            if line.startswith("VmRSS:"):
                now = int(line.split()[1]) / 1024
            elif line.startswith("VmHWM:"):
                peak = int(line.split()[1]) / 1024
    return now, peak


def process_name(pid: int) -> str:
    with contextlib.suppress(OSError), open(f"/proc/{pid}/cmdline", "rb") as handle:
        parts = [p.decode(errors="replace") for p in handle.read().split(b"\0") if p]
        for i, part in enumerate(parts):
            if part in ("--factory", "-m") and i + 1 < len(parts):
                name = parts[i + 1]
                if name == "uvicorn":
                    continue
                return name.split(":")[0]
        if parts and "multiprocessing" in " ".join(parts):
            return "worker process"
        return Path(parts[0]).name if parts else str(pid)
    return str(pid)


def memory(pids: list[int]) -> dict[str, dict[str, float]]:
    """Current and peak RSS of each process, keyed by `name[pid]`."""
    out = {}
    for pid in pids:
        now, peak = rss_mib(pid)
        if now:
            figures = {"rss_mib": round(now, 1), "peak_mib": round(peak, 1)}
            out[f"{process_name(pid)}[{pid}]"] = figures
    return out


def print_memory(label: str, snapshot: dict[str, dict[str, float]]) -> None:
    for name, figures in snapshot.items():
        print(
            f"  {label:<6} {name:<40} RSS {figures['rss_mib']:7.1f} MiB  "
            f"peak {figures['peak_mib']:7.1f} MiB"
        )


def memory_growth(
    start: dict[str, dict[str, float]], end: dict[str, dict[str, float]]
) -> dict[str, float]:
    return {
        name: round(end[name]["rss_mib"] - figures["rss_mib"], 1)
        for name, figures in start.items()
        if name in end
    }


# --- a light load generator ----------------------------------------------------------------------


@dataclass
class Load:
    latencies: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    elapsed: float = 0.0
    cpu_seconds: float = 0.0  # this process's CPU while generating the load
    server_cpu_seconds: float = 0.0  # the server's, when the caller measured it
    # Every answer read, the warm-up's included: CPU measured around a run covers them all.
    answered: int = 0

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.elapsed if self.elapsed else 0.0

    def ok(self, status: int = 200) -> int:
        return self.statuses[status]

    def pct_ms(self, q: float) -> float:
        ordered = sorted(self.latencies)
        if not ordered:
            return float("nan")
        return ordered[min(len(ordered) - 1, int(q / 100 * len(ordered)))] * 1000

    @property
    def server_cpu_us(self) -> float:
        """The server's CPU per answered request: unlike the rate, it does not depend on the
        share of the cores the server got from everyone else's work."""
        return 1e6 * self.server_cpu_seconds / self.answered if self.answered else float("nan")

    @property
    def client_cores(self) -> float:
        """Cores the load generator itself used (so a reader can see it is light)."""
        return self.cpu_seconds / self.elapsed if self.elapsed else 0.0


async def _read_response(reader: asyncio.StreamReader) -> int:
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    start = head.lower().find(b"content-length:")
    if start >= 0:
        end = head.find(b"\r\n", start)
        length = int(head[start + 15 : end])
        if length:
            await reader.readexactly(length)
    return status


async def _client(
    host: str,
    port: int,
    requests: list[bytes],
    index: int,
    stride: int,
    stop_at: float,
    measure_from: float,
    result: Load,
) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    i = index
    try:
        while True:
            started = time.perf_counter()
            if started >= stop_at:
                return
            writer.write(requests[i % len(requests)])
            i += stride
            status = await _read_response(reader)
            result.answered += 1
            if started >= measure_from:  # the warm-up's requests are not counted
                result.latencies.append(time.perf_counter() - started)
                result.statuses[status] += 1
    finally:
        writer.close()
        with contextlib.suppress(OSError):
            await writer.wait_closed()


def request_bytes(
    base_url: str,
    method: str,
    path: str,
    *,
    headers: dict[str, str] | None = None,
    body: bytes = b"",
) -> bytes:
    netloc = urlsplit(base_url).netloc
    lines = [f"{method} {path} HTTP/1.1", f"Host: {netloc}"]
    lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
    if body or method == "POST":
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def run_load(
    base_url: str,
    requests: list[bytes],
    *,
    concurrency: int,
    seconds: float,
    warmup: float = 0.0,
) -> Load:
    """`concurrency` keep-alive connections, each sending its next request as soon as its
    previous answer is read. Client i sends requests i, i + concurrency, i + 2 * concurrency, ...
    so no two clients ever send the same item (with at least `concurrency` items): two logins
    of one account would serialise on its row lock, which is not what is measured. A minimal
    client on asyncio: a general-purpose one would measure itself."""
    parts = urlsplit(base_url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    result = Load()

    async def main() -> None:
        now = time.perf_counter()
        measure_from, stop_at = now + warmup, now + warmup + seconds
        await asyncio.gather(
            *(
                _client(host, port, requests, i, concurrency, stop_at, measure_from, result)
                for i in range(concurrency)
            )
        )

    cpu_before = time.process_time()
    asyncio.run(main())
    result.cpu_seconds = time.process_time() - cpu_before
    result.elapsed = seconds
    return result


# --- the run's own broker names ------------------------------------------------------------------


def remove_broker_names(amqp_url: str, *, exchange: str, queues: Iterable[str] = ()) -> None:
    """Delete the exchange and queues this run declared under its own unique names."""
    from quest_common.broker.connection import connect

    connection = connect(amqp_url, name="bench-cleanup")
    try:
        channel = connection.channel()
        for queue in queues:
            channel.queue_delete(queue=queue)
        channel.exchange_delete(exchange=exchange)
    finally:
        connection.close()


# --- results -------------------------------------------------------------------------------------


def record(section: str, figures: dict[str, Any]) -> None:
    """Write this benchmark's figures into `bench/results/latest.json` (other sections kept)."""
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    try:
        results = json.loads(RESULTS.read_text())
    except (OSError, ValueError):
        results = {}
    results[section] = {
        "recorded_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "cores": CORES,
        "load_average": load_average(),
        **figures,
    }
    RESULTS.write_text(json.dumps(results, indent=2, sort_keys=False) + "\n")
    print(f"figures written to {RESULTS} [{section}]")


def ratio(figure: float, bound: float) -> float:
    return round(figure / bound, 3) if bound else float("nan")


@contextmanager
def uvicorn_service(
    factory: str, *, name: str, env: dict[str, str], workers: int | None = None
) -> Iterator[tuple[str, int]]:
    """`factory` under uvicorn on a free port (no access log) with `env` on top of this
    process's environment: (its base URL, its pid) once `/readyz` answers; stopped after."""
    from quest_devtools.devstack import free_port
    from quest_devtools.testing.servers import stop, uvicorn_argv

    port = free_port()
    argv = uvicorn_argv(factory, port=port, workers=workers, options=["--no-access-log"])
    process = subprocess.Popen(argv, env={**os.environ, **env})
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise SystemExit(f"{name} exited during start-up")
            try:
                if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise SystemExit(f"{name} did not become ready")
            time.sleep(0.2)
        yield base, process.pid
    finally:
        stop(process)


@contextmanager
def own_auth_service(
    *,
    pg_admin_url: str,
    amqp_url: str,
    exchange: str,
    env: dict[str, str] | None = None,
    workers: int | None = None,
) -> Iterator[tuple[str, int]]:
    """auth-service under uvicorn on a throwaway migrated database, publishing to `exchange`
    (with `env` on top): (its base URL, its pid); the database is dropped after."""
    from auth_service.core.db import run_migrations
    from quest_devtools.testing.databases import create_database, drop_database, sqlalchemy_url

    database = create_database(pg_admin_url, prefix="bench_auth")
    url = sqlalchemy_url(pg_admin_url, database)
    try:
        run_migrations(url)
        with uvicorn_service(
            "auth_service.main:create_app",
            name="auth-service",
            env={
                "ENVIRONMENT": "test",
                "DATABASE_URL": url,
                "AMQP_URL": amqp_url,
                "EVENTS_EXCHANGE": exchange,
                "LOG_LEVEL": "WARNING",
                **(env or {}),
            },
            workers=workers,
        ) as served:
            yield served
    finally:
        drop_database(pg_admin_url, database)


# --- event pipelines: the worker and its two bounds ----------------------------------------------


@dataclass(frozen=True)
class Message:
    """One event as the broker carries it (`body`) and as the worker records it (the rest)."""

    routing_key: str
    body: bytes
    envelope_id: str
    envelope_type: str  # `UserSignIn`, `ingest.match_won`
    event_type: str  # what quests count it as: `sign_in`, `match_won`
    user_id: Any  # uuid.UUID
    source: str
    time: datetime
    data: dict[str, Any] = field(default_factory=dict)  # an ingested event's properties


def publish_confirmed(channel: Any, exchange: str, messages: Iterable[Message]) -> None:
    """Publish with confirms (setting up a run, not measured): everything sent, then the
    broker's confirms awaited together (pika's blocking channel would wait for each one)."""
    import pika

    settled: set[int] = set()  # delivery tags confirmed beyond `below`
    below = 1  # every tag under this one is confirmed
    nacked = False
    selected = False

    def on_select(_frame: Any) -> None:
        nonlocal selected
        selected = True

    def on_confirm(frame: Any) -> None:
        nonlocal below, nacked
        if isinstance(frame.method, pika.spec.Basic.Nack):
            nacked = True
        tag = int(frame.method.delivery_tag)
        if frame.method.multiple:
            below = max(below, tag + 1)
        else:
            settled.add(tag)
        while below in settled:
            settled.discard(below)
            below += 1

    connection = channel.connection
    channel._impl.confirm_delivery(ack_nack_callback=on_confirm, callback=on_select)
    while not selected:
        connection.process_data_events(time_limit=0.1)
    sent = 0
    for message in messages:
        channel.basic_publish(
            exchange,
            message.routing_key,
            message.body,
            pika.BasicProperties(
                delivery_mode=2, message_id=message.envelope_id, type=message.envelope_type
            ),
        )
        sent += 1
    while below <= sent:
        connection.process_data_events(time_limit=0.1)
    if nacked:
        raise RuntimeError("the broker refused some of the benchmark's messages")


def bare_consume_rate(
    amqp_url: str,
    messages: list[Message],
    *,
    routing_keys: Iterable[str],
    prefetch: int,
    batch: int,
) -> float:
    """A worker's first bound: the same messages consumed from a quorum queue (the worker's
    queue type and prefetch) by bare pika, acking every `batch` at once and doing nothing
    else: messages/s."""
    import uuid

    from quest_common.broker.connection import connect
    from quest_common.broker.topology import declare_work_queue, delete_work_queue

    suffix = uuid.uuid4().hex[:8]
    exchange, queue = f"bench.{suffix}.events", f"bench.{suffix}.bare"
    connection = connect(amqp_url, name="bench-bare-consume")
    try:
        channel = connection.channel()
        declare_work_queue(channel, queue=queue, exchange=exchange, routing_keys=list(routing_keys))
        publish_confirmed(channel, exchange, messages)
        consumer = connection.channel()
        consumer.basic_qos(prefetch_count=prefetch)
        received = 0

        def on_message(ch: Any, method: Any, _props: Any, _body: bytes) -> None:
            nonlocal received
            received += 1
            if received % batch == 0 or received == len(messages):
                ch.basic_ack(delivery_tag=method.delivery_tag, multiple=True)

        started = time.monotonic()
        consumer.basic_consume(queue, on_message)
        while received < len(messages):
            connection.process_data_events(time_limit=0.1)
        elapsed = time.monotonic() - started
        delete_work_queue(channel, queue)
        channel.exchange_delete(exchange)
        return len(messages) / elapsed
    finally:
        if connection.is_open:
            connection.close()


def libpq_url(db_url: str) -> str:
    return db_url.replace("postgresql+psycopg://", "postgresql://")


_BARE_EVENTS = """
INSERT INTO player_event (event_id, user_id, user_name, type, event_type, data, source, time_zone,
                          occurred_at, recorded_at)
SELECT e, u, n, t, k, d, s, 'UTC', o, now()
FROM unnest(%s::text[], %s::uuid[], %s::text[], %s::text[], %s::text[], %s::jsonb[], %s::text[],
            %s::timestamptz[]) AS x(e, u, n, t, k, d, s, o)
ON CONFLICT (event_id) DO NOTHING
"""
_BARE_PROGRESS = """
INSERT INTO quest_progress (id, user_id, quest_id, streak, completed, claimed, updated_at)
SELECT gen_random_uuid(), u, %s, k, 0, 0, now() FROM unnest(%s::uuid[], %s::int[]) AS x(u, k)
ON CONFLICT (user_id, quest_id)
DO UPDATE SET streak = quest_progress.streak + excluded.streak, updated_at = now()
"""
_BARE_NOTIFICATIONS = """
INSERT INTO notification (id, user_id, event, data, created_at)
SELECT gen_random_uuid(), u, 'check_in', d, now() FROM unnest(%s::uuid[], %s::jsonb[]) AS x(u, d)
"""


def bare_write_rate(
    pg_admin_url: str, migrate: Any, messages: list[Message], *, batch: int
) -> float:
    """A worker's second bound: the rows the worker writes for these events (event rows, one
    progress upsert per player in the batch, a check_in notification per event), written by
    bare psycopg in batches of the worker's size, one transaction per batch, on a database
    migrated by `migrate(url)`, nothing else: events/s."""
    import uuid

    import psycopg

    from quest_devtools.testing.databases import create_database, drop_database, sqlalchemy_url

    name = create_database(pg_admin_url, prefix="bench_bare")
    db_url = sqlalchemy_url(pg_admin_url, name)
    try:
        migrate(db_url)
        quest_id = uuid.uuid4()
        note = json.dumps({"quest_id": str(quest_id), "streak": 1})
        with psycopg.connect(libpq_url(db_url)) as conn:
            started = time.monotonic()
            for at in range(0, len(messages), batch):
                chunk = messages[at : at + batch]
                users = [m.user_id for m in chunk]
                per_user = Counter(users)
                ids, names = [m.envelope_id for m in chunk], ["bench"] * len(chunk)
                types, sources = [m.envelope_type for m in chunk], [m.source for m in chunk]
                times = [m.time for m in chunk]
                kinds = [m.event_type for m in chunk]
                data = [json.dumps(m.data, separators=(",", ":")) for m in chunk]
                conn.execute(_BARE_EVENTS, (ids, users, names, types, kinds, data, sources, times))
                conn.execute(_BARE_PROGRESS, (quest_id, list(per_user), list(per_user.values())))
                conn.execute(_BARE_NOTIFICATIONS, (users, [note] * len(chunk)))
                conn.commit()
            return len(messages) / (time.monotonic() - started)
    finally:
        drop_database(pg_admin_url, name)


def worker_settings(db_url: str, amqp_url: str) -> Any:
    """Processing's settings for a benchmark's own worker: its database, broker names of its
    own, and catalog and auth on ports nothing listens on (the worker counts with the quests
    stored in its database)."""
    import uuid

    from processing_service.core.config import Settings
    from quest_devtools.devstack import free_port

    suffix = uuid.uuid4().hex[:8]
    return Settings(
        environment="test",
        database_url=db_url,
        amqp_url=amqp_url,
        events_exchange=f"bench.{suffix}.events",
        sign_in_queue=f"bench.{suffix}.sign-ins",
        catalog_url=f"http://127.0.0.1:{free_port()}",
        auth_url=f"http://127.0.0.1:{free_port()}",
    )


def worker_bounds(
    amqp_url: str,
    pg_admin_url: str,
    messages: list[Message],
    *,
    routing_keys: Iterable[str],
    settings: Any,
    migrate: Any,
) -> tuple[float, float]:
    """The worker's two bounds on the same messages, measured right after it (same run, same
    load): (bare consume, bare PostgreSQL batch writes), each in events/s, with the worker's
    prefetch and batch size from its `settings`."""
    consume = bare_consume_rate(
        amqp_url,
        messages,
        routing_keys=routing_keys,
        prefetch=settings.prefetch,
        batch=settings.batch_size,
    )
    write = bare_write_rate(pg_admin_url, migrate, messages, batch=settings.batch_size)
    return consume, write


def deadlocks(db_url: str) -> int:
    """Deadlocks PostgreSQL detected in this database (each one costs a second of waiting)."""
    import psycopg

    with psycopg.connect(libpq_url(db_url)) as conn:
        row = conn.execute(
            "SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()"
        ).fetchone()
        return int(row[0]) if row else 0


def worker_env(settings: Any) -> dict[str, str]:
    """The environment of a processing worker process on these settings (processing's
    `Settings`; catalog down: the worker goes by its local copy of the quests)."""
    return {
        **os.environ,
        "ENVIRONMENT": "test",
        "DATABASE_URL": settings.database_url,
        "AMQP_URL": settings.amqp_url,
        "EVENTS_EXCHANGE": settings.events_exchange,
        "SIGN_IN_QUEUE": settings.sign_in_queue,
        "CATALOG_URL": settings.catalog_url,
        "AUTH_URL": settings.auth_url,
        "LOG_LEVEL": "WARNING",
    }


@dataclass
class WorkerRun:
    consumed_s: float  # from the first worker's consumer to the last event recorded
    elapsed_s: float  # from the workers' start (interpreter, imports, connections included)
    memory_start: dict[str, dict[str, float]]
    memory_peak: dict[str, dict[str, float]]


def time_workers(
    *, env: dict[str, str], amqp_url: str, queue: str, db_url: str, events: int, workers: int
) -> WorkerRun:
    """Start `workers` processing worker processes on an already filled `queue` and time them
    until `events` events are recorded; then stop them (SIGTERM). Start-up is reported apart
    from consumption, which is timed from the first worker's consumer (with two, the second
    may join a bit later)."""
    import signal
    import subprocess
    import sys

    import psycopg

    from quest_common.broker.connection import connect

    procs: list[subprocess.Popen[bytes]] = []
    try:
        began = time.monotonic()
        for _ in range(workers):
            procs.append(
                subprocess.Popen(
                    [sys.executable, "-m", "processing_service.worker"],
                    env=env,
                    stderr=subprocess.DEVNULL,
                )
            )
        watch = connect(amqp_url, name="bench-watch")
        try:
            while (watch.channel().queue_declare(queue, passive=True).method).consumer_count < 1:
                time.sleep(0.02)
        finally:
            watch.close()
        consuming = time.monotonic()
        pids = [pid for proc in procs for pid in family(proc.pid)]
        memory_start = memory(pids)
        peak = memory_start
        # One connection kept open, polled every 0.1 s (a connection per poll started a
        # PostgreSQL backend 20 times a second, CPU taken from the worker being measured).
        with psycopg.connect(libpq_url(db_url), autocommit=True) as conn:
            while True:
                row = conn.execute("SELECT count(*) FROM player_event").fetchone()
                if row is not None and row[0] >= events:
                    break
                peak = memory(pids) or peak
                time.sleep(0.1)
        done = time.monotonic()
        return WorkerRun(done - consuming, done - began, memory_start, peak)
    finally:
        for proc in procs:
            proc.send_signal(signal.SIGTERM)
        for proc in procs:
            proc.wait(30)
