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

from sqlalchemy import and_, select, text
from sqlalchemy.dialects.postgresql import insert
from sqlmodel import Session, col

from processing_service.progress import rules
from processing_service.grants.models import Grant
from processing_service.notifications import payloads
from processing_service.progress.models import QuestProgress
from processing_service.progress.rules import ProgressState, QuestRule
from quest_common.db import utcnow


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
    SELECT gen_random_uuid(), t.user_id, t.quest_id, 0, 0, 0, :now
    FROM unnest(CAST(:users AS text)::uuid[], CAST(:quests AS text)::uuid[])
         WITH ORDINALITY AS t(user_id, quest_id, ord)
    ORDER BY t.ord
    ON CONFLICT (user_id, quest_id) DO NOTHING
    """
)
# A join with the batch's (player, quest) pairs: `= ANY(array)` on both columns would compare
# every row of the table with every element of the arrays.
_LOCK_PROGRESS = text(
    """
    SELECT p.user_id::text AS user_id, p.quest_id::text AS quest_id,
           p.streak, p.completed, p.claimed, p.last_day
    FROM quest_progress AS p
    JOIN unnest(CAST(:users AS text)::uuid[], CAST(:quests AS text)::uuid[]) AS t(user_id, quest_id)
      ON p.user_id = t.user_id AND p.quest_id = t.quest_id
    ORDER BY p.user_id, p.quest_id
    FOR UPDATE OF p
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
    SELECT gen_random_uuid(), t.user_id, t.event, CAST(t.data AS jsonb), :now
    FROM unnest(CAST(:users AS text)::uuid[], CAST(:events AS text)::text[],
                CAST(:data AS text)::text[])
         WITH ORDINALITY AS t(user_id, event, data, ord)
    ORDER BY t.ord
    RETURNING seq
    """
)


def pg_array(values: Sequence[object]) -> str:
    """A PostgreSQL array literal: psycopg's per-element array dumping costs more than the query."""
    quoted: dict[object, str] = {}  # names, types, sources repeat: quote each distinct value once
    parts = []
    for value in values:
        text_value = quoted.get(value)
        if text_value is None:
            text_value = quoted[value] = _quote(value)
        parts.append(text_value)
    return "{" + ",".join(parts) + "}"


def _quote(value: object) -> str:
    if value is None:
        return "NULL"
    text_value = value.isoformat() if isinstance(value, datetime | date) else str(value)
    return '"' + text_value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def pg_plain_array(values: Sequence[uuid.UUID | int]) -> str:
    """An array literal of UUIDs or integers: their text needs neither quotes nor escapes."""
    return "{" + ",".join(map(str, values)) + "}"


