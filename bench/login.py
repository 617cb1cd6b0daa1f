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
    from quest_common.testing.databases import create_database, drop_database, sqlalchemy_url

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


async def run(base: str, *, seconds: float, levels: list[int]) -> list[tuple[int, float]]:
    rates: list[tuple[int, float]] = []
    limits = httpx.Limits(max_connections=max(levels) + 4)
    async with httpx.AsyncClient(base_url=base, timeout=60, limits=limits) as client:
        names = await make_users(client, max(levels) * 2)
        await measure(client, names, concurrency=2, seconds=1.0)  # warm-up
        print(
            f"{'concurrency':>11} {'logins':>7} {'errors':>6} {'logins/s':>9} "
            f"{'p50 ms':>8} {'p99 ms':>8} {'server CPU ms':>14}"
        )
        for level in levels:
            cpu_before = cpu_seconds(SERVER_PID[0]) if SERVER_PID else 0.0
            ok, errors, latencies, elapsed = await measure(
                client, names, concurrency=level, seconds=seconds
            )
            cpu = (cpu_seconds(SERVER_PID[0]) - cpu_before) if SERVER_PID else float("nan")
            rate = ok / elapsed
            rates.append((level, rate))
            print(
                f"{level:>11} {ok:>7} {errors:>6} {rate:>9.1f} "
                f"{percentile(latencies, 0.50) * 1000:>8.1f} "
                f"{percentile(latencies, 0.99) * 1000:>8.1f} "
                f"{1000 * cpu / max(ok, 1):>14.1f}"
            )
    return rates


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", help="an auth-service already running (else one is started)")
    parser.add_argument("--seconds", type=float, default=8.0, help="per concurrency level")
    parser.add_argument("--workers", type=int, default=1, help="uvicorn workers when started here")
    parser.add_argument("--levels", default="1,8,32", help="concurrency levels, comma-separated")
    args = parser.parse_args()
    levels = [int(level) for level in args.levels.split(",")]
    cores = os.cpu_count() or 1

    before = verify_seconds()
    cpu_started = time.process_time()
    verify_seconds(samples=10)
    verify_cpu = (time.process_time() - cpu_started) / 10
    print(
        f"argon2id verify (m=19456, t=2, p=1): {before * 1000:.1f} ms median on this machine"
        f" ({verify_cpu * 1000:.1f} ms of CPU)"
    )
    print(f"load average before: {os.getloadavg()[0]:.2f} on {cores} cores")
    print()

    if args.url:
        rates = asyncio.run(run(args.url, seconds=args.seconds, levels=levels))
    else:
        with own_service(args.workers) as base:
            print(f"auth-service started at {base} (uvicorn workers: {args.workers})")
            rates = asyncio.run(run(base, seconds=args.seconds, levels=levels))
    # Measured again afterwards: on a shared machine the cost of a verify drifts with the load.
    after = verify_seconds()
    verify = (before + after) / 2
    bound = cores / verify
    delivered = parallel_verify_rate(cores)
    print()
    print(f"argon2id verify: {before * 1000:.1f} ms before, {after * 1000:.1f} ms after the run")
    print(f"bound set by hashing: {cores} cores / {verify * 1000:.1f} ms = {bound:.1f} logins/s")
    print(f"hashing with {cores} threads at once right now: {delivered:.1f} verifies/s")
    for level, rate in rates:
        print(
            f"concurrency {level:>2}: {rate:.1f} logins/s = "
            f"{100 * rate / bound:.0f}% of the bound, "
            f"{100 * rate / delivered:.0f}% of the parallel hashing rate"
        )
    print("server CPU ms = the service process's CPU time per login (argon2 included)")
    print(
        "target: at least 80% of the bound at concurrency 8 "
        "(the load generator and PostgreSQL share these cores)"
    )


if __name__ == "__main__":
    main()
