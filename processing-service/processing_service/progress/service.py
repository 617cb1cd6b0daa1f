"""Apply sign-in events to quest progress, and claim rewards.

One batch is one transaction: the events are inserted keyed by their envelope id (a duplicate
inserts nothing and so changes nothing), the progress rows of the batch's players are locked in a
stable order (two workers never race on one player and never deadlock each other), the rules run
in memory, and the changed rows, grants and notifications are written in bulk.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from quest_common.db import utcnow
from sqlalchemy import and_, select, text
from sqlalchemy.dialects.postgresql import insert
from sqlmodel import Session

from processing_service import rules
from processing_service.grants.models import Grant
from processing_service.notifications import payloads
from processing_service.progress.models import QuestProgress
from processing_service.rules import ProgressState, QuestRule


@dataclass(frozen=True, slots=True)
class SignIn:
    """A validated sign-in event."""

    event_id: str
    user_id: uuid.UUID
    user_name: str
    type: str
    time: datetime
    source: str = ""


@dataclass(frozen=True, slots=True)
class PendingNotification:
    user_id: uuid.UUID
    event: str
    data: dict[str, Any]


@dataclass
class BatchResult:
    new_events: int = 0
    duplicates: int = 0
    notifications: list[dict[str, Any]] = field(default_factory=list)  # with their seq
    grants: int = 0


_INSERT_EVENTS = text(
    """
    INSERT INTO sign_in_event (event_id, user_id, user_name, type, source, occurred_at, recorded_at)
    SELECT t.id, t.user_id, t.name, t.type, t.source, t.at, :now
    FROM unnest(CAST(:ids AS text)::text[], CAST(:users AS text)::uuid[],
                CAST(:names AS text)::text[], CAST(:types AS text)::text[],
                CAST(:sources AS text)::text[],
                CAST(:times AS text)::timestamptz[])
         WITH ORDINALITY AS t(id, user_id, name, type, source, at, ord)
    ORDER BY t.ord
    ON CONFLICT (event_id) DO NOTHING
    RETURNING event_id
    """
)
_ENSURE_PROGRESS = text(
    """
    INSERT INTO quest_progress (id, user_id, quest_id, streak, completed, claimed, updated_at)
    SELECT t.id, t.user_id, t.quest_id, 0, 0, 0, :now
    FROM unnest(CAST(:ids AS text)::uuid[], CAST(:users AS text)::uuid[],
                CAST(:quests AS text)::uuid[])
         WITH ORDINALITY AS t(id, user_id, quest_id, ord)
    ORDER BY t.ord
    ON CONFLICT (user_id, quest_id) DO NOTHING
    """
)
_LOCK_PROGRESS = text(
    """
    SELECT id, user_id, quest_id, streak, completed, claimed, last_day FROM quest_progress
    WHERE user_id = ANY(CAST(:users AS text)::uuid[])
      AND quest_id = ANY(CAST(:quests AS text)::uuid[])
    ORDER BY user_id, quest_id
    FOR UPDATE
    """
)
_UPDATE_PROGRESS = text(
    """
    UPDATE quest_progress AS p
    SET streak = t.streak, completed = t.completed, claimed = t.claimed, last_day = t.day,
        updated_at = :now
    FROM unnest(CAST(:users AS text)::uuid[], CAST(:quests AS text)::uuid[],
                CAST(:streaks AS text)::int[], CAST(:completed AS text)::int[],
                CAST(:claimed AS text)::int[], CAST(:days AS text)::date[])
         AS t(user_id, quest_id, streak, completed, claimed, day)
    WHERE p.user_id = t.user_id AND p.quest_id = t.quest_id
    """
)
_INSERT_NOTIFICATIONS = text(
    """
    INSERT INTO notification (id, user_id, event, data, created_at)
    SELECT t.id, t.user_id, t.event, CAST(t.data AS jsonb), :now
    FROM unnest(CAST(:ids AS text)::uuid[], CAST(:users AS text)::uuid[],
                CAST(:events AS text)::text[], CAST(:data AS text)::text[])
         WITH ORDINALITY AS t(id, user_id, event, data, ord)
    ORDER BY t.ord
    RETURNING seq, user_id, event, data
    """
)


def pg_array(values: Sequence[object]) -> str:
    """A PostgreSQL array literal: psycopg's per-element array dumping costs more than the query."""
    parts = []
    for value in values:
        if value is None:
            parts.append("NULL")
        else:
            text_value = value.isoformat() if isinstance(value, datetime | date) else str(value)
            parts.append('"' + text_value.replace("\\", "\\\\").replace('"', '\\"') + '"')
    return "{" + ",".join(parts) + "}"


