"""Benchmark of the catalog's hot read: `GET /api/catalog/quests` (what processing and the UI call),
next to its bound measured in the same run.

The bound is a bare ASGI app (bench/bare_asgi.py) answering with the same bytes and headers,
served by the same uvicorn with the same flags: what the server stack costs when the application
does nothing. Catalog and bare app are measured in alternating slices (catalog, bare, catalog,
bare, ...) so both see the same load from everything else on the machine. Prints requests/s,
p50/p99, the ratio to the bound, the load generator's own share of a core and the catalog's
resident memory at the start and end; once with full 200 responses and once revalidating with
`If-None-Match` (304s). Writes the figures to bench/results/latest.json. Never asserts.

    uv run python bench/catalog.py                      # starts its own catalog (one uvicorn
                                                        # worker) on a throwaway database
    uv run python bench/catalog.py --url http://127.0.0.1:8002   # an already running catalog

The load generator (bench/benchkit.py) is a minimal keep-alive HTTP/1.1 client on asyncio (one
connection per concurrent client): a general-purpose client would measure itself more than the
service.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from collections.abc import Iterator
from typing import Any

import benchkit

PATH = "/api/catalog/quests?active=true&trigger=sign_in&limit=100"
PG_ADMIN_URL = os.environ.get("BENCH_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
AMQP_URL = os.environ.get("AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/%2F")


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
    uow = UnitOfWork(engine)
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


def _serve(command: list[str], env: dict[str, str]) -> Iterator[tuple[str, int]]:
    """A uvicorn on a free port until the block ends: (base URL, pid)."""
    port = _free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            *command,
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            "1",
            "--no-access-log",
            "--log-level",
            "warning",
        ],
        env=env,
    )
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(base_url + PATH, timeout=1):  # noqa: S310
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit(f"uvicorn {command[-1]} did not start") from None
                time.sleep(0.2)
        yield base_url, process.pid
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()


@contextlib.contextmanager
def own_catalog() -> Iterator[tuple[str, int]]:
    name, database_url = _prepare_database()
    exchange = f"bench.{uuid.uuid4().hex[:8]}.events"
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "AMQP_URL": AMQP_URL,
        "ENVIRONMENT": "development",
        "LOG_LEVEL": "WARNING",
        "EVENTS_EXCHANGE": exchange,
    }
    try:
        yield from _serve(["--factory", "catalog_service.main:create_app"], env)
    finally:
        _drop_database(name)
        # The catalog declares its events exchange on start.
        benchkit.remove_broker_names(AMQP_URL, exchange=exchange)


@contextlib.contextmanager
def bare_app(body: bytes, etag: str) -> Iterator[tuple[str, int]]:
    with tempfile.NamedTemporaryFile(suffix=".json") as handle:
        handle.write(body)
        handle.flush()
        env = {**os.environ, "BENCH_BODY_FILE": handle.name, "BENCH_ETAG": etag}
        here = os.path.dirname(os.path.abspath(__file__))
        yield from _serve(["--lifespan", "off", "--app-dir", here, "bare_asgi:app"], env)


def measure_pair(
    catalog_url: str,
    bare_url: str,
    *,
    pids: tuple[int, int],
    etag: str | None,
    args: argparse.Namespace,
) -> tuple[benchkit.Load, benchkit.Load]:
    """Alternating slices of the catalog and the bare app, summed per side."""
    headers = {"Accept": "application/json"}
    if etag:
        headers["If-None-Match"] = etag
    totals = (benchkit.Load(), benchkit.Load())
    for _ in range(args.slices):
        for total, url, pid in zip(totals, (catalog_url, bare_url), pids, strict=True):
            server_cpu = benchkit.cpu_seconds([pid]) if pid else 0.0
            part = benchkit.run_load(
                url,
                [benchkit.request_bytes(url, "GET", PATH, headers=headers)],
                concurrency=args.concurrency,
                seconds=args.seconds / args.slices,
                warmup=args.warmup,
            )
            total.latencies += part.latencies
            total.statuses.update(part.statuses)
            total.elapsed += part.elapsed
            total.cpu_seconds += part.cpu_seconds
            total.answered += part.answered
            if pid:
                total.server_cpu_seconds += benchkit.cpu_seconds([pid]) - server_cpu
    return totals


def _figures(load: benchkit.Load) -> dict[str, Any]:
    return {
        "req_per_s": round(load.rate),
        "p50_ms": round(load.pct_ms(50), 2),
        "p99_ms": round(load.pct_ms(99), 2),
        "statuses": {str(k): v for k, v in sorted(load.statuses.items())},
        "client_cores": round(load.client_cores, 3),
        "server_cpu_us_per_request": round(load.server_cpu_us, 1),
    }


def bench(catalog: tuple[str, int], args: argparse.Namespace) -> None:
    base_url, pid = catalog
    with urllib.request.urlopen(base_url + PATH, timeout=10) as response:  # noqa: S310
        etag, body = response.headers["ETag"], response.read()
    print(f"catalog benchmark on {benchkit.machine()}")
    print(f"GET {PATH}  ({len(body)} bytes, ETag {etag})")
    print(
        f"concurrency {args.concurrency}, {args.seconds:.0f} s per side in {args.slices} "
        f"alternating slices, one keep-alive connection per client\n"
    )
    figures: dict[str, Any] = {"concurrency": args.concurrency, "body_bytes": len(body)}
    pids = benchkit.family(pid) if pid else []
    memory_start = benchkit.memory(pids)
    with bare_app(body, etag) as (bare_url, bare_pid):
        for label, tag in (("200", None), ("304", etag)):
            load_before = benchkit.load_average()
            catalog_load, bare_load = measure_pair(
                base_url, bare_url, pids=(pid, bare_pid), etag=tag, args=args
            )
            ratio = benchkit.ratio(catalog_load.rate, bare_load.rate)
            figures[label] = {
                "catalog": _figures(catalog_load),
                "bare_asgi_bound": _figures(bare_load),
                "ratio": ratio,
                "load_average": [load_before, benchkit.load_average()],
            }
            for name, load in (("catalog", catalog_load), ("bare ASGI", bare_load)):
                print(
                    f"{label} {name:<10} {load.rate:8.0f} req/s   p50 {load.pct_ms(50):6.2f} ms   "
                    f"p99 {load.pct_ms(99):6.2f} ms   "
                    f"server CPU {load.server_cpu_us:5.1f} us/req   "
                    f"client {100 * load.client_cores:4.0f}% of a core   "
                    f"{dict(sorted(load.statuses.items()))}"
                )
            cpu_ratio = benchkit.ratio(bare_load.server_cpu_us, catalog_load.server_cpu_us)
            figures[label]["cpu_ratio"] = cpu_ratio
            print(
                f"{label} ratio catalog / bare ASGI: {100 * ratio:.0f}% of the rate, "
                f"{100 * cpu_ratio:.0f}% by server CPU per request   "
                f"(load {load_before[0]:.2f} -> {benchkit.load_average()[0]:.2f})\n"
            )
    memory_end = benchkit.memory(pids)
    print("catalog process memory (resident), start and end of the runs:")
    benchkit.print_memory("start", memory_start)
    benchkit.print_memory("end", memory_end)
    figures.update(
        memory_start=memory_start,
        memory_end=memory_end,
        rss_growth_mib=benchkit.memory_growth(memory_start, memory_end),
    )
    benchkit.record("catalog", figures)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="base URL of a running catalog (default: start one)")
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument(
        "--seconds",
        type=float,
        default=30.0,
        help="per side and response kind (the catalog serves 2x this: its memory is compared "
        "start to end)",
    )
    parser.add_argument("--slices", type=int, default=6)
    parser.add_argument("--warmup", type=float, default=0.5, help="per slice, not counted")
    args = parser.parse_args()
    if args.url:
        bench((args.url.rstrip("/"), 0), args)
    else:
        with own_catalog() as catalog:
            bench(catalog, args)


if __name__ == "__main__":
    main()
