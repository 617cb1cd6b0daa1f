"""Simulation jobs: start one (admitted by the replica's `runner.SimulationRunner`, a row, then
a process of its pool), stream the window's recorded events of the quest's type from PostgreSQL
through the pure fold, keep state/progress/result in the row.

A simulation writes its own row and nothing else: no progress, grants or notifications. The
replay reads in a read-only transaction (the database would refuse a write there); the job's row
is written in short units of work of its own.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from http import HTTPStatus
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine
from sqlmodel import Session

from processing_service import views
from processing_service.incidents.service import windows
from processing_service.progress.rules import QuestRule
from processing_service.simulation import replay
from processing_service.simulation.models import Simulation
from processing_service.simulation.schemas import SimulationPublic
from processing_service.unit_of_work import UnitOfWork
from quest_common.audit import Actor, record
from quest_common.db import utcnow
from quest_common.refusals import ClientError
from quest_common.rows import from_row

if TYPE_CHECKING:
    from processing_service.simulation.runner import SimulationRunner

log = logging.getLogger(__name__)

CHUNK = 20_000
PROGRESS_EVERY_S = 0.5
# A running job whose row was not touched for this long lost its process (a restart, a crash).
STALE_AFTER = timedelta(minutes=2)


def window_query(
    since: datetime, until: datetime | None, rule: QuestRule
) -> tuple[str, dict[str, Any]]:
    """The window's events of the quest's type by player, in the order the worker applied them
    (with their properties only when the quest looks at them)."""
    return views.event_window(
        since, until, rule.event_type, with_data=bool(rule.where) or rule.measure == "sum"
    )


def count_events(
    *, reads: UnitOfWork, since: datetime, until: datetime | None, event_type: str
) -> int:
    query, params = views.event_window_count(since, until, event_type)
    with reads.driver_connection().cursor() as cursor:
        cursor.execute(query, params)
        row = cursor.fetchone()
        return int(row[0]) if row else 0


def stream_and_fold(
    *,
    engine: Engine,
    rule: QuestRule,
    since: datetime,
    until: datetime | None,
    on_chunk: Callable[[int, int], None] | None = None,
    per_player: bool = False,
) -> replay.Tally:
    """Fold the window's events, streamed with a server-side (named) cursor `CHUNK` rows at a
    time: memory stays flat whatever the window holds. The driver's own cursor, not the ORM's
    streaming: SQLAlchemy's `stream_results` buffered the whole result here, and its row
    objects cost three times the fold."""
    query, params = window_query(since, until, rule)
    with UnitOfWork(engine=engine, read_only=True) as reads:
        tally = replay.start(rule, per_player=per_player, incidents=windows(session=reads.session))
        # The total, for a progress figure: counted only when someone follows the progress.
        total = (
            count_events(reads=reads, since=since, until=until, event_type=rule.event_type)
            if on_chunk
            else 0
        )
        with reads.driver_connection().cursor(name=f"simulation_{uuid.uuid4().hex}") as cursor:
            cursor.itersize = CHUNK
            cursor.execute(query, params)
            while chunk := cursor.fetchmany(CHUNK):
                replay.fold(tally, chunk)
                if on_chunk is not None:
                    on_chunk(tally.events_replayed, total)
    return tally


def start(
    *,
    engine: Engine,
    runner: SimulationRunner,
    rule: QuestRule,
    request: dict[str, Any],
    actor: Actor,
) -> uuid.UUID:
    """Admit the job (or raise SimulationsBusyError), store it (audited in the same
    transaction), and hand it to the runner."""
    runner.admit()  # first: a refused start writes nothing
    job = Simulation(request=request, actor_id=actor.id[:64])
    simulation_id = job.simulation_id
    try:
        with UnitOfWork(engine=engine) as uow:
            uow.session.add(job)
            record(
                uow.session,
                actor=actor,
                action="simulation.start",
                target_id=simulation_id,
                before=None,
                after={"request": request},
            )
            uow.commit()
    except BaseException:
        runner.release()
        raise
    since = datetime.fromisoformat(request["since"])
    until = datetime.fromisoformat(request["until"]) if request.get("until") else None
    runner.submit(simulation_id=simulation_id, rule=rule, since=since, until=until)
    return simulation_id


def _update(engine: Engine, simulation_id: uuid.UUID, **values: Any) -> None:
    with UnitOfWork(engine=engine) as uow:
        job = uow.session.get(Simulation, simulation_id)
        if job is None:
            return
        for key, value in values.items():
            setattr(job, key, value)
        job.updated_at = utcnow()
        uow.commit()


def run(
    *,
    engine: Engine,
    simulation_id: uuid.UUID,
    rule: QuestRule,
    since: datetime,
    until: datetime | None,
) -> None:
    try:
        last = time.monotonic()

        def on_chunk(done: int, total: int) -> None:
            nonlocal last
            if time.monotonic() - last >= PROGRESS_EVERY_S:
                last = time.monotonic()
                # Rows recorded after the count make `done` overtake it: never report past 1.
                _update(engine, simulation_id, progress=min(done / total, 0.99) if total else 0.0)

        tally = stream_and_fold(
            engine=engine, rule=rule, since=since, until=until, on_chunk=on_chunk
        )
        _update(engine, simulation_id, state="done", progress=1.0, result=replay.finish(tally))
    except Exception as exc:
        log.exception("simulation %s failed", simulation_id)
        _update(engine, simulation_id, state="failed", error=str(exc)[:500])


def mark_failed(engine: Engine, simulation_id: uuid.UUID, error: str) -> None:
    _update(engine, simulation_id, state="failed", error=error[:500])


class SimulationNotFoundError(
    ClientError, LookupError, status=HTTPStatus.NOT_FOUND, detail="Simulation not found"
):
    pass


def read(*, session: Session, simulation_id: uuid.UUID) -> SimulationPublic:
    job = session.get(Simulation, simulation_id)
    if job is None:
        raise SimulationNotFoundError(simulation_id)
    public = from_row(SimulationPublic, job, **(job.result or {}))
    if job.state == "running" and utcnow() - job.updated_at > STALE_AFTER:
        # Its process went away (no replica runs it any more): say so rather than "running".
        public.state, public.error = "failed", "the simulation stopped (its process ended)"
    return public
