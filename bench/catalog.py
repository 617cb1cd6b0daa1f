"""Benchmark of the catalog's hot read: `GET /api/catalog/quests` (what processing and the UI call).

Prints requests/s and latency percentiles at a given concurrency, once with full 200 responses and
once revalidating with `If-None-Match` (304s). Never asserts: the figures are for reading.

    uv run python bench/catalog.py                      # starts its own catalog (one uvicorn
                                                        # worker) on a throwaway database
    uv run python bench/catalog.py --url http://127.0.0.1:8002   # an already running catalog

The load generator is a minimal keep-alive HTTP/1.1 client on asyncio (one connection per
concurrent client): a general-purpose client would measure itself more than the service.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import urlsplit

PATH = "/api/catalog/quests?active=true&trigger=sign_in&limit=100"
PG_ADMIN_URL = os.environ.get("BENCH_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


@dataclass
class Result:
    latencies: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    elapsed: float = 0.0


async def _read_response(reader: asyncio.StreamReader) -> int:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    status = int(lines[0].split(b" ", 2)[1])
    length = 0
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    if length:
        await reader.readexactly(length)
    return status


async def _client(
    host: str, port: int, request: bytes, stop_at: float, measure_from: float, result: Result
) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    try:
        while True:
            started = time.perf_counter()
            if started >= stop_at:
                return
            writer.write(request)
            status = await _read_response(reader)
            finished = time.perf_counter()
            if started >= measure_from:  # requests of the warm-up are not counted
                result.latencies.append(finished - started)
                result.statuses[status] += 1
    finally:
        writer.close()
        with contextlib.suppress(OSError):
            await writer.wait_closed()


async def run_load(
    base_url: str, *, concurrency: int, seconds: float, warmup: float, etag: str | None
) -> Result:
    parts = urlsplit(base_url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    headers = [f"GET {PATH} HTTP/1.1", f"Host: {parts.netloc}", "Accept: application/json"]
    if etag:
        headers.append(f"If-None-Match: {etag}")
    request = ("\r\n".join(headers) + "\r\n\r\n").encode()
    result = Result()
    now = time.perf_counter()
    measure_from, stop_at = now + warmup, now + warmup + seconds
    await asyncio.gather(
        *(_client(host, port, request, stop_at, measure_from, result) for _ in range(concurrency))
    )
    result.elapsed = seconds
    return result


def report(label: str, result: Result) -> None:
    count = len(result.latencies)
    if not count:
        print(f"{label:<28} no requests completed")
        return
    ordered = sorted(result.latencies)

    def pct(p: float) -> float:
        return ordered[min(count - 1, int(p / 100 * count))] * 1000

    statuses = ", ".join(f"{s}: {n}" for s, n in sorted(result.statuses.items()))
    print(
        f"{label:<28} {count / result.elapsed:8.0f} req/s   p50 {pct(50):6.2f} ms   "
        f"p99 {pct(99):6.2f} ms   max {ordered[-1] * 1000:6.1f} ms   "
        f"mean {statistics.fmean(ordered) * 1000:5.2f} ms   [{statuses}]"
    )


def fetch_etag(base_url: str) -> tuple[str, int]:
    with urllib.request.urlopen(base_url + PATH, timeout=10) as response:  # noqa: S310
        return response.headers["ETag"], len(response.read())


# --- a catalog of its own ------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _prepare_database() -> tuple[str, str]:
    """A throwaway database, migrated and seeded with the reference catalog plus 19 more quests."""
    import psycopg

    from catalog_service.core.config import Settings
    from catalog_service.core.db import create_db_engine
    from catalog_service.core.uow import UnitOfWork
    from catalog_service.prestart import run as prestart
    from catalog_service.quests import service as quests
    from catalog_service.quests.models import QuestUpsert
    from catalog_service.rewards import service as rewards
    from catalog_service.rewards.models import RewardItem, RewardUpsert

    name = f"bench_catalog_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    base = PG_ADMIN_URL.rpartition("/")[0].replace("postgresql://", "postgresql+psycopg://", 1)
    database_url = f"{base}/{name}"
    prestart(Settings(_env_file=None, database_url=database_url))  # type: ignore[call-arg]
    engine = create_db_engine(database_url)
    uow = UnitOfWork(engine=engine)
    reward, _ = rewards.upsert_reward(
        uow=uow, name="fifty-gold", data=RewardUpsert(reward_item=RewardItem.gold, reward_qty=50)
    )
    for i in range(19):
        quests.upsert_quest(
            uow=uow,
            name=f"bench-quest-{i}",
            data=QuestUpsert(
                title=f"Bench quest {i}",
                description="A quest that only exists to give the list a realistic size.",
                streak=i + 1,
                duplication=3,
                reward_id=reward.reward_id,
            ),
        )
    engine.dispose()
    return name, database_url


def _drop_database(name: str) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextlib.contextmanager
def own_catalog() -> Iterator[str]:
    name, database_url = _prepare_database()
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "ENVIRONMENT": "development",
        "LOG_LEVEL": "WARNING",
        "EVENTS_EXCHANGE": f"bench.{uuid.uuid4().hex[:8]}.events",
    }
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "--factory",
        "catalog_service.main:create_app",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        "1",
        "--no-access-log",
        "--log-level",
        "warning",
    ]
    process = subprocess.Popen(command, env=env)
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(base_url + "/healthz", timeout=1):  # noqa: S310
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit("the catalog did not start") from None
                time.sleep(0.2)
        yield base_url
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
        _drop_database(name)


def bench(base_url: str, args: argparse.Namespace) -> None:
    etag, size = fetch_etag(base_url)
    print(f"GET {PATH}  ({size} bytes, ETag {etag})")
    print(
        f"concurrency {args.concurrency}, {args.seconds:.0f} s per run after "
        f"{args.warmup:.0f} s warm-up, one keep-alive connection per client\n"
    )
    for label, tag in (("200 (full body)", None), ("304 (If-None-Match)", etag)):
        result = asyncio.run(
            run_load(
                base_url,
                concurrency=args.concurrency,
                seconds=args.seconds,
                warmup=args.warmup,
                etag=tag,
            )
        )
        report(label, result)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="base URL of a running catalog (default: start one)")
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--warmup", type=float, default=2.0)
    args = parser.parse_args()
    if args.url:
        bench(args.url.rstrip("/"), args)
    else:
        with own_catalog() as base_url:
            bench(base_url, args)


if __name__ == "__main__":
    main()
