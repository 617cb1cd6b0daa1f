"""Login throughput of auth-service next to the bound its password hashing sets, measured in
the same run.

    uv run python bench/login.py                 # starts its own auth-service (throwaway DB)
    uv run python bench/login.py --url http://127.0.0.1:8001

The bound: as many processes as there are cores doing nothing but argon2id verifies (the
service's own parameters) in a loop, measured right before and right after each concurrency
level, while no login is in flight. On a shared machine that is what the cores deliver to
hashing right now; "cores / one verify's time" overstates it (other work shares the cores).

For each level: logins/s and the ratio to that bound, p50/p99/max latency, the mean latency
Little's law gives at that rate (concurrency / rate: with fair, first-come first-served
queueing the p99 stays near it), the service's CPU per login, the load generator's own share
of the cores, and each service process's resident memory at the start and end of the level.
Also the CPU cost of signing one access token (RS256, what the service uses) next to EdDSA.
Prints figures and writes them to bench/results/latest.json; never asserts.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import time
import urllib.parse
import uuid
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from typing import Any

import benchkit
import httpx

PREFIX = "/api/auth"
PASSWORD = "bench-password-1"
PG_ADMIN_URL = os.environ.get("TEST_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
AMQP_URL = os.environ.get("AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/%2F")


def _verify_loop(hashed: str, seconds: float) -> tuple[int, float, float]:
    """Runs in a bound process: verifies until `seconds` are up; (verifies, elapsed, CPU)."""
    from auth_service.core.security import pwd_context

    pwd_context.verify(PASSWORD, hashed)  # warm: first call sets argon2 up
    count, started, cpu = 0, time.perf_counter(), time.process_time()
    while time.perf_counter() - started < seconds:
        pwd_context.verify(PASSWORD, hashed)
        count += 1
    return count, time.perf_counter() - started, time.process_time() - cpu


class HashingBound:
    """`cores` processes verifying in a loop: the hashing rate these cores give right now."""

    def __init__(self, processes: int) -> None:
        from auth_service.core.security import pwd_context

        self.processes = processes
        self.hashed = pwd_context.hash(PASSWORD)
        self.pool = ProcessPoolExecutor(processes, mp_context=multiprocessing.get_context("spawn"))
        self.measure(0.2)  # spawn and import outside the measured part

    def measure(self, seconds: float) -> float:
        """Verifies per second of all the processes together; also keeps the CPU one verify
        took (`verify_cpu_s`), the cost a login cannot avoid."""
        futures = [
            self.pool.submit(_verify_loop, self.hashed, seconds) for _ in range(self.processes)
        ]
        results = [future.result() for future in futures]
        self.verify_cpu_s = sum(cpu for _, _, cpu in results) / sum(n for n, _, _ in results)
        return sum(count / elapsed for count, elapsed, _ in results)

    def close(self) -> None:
        self.pool.shutdown()


def signing_cost_ms(samples: int = 200) -> dict[str, float]:
    """CPU per access token signed: RS256 (2048-bit, as the service) and EdDSA (Ed25519)."""
    import jwt
    from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

    claims = {"iss": "quest", "aud": "quest", "sub": str(uuid.uuid4()), "role": "player"}
    keys: dict[str, rsa.RSAPrivateKey | ed25519.Ed25519PrivateKey] = {
        "RS256": rsa.generate_private_key(public_exponent=65537, key_size=2048),
        "EdDSA": ed25519.Ed25519PrivateKey.generate(),
    }
    costs = {}
    for algorithm, key in keys.items():
        jwt.encode(claims, key, algorithm=algorithm)
        started = time.process_time()
        for _ in range(samples):
            jwt.encode(claims, key, algorithm=algorithm)
        costs[algorithm] = round(1000 * (time.process_time() - started) / samples, 3)
    return costs


SERVER_PID: list[int] = []


@contextmanager
def own_service(workers: int) -> Iterator[str]:
    """auth-service in a uvicorn subprocess on a throwaway database and a unique exchange, with
    a queue bound to the sign-in keys so the relay has somewhere to deliver; all removed after."""
    from quest_common.broker.connection import connect

    run = uuid.uuid4().hex[:8]
    exchange, queue = f"bench.{run}.events", f"bench.{run}.sign-ins"
    connection = connect(AMQP_URL, name="bench-setup")
    channel = connection.channel()
    channel.exchange_declare(exchange=exchange, exchange_type="topic", durable=True)
    channel.queue_declare(queue=queue, durable=True)
    channel.queue_bind(queue=queue, exchange=exchange, routing_key="auth.*")
    connection.close()
    try:
        with benchkit.own_auth_service(
            pg_admin_url=PG_ADMIN_URL, amqp_url=AMQP_URL, exchange=exchange, workers=workers
        ) as (base, pid):
            SERVER_PID.append(pid)
            yield base
    finally:
        benchkit.remove_broker_names(AMQP_URL, exchange=exchange, queues=[queue])


def make_users(base: str, count: int) -> list[str]:
    names = [f"bench_{uuid.uuid4().hex[:10]}" for _ in range(count)]
    with httpx.Client(base_url=base, timeout=60) as client:
        for name in names:
            response = client.post(
                f"{PREFIX}/signup", json={"user_name": name, "password": PASSWORD}
            )
            response.raise_for_status()
    return names


def login_requests(base: str, names: list[str]) -> list[bytes]:
    return [
        benchkit.request_bytes(
            base,
            "POST",
            f"{PREFIX}/login/access-token",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
            body=urllib.parse.urlencode({"username": name, "password": PASSWORD}).encode(),
        )
        for name in names
    ]


def _cpu_now(groups: dict[str, list[int]]) -> dict[str, float]:
    """CPU seconds used so far by each group of processes, and by the whole machine."""
    return {
        **{name: benchkit.cpu_seconds(pids) for name, pids in groups.items()},
        "machine": benchkit.machine_cpu_seconds(),
    }


def run_level(
    base: str,
    requests: list[bytes],
    bound: HashingBound,
    *,
    concurrency: int,
    seconds: float,
    bound_seconds: float,
    slices: int,
) -> dict[str, Any]:
    """One concurrency level, interleaved with the hashing bound: `slices` rounds of (bound for
    `bound_seconds`, logins for `seconds / slices`), ending with one more bound. Other people's
    work on a shared machine moves the bound by 2-3x within a minute; interleaving makes the
    figure and its bound see the same load. Each client cycles through its own users (one
    account's logins serialise on its row lock, which is not what this measures)."""
    pids = benchkit.family(SERVER_PID[0]) if SERVER_PID else []
    groups = {
        "api_process": pids[:1],
        "hashing_processes": pids[1:],
        "postgresql": benchkit.named("postgres"),
        "rabbitmq": benchkit.named("beam.smp"),
    }
    memory_start = benchkit.memory(pids)
    load_before = benchkit.load_average()
    bounds: list[float] = []
    verify_cpu: list[float] = []
    total = benchkit.Load()
    cpu = dict.fromkeys([*groups, "machine"], 0.0)
    for _ in range(slices):
        bounds.append(bound.measure(bound_seconds))
        verify_cpu.append(bound.verify_cpu_s)
        before = _cpu_now(groups)
        part = benchkit.run_load(
            base, requests, concurrency=concurrency, seconds=seconds / slices, warmup=0.3
        )
        for name, spent in _cpu_now(groups).items():
            cpu[name] += spent - before[name]
        total.latencies += part.latencies
        total.statuses.update(part.statuses)
        total.elapsed += part.elapsed
        total.cpu_seconds += part.cpu_seconds
        total.answered += part.answered
    bounds.append(bound.measure(bound_seconds))
    verify_cpu.append(bound.verify_cpu_s)
    memory_end = benchkit.memory(pids)
    hashing_bound = sum(bounds) / len(bounds)
    ok = total.ok(200)
    rate = ok / total.elapsed
    return {
        "concurrency": concurrency,
        "logins": ok,
        "refused": sum(n for status, n in total.statuses.items() if status != 200),
        "logins_per_s": round(rate, 1),
        "bound_per_s": round(hashing_bound, 1),
        "bound_spread": [round(min(bounds), 1), round(max(bounds), 1)],
        "ratio": benchkit.ratio(rate, hashing_bound),
        "p50_ms": round(total.pct_ms(50), 1),
        "p99_ms": round(total.pct_ms(99), 1),
        "max_ms": round(total.pct_ms(100), 1),
        "littles_law_mean_ms": round(1000 * concurrency / rate, 1) if rate else None,
        # Per answered login, the warm-ups' included: the CPU was measured around them too.
        "service_cpu_ms_per_login": round(
            1000 * (cpu["api_process"] + cpu["hashing_processes"]) / max(total.answered, 1), 2
        ),
        "main_process_cpu_ms_per_login": round(
            1000 * cpu["api_process"] / max(total.answered, 1), 2
        ),
        "cpu_ms_per_login": {
            name: round(1000 * spent / max(total.answered, 1), 2) for name, spent in cpu.items()
        },
        "verify_cpu_ms": round(1000 * sum(verify_cpu) / len(verify_cpu), 2),
        "client_cores": round(total.client_cores, 3),
        "load_average": [load_before, benchkit.load_average()],
        "memory_start": memory_start,
        "memory_end": memory_end,
        "rss_growth_mib": benchkit.memory_growth(memory_start, memory_end),
    }


def report(levels: list[dict[str, Any]], signing: dict[str, float]) -> None:
    print(
        f"{'conc':>4} {'logins/s':>9} {'bound/s':>8} {'(range)':>11} {'ratio':>6} {'p50 ms':>7} "
        f"{'p99 ms':>7} {'max ms':>7} {'L-law ms':>8} {'client':>7} {'refused':>7}  load"
    )
    for r in levels:
        print(
            f"{r['concurrency']:>4} {r['logins_per_s']:>9.1f} {r['bound_per_s']:>8.1f} "
            f"{'{:.0f}-{:.0f}'.format(*r['bound_spread']):>11} "
            f"{100 * r['ratio']:>5.0f}% {r['p50_ms']:>7.1f} {r['p99_ms']:>7.1f} "
            f"{r['max_ms']:>7.1f} {r['littles_law_mean_ms'] or 0:>8.1f} "
            f"{100 * r['client_cores']:>6.1f}% "
            f"{r['refused']:>7}  {r['load_average'][0][0]:.2f}->{r['load_average'][1][0]:.2f}"
        )
    print()
    print(
        f"bound = {benchkit.CORES} processes doing argon2id verifies in a loop, measured in "
        "slices interleaved with each level's (mean of the slices); ratio = logins/s / bound"
    )
    print("L-law ms = concurrency / rate: the mean wait Little's law gives; FIFO keeps p99 near it")
    print("client = the load generator's share of one core")
    print()
    print("where a login's CPU goes (ms of CPU per login, all cores):")
    print(
        f"{'conc':>4} {'verify':>7} {'hashing':>8} {'API':>6} {'Postgres':>8} {'RabbitMQ':>8} "
        f"{'rest':>6} {'machine':>8} {'verify/machine':>15}"
    )
    for r in levels:
        spent, verify = r["cpu_ms_per_login"], r["verify_cpu_ms"]
        named = ("hashing_processes", "api_process", "postgresql", "rabbitmq")
        rest = spent["machine"] - sum(spent[name] for name in named)
        print(
            f"{r['concurrency']:>4} {verify:>7.1f} {spent['hashing_processes']:>8.1f} "
            f"{spent['api_process']:>6.1f} {spent['postgresql']:>8.1f} {spent['rabbitmq']:>8.1f} "
            f"{rest:>6.1f} {spent['machine']:>8.1f} "
            f"{100 * verify / spent['machine'] if spent['machine'] else 0:>14.0f}%"
        )
    print(
        "verify = one argon2id verify in the bound's processes; hashing = the service's hashing "
        "processes; API = its main process (HTTP, SQL, token, outbox relay); rest = everything "
        "else on the machine, the load generator included. With the cores saturated, "
        "verify/machine is the highest ratio this split allows."
    )
    print()
    print("memory (resident) of each service process, start and end of each level:")
    for r in levels:
        print(f" concurrency {r['concurrency']}:")
        benchkit.print_memory("start", r["memory_start"])
        benchkit.print_memory("end", r["memory_end"])
    print(
        f"signing one access token: RS256 {signing['RS256']:.2f} ms CPU, "
        f"EdDSA {signing['EdDSA']:.2f} ms CPU"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", help="an auth-service already running (else one is started)")
    parser.add_argument("--seconds", type=float, default=8.0, help="per concurrency level")
    parser.add_argument(
        "--sustain",
        type=float,
        default=60.0,
        help="seconds of the concurrency-8 level (its memory is compared start to end)",
    )
    parser.add_argument("--bound-seconds", type=float, default=1.5)
    parser.add_argument("--workers", type=int, default=1, help="uvicorn workers when started here")
    parser.add_argument("--levels", default="1,8,32", help="concurrency levels, comma-separated")
    args = parser.parse_args()
    levels = [int(level) for level in args.levels.split(",")]
    print(f"login benchmark on {benchkit.machine()}", flush=True)
    bound = HashingBound(benchkit.CORES)
    signing = signing_cost_ms()

    def measure(base: str) -> list[dict[str, Any]]:
        requests = login_requests(base, make_users(base, max(levels) * 2))
        benchkit.run_load(base, requests, concurrency=2, seconds=1.0)  # warm-up
        return [
            run_level(
                base,
                requests,
                bound,
                concurrency=level,
                seconds=args.sustain if level == 8 else args.seconds,
                bound_seconds=args.bound_seconds,
                slices=max(2, round((args.sustain if level == 8 else args.seconds) / 4)),
            )
            for level in levels
        ]

    try:
        if args.url:
            results = measure(args.url)
        else:
            with own_service(args.workers) as base:
                print(f"auth-service started at {base} (uvicorn workers: {args.workers})")
                results = measure(base)
    finally:
        bound.close()
    print()
    report(results, signing)
    benchkit.record(
        "login", {"levels": results, "signing_cpu_ms": signing, "uvicorn_workers": args.workers}
    )


if __name__ == "__main__":
    main()
