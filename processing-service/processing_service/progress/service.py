"""Quest progress: apply counted sign-ins through the rules, read states, claim rewards."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from types import SimpleNamespace
from typing import Any

from sqlalchemy import and_, select, text
from sqlmodel import Session, col

from processing_service.grants import service as grants
from processing_service.grants.auth_client import AuthClient
from processing_service.notifications import payloads as sse
from processing_service.notifications.models import Notification
from processing_service.progress import payloads, rules
from processing_service.progress.models import QuestProgress
from processing_service.progress.rules import ProgressState, QuestRule
from processing_service.unit_of_work import UnitOfWork, UnitOfWorkFactory
from quest_common.db import pg_array, pg_plain_array, utcnow


@dataclass(frozen=True, slots=True)
class ReceivedSignIn:
    """A validated sign-in event, as the rules see it."""

    event_id: str
    user_id: uuid.UUID
    user_name: str
    type: str
    time: datetime
    source: str = ""


@dataclass
class BatchResult:
    new_events: int = 0
    duplicates: int = 0
    grants: int = 0


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


def _by_key(item: tuple[tuple[str, str], ProgressState]) -> tuple[str, str]:
    return item[0]


def _state(row: Any) -> ProgressState:
    return ProgressState(
        streak=row.streak, completed=row.completed, claimed=row.claimed, last_day=row.last_day
    )


def apply_sign_ins(
    *, uow: UnitOfWork, events: Sequence[ReceivedSignIn], quests: Sequence[QuestRule]
) -> BatchResult:
    """Apply fresh (first-seen) sign-ins, in consumption order, to progress; the caller commits.

    The progress rows of the batch's players are locked in a stable order (two workers never race
    on one player and never deadlock each other), the rules run in memory, and the changed rows,
    grants and notifications are written in bulk.
    """
    session = uow.session
    fresh = list(events)
    result = BatchResult(new_events=len(fresh))
    now = utcnow()
    # Player and quest ids as their canonical text from here on: they sort like PostgreSQL's
    # uuid order, and hashing, comparing and printing uuid.UUID objects dominated the batch.
    user_text = {e.user_id: str(e.user_id) for e in fresh}
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

    new_grants: list[dict[str, Any]] = []
    notes: list[Notification] = []
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
            notes.append(Notification(user_text[event.user_id], sse.CHECK_IN, payload))
            if step.earned:
                notes.append(
                    Notification(
                        user_text[event.user_id],
                        sse.QUEST_COMPLETED,
                        payloads.quest_completed(quest, step.state),
                    )
                )
            if step.auto_credit:
                new_grants.append(
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
    grants.add_grants(uow=uow, rows=new_grants)
    result.grants = len(new_grants)
    uow.notify(notes)
    return result


def _grant_row(
    *,
    user_id: uuid.UUID,
    quest: QuestRule,
    reason: str,
    now: datetime,
    next_attempt_at: datetime | None = None,
) -> dict[str, Any]:
    return grants.grant_row(
        user_id=user_id,
        quest_id=quest.quest_id,
        quest_title=quest.title,
        item=quest.reward_item,
        qty=quest.reward_qty,
        reason=reason,
        now=now,
        next_attempt_at=next_attempt_at,
    )


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
class Claim:
    state: ProgressState
    grant: grants.GrantData
    credited: bool = False


def claim(
    *, uow: UnitOfWork, user_id: uuid.UUID, quest: QuestRule, retry_in_s: float = 5.0
) -> Claim:
    """Claim one earned reward: progress and grant change in this one transaction (caller commits).

    The progress row is locked, so parallel claims are serialized and each earned reward is
    claimed once. Raises rules.NothingToClaimError.
    """
    session = uow.session
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
    # Credited right away by claim_reward; the worker's delivery loop only steps in if that fails.
    values = _grant_row(
        user_id=user_id,
        quest=quest,
        reason="quest_claim",
        now=now,
        next_attempt_at=now + timedelta(seconds=retry_in_s),
    )
    grants.add_grants(uow=uow, rows=[values])
    return Claim(state=new_state, grant=grants.GrantData.of(SimpleNamespace(**values)))


def claim_reward(
    *, uow_factory: UnitOfWorkFactory, auth: AuthClient, user_id: uuid.UUID, quest: QuestRule
) -> Claim:
    """Claim, commit (the claim and its grant are durable before auth is called), then credit."""
    with uow_factory() as uow:
        claimed = claim(uow=uow, user_id=user_id, quest=quest)
        uow.commit()
    credited = grants.deliver(uow_factory=uow_factory, auth=auth, grant=claimed.grant)
    return Claim(state=claimed.state, grant=claimed.grant, credited=credited)
