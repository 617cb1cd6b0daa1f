"""Login throughput of auth-service next to the bound set by password hashing.

    uv run python bench/login.py                 # starts its own auth-service (throwaway DB)
    uv run python bench/login.py --url http://127.0.0.1:8001

Measures logins/s and p50/p99 latency at concurrency 1, 8 and 32, one argon2id verify's time on
this machine, and prints the bound (cores / verify time) with the ratio reached. On a shared
machine that bound moves with everyone else's load, so it also prints the hashing rate the cores
deliver right now (one verify per core at once) and the service's CPU time per login. Prints
figures, never asserts: the machine it runs on decides the numbers.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import httpx

PREFIX = "/api/auth"
PASSWORD = "bench-password-1"
PG_ADMIN_URL = os.environ.get("TEST_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
AMQP_URL = os.environ.get("AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/%2F")


def verify_seconds(samples: int = 30) -> float:
    """Median time of one argon2id verify with the service's own parameters."""
    from auth_service.core.security import pwd_context

    hashed = pwd_context.hash(PASSWORD)
    times = []
    for _ in range(samples):
        started = time.perf_counter()
        pwd_context.verify(PASSWORD, hashed)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def parallel_verify_rate(threads: int, seconds: float = 3.0) -> float:
    """Verifies per second with one verify running per core: the hashing bound as this machine
    delivers it right now (other processes included), next to the nominal cores / verify."""
    import threading

    from auth_service.core.security import pwd_context

    hashed = pwd_context.hash(PASSWORD)
    counts = [0] * threads
    stop_at = time.perf_counter() + seconds

    def spin(index: int) -> None:
        while time.perf_counter() < stop_at:
            pwd_context.verify(PASSWORD, hashed)
            counts[index] += 1

    started = time.perf_counter()
    workers = [threading.Thread(target=spin, args=(i,)) for i in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return sum(counts) / (time.perf_counter() - started)


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process and its children (uvicorn workers), from /proc."""
    total = 0.0
    pids = [pid]
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as handle:
            pids += [int(child) for child in handle.read().split()]
    except OSError:
        pass
    for one in pids:
        try:
            with open(f"/proc/{one}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


SERVER_PID: list[int] = []


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def own_service(workers: int) -> Iterator[str]:
    """auth-service in a uvicorn subprocess on a throwaway database and a unique exchange, with
    a queue bound to the sign-in keys so the relay has somewhere to deliver; all removed after."""
    from auth_service.core.db import run_migrations
    from quest_common.broker.connection import connect
    from quest_devtools.testing.databases import create_database, drop_database, sqlalchemy_url

    run = uuid.uuid4().hex[:8]
    exchange, queue = f"bench.{run}.events", f"bench.{run}.sign-ins"
    database = create_database(PG_ADMIN_URL, prefix="bench_auth")
    url = sqlalchemy_url(PG_ADMIN_URL, database)
    connection = connect(AMQP_URL, name="bench-setup")
    channel = connection.channel()
    channel.exchange_declare(exchange=exchange, exchange_type="topic", durable=True)
    channel.queue_declare(queue=queue, durable=True)
    channel.queue_bind(queue=queue, exchange=exchange, routing_key="auth.*")
    connection.close()
    process: subprocess.Popen[bytes] | None = None
    try:
        run_migrations(url)
        port = free_port()
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "--factory",
                "auth_service.main:create_app",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--workers",
                str(workers),
                "--log-level",
                "warning",
                "--no-access-log",
            ],
            env={
                **os.environ,
                "ENVIRONMENT": "test",
                "DATABASE_URL": url,
                "AMQP_URL": AMQP_URL,
                "EVENTS_EXCHANGE": exchange,
                "LOG_LEVEL": "WARNING",
            },
        )
        SERVER_PID.append(process.pid)
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise SystemExit("auth-service exited during start-up")
            try:
                if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise SystemExit("auth-service did not become ready")
            time.sleep(0.2)
        yield base
    finally:
        if process is not None:
            process.terminate()
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                process.kill()
        connection = connect(AMQP_URL, name="bench-cleanup")
        channel = connection.channel()
        channel.queue_delete(queue=queue)
        channel.exchange_delete(exchange=exchange)
        connection.close()
        drop_database(PG_ADMIN_URL, database)


async def make_users(client: httpx.AsyncClient, count: int) -> list[str]:
    names = [f"bench_{uuid.uuid4().hex[:10]}" for _ in range(count)]
    semaphore = asyncio.Semaphore(4)

    async def create(name: str) -> None:
        async with semaphore:
            response = await client.post(
                f"{PREFIX}/signup", json={"user_name": name, "password": PASSWORD}
            )
            response.raise_for_status()

    await asyncio.gather(*(create(n) for n in names))
    return names


async def measure(
    client: httpx.AsyncClient, names: list[str], *, concurrency: int, seconds: float
) -> tuple[int, int, list[float], float]:
    """Each worker signs in its own users in turn (one account's logins are serialised by its
    row lock, which is not what this measures). Returns (ok, errors, latencies, elapsed)."""
    latencies: list[float] = []
    errors = 0
    stop_at = time.perf_counter() + seconds

    async def worker(index: int) -> None:
        nonlocal errors
        mine = names[index::concurrency] or names
        i = 0
        while time.perf_counter() < stop_at:
            started = time.perf_counter()
            response = await client.post(
                f"{PREFIX}/login/access-token",
                data={"username": mine[i % len(mine)], "password": PASSWORD},
            )
            if response.status_code == 200:
                latencies.append(time.perf_counter() - started)
            else:
                errors += 1
            i += 1

    started = time.perf_counter()
    await asyncio.gather(*(worker(i) for i in range(concurrency)))
    return len(latencies), errors, latencies, time.perf_counter() - started


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


@dataclass
class Level:
    concurrency: int
    logins: int
    errors: int
    rate: float
    p50_ms: float
    p99_ms: float
    cpu_ms: float  # the service's CPU time per login
    verify_ms: float  # one verify, measured right before and after this level
    parallel_rate: float  # verifies/s with one per core at once, right before this level

    def bound(self, cores: int) -> float:
        return cores / (self.verify_ms / 1000)


async def run(base: str, *, seconds: float, levels: list[int], cores: int) -> list[Level]:
    """Each level is framed by its own hashing measurements: on a shared machine the cost of a
    verify drifts with everyone else's load, so a bound measured once would not be comparable.
    (The bench's own hashing runs while no login is in flight.)"""
    results: list[Level] = []
    limits = httpx.Limits(max_connections=max(levels) + 4)
    async with httpx.AsyncClient(base_url=base, timeout=60, limits=limits) as client:
        names = await make_users(client, max(levels) * 2)
        await measure(client, names, concurrency=2, seconds=1.0)  # warm-up
        for level in levels:
            verify_before = verify_seconds(samples=15)
            parallel = parallel_verify_rate(cores, seconds=2.0)
            cpu_before = cpu_seconds(SERVER_PID[0]) if SERVER_PID else 0.0
            ok, errors, latencies, elapsed = await measure(
                client, names, concurrency=level, seconds=seconds
            )
            cpu = (cpu_seconds(SERVER_PID[0]) - cpu_before) if SERVER_PID else float("nan")
            verify_after = verify_seconds(samples=15)
            results.append(
                Level(
                    concurrency=level,
                    logins=ok,
                    errors=errors,
                    rate=ok / elapsed,
                    p50_ms=percentile(latencies, 0.50) * 1000,
                    p99_ms=percentile(latencies, 0.99) * 1000,
                    cpu_ms=1000 * cpu / max(ok, 1),
                    verify_ms=500 * (verify_before + verify_after),
                    parallel_rate=parallel,
                )
            )
    return results


def report(results: list[Level], cores: int) -> None:
    print(
        f"{'concurrency':>11} {'logins':>7} {'errors':>6} {'logins/s':>9} {'p50 ms':>8} "
        f"{'p99 ms':>8} {'CPU ms/login':>12} {'verify ms':>9} {'bound/s':>8} {'ratio':>6} "
        f"{'vs parallel':>11}"
    )
    for r in results:
        bound = r.bound(cores)
        print(
            f"{r.concurrency:>11} {r.logins:>7} {r.errors:>6} {r.rate:>9.1f} {r.p50_ms:>8.1f} "
            f"{r.p99_ms:>8.1f} {r.cpu_ms:>12.1f} {r.verify_ms:>9.1f} {bound:>8.1f} "
            f"{100 * r.rate / bound:>5.0f}% {100 * r.rate / r.parallel_rate:>10.0f}%"
        )
    print()
    print(
        "bound = cores / one verify's time (measured around each level); ratio = logins/s / bound"
    )
    print("vs parallel = logins/s / verifies per second with one verify per core at once")
    print("CPU ms/login = the service process's CPU time per login, argon2 included")
    print("target: ratio >= 80% at concurrency 8 (load generator and PostgreSQL share the cores)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", help="an auth-service already running (else one is started)")
    parser.add_argument("--seconds", type=float, default=8.0, help="per concurrency level")
    parser.add_argument("--workers", type=int, default=1, help="uvicorn workers when started here")
    parser.add_argument("--levels", default="1,8,32", help="concurrency levels, comma-separated")
    args = parser.parse_args()
    levels = [int(level) for level in args.levels.split(",")]
    cores = os.cpu_count() or 1

    verify_seconds(samples=2)  # imports the service and warms up outside the timed part
    from auth_service.core.security import pwd_context

    hashed = pwd_context.hash(PASSWORD)
    cpu_started = time.process_time()
    for _ in range(10):
        pwd_context.verify(PASSWORD, hashed)
    verify_cpu = (time.process_time() - cpu_started) / 10
    print(f"argon2id (m=19456, t=2, p=1): {verify_cpu * 1000:.1f} ms of CPU per verify")
    print(f"load average: {os.getloadavg()[0]:.2f} on {cores} cores")
    if args.url:
        results = asyncio.run(run(args.url, seconds=args.seconds, levels=levels, cores=cores))
    else:
        with own_service(args.workers) as base:
            print(f"auth-service started at {base} (uvicorn workers: {args.workers})")
            results = asyncio.run(run(base, seconds=args.seconds, levels=levels, cores=cores))
    print(f"load average after: {os.getloadavg()[0]:.2f}")
    print()
    report(results, cores)


if __name__ == "__main__":
    main()
