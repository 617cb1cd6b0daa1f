"""Transactional outbox: an event is stored in the same transaction as the change it describes,
and a relay publishes it afterwards with publisher confirms.

So a request never fails or waits because the broker is down, and no committed change loses its
event. Delivery is at least once (a crash between publish and the `published_at` update
republishes); consumers deduplicate on the envelope id.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import REGISTRY, Collector
from pydantic import BaseModel
from sqlalchemy import (
    Column,
    DateTime,
    Engine,
    Index,
    Insert,
    bindparam,
    delete,
    func,
    text,
    update,
)
from sqlalchemy import select as sa_select
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, Session, SQLModel, col, select

from quest_common.broker.publisher import ConfirmingPublisher, PublishError
from quest_common.db import utcnow
from quest_common.events import CloudEvent, stored_event, stored_event_body
from quest_common.retry import Backoff
from quest_common.settings import BaseServiceSettings

logger = logging.getLogger(__name__)


class OutboxEvent(SQLModel, table=True):
    __tablename__ = "outbox_event"
    __table_args__ = (
        # The relay only ever looks at unpublished rows: keep that lookup small.
        Index(
            "ix_outbox_event_unpublished",
            "created_at",
            postgresql_where=text("published_at IS NULL"),
        ),
    )

    id: uuid.UUID = Field(primary_key=True)
    routing_key: str = Field(max_length=255)
    event_type: str = Field(max_length=128)
    payload: dict[str, Any] = Field(sa_column=Column(JSONB, nullable=False))
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False)
    )
    published_at: datetime | None = Field(
        default=None, sa_column=Column(DateTime(timezone=True), nullable=True)
    )
    attempts: int = 0
    last_error: str | None = Field(default=None, max_length=500)


_OUTBOX = OutboxEvent.__table__  # type: ignore[attr-defined]


def outbox_insert(
    *, id: Any, routing_key: Any, event_type: Any, payload: Any, created_at: Any
) -> Insert:
    """The one outbox row insert. Values or `bindparam`s: auth compiles it once into its
    sign-in statement, `enqueue` runs it with the event's values."""
    return _OUTBOX.insert().values(
        id=id,
        routing_key=routing_key,
        event_type=event_type,
        payload=payload,
        created_at=created_at,
        attempts=0,
    )


def enqueue(session: Session, event: CloudEvent, *, routing_key: str) -> None:
    """Add the event to the caller's transaction: it is published only if that commits."""
    session.execute(
        outbox_insert(
            id=uuid.UUID(event.id),
            routing_key=routing_key,
            event_type=event.type,
            payload=stored_event(event),
            created_at=utcnow(),
        )
    )


_SELECT_PENDING = (
    sa_select(_OUTBOX.c.id, _OUTBOX.c.routing_key, _OUTBOX.c.event_type, _OUTBOX.c.payload)
    .where(_OUTBOX.c.published_at.is_(None))
    .order_by(_OUTBOX.c.created_at)
    .limit(bindparam("batch_size"))
    .with_for_update(skip_locked=True)
)
_MARK_PUBLISHED = (
    update(_OUTBOX)
    .where(_OUTBOX.c.id.in_(bindparam("ids", expanding=True)))
    .values(published_at=bindparam("now"))
)
_MARK_FAILED = (
    update(_OUTBOX)
    .where(_OUTBOX.c.id == bindparam("row_id"))
    .values(attempts=_OUTBOX.c.attempts + 1, last_error=bindparam("error"))
)

PublisherFactory = Callable[[], ConfirmingPublisher]


