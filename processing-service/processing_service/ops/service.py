"""The operations figures (DESIGN §11): the sign-in queue, dead letters, pending grants, worker lag,
what was minted and the event sources (§14) — for `GET /admin/ops` and, the same figures but the
sources, Prometheus gauges.

Worker lag. "now - time of the oldest unprocessed sign-in" would need the head of the queue, and
a message cannot be looked at without taking it. What is measured instead: 0 while the queue
holds no ready message; otherwise now - the sign-in time of the newest event the worker recorded.
The queue is FIFO, so every waiting sign-in happened after that one: the figure is an upper bound
of the true lag that meets it as the worker catches up, and it grows while the worker stalls.
With no event recorded yet and messages waiting, it is the age of the oldest waiting message as
far as this service can know: unknown, reported as 0.
"""

from __future__ import annotations

import logging

from pydantic import BaseModel
from sqlalchemy import Engine

from processing_service import views
from processing_service.core.broker import BrokerClient
from processing_service.ingestion.models import SourceFigures
from processing_service.ingestion.service import source_figures
from processing_service.unit_of_work import UnitOfWork
from quest_common.db import utcnow

log = logging.getLogger(__name__)


class QueueFigures(BaseModel):
    depth: int
    consumers: int


class Minted(BaseModel):
    diamond: int = 0
    gold: int = 0


class MintedWindows(BaseModel):
    last_hour: Minted
    last_day: Minted


class ProcessingOps(BaseModel):
    sign_in_queue: QueueFigures
    dead_letters: int
    grants_pending: int
    worker_lag_s: float
    minted: MintedWindows
    # Game servers sending events (DESIGN §14): today's (UTC) figures of each one seen within
    # 30 days. Their events wait in the sign-in queue above (the worker counts both).
    sources: list[SourceFigures]


def queue_figures(*, broker: BrokerClient, queue: str) -> QueueFigures:
    """Depth (ready messages) and consumers, by a passive declare: it never creates the queue."""
    ok = broker.run(lambda channel: channel.queue_declare(queue=queue, passive=True))
    return QueueFigures(depth=int(ok.method.message_count), consumers=int(ok.method.consumer_count))


def figures(*, engine: Engine, broker: BrokerClient, queue: str) -> ProcessingOps:
    now = utcnow()
    try:
        sign_ins = queue_figures(broker=broker, queue=queue)
    except Exception as exc:
        # The page still shows the database's figures with the broker away; -1 says "unknown".
        log.warning("sign-in queue figures unavailable: %s", exc)
        sign_ins = QueueFigures(depth=-1, consumers=-1)
    with UnitOfWork(engine=engine, read_only=True) as reads:
        stored = views.stored_figures(session=reads.session, now=now)
    hour, day = Minted(), Minted()
    for item, (last_hour, last_day) in stored.minted.items():
        if item in ("diamond", "gold"):
            setattr(hour, item, last_hour)
            setattr(day, item, last_day)
    lag = 0.0
    newest = stored.newest_sign_in_at
    if sign_ins.depth > 0 and newest is not None:
        lag = max(0.0, (now - newest).total_seconds())
    return ProcessingOps(
        sign_in_queue=sign_ins,
        dead_letters=stored.dead_letters,
        grants_pending=stored.grants_pending,
        worker_lag_s=round(lag, 3),
        minted=MintedWindows(last_hour=hour, last_day=day),
        sources=source_figures(engine=engine, now=now),
    )
