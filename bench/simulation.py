"""Simulation benchmark (DESIGN §11: 1,000,000 recorded events replayed in <= 10 s on 2 cores).

Fills a throwaway processing database with recorded sign-ins (players x events, spread over days),
then runs a simulation job exactly as the API's background thread does (server-side cursor by
player, the pure fold, progress updates, the result row) and prints events/s and peak RSS next to
two bounds measured in the same run on the same rows:
- the bare read: the same server-side-cursor query, rows fetched and dropped;
- the pure fold alone: `replay.fold` over the same rows already in memory.
The simulation costs about read + fold; the ratio to the slower bound says what is left.
"""

from __future__ import annotations

import argparse
import gc
import os
import time
from datetime import UTC, datetime

import benchkit
from sqlalchemy import text
from sqlmodel import Session

from processing_service.core.db import run_migrations
from processing_service.progress.rules import QuestRule
from processing_service.simulation import replay
from processing_service.simulation import service as simulations
from processing_service.simulation.models import Simulation
from quest_common.db import make_engine
from quest_devtools.testing.databases import create_database, drop_database, sqlalchemy_url
from quest_devtools.testing.plugin import PG_ADMIN_URL
from quest_devtools.testing.quests import catalog_quest

SINCE = datetime(2026, 1, 1, tzinfo=UTC)

FILL = text(
    """
    INSERT INTO player_event (event_id, user_id, user_name, type, source, occurred_at, recorded_at)
    SELECT gen_random_uuid()::text, u.user_id, 'player', 'UserSignIn', 'auth-service',
           :since + (e.n * interval '7 hours') + (random() * interval '3 hours'), now()
    FROM (SELECT gen_random_uuid() AS user_id FROM generate_series(1, :players)) AS u,
         generate_series(1, :per_player) AS e(n)
    ORDER BY u.user_id, e.n
    """
)


def rule() -> QuestRule:
    """The reference quest (three, twice, ten diamonds), counted on days in a row."""
    return QuestRule.from_catalog(catalog_quest(name="bench", title="Bench", streak_mode="daily"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--per-player", type=int, default=20)
    args = parser.parse_args()
    players = max(args.events // args.per_player, 1)
    events = players * args.per_player

    name = create_database(PG_ADMIN_URL, prefix="bench_simulation")
    url = sqlalchemy_url(PG_ADMIN_URL, name)
    engine = make_engine(url)
    try:
        run_migrations(url)
        started = time.perf_counter()
        with engine.begin() as connection:
            connection.execute(
                FILL, {"since": SINCE, "players": players, "per_player": args.per_player}
            )
            connection.execute(text("ANALYZE player_event"))
        print(
            f"{benchkit.machine()}; {events:,} events of {players:,} players recorded "
            f"in {time.perf_counter() - started:.1f} s"
        )

        # 1. The simulation, as the API runs it (job row, progress updates, result).
        quest = rule()
        job = Simulation(request={"bench": True})
        job_id = job.simulation_id
        with Session(engine) as session:
            session.add(job)
            session.commit()
        started = time.perf_counter()
        simulations.run(engine=engine, simulation_id=job_id, rule=quest, since=SINCE, until=None)
        simulation_s = time.perf_counter() - started
        _, peak_rss = benchkit.rss_mib(os.getpid())
        with Session(engine) as session:
            done = session.get(Simulation, job_id)
            assert done is not None and done.result is not None, "the simulation failed"
            result = done.result
        replayed = int(result["events_replayed"])

        # 2. Bound: the bare server-side-cursor read of the same rows.
        query, params = simulations.window_query(SINCE, None, quest)
        read = 0
        started = time.perf_counter()
        with engine.connect() as connection:
            driver = connection.connection.driver_connection
            assert driver is not None
            with driver.cursor(name="bare_read") as cursor:
                cursor.itersize = simulations.CHUNK
                cursor.execute(query, params)
                while chunk := cursor.fetchmany(simulations.CHUNK):
                    read += len(chunk)  # fetched and dropped
            connection.rollback()
        read_s = time.perf_counter() - started
        assert read == replayed

        # The same rows once more, kept in memory for the next bound (not timed).
        with engine.connect() as connection:
            driver = connection.connection.driver_connection
            assert driver is not None
            with driver.cursor() as cursor:
                cursor.execute(query, params)
                rows: list[replay.Row] = cursor.fetchall()
            connection.rollback()

        # 3. Bound: the pure fold alone, over the same rows in memory. The million rows held
        # are moved out of the collector's sight: its passes over them are not the fold's cost.
        gc.collect()
        gc.freeze()
        started = time.perf_counter()
        tally = replay.start(quest)
        replay.fold(tally, rows)
        pure = replay.finish(tally)
        fold_s = time.perf_counter() - started
        assert pure == result, "the pure fold and the simulation disagree"
    finally:
        engine.dispose()
        drop_database(PG_ADMIN_URL, name)

    rate = replayed / simulation_s
    bound_s = max(read_s, fold_s)
    print(
        f"simulation: {replayed:,} events in {simulation_s:.2f} s = {rate:,.0f} events/s "
        f"(target: 1,000,000 in <= 10 s); peak RSS {peak_rss:.0f} MiB"
    )
    print(f"  bound, bare server-side-cursor read: {read_s:.2f} s = {replayed / read_s:,.0f}/s")
    print(f"  bound, pure fold alone:             {fold_s:.2f} s = {replayed / fold_s:,.0f}/s")
    print(
        f"  read + fold: {read_s + fold_s:.2f} s; simulation / (read + fold) = "
        f"{benchkit.ratio(simulation_s, read_s + fold_s)}"
    )
    print(
        f"  result: {result['players']:,} players, {result['completions']:,} completions, "
        f"minted {result['minted']}"
    )
    benchkit.record(
        "simulation",
        {
            "events": replayed,
            "players": result["players"],
            "simulation_s": round(simulation_s, 3),
            "events_per_s": round(rate),
            "peak_rss_mib": round(peak_rss, 1),
            "bound_read_s": round(read_s, 3),
            "bound_fold_s": round(fold_s, 3),
            "ratio_to_read_plus_fold": benchkit.ratio(simulation_s, read_s + fold_s),
            "ratio_to_slower_bound": benchkit.ratio(simulation_s, bound_s),
            "target_s": 10.0,
        },
    )


if __name__ == "__main__":
    main()