def _by_key(item: tuple[tuple[str, str], ProgressState]) -> tuple[str, str]:
    return item[0]


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
    # Player and quest ids as their canonical text from here on: they sort like PostgreSQL's
    # uuid order, and hashing, comparing and printing uuid.UUID objects dominated the batch.
    user_text = {e.user_id: str(e.user_id) for e in unique.values()}
    # One stable order for every worker (a redelivered duplicate in two batches must not make two
    # inserts wait on each other crosswise), and per player chronological `seq`.
    batch = sorted(unique.values(), key=lambda e: (user_text[e.user_id], e.time, e.event_id))
    # Bulk statements pass arrays through unnest(): one constant SQL text per step, whatever the
    # batch size (multi-row VALUES would be compiled anew for every batch, which dominates).
    inserted = session.execute(
        _INSERT_EVENTS,
        {
            "ids": pg_array([e.event_id for e in batch]),
            "users": "{" + ",".join([user_text[e.user_id] for e in batch]) + "}",
            "names": pg_array([e.user_name[:64] for e in batch]),
            "types": pg_array([e.type[:64] for e in batch]),
            "sources": pg_array([e.source[:256] for e in batch]),
            "times": pg_array([e.time for e in batch]),
            "now": now,
        },
    )
    new_ids = set(inserted.scalars())
    # The rules see the fresh events in consumption order.
    fresh = [e for e in unique.values() if e.event_id in new_ids]
    result.new_events = len(fresh)
    result.duplicates = len(events) - len(fresh)
    sign_in_quests = [q for q in quests if q.trigger == "sign_in"]
    if not fresh or not sign_in_quests:
        return result

    # Make sure every (player, quest) row exists, then lock them all — both in one sorted order.
    quest_text = {q.quest_id: str(q.quest_id) for q in sign_in_quests}
    pairs = sorted(
        {(user_text[e.user_id], quest_text[q.quest_id]) for e in fresh for q in sign_in_quests}
    )
    pair_arrays = {
        "users": "{" + ",".join([u for u, _ in pairs]) + "}",
        "quests": "{" + ",".join([q for _, q in pairs]) + "}",
    }
    session.execute(_ENSURE_PROGRESS, {**pair_arrays, "now": now})
    rows = session.execute(_LOCK_PROGRESS, pair_arrays).all()
    states: dict[tuple[str, str], ProgressState] = {
        (r.user_id, r.quest_id): _state(r) for r in rows
    }
    original = dict(states)

    grants: list[dict[str, Any]] = []
    notes: list[PendingNotification] = []
    # Many players share a state: build (and later serialize) each distinct payload once.
    check_ins: dict[tuple[uuid.UUID, ProgressState], dict[str, Any]] = {}
    for event in fresh:  # consumption order
        for quest in sign_in_quests:
            if not rules.applies_to(quest, event_type=event.type, at=event.time):
                continue
            key = (user_text[event.user_id], quest_text[quest.quest_id])
            step = rules.apply_sign_in(quest, states[key], at=event.time)
            states[key] = step.state
            payload = check_ins.get((quest.quest_id, step.state))
            if payload is None:
                payload = check_ins[(quest.quest_id, step.state)] = payloads.check_in(
                    quest, step.state
                )
            notes.append(PendingNotification(event.user_id, payloads.CHECK_IN, payload))
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

    changed = sorted(((key, s) for key, s in states.items() if s != original[key]), key=_by_key)
    if changed:
        session.execute(
            _UPDATE_PROGRESS,
            {
                "users": "{" + ",".join([k[0] for k, _ in changed]) + "}",
                "quests": "{" + ",".join([k[1] for k, _ in changed]) + "}",
                "streaks": pg_plain_array([s.streak for _, s in changed]),
                "completed": pg_plain_array([s.completed for _, s in changed]),
                "claimed": pg_plain_array([s.claimed for _, s in changed]),
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
    encoded: dict[int, str] = {}  # shared payload objects are serialized once
    data = []
    for note in notes:
        text_value = encoded.get(id(note.data))
        if text_value is None:
            text_value = encoded[id(note.data)] = json.dumps(note.data)
        data.append(text_value)
    user_text = {u: str(u) for u in {n.user_id for n in notes}}
    users = [user_text[n.user_id] for n in notes]
    returned = session.execute(
        _INSERT_NOTIFICATIONS,
        {
            "users": "{" + ",".join(users) + "}",
            "events": pg_array([n.event for n in notes]),
            "data": pg_array(data),
            "now": now,
        },
    ).scalars()
    # Rows are inserted in the SELECT's order, and the identity numbers them as they go, so the
    # ascending `seq`s belong to the notes in order (only integers come back: cheap).
    seqs = sorted(returned)
    return [
        {"seq": seq, "user_id": user, "event": n.event, "data": n.data}
        for seq, user, n in zip(seqs, users, notes, strict=True)
    ]


# -- reads and claims ------------------------------------------------------------------------


def progress_states(
    *, session: Session, user_id: uuid.UUID, quest_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, ProgressState]:
    if not quest_ids:
        return {}
    rows = session.execute(
        select(QuestProgress.__table__).where(  # type: ignore[attr-defined]
            and_(col(QuestProgress.user_id) == user_id, col(QuestProgress.quest_id).in_(quest_ids))
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
        .where(
            and_(
                col(QuestProgress.user_id) == user_id,
                col(QuestProgress.quest_id) == quest.quest_id,
            )
        )
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