def _state(row: Any) -> ProgressState:
    return ProgressState(
        streak=row.streak, completed=row.completed, claimed=row.claimed, last_day=row.last_day
    )


def apply_sign_ins(
    *, session: Session, events: Sequence[SignIn], quests: Sequence[QuestRule]
) -> BatchResult:
    """Record and apply a batch of sign-ins; the caller commits."""
    result = BatchResult()
    if not events:
        return result
    now = utcnow()
    unique: dict[str, SignIn] = {}
    for event in events:
        unique.setdefault(event.event_id, event)
    batch = list(unique.values())
    # Bulk statements pass arrays through unnest(): one constant SQL text per step, whatever the
    # batch size (multi-row VALUES would be compiled anew for every batch, which dominates).
    inserted = session.execute(
        _INSERT_EVENTS,
        {
            "ids": pg_array([e.event_id for e in batch]),
            "users": pg_array([e.user_id for e in batch]),
            "names": pg_array([e.user_name[:64] for e in batch]),
            "types": pg_array([e.type[:64] for e in batch]),
            "sources": pg_array([e.source[:256] for e in batch]),
            "times": pg_array([e.time for e in batch]),
            "now": now,
        },
    )
    new_ids = set(inserted.scalars())
    fresh = [e for e in batch if e.event_id in new_ids]
    result.new_events = len(fresh)
    result.duplicates = len(events) - len(fresh)
    sign_in_quests = [q for q in quests if q.trigger == "sign_in"]
    if not fresh or not sign_in_quests:
        return result

    # Make sure every (player, quest) row exists, then lock them all — both in one sorted order.
    pairs = sorted({(e.user_id, q.quest_id) for e in fresh for q in sign_in_quests})
    session.execute(
        _ENSURE_PROGRESS,
        {
            "ids": pg_array([uuid.uuid4() for _ in pairs]),
            "users": pg_array([u for u, _ in pairs]),
            "quests": pg_array([q for _, q in pairs]),
            "now": now,
        },
    )
    user_ids = sorted({u for u, _ in pairs})
    quest_ids = [q.quest_id for q in sign_in_quests]
    rows = session.execute(
        _LOCK_PROGRESS, {"users": pg_array(user_ids), "quests": pg_array(quest_ids)}
    ).all()
    states: dict[tuple[uuid.UUID, uuid.UUID], ProgressState] = {
        (r.user_id, r.quest_id): _state(r) for r in rows
    }
    original = dict(states)

    grants: list[dict[str, Any]] = []
    notes: list[PendingNotification] = []
    for event in fresh:  # consumption order
        for quest in sign_in_quests:
            if not rules.applies_to(quest, event_type=event.type, at=event.time):
                continue
            key = (event.user_id, quest.quest_id)
            step = rules.apply_sign_in(quest, states[key], at=event.time)
            states[key] = step.state
            notes.append(
                PendingNotification(
                    event.user_id, payloads.CHECK_IN, payloads.check_in(quest, step.state)
                )
            )
            if step.earned:
                notes.append(
                    PendingNotification(
                        event.user_id,
                        payloads.QUEST_COMPLETED,
                        payloads.quest_completed(quest, step.state),
                    )
                )
            if step.auto_credit:
                grants.append(
                    _grant_row(
                        user_id=event.user_id, quest=quest, reason="quest_auto_claim", now=now
                    )
                )

    changed = [(key, s) for key, s in states.items() if s != original[key]]
    if changed:
        session.execute(
            _UPDATE_PROGRESS,
            {
                "users": pg_array([k[0] for k, _ in changed]),
                "quests": pg_array([k[1] for k, _ in changed]),
                "streaks": pg_array([s.streak for _, s in changed]),
                "completed": pg_array([s.completed for _, s in changed]),
                "claimed": pg_array([s.claimed for _, s in changed]),
                "days": pg_array([s.last_day for _, s in changed]),
                "now": now,
            },
        )
    if grants:
        session.execute(insert(Grant).values(grants))
        result.grants = len(grants)
    result.notifications = store_notifications(session=session, notes=notes, now=now)
    return result


