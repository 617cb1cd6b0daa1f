"""Ingestion: check a request's events whole, accept the new ones durably, count each source.

Exactly once, from the API's side (guarantee 12). In one unit of work:
1. the players are looked up (under the deletions' shared lock, so a deletion waits for this
   transaction and then erases what it wrote) and every event is checked — any problem refuses
   the whole request and nothing is written or published;
2. `INSERT ... ON CONFLICT DO NOTHING RETURNING` claims the new `(client, id)` pairs; a pair a
   parallel request claimed but has not committed waits for that one's end, and is a duplicate
   once it committed;
3. the new events are published and every confirm awaited;
4. only then the claim is committed and the client answered 202.
If publishing fails the transaction rolls back: nothing is recorded, the client is told to retry
(503), and its retry publishes again. If the commit fails after the broker confirmed, the
client retries too and the same events are published a second time — with the same envelope
ids (derived from client and id), which the worker deduplicates by, so they count once.
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from http import HTTPStatus

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from processing_service.ingestion.models import IngestAccepted, IngestEvent, SourceFigures
from processing_service.ingestion.repository import SqlSourceFigures
from processing_service.ingestion.validation import EventTypeSpec, Problem, check_events
from processing_service.unit_of_work import ProcessingUnitOfWork
from quest_common.broker.confirmed_batch import ConfirmedMessage
from quest_common.broker.publisher import PublishError
from quest_common.events import ingest_envelope_id, ingest_type, rfc3339
from quest_common.refusals import ClientError, RetryLaterError
from quest_common.security import client_subject
from quest_common.uow import SqlUnitOfWork

log = logging.getLogger(__name__)

PUBLISH_RETRY_AFTER_S = 2
# The operations page lists the sources seen within this many days.
SOURCES_WINDOW = timedelta(days=30)


class IngestRefusedError(Exception):
    """The request's events have problems (422): none of them is accepted."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        super().__init__(f"{len(problems)} problem(s)")
        self.problems = list(problems)


class IngestUnavailableError(
    ClientError,
    status=HTTPStatus.SERVICE_UNAVAILABLE,
    detail="events not accepted: the broker is unavailable; send the same events again shortly",
):
    headers = {"Retry-After": str(PUBLISH_RETRY_AFTER_S)}


class IngestRateLimitedError(RetryLaterError):
    detail = "too many events from this client; retry after the Retry-After seconds"


Publish = Callable[[Sequence[ConfirmedMessage]], None]


def envelope(client_id: str, event: IngestEvent) -> ConfirmedMessage:
    """The CloudEvent of an accepted event (`quest_common.events`' ingest contract), as the
    broker message that carries it; built directly, as JSON, for volume."""
    envelope_id = ingest_envelope_id(client_id, event.id)
    kind = ingest_type(event.type)
    user = str(event.user_id)
    body = {
        "specversion": "1.0",
        "id": envelope_id,
        "source": client_subject(client_id),
        "type": kind,
        "subject": user,
        "time": rfc3339(event.time),
        "datacontenttype": "application/json",
        "data": {"user_id": user, "client_event_id": event.id, "data": event.data},
    }
    return ConfirmedMessage(
        routing_key=kind,
        body=json.dumps(body, separators=(",", ":")).encode(),
        message_id=envelope_id,
        type=kind,
    )


def first_of_each_id(events: Sequence[IngestEvent]) -> list[IngestEvent]:
    """The request's events without repeats of an id (the first occurrence stays)."""
    seen: set[str] = set()
    kept = []
    for event in events:
        if event.id not in seen:
            seen.add(event.id)
            kept.append(event)
    return kept


def ingest(
    *,
    uow: ProcessingUnitOfWork,
    publish: Publish,
    types: Mapping[str, EventTypeSpec],
    client_id: str,
    events: Sequence[IngestEvent],
    now: datetime,
) -> tuple[IngestAccepted, list[IngestEvent]]:
    """Accept the request's new events (the unit of work commits only once the broker confirmed
    them); returns the answer and the events accepted. `IngestRefusedError` when any event has a
    problem, `IngestUnavailableError` when the broker did not take them."""
    with uow:
        users = {str(event.user_id) for event in events}
        # Under the deletions' shared lock until commit: a deletion committing meanwhile waits,
        # then erases what this transaction wrote about its player.
        uow.tombstones.hold_shared()
        deleted = uow.tombstones.deleted_among(users)
        known = uow.players.known_among(users - deleted)
        problems = check_events(
            events, types=types, known_players=known, deleted_players=deleted, now=now
        )
        if problems:
            raise IngestRefusedError(problems)
        unique = first_of_each_id(events)
        fresh_ids = uow.ingested.claim(
            [
                {
                    "client_id": client_id,
                    "event_id": event.id,
                    "envelope_id": ingest_envelope_id(client_id, event.id),
                    "type": event.type,
                    "user_id": event.user_id,
                    "accepted_at": now,
                }
                for event in unique
            ]
        )
        fresh = [event for event in unique if event.id in fresh_ids]
        try:
            if fresh:
                publish([envelope(client_id, event) for event in fresh])
        except PublishError as exc:
            log.warning("%d events of %s not accepted: %s", len(fresh), client_id, exc)
            raise IngestUnavailableError(client_id) from exc  # the unit of work rolls back
        uow.commit()
    return IngestAccepted(accepted=len(fresh), duplicates=len(events) - len(fresh)), fresh


def rejected_count(problems: Sequence[Problem]) -> int:
    """How many events a refusal names; a request refused as a whole counts one."""
    return max(1, len({p.index for p in problems if p.index is not None}))


def count_source(
    *,
    engine: Engine,
    client_id: str,
    accepted: Sequence[IngestEvent] = (),
    rejected: int = 0,
    at: datetime,
) -> None:
    """Add one request to its source's figures of the day (UTC). The figures are for the
    operations page: a failure to write them is logged, never the request's failure."""
    try:
        with SqlUnitOfWork(engine) as uow:
            SqlSourceFigures(uow.session).add(
                client_id=client_id,
                day=at.astimezone(UTC).date(),
                events=Counter(event.type for event in accepted),
                rejected=rejected,
                at=at,
            )
            uow.commit()
    except SQLAlchemyError as exc:
        log.warning("figures of source %s not counted: %s", client_id, exc)


def source_figures(*, engine: Engine, now: datetime) -> list[SourceFigures]:
    """Every source seen in the last 30 days: today's figures (UTC) and its last request."""
    today = now.astimezone(UTC).date()
    with SqlUnitOfWork(engine) as uow:
        return SqlSourceFigures(uow.session).sources(since=today - SOURCES_WINDOW, today=today)
