"""Benchmark of the leaderboards: one board read as a player makes it (the top 10 and the caller's
own rank) on a large auth database next to the same read on a small one, measured in the same run.

- large: 1,000,000 ledger rows over 100,000 players; small: 10,000 ledger rows over 1,000 players
  (the same rows per player), both over the last 60 days, items diamond, gold and xp;
- rows are bulk-loaded with COPY, then filed onto the boards by the same statement the
  migration's backfill runs (the per-row trigger is off during the load, on again after it);
- each round reads every board (week, month, all; xp) on both databases, alternating, for a random
  caller each time: both databases see the same load from everything else on the machine.

Prints p50/p99 per size and board, the ratio large/small of the p99s, their spread over the rounds
and the load average; writes bench/results/latest.json. Never asserts.

    uv run python bench/leaderboard.py [--rounds 5] [--reads 200]
"""

from __future__ import annotations

import argparse
import importlib.util
import io
import os
import random
import statistics
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import benchkit

PG_ADMIN_URL = os.environ.get("BENCH_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
ROOT = Path(__file__).resolve().parent.parent
MIGRATION = ROOT / "auth-service" / "alembic" / "versions" / "a0106_progression.py"
ITEMS = ("diamond", "gold", "xp")
DAYS = 60


def _backfill_sql() -> str:
    spec = importlib.util.spec_from_file_location("a0106_progression", MIGRATION)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return str(module.BACKFILL)


def _create_database(label: str) -> tuple[str, str]:
    import psycopg

    from auth_service.core.db import run_migrations

    name = f"bench_board_{label}_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    base = PG_ADMIN_URL.rpartition("/")[0]
    run_migrations(f"{base.replace('postgresql://', 'postgresql+psycopg://', 1)}/{name}")
    return name, f"{base}/{name}"


def _drop_database(name: str) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _load(dsn: str, *, players: int, rows: int, now: datetime, seed: int) -> float:
    """Users and ledger rows by COPY, the boards filed by the backfill; returns seconds taken."""
    import psycopg

    started = time.perf_counter()
    rng = random.Random(seed)
    user_ids = [uuid.uuid4() for _ in range(players)]
    joined = [now - timedelta(days=DAYS + rng.random() * 300) for _ in range(players)]
    span = DAYS * 86_400
    moments = sorted(now - timedelta(seconds=rng.random() * span) for _ in range(rows))
    balances: dict[tuple[int, str], int] = {}
    ledger = io.StringIO()
    for i, at in enumerate(moments):
        who = rng.randrange(players)
        item = ITEMS[i % 3]
        qty = rng.randint(1, 50)
        balance = balances.get((who, item), 0) + qty
        balances[(who, item)] = balance
        ledger.write(
            f"{uuid.uuid4()}\tbench:{i}\t{user_ids[who]}\t{item}\t{qty}\tbench\t{balance}"
            f"\t{at.isoformat()}\n"
        )
    users = io.StringIO()
    for n, user_id in enumerate(user_ids):
        diamond, gold, xp = (balances.get((n, item), 0) for item in ITEMS)
        users.write(
            f"{user_id}\tplayer-{n:06d}\tx\t1\tplayer\t{diamond}\t{gold}\t{xp}"
            f"\t{joined[n].isoformat()}\t{joined[n].isoformat()}\n"
        )
    with psycopg.connect(dsn, autocommit=True) as connection:
        with connection.cursor() as cursor:
            with cursor.copy(
                "COPY users (user_id, user_name, hashed_password, status, role, diamond, gold,"
                " xp, created_at, updated_at) FROM STDIN"
            ) as copy:
                copy.write(users.getvalue())
            cursor.execute(
                "ALTER TABLE wallet_ledger DISABLE TRIGGER wallet_ledger_files_leaderboard"
            )
            with cursor.copy(
                "COPY wallet_ledger (entry_id, idempotency_key, user_id, item, qty, reason,"
                " balance_after, created_at) FROM STDIN"
            ) as copy:
                copy.write(ledger.getvalue())
            cursor.execute(
                "ALTER TABLE wallet_ledger ENABLE TRIGGER wallet_ledger_files_leaderboard"
            )
            cursor.execute(_backfill_sql())
        connection.execute("VACUUM ANALYZE")
    return time.perf_counter() - started


class Board:
    """One database's board reads through the service function the route calls."""

    def __init__(self, dsn: str) -> None:
        from sqlmodel import Session, select

        from auth_service.models import User
        from quest_common.db import make_engine

        self.engine = make_engine(dsn.replace("postgresql://", "postgresql+psycopg://", 1))
        with Session(self.engine) as session:
            self.users = list(session.exec(select(User)).all())
            session.expunge_all()

    def read_ms(self, *, period: Any, me: Any, now: datetime) -> float:
        from sqlmodel import Session

        from auth_service.progression import service

        started = time.perf_counter()
        with Session(self.engine) as session:
            service.board(session=session, item="xp", period=period, limit=10, me=me, now=now)
        return (time.perf_counter() - started) * 1000

    def close(self) -> None:
        self.engine.dispose()


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q / 100 * len(ordered)))]


