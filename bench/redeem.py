"""Benchmark of a shop redemption: redemptions/s of one offer with stock, at concurrency 16, next
to its bound measured in the same run.

A redemption is the saga of `catalog_service.shop.service.redeem`: the reserving catalog
transaction (offer row locked, stock taken, pending redemption recorded), the debit at a real
auth-service over HTTP (`/internal/wallet/debits`, client-credentials token), and the settling
transaction. The bound is the same two catalog transactions with the auth call taken out (a
wallet that answers "debited" at once): what the saga costs the catalog alone. Both are driven
in-process by the same 16 threads, in alternating slices (saga, bound, saga, bound, ...) so both
see the same load from everything else on the machine. Every redemption is of the one offer, so
all of them queue on its row lock: the figure is the shop's rate for a single hot offer.

    uv run python bench/redeem.py     # its own auth (uvicorn) and catalog database, removed after

Prints redemptions/s, p50/p99 and the ratio to the bound; writes them to
bench/results/latest.json. Never asserts.
"""

from __future__ import annotations

import argparse
import os
import secrets
import statistics
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import benchkit
import httpx

PG_ADMIN_URL = os.environ.get("BENCH_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
AMQP_URL = os.environ.get("AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/%2F")
PLAYERS = 64
BALANCE = 1_000_000


@contextmanager
def own_auth(client_secret: str) -> Iterator[tuple[str, int]]:
    """auth-service in a uvicorn subprocess on a throwaway database and a unique exchange."""
    exchange = f"bench.{uuid.uuid4().hex[:8]}.events"
    env = {"CATALOG_CLIENT_SECRET": client_secret, "PASSWORD_HASH_PROCESSES": "0"}
    try:
        with benchkit.own_auth_service(
            pg_admin_url=PG_ADMIN_URL, amqp_url=AMQP_URL, exchange=exchange, env=env
        ) as served:
            yield served
    finally:
        benchkit.remove_broker_names(AMQP_URL, exchange=exchange)


@contextmanager
def own_catalog_database() -> Iterator[str]:
    from catalog_service.prestart import migrate
    from quest_devtools.testing.databases import create_database, drop_database, sqlalchemy_url

    database = create_database(PG_ADMIN_URL, prefix="bench_catalog")
    try:
        url = sqlalchemy_url(PG_ADMIN_URL, database)
        migrate(url)
        yield url
    finally:
        drop_database(PG_ADMIN_URL, database)


def rich_players(auth_url: str, client_secret: str) -> list[uuid.UUID]:
    """Players signed up at auth, each credited a balance no run can spend."""
    ids = []
    with httpx.Client(base_url=auth_url, timeout=30) as client:
        token = client.post(
            "/internal/oauth/token",
            data={
                "grant_type": "client_credentials",
                "client_id": "catalog-service",
                "client_secret": client_secret,
            },
        )
        token.raise_for_status()
        service_headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
        for _ in range(PLAYERS):
            name = f"bench_{uuid.uuid4().hex[:10]}"
            response = client.post(
                "/api/auth/signup", json={"user_name": name, "password": secrets.token_hex(8)}
            )
            response.raise_for_status()
            user_id = uuid.UUID(response.json()["user_id"])
            credit = client.post(
                "/internal/wallet/credits",
                json={
                    "idempotency_key": f"bench-{user_id}",
                    "user_id": str(user_id),
                    "item": "diamond",
                    "qty": BALANCE,
                    "reason": "bench",
                },
                headers=service_headers,
            )
            credit.raise_for_status()
            ids.append(user_id)
    return ids


class InstantWallet:
    """The bound: auth taken out, every debit answered at once."""

    def debit(self, debit: Any) -> Any:
        from catalog_service.shop.wallet import Debited

        return Debited(balance=0)


def drive(redeem_one: Callable[[int], str], *, concurrency: int, seconds: float) -> list[float]:
    """`concurrency` threads redeeming back to back for `seconds`; latencies of the done ones."""
    latencies: list[float] = []
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def worker(index: int) -> None:
        mine = []
        while time.monotonic() < stop:
            started = time.perf_counter()
            if redeem_one(index) == "done":
                mine.append(time.perf_counter() - started)
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies


def figures(latencies: list[float], seconds: float) -> dict[str, Any]:
    ordered = sorted(latencies) or [0.0]
    return {
        "redemptions_per_s": round(len(latencies) / seconds, 1),
        "p50_ms": round(1000 * statistics.median(ordered), 2),
        "p99_ms": round(1000 * ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))], 2),
        "done": len(latencies),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=20.0, help="per side")
    parser.add_argument("--slices", type=int, default=4)
    args = parser.parse_args()

    from catalog_service.core.db import create_db_engine
    from catalog_service.core.uow import UnitOfWork
    from catalog_service.shop import service
    from catalog_service.shop.models import OfferCreate, PriceItem
    from catalog_service.shop.wallet import WalletClient
    from quest_common import audit

    secret = secrets.token_urlsafe(24)
    with own_auth(secret) as (auth_url, auth_pid), own_catalog_database() as catalog_url:
        engine = create_db_engine(catalog_url)
        new_uow = lambda: UnitOfWork(engine)  # noqa: E731
        wallet = WalletClient(auth_url=auth_url, client_secret=secret)
        players = rich_players(auth_url, secret)
        offer = service.create_offer(
            uow=new_uow(),
            actor=audit.SYSTEM,
            data=OfferCreate(
                name="hot-offer",
                title="Hot offer",
                price_item=PriceItem.diamond,
                price_qty=1,
                stock=100_000_000,
            ),
        )

        def redeemer(chosen_wallet: Any) -> Callable[[int], str]:
            def redeem_one(index: int) -> str:
                result = service.redeem(
                    uow_factory=new_uow,
                    wallet=chosen_wallet,
                    user_id=players[index % len(players)],
                    offer_id=offer.offer_id,
                    key=uuid.uuid4().hex,
                    max_backoff_s=30.0,
                )
                return result.status.value

            return redeem_one

        sides = {"saga": redeemer(wallet), "bound": redeemer(InstantWallet())}
        drive(sides["saga"], concurrency=args.concurrency, seconds=1.0)  # warm-up, not counted
        latencies: dict[str, list[float]] = {name: [] for name in sides}
        load_before = benchkit.load_average()
        auth_cpu = benchkit.cpu_seconds(benchkit.family(auth_pid))
        for _ in range(args.slices):
            for name, redeem_one in sides.items():
                latencies[name] += drive(
                    redeem_one, concurrency=args.concurrency, seconds=args.seconds / args.slices
                )
        auth_cpu = benchkit.cpu_seconds(benchkit.family(auth_pid)) - auth_cpu
        wallet.close()
        engine.dispose()

    saga = figures(latencies["saga"], args.seconds)
    bound = figures(latencies["bound"], args.seconds)
    ratio = benchkit.ratio(saga["redemptions_per_s"], bound["redemptions_per_s"])
    print(f"redemption benchmark on {benchkit.machine()}")
    print(
        f"one offer with stock, concurrency {args.concurrency}, {args.seconds:.0f} s per side in "
        f"{args.slices} alternating slices\n"
    )
    for label, side in (("saga (with auth)", saga), ("bound (no auth call)", bound)):
        print(
            f"{label:<22} {side['redemptions_per_s']:8.1f} redemptions/s   "
            f"p50 {side['p50_ms']:7.2f} ms   p99 {side['p99_ms']:7.2f} ms"
        )
    print(
        f"ratio saga / bound: {100 * ratio:.0f}%   auth CPU {auth_cpu:.1f} s   "
        f"(load {load_before[0]:.2f} -> {benchkit.load_average()[0]:.2f})"
    )
    benchkit.record(
        "redeem",
        {
            "concurrency": args.concurrency,
            "saga": saga,
            "bound_without_auth_call": bound,
            "ratio": ratio,
            "auth_cpu_seconds": round(auth_cpu, 2),
            "load_average": [load_before, benchkit.load_average()],
        },
    )


if __name__ == "__main__":
    main()
