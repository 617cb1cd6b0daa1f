"""Apply sign-in events to quest progress, and claim rewards.

One batch is one transaction: the events are inserted keyed by their envelope id (a duplicate
inserts nothing and so changes nothing), the progress rows of the batch's players are locked in a
stable order (two workers never race on one player and never deadlock each other), the rules run
in memory, and the changed rows, grants and notifications are written in bulk.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from quest_common.db import utcnow
from sqlalchemy import and_, select
from sqlalchemy.dialects.postgresql import insert
from sqlmodel import Session

from processing_service import rules
from processing_service.grants.models import Grant
from processing_service.notifications import payloads
from processing_service.notifications.models import Notification
from processing_service.progress.models import QuestProgress, SignInEvent
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
    inserted = session.execute(
        insert(SignInEvent)
        .values(
            [
                {
                    "event_id": e.event_id,
                    "user_id": e.user_id,
                    "user_name": e.user_name[:64],
                    "type": e.type[:64],
                    "source": e.source[:256],
                    "occurred_at": e.time,
                    "recorded_at": now,
                }
                for e in unique.values()
            ]
        )
        .on_conflict_do_nothing(index_elements=["event_id"])
        .returning(SignInEvent.event_id)  # type: ignore[arg-type]
    )
    new_ids = set(inserted.scalars())
    fresh = [e for e in unique.values() if e.event_id in new_ids]
    result.new_events = len(fresh)
    result.duplicates = len(events) - len(fresh)
    sign_in_quests = [q for q in quests if q.trigger == "sign_in"]
    if not fresh or not sign_in_quests:
        return result

    # Make sure every (player, quest) row exists, then lock them all — both in one sorted order.
    pairs = sorted({(e.user_id, q.quest_id) for e in fresh for q in sign_in_quests})
    session.execute(
        insert(QuestProgress)
        .values(
            [{"id": uuid.uuid4(), "user_id": u, "quest_id": q, "updated_at": now} for u, q in pairs]
        )
        .on_conflict_do_nothing(index_elements=["user_id", "quest_id"])
    )
    user_ids = sorted({u for u, _ in pairs})
    quest_ids = [q.quest_id for q in sign_in_quests]
    rows = session.execute(
        select(QuestProgress.__table__)  # type: ignore[attr-defined]
        .where(
            and_(
                QuestProgress.user_id.in_(user_ids),  # type: ignore[attr-defined]
                QuestProgress.quest_id.in_(quest_ids),  # type: ignore[attr-defined]
            )
        )
        .order_by(QuestProgress.user_id, QuestProgress.quest_id)
        .with_for_update()
    ).all()
    states: dict[tuple[uuid.UUID, uuid.UUID], ProgressState] = {
        (r.user_id, r.quest_id): _state(r) for r in rows
    }
    ids = {(r.user_id, r.quest_id): r.id for r in rows}
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

    changed = [
        {
            "id": ids[key],
            "user_id": key[0],
            "quest_id": key[1],
            "streak": s.streak,
            "completed": s.completed,
            "claimed": s.claimed,
            "last_day": s.last_day,
            "updated_at": now,
        }
        for key, s in states.items()
        if s != original[key]
    ]
    if changed:
        stmt = insert(QuestProgress).values(changed)
        session.execute(
            stmt.on_conflict_do_update(
                index_elements=["user_id", "quest_id"],
                set_={
                    "streak": stmt.excluded.streak,
                    "completed": stmt.excluded.completed,
                    "claimed": stmt.excluded.claimed,
                    "last_day": stmt.excluded.last_day,
                    "updated_at": stmt.excluded.updated_at,
                },
            )
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
        insert(Notification)
        .values(
            [
                {
                    "id": uuid.uuid4(),
                    "user_id": n.user_id,
                    "event": n.event,
                    "data": n.data,
                    "created_at": now,
                }
                for n in notes
            ]
        )
        .returning(
            Notification.seq,
            Notification.user_id,
            Notification.event,  # type: ignore[arg-type]
            Notification.data,
        )
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
