"""Record consumed sign-ins, keyed by their envelope id, and hand the fresh ones to progress.

A redelivered or duplicated event inserts nothing and so changes nothing the second time.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import text

from processing_service.deletions.service import drop_deleted
from processing_service.progress.rules import QuestRule
from processing_service.progress.service import BatchResult, ReceivedSignIn, apply_sign_ins
from processing_service.unit_of_work import UnitOfWork
from quest_common.db import pg_array, utcnow

_INSERT_EVENTS = text(
    """
    INSERT INTO sign_in_event (event_id, user_id, user_name, type, source, time_zone, occurred_at,
                               recorded_at)
    SELECT t.id, t.user_id, t.name, t.type, t.source, t.zone, t.at, :now
    FROM unnest(CAST(:ids AS text)::text[], CAST(:users AS text)::uuid[],
                CAST(:names AS text)::text[], CAST(:types AS text)::text[],
                CAST(:sources AS text)::text[], CAST(:zones AS text)::text[],
                CAST(:times AS text)::timestamptz[])
         WITH ORDINALITY AS t(id, user_id, name, type, source, zone, at, ord)
    ORDER BY t.ord
    ON CONFLICT (event_id) DO NOTHING
    RETURNING event_id
    """
)


def record_sign_ins(*, uow: UnitOfWork, events: Sequence[ReceivedSignIn]) -> list[ReceivedSignIn]:
    """Insert the events; returns the ones seen for the first time, in consumption order."""
    unique: dict[str, ReceivedSignIn] = {}
    for event in events:
        unique.setdefault(event.event_id, event)
    user_text = {e.user_id: str(e.user_id) for e in unique.values()}
    # One stable order for every worker (a redelivered duplicate in two batches must not make two
    # inserts wait on each other crosswise), and per player chronological `seq`. Bulk statements
    # pass arrays through unnest(): one constant SQL text whatever the batch size.
    batch = sorted(unique.values(), key=lambda e: (user_text[e.user_id], e.time, e.event_id))
    inserted = uow.session.execute(
        _INSERT_EVENTS,
        {
            "ids": pg_array([e.event_id for e in batch]),
            "users": "{" + ",".join([user_text[e.user_id] for e in batch]) + "}",
            "names": pg_array([e.user_name[:64] for e in batch]),
            "types": pg_array([e.type[:64] for e in batch]),
            "sources": pg_array([e.source[:256] for e in batch]),
            "zones": pg_array([e.time_zone for e in batch]),
            "times": pg_array([e.time for e in batch]),
            "now": utcnow(),
        },
    )
    new_ids = set(inserted.scalars())
    return [e for e in unique.values() if e.event_id in new_ids]


def consume_sign_ins(
    *, uow: UnitOfWork, events: Sequence[ReceivedSignIn], quests: Sequence[QuestRule]
) -> BatchResult:
    """One batch: record, then apply the fresh events; the caller commits."""
    if not events:
        return BatchResult()
    # A deleted player's sign-ins (late, redelivered or replayed) are dropped, not recorded.
    kept = drop_deleted(session=uow.session, events=events, user_of=_user_of)
    if not kept:
        return BatchResult(duplicates=len(events))
    fresh = record_sign_ins(uow=uow, events=kept)
    result = apply_sign_ins(uow=uow, events=fresh, quests=quests) if fresh else BatchResult()
    result.duplicates = len(events) - len(fresh)
    return result


def _user_of(event: ReceivedSignIn) -> object:
    return event.user_id
