"""Record consumed events (sign-ins and ingested ones), keyed by their envelope id, and hand
the fresh ones to progress.

A redelivered or duplicated event inserts nothing and so changes nothing the second time.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Sequence
from typing import TYPE_CHECKING

from sqlalchemy import func, select
from sqlmodel import Session, col

from processing_service.deletions.service import drop_deleted
from processing_service.events.models import RecordedEvent
from processing_service.events.parsing import is_ingested
from processing_service.events.schemas import EventList, EventPublic
from processing_service.players.models import PlayerSeen
from processing_service.progress.rules import PlayerEvent, QuestRule
from processing_service.progress.service import BatchResult, apply_events

if TYPE_CHECKING:
    from processing_service.unit_of_work import ProcessingUnitOfWork


def record_events(*, uow: ProcessingUnitOfWork, events: Sequence[PlayerEvent]) -> list[PlayerEvent]:
    """Insert the events; returns the ones seen for the first time, in consumption order."""
    unique: dict[str, PlayerEvent] = {}
    for event in events:
        unique.setdefault(event.event_id, event)
    user_text = {e.user_id: str(e.user_id) for e in unique.values()}
    # One stable order for every worker (a redelivered duplicate in two batches must not make two
    # inserts wait on each other crosswise), and per player chronological `seq`.
    batch = sorted(unique.values(), key=lambda e: (user_text[e.user_id], e.time, e.event_id))
    new_ids = uow.events.record(batch)
    return [e for e in unique.values() if e.event_id in new_ids]


def consume_events(
    *, uow: ProcessingUnitOfWork, events: Sequence[PlayerEvent], quests: Sequence[QuestRule]
) -> BatchResult:
    """One batch: record, then apply the fresh events; the caller commits."""
    if not events:
        return BatchResult()
    # A deleted player's events (late, redelivered or replayed) are dropped, not recorded.
    kept = drop_deleted(uow=uow, events=events, user_of=_user_of)
    if not kept:
        return BatchResult(duplicates=len(events))
    # A player who signs in is known, in the zone of their newest sign-in (an older or
    # redelivered one never brings back an older zone). A game server's event carries no zone:
    # it is dated in the player's latest known one (DESIGN §14), and recorded with it.
    uow.players.note(
        [
            PlayerSeen(user_id=e.user_id, time_zone=e.time_zone, at=e.time)
            for e in kept
            if not is_ingested(e)
        ]
    )
    kept = _dated_in_latest_zone(uow=uow, events=kept)
    fresh = record_events(uow=uow, events=kept)
    result = apply_events(uow=uow, events=fresh, quests=quests) if fresh else BatchResult()
    result.duplicates = len(events) - len(fresh)
    return result


def _dated_in_latest_zone(
    *, uow: ProcessingUnitOfWork, events: Sequence[PlayerEvent]
) -> list[PlayerEvent]:
    players = {str(e.user_id) for e in events if is_ingested(e)}
    if not players:
        return list(events)
    zones = uow.players.zones_of(players)
    return [
        dataclasses.replace(e, time_zone=zones.get(str(e.user_id)) or e.time_zone)
        if is_ingested(e)
        else e
        for e in events
    ]


def _user_of(event: PlayerEvent) -> object:
    return event.user_id


def event_list(
    *,
    session: Session,
    user_id: uuid.UUID | None,
    type: str | None,
    limit: int,
    offset: int,
) -> EventList:
    """Recorded events, newest first (a player's own, or everyone's), with the total count."""
    query = select(RecordedEvent)
    counter = select(func.count()).select_from(RecordedEvent)
    if user_id is not None:
        query = query.where(col(RecordedEvent.user_id) == user_id)
        counter = counter.where(col(RecordedEvent.user_id) == user_id)
    if type is not None:
        query = query.where(col(RecordedEvent.type) == type)
        counter = counter.where(col(RecordedEvent.type) == type)
    rows = (
        session.execute(query.order_by(col(RecordedEvent.seq).desc()).limit(limit).offset(offset))
        .scalars()
        .all()
    )
    # The recorded event as it is, but for its user id as text and its time under the
    # envelope's name.
    data = [
        EventPublic.model_validate(
            {**r.model_dump(), "user_id": str(r.user_id), "time": r.occurred_at}
        )
        for r in rows
    ]
    return EventList(data=data, count=int(session.execute(counter).scalar_one()))