def main() -> None:
    from quest_common.progression import Period

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--reads", type=int, default=200, help="reads per board and size a round")
    args = parser.parse_args()

    now = datetime.now(UTC)
    sizes = {"small": (1_000, 10_000), "large": (100_000, 1_000_000)}
    names: list[str] = []
    boards: dict[str, Board] = {}
    try:
        for label, (players, rows) in sizes.items():
            name, dsn = _create_database(label)
            names.append(name)
            took = _load(dsn, players=players, rows=rows, now=now, seed=len(names))
            print(f"{label}: {players:,} players, {rows:,} ledger rows loaded in {took:.1f} s")
            boards[label] = Board(dsn)
        rng = random.Random(7)
        periods = (Period.week, Period.month, Period.all)
        # Warm-up: one pass of every board on both sizes (plans, buffers).
        for period in periods:
            for board in boards.values():
                for _ in range(20):
                    board.read_ms(period=period, me=rng.choice(board.users), now=now)
        samples: dict[tuple[str, str], list[list[float]]] = {
            (label, p.value): [] for label in sizes for p in periods
        }
        for _ in range(args.rounds):
            for period in periods:
                taken: dict[str, list[float]] = {label: [] for label in sizes}
                for _ in range(args.reads):
                    for label, board in boards.items():  # alternating: the same machine load
                        me = rng.choice(board.users)
                        taken[label].append(board.read_ms(period=period, me=me, now=now))
                for label in sizes:
                    samples[(label, period.value)].append(taken[label])
        figures: dict[str, Any] = {"rounds": args.rounds, "reads_per_round": args.reads}
        print(f"\nboard reads (item xp, top 10 + the caller's rank), {benchkit.machine()}")
        for period in periods:
            p99s = {label: [_pct(r, 99) for r in samples[(label, period.value)]] for label in sizes}
            every = {
                label: [x for r in samples[(label, period.value)] for x in r] for label in sizes
            }
            small99, large99 = _pct(every["small"], 99), _pct(every["large"], 99)
            ratios = [lg / sm for lg, sm in zip(p99s["large"], p99s["small"], strict=True)]
            print(
                f"  {period.value:>5}: small p50 {_pct(every['small'], 50):6.2f} ms"
                f" p99 {small99:6.2f} ms | large p50 {_pct(every['large'], 50):6.2f} ms"
                f" p99 {large99:6.2f} ms | ratio {large99 / small99:5.2f}"
                f" (per round {min(ratios):.2f} to {max(ratios):.2f},"
                f" median {statistics.median(ratios):.2f})"
            )
            figures[period.value] = {
                "small_p99_ms": round(small99, 3),
                "large_p99_ms": round(large99, 3),
                "ratio": benchkit.ratio(large99, small99),
                "ratio_per_round_min": round(min(ratios), 3),
                "ratio_per_round_max": round(max(ratios), 3),
                "small_p99_ms_per_round": [round(x, 3) for x in p99s["small"]],
                "large_p99_ms_per_round": [round(x, 3) for x in p99s["large"]],
            }
        print(f"  load average {benchkit.load_average()}")
        benchkit.record("leaderboard", figures)
    finally:
        for board in boards.values():
            board.close()
        for name in names:
            _drop_database(name)


if __name__ == "__main__":
    main()