class OutboxRelay:
    """Publishes unpublished outbox rows, oldest first.

    Several replicas may run a relay on the same table: `FOR UPDATE SKIP LOCKED` hands each row to
    one of them. `wake()` after a commit makes the relay publish at once, not at its next poll.
    `require_route`: treat "no queue bound" as a failure to retry (for events that must be
    consumed, such as sign-ins) rather than as done; a function of the routing key decides per
    event (a notice that only replicas' own queues hear must not hold back the ones after it).

    Batching comes from the load itself, not from a timer: an idle relay publishes a woken row
    at once, and the commits that land while a pass is publishing are all picked up by the next
    pass (one select and one update for the lot). `wake_delay_seconds` (default 0) adds a fixed
    wait after each wake; it only trades latency for fewer passes and is kept for operators who
    want that trade.

    `busy_interval_seconds` (default 0: off) paces a busy relay: after a pass that published
    something, the next one starts no sooner than that long after it began, so a steady stream
    of commits (one per login) is published a few rows per pass rather than one pass per row.
    An idle relay is not paced: the first row after a quiet spell leaves at once.
    """

    def __init__(
        self,
        *,
        engine: Engine,
        amqp_url: str,
        exchange: str,
        name: str = "outbox-relay",
        batch_size: int = 200,
        poll_seconds: float = 1.0,
        max_backoff_seconds: float = 30.0,
        require_route: bool | Callable[[str], bool] = True,
        publisher_factory: PublisherFactory | None = None,
        retention: timedelta = timedelta(days=1),
        wake_delay_seconds: float = 0.0,
        busy_interval_seconds: float = 0.0,
    ) -> None:
        self.engine = engine
        self.batch_size = batch_size
        self.poll_seconds = poll_seconds
        # Like every broker loop: from 1 s, doubled up to the cap, with jitter so the replicas
        # that lost the broker together do not come back at the same instant. A node's loss in
        # a cluster costs one short wait: the next attempt connects to another node.
        self._backoff = Backoff(1.0, max_backoff_seconds, jitter=True)
        self.require_route = require_route
        self.retention = retention
        self.wake_delay_seconds = wake_delay_seconds
        self.busy_interval_seconds = busy_interval_seconds
        self.passes = 0  # passes that published something
        self.name = name
        self._last_purge = 0.0
        self._publisher_factory = publisher_factory or (
            lambda: ConfirmingPublisher(amqp_url, exchange, name=name)
        )
        self._publisher: ConfirmingPublisher | None = None
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def wake(self) -> None:
        self._wake.set()

    def _route_required(self, routing_key: str) -> bool:
        if callable(self.require_route):
            return self.require_route(routing_key)
        return self.require_route

    def publish_pending(self) -> int:
        """Publish one batch; returns how many rows were published. Raises PublishError when the
        broker refused a row (the rows published before it stay marked)."""
        if self._publisher is None:
            self._publisher = self._publisher_factory()
        # A Core connection, statements built once (module level): this runs once per wake,
        # and ORM bookkeeping cost more CPU than the publishing itself.
        done: list[uuid.UUID] = []
        failure: PublishError | None = None
        with self.engine.begin() as connection:
            rows = connection.execute(_SELECT_PENDING, {"batch_size": self.batch_size}).all()
            for row in rows:
                try:
                    self._publisher.publish_body(
                        stored_event_body(row.payload),
                        routing_key=row.routing_key,
                        message_id=str(row.id),
                        event_type=row.event_type,
                        mandatory=self._route_required(row.routing_key),
                    )
                except PublishError as exc:
                    connection.execute(_MARK_FAILED, {"row_id": row.id, "error": str(exc)[:500]})
                    failure = exc
                    break
                done.append(row.id)
            if done:
                connection.execute(_MARK_PUBLISHED, {"ids": done, "now": utcnow()})
        if failure is not None:
            raise failure
        return len(done)

    def pending_count(self) -> int:
        with Session(self.engine) as session:
            return session.exec(
                select(func.count()).where(col(OutboxEvent.published_at).is_(None))
            ).one()

    def purge_published(self) -> int:
        """Delete rows published longer ago than `retention` (kept a while for inspection)."""
        cutoff = utcnow() - self.retention
        with Session(self.engine) as session:
            result = session.exec(
                delete(OutboxEvent).where(col(OutboxEvent.published_at) < cutoff)  # type: ignore[call-overload]
            )
            session.commit()
            return int(result.rowcount or 0)

    def _purge_now_and_then(self) -> None:
        if time.monotonic() - self._last_purge < 60:
            return
        self._last_purge = time.monotonic()
        try:
            if purged := self.purge_published():
                logger.info("purged %d published outbox rows", purged)
        except Exception:
            logger.exception("outbox purge failed; it is tried again later")

    def run(self) -> None:
        self._backoff.reset()
        while not self._stop.is_set():
            began = time.monotonic()
            try:
                published = self.publish_pending()
                self._backoff.reset()
                if published:
                    self.passes += 1
                if published == self.batch_size:
                    continue  # more are waiting
                if not published and self._publisher is not None:
                    # Idle: answer the broker's heartbeats, so the first event after a quiet
                    # spell finds the connection open rather than dropped.
                    self._publisher.keep_alive()
            except PublishError as exc:
                delay = self._backoff.next()
                logger.warning(
                    "%s: attempt %d failed (%s), next in %.1f s",
                    self.name,
                    self._backoff.failures,
                    exc,
                    delay,
                )
                if self._publisher is not None:
                    self._publisher.close()
                self._stop.wait(delay)
                continue
            except Exception:
                delay = self._backoff.next()
                failures = self._backoff.failures
                logger.exception(
                    "%s: attempt %d failed, next in %.1f s", self.name, failures, delay
                )
                self._stop.wait(delay)
                continue
            if published and self.busy_interval_seconds > 0:
                # Busy: the commits of the next moments join one pass (their wakes stay set).
                self._stop.wait(max(0.0, began + self.busy_interval_seconds - time.monotonic()))
            self._purge_now_and_then()
            woken = self._wake.wait(self.poll_seconds)
            # Cleared before the next pass, never after it: a wake that arrives while the pass
            # runs stays set and starts another pass at once, so no committed row waits for the
            # poll interval.
            self._wake.clear()
            if woken and self.wake_delay_seconds > 0:
                self._stop.wait(self.wake_delay_seconds)
        if self._publisher is not None:
            self._publisher.close()

    def start(self) -> None:
        self._stop.clear()
        self._thread = threading.Thread(target=self.run, name=self.name, daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop after the batch in flight (its rows are either published and marked, or left)."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None


# --- operations figures ----------------------------------------------------------------------


class OutboxFigures(BaseModel):
    """How far the relay is behind: unpublished rows and the age of the oldest one (0 if none)."""

    backlog: int
    oldest_unsent_age_s: float


class OutboxOps(BaseModel):
    """`GET /admin/ops` of a service whose only moving part is its outbox."""

    outbox: OutboxFigures


_FIGURES = sa_select(func.count(), func.min(_OUTBOX.c.created_at)).where(
    _OUTBOX.c.published_at.is_(None)
)


def outbox_figures(engine: Engine, *, now: datetime | None = None) -> OutboxFigures:
    """One query on the partial index of unpublished rows: cheap enough for every scrape."""
    with engine.connect() as connection:
        backlog, oldest = connection.execute(_FIGURES).one()
    age = max(0.0, ((now or utcnow()) - oldest).total_seconds()) if oldest is not None else 0.0
    return OutboxFigures(backlog=int(backlog), oldest_unsent_age_s=round(age, 3))


class _OutboxCollector(Collector):
    """Computes the figures when Prometheus scrapes, from the engine last handed over."""

    def __init__(self) -> None:
        self.engine: Engine | None = None

    def describe(self) -> list[GaugeMetricFamily]:
        # Names only: registering must not query a database.
        return list(self._families())

    def collect(self) -> list[GaugeMetricFamily]:
        if self.engine is None:
            return []
        try:
            figures = outbox_figures(self.engine)
        except Exception:
            # A scrape must not fail because the database is away; the figures are left out.
            logger.warning("outbox figures unavailable for this scrape", exc_info=True)
            return []
        return list(self._families(figures))

    @staticmethod
    def _families(figures: OutboxFigures | None = None) -> tuple[GaugeMetricFamily, ...]:
        backlog = GaugeMetricFamily("outbox_backlog", "Outbox rows not yet published")
        age = GaugeMetricFamily(
            "outbox_oldest_unsent_age_seconds", "Age of the oldest unpublished outbox row"
        )
        if figures is not None:
            backlog.add_metric([], figures.backlog)
            age.add_metric([], figures.oldest_unsent_age_s)
        return backlog, age


_collector: _OutboxCollector | None = None


def expose_outbox_metrics(engine: Engine) -> None:
    """Serve `outbox_backlog` and `outbox_oldest_unsent_age_seconds` on `/metrics`, computed at
    scrape time from `engine`. A process runs one service, so the last engine handed over wins
    (tests that build several apps in one process read the last one)."""
    global _collector
    if _collector is None:
        _collector = _OutboxCollector()
        REGISTRY.register(_collector)
    _collector.engine = engine


def service_relay(
    settings: BaseServiceSettings, *, engine: Engine, name: str, enabled: bool, **options: Any
) -> OutboxRelay | None:
    """The relay a service runs in its API process on its own settings' broker and exchange;
    None when the settings turn it off (tests, or a relay run elsewhere)."""
    if not enabled:
        return None
    return OutboxRelay(
        engine=engine,
        amqp_url=settings.amqp_url,
        exchange=settings.events_exchange,
        name=name,
        **options,
    )
