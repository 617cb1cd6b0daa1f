"""Benchmark of the leaderboards: one board read as a player makes it (the top 10 and the caller's
own rank) on a large auth database next to the same read on a small one, measured in the same run.

- large: 1,000,000 ledger rows over 100,000 players; small: 10,000 ledger rows over 1,000 players
  (the same rows per player), both over the last 60 days, items diamond, gold and xp;
- rows are bulk-loaded with COPY with the ledger's per-row trigger off; the board entries that
  trigger would have filed (every period of every row) are computed here and copied too, and the
  per-value counts are built by the migration's own backfill statement;
- each round reads every board (week, month, all; item xp) on both databases, alternating, for a
  random caller each time, so both see the same load from everything else on the machine: the
  whole read (top 10 and the caller's place, what the route does), and its two parts alone.

Prints p50/p99 per size and board, the ratio large/small of the p99s, their spread over the rounds
and the load average; writes bench/results/latest.json. Never asserts.

    uv run python bench/leaderboard.py [--rounds 3] [--reads 150]
"""

from __future__ import annotations

import argparse
import importlib.util
import io
import os
import random
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


def _count_backfill_sql() -> str:
    spec = importlib.util.spec_from_file_location("a0106_progression", MIGRATION)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return str(module.COUNT_BACKFILL)


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
    """Users, ledger rows and board entries by COPY, the counts by the backfill; returns the
    seconds taken."""
    import psycopg

    from quest_common.progression import ALL_TIME_START, Period, period_bounds

    started = time.perf_counter()
    rng = random.Random(seed)
    user_ids = [uuid.uuid4() for _ in range(players)]
    joined = [now - timedelta(days=DAYS + rng.random() * 300) for _ in range(players)]
    span = DAYS * 86_400
    moments = sorted(now - timedelta(seconds=rng.random() * span) for _ in range(rows))
    balances: dict[tuple[int, str], int] = {}
    # What the trigger files: (item, period, start, player) -> [value, reached_at].
    entries: dict[tuple[str, str, datetime, int], list[Any]] = {}
    starts: dict[tuple[Period, datetime], datetime] = {}
    ledger = io.StringIO()
    for i, at in enumerate(moments):
        who = rng.randrange(players)
        item = ITEMS[i % 3]
        qty = rng.randint(1, 50)
        balance = balances.get((who, item), 0) + qty
        balances[(who, item)] = balance
        entries[(item, "all", ALL_TIME_START, who)] = [balance, at]
        day = at.replace(hour=0, minute=0, second=0, microsecond=0)
        for period in (Period.week, Period.month):
            start = starts.get((period, day)) or period_bounds(period, day)[0]
            starts[(period, day)] = start
            entry = entries.setdefault((item, period.value, start, who), [0, at])
            entry[0] += qty
            entry[1] = at
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
            board = io.StringIO()
            for (item, period_name, start, who), (value, at) in entries.items():
                board.write(
                    f"{item}\t{period_name}\t{start.isoformat()}\t{user_ids[who]}\t{value}"
                    f"\t{at.isoformat()}\n"
                )
            with cursor.copy(
                "COPY leaderboard_entry (item, period, period_start, user_id, value, reached_at)"
                " FROM STDIN"
            ) as copy:
                copy.write(board.getvalue())
            cursor.execute(_count_backfill_sql())
        connection.execute("VACUUM ANALYZE")
    return time.perf_counter() - started


class Board:
    """One database's board reads through the service function the route calls."""

    def __init__(self, dsn: str) -> None:
        from sqlmodel import Session, select

        from auth_service.users.models import User
        from quest_common.db import make_engine

        self.engine = make_engine(dsn.replace("postgresql://", "postgresql+psycopg://", 1))
        with Session(self.engine) as session:
            self.users = list(session.exec(select(User)).all())
            session.expunge_all()

    def read_ms(self, *, part: str, period: Any, me: Any, now: datetime) -> float:
        """One read in its own session, as a request makes it: `whole` (the route's work: the
        top 10 and the caller's place), `top` or `me` alone."""
        from sqlmodel import Session

        from auth_service import views
        from auth_service.progression import service
        from quest_common.progression import period_bounds

        started = time.perf_counter()
        with Session(self.engine) as session:
            if part == "me":
                start, _ = period_bounds(period, now)
                board = views.BoardKey(item="xp", period=period.value, start=start)
                service.my_rank(session=session, board=board, me=me)
            else:
                who = me if part == "whole" else None
                service.board(session=session, item="xp", period=period, limit=10, me=who, now=now)
        return (time.perf_counter() - started) * 1000

    def close(self) -> None:
        self.engine.dispose()


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q / 100 * len(ordered)))]


def main() -> None:
    from quest_common.progression import Period

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=3)
    # Smaller only to try the script quickly; the figures that count are at the defaults.
    parser.add_argument("--large-players", type=int, default=100_000)
    parser.add_argument("--large-rows", type=int, default=1_000_000)
    parser.add_argument(
        "--reads", type=int, default=150, help="reads per board, part and size a round"
    )
    args = parser.parse_args()

    now = datetime.now(UTC)
    sizes = {"small": (1_000, 10_000), "large": (args.large_players, args.large_rows)}
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
        parts = ("whole", "top", "me")
        # Warm-up: a pass of every board and part on both sizes (plans, buffers).
        for period in periods:
            for board in boards.values():
                for part in parts:
                    for _ in range(10):
                        me = rng.choice(board.users)
                        board.read_ms(part=part, period=period, me=me, now=now)
        samples: dict[tuple[str, str, str], list[list[float]]] = {
            (label, p.value, part): [] for label in sizes for p in periods for part in parts
        }
        for _ in range(args.rounds):
            for period in periods:
                for part in parts:
                    taken: dict[str, list[float]] = {label: [] for label in sizes}
                    for _ in range(args.reads):
                        for label, board in boards.items():  # alternating: the same load
                            me = rng.choice(board.users)
                            taken[label].append(
                                board.read_ms(part=part, period=period, me=me, now=now)
                            )
                    for label in sizes:
                        samples[(label, period.value, part)].append(taken[label])
        figures: dict[str, Any] = {"rounds": args.rounds, "reads_per_round": args.reads}
        print(f"\nboard reads, item xp (whole = top 10 + the caller's place), {benchkit.machine()}")
        for period in periods:
            for part in parts:
                key = (period.value, part)
                per_round = {
                    label: [_pct(r, 99) for r in samples[(label, *key)]] for label in sizes
                }
                every = {label: [x for r in samples[(label, *key)] for x in r] for label in sizes}
                small99, large99 = _pct(every["small"], 99), _pct(every["large"], 99)
                ratios = [
                    lg / sm for lg, sm in zip(per_round["large"], per_round["small"], strict=True)
                ]
                print(
                    f"  {period.value:>5} {part:>5}: small p50 {_pct(every['small'], 50):6.2f}"
                    f" p99 {small99:6.2f} ms | large p50 {_pct(every['large'], 50):6.2f}"
                    f" p99 {large99:6.2f} ms | p99 ratio {large99 / small99:5.2f}"
                    f" (per round {min(ratios):.2f} to {max(ratios):.2f})"
                )
                figures[f"{period.value}_{part}"] = {
                    "small_p50_ms": round(_pct(every["small"], 50), 3),
                    "small_p99_ms": round(small99, 3),
                    "large_p50_ms": round(_pct(every["large"], 50), 3),
                    "large_p99_ms": round(large99, 3),
                    "p99_ratio": benchkit.ratio(large99, small99),
                    "p99_ratio_per_round": [round(x, 3) for x in ratios],
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