def _grant_row(
    *,
    user_id: uuid.UUID,
    quest: QuestRule,
    reason: str,
    now: datetime,
    next_attempt_at: datetime | None = None,
) -> dict[str, Any]:
    return {
        "grant_id": uuid.uuid4(),
        "user_id": user_id,
        "quest_id": quest.quest_id,
        "quest_title": quest.title[:200],
        "item": quest.reward_item,
        "qty": quest.reward_qty,
        "reason": reason,
        "status": "pending",
        "attempts": 0,
        "created_at": now,
        "next_attempt_at": next_attempt_at or now,
    }


def store_notifications(
    *, session: Session, notes: Sequence[PendingNotification], now: datetime
) -> list[dict[str, Any]]:
    """Insert notification rows; returns them as published messages (with their SSE id)."""
    if not notes:
        return []
    returned = session.execute(
        _INSERT_NOTIFICATIONS,
        {
            "ids": pg_array([uuid.uuid4() for _ in notes]),
            "users": pg_array([n.user_id for n in notes]),
            "events": pg_array([n.event for n in notes]),
            "data": pg_array([json.dumps(n.data) for n in notes]),
            "now": now,
        },
    ).all()
    # The identity follows the VALUES order within one INSERT; sort by it for the publish order.
    return [
        {"seq": r.seq, "user_id": str(r.user_id), "event": r.event, "data": r.data}
        for r in sorted(returned, key=lambda r: r.seq)
    ]


# -- reads and claims ------------------------------------------------------------------------


def progress_states(
    *, session: Session, user_id: uuid.UUID, quest_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, ProgressState]:
    if not quest_ids:
        return {}
    rows = session.execute(
        select(QuestProgress.__table__).where(  # type: ignore[attr-defined]
            and_(QuestProgress.user_id == user_id, QuestProgress.quest_id.in_(list(quest_ids)))  # type: ignore[attr-defined]
        )
    ).all()
    return {r.quest_id: _state(r) for r in rows}


@dataclass(frozen=True, slots=True)
class ClaimResult:
    state: ProgressState
    grant: Grant
    notifications: list[dict[str, Any]]


def claim(
    *, session: Session, user_id: uuid.UUID, quest: QuestRule, retry_in_s: float = 5.0
) -> ClaimResult:
    """Claim one earned reward: progress and grant change in this one transaction (caller commits).

    The progress row is locked, so parallel claims are serialized and each earned reward is
    claimed once. Raises rules.NothingToClaimError.
    """
    row = session.execute(
        select(QuestProgress.__table__)  # type: ignore[attr-defined]
        .where(and_(QuestProgress.user_id == user_id, QuestProgress.quest_id == quest.quest_id))
        .with_for_update()
    ).first()
    state = _state(row) if row is not None else ProgressState()
    new_state = rules.claim(quest, state)  # raises when nothing is claimable
    assert row is not None
    now = utcnow()
    session.execute(
        QuestProgress.__table__.update()  # type: ignore[attr-defined]
        .where(QuestProgress.id == row.id)
        .values(claimed=new_state.claimed, updated_at=now)
    )
    # The API credits it right away; the worker's delivery loop only steps in if that fails.
    values = _grant_row(
        user_id=user_id,
        quest=quest,
        reason="quest_claim",
        now=now,
        next_attempt_at=now + timedelta(seconds=retry_in_s),
    )
    grant = Grant(**values)
    session.add(grant)
    session.flush()
    return ClaimResult(state=new_state, grant=grant, notifications=[])
