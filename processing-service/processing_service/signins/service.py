"""Record consumed sign-ins, keyed by their envelope id, and hand the fresh ones to progress.

A redelivered or duplicated event inserts nothing and so changes nothing the second time.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from processing_service.deletions.service import drop_deleted
from processing_service.progress.rules import QuestRule, ReceivedSignIn
from processing_service.progress.service import BatchResult, apply_sign_ins

if TYPE_CHECKING:
    from processing_service.unit_of_work import ProcessingUnitOfWork


def record_sign_ins(
    *, uow: ProcessingUnitOfWork, events: Sequence[ReceivedSignIn]
) -> list[ReceivedSignIn]:
    """Insert the events; returns the ones seen for the first time, in consumption order."""
    unique: dict[str, ReceivedSignIn] = {}
    for event in events:
        unique.setdefault(event.event_id, event)
    user_text = {e.user_id: str(e.user_id) for e in unique.values()}
    # One stable order for every worker (a redelivered duplicate in two batches must not make two
    # inserts wait on each other crosswise), and per player chronological `seq`.
    batch = sorted(unique.values(), key=lambda e: (user_text[e.user_id], e.time, e.event_id))
    new_ids = uow.sign_ins.record(batch)
    return [e for e in unique.values() if e.event_id in new_ids]


def consume_sign_ins(
    *, uow: ProcessingUnitOfWork, events: Sequence[ReceivedSignIn], quests: Sequence[QuestRule]
) -> BatchResult:
    """One batch: record, then apply the fresh events; the caller commits."""
    if not events:
        return BatchResult()
    # A deleted player's sign-ins (late, redelivered or replayed) are dropped, not recorded.
    kept = drop_deleted(uow=uow, events=events, user_of=_user_of)
    if not kept:
        return BatchResult(duplicates=len(events))
    fresh = record_sign_ins(uow=uow, events=kept)
    result = apply_sign_ins(uow=uow, events=fresh, quests=quests) if fresh else BatchResult()
    result.duplicates = len(events) - len(fresh)
    return result


def _user_of(event: ReceivedSignIn) -> object:
    return event.user_id
