"""Quest progress: apply counted sign-ins through the rules, read states, claim rewards."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from types import SimpleNamespace
from typing import Any

from sqlalchemy import and_, select, text
from sqlmodel import Session, col

from processing_service.grants import service as grants
from processing_service.grants.auth_client import AuthClient
from processing_service.grants.models import Grant
from processing_service.incidents import service as incidents
from processing_service.notifications import payloads as sse
from processing_service.notifications.models import Notification
from processing_service.progress import payloads, rules
from processing_service.progress.models import QuestProgress
from processing_service.progress.rules import DEFAULT_ZONE, IncidentWindow, ProgressState, QuestRule
from processing_service.unit_of_work import UnitOfWork, UnitOfWorkFactory
from quest_common.db import pg_array, pg_plain_array, utcnow
from quest_common.rows import from_row


@dataclass(frozen=True, slots=True)
class ReceivedSignIn:
    """A validated sign-in event, as the rules see it."""

    event_id: str
    user_id: uuid.UUID
    user_name: str
    type: str
    time: datetime
    source: str = ""
    time_zone: str = DEFAULT_ZONE  # the player's IANA zone the event carried


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
           p.streak, p.completed, p.claimed, p.last_day, p.last_counted_at, p.period,
           p.period_completed, p.grace_used, p.expired
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
        last_counted_at = t.counted_at, period = t.period,
        period_completed = t.period_completed, grace_used = t.grace_used, updated_at = :now
    FROM unnest(CAST(:users AS text)::uuid[], CAST(:quests AS text)::uuid[],
                CAST(:streaks AS text)::int[], CAST(:completed AS text)::int[],
                CAST(:claimed AS text)::int[], CAST(:days AS text)::date[],
                CAST(:counted_at AS text)::timestamptz[], CAST(:periods AS text)::date[],
                CAST(:period_completed AS text)::int[], CAST(:grace_used AS text)::int[])
         AS t(user_id, quest_id, streak, completed, claimed, day, counted_at, period,
              period_completed, grace_used)
    WHERE p.user_id = t.user_id AND p.quest_id = t.quest_id
    """
)


def _by_key(item: tuple[tuple[str, str], ProgressState]) -> tuple[str, str]:
    return item[0]


def _event_order(event: ReceivedSignIn) -> tuple[datetime, str]:
    return (event.time, event.event_id)


def apply_sign_ins(
    *, uow: UnitOfWork, events: Sequence[ReceivedSignIn], quests: Sequence[QuestRule]
) -> BatchResult:
    """Apply fresh (first-seen) sign-ins to progress; the caller commits.

    Within the batch each player's events are applied in event-time order (the order their
    `seq` was given in), each on the local date of the zone it carried; a late event from an
    earlier batch never counts a local date that is not after the last counted one (the rules
    see to it: DESIGN §13.8).

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
        (r.user_id, r.quest_id): from_row(ProgressState, r) for r in rows
    }
    original = dict(states)
    windows: Sequence[IncidentWindow] = incidents.windows(session=session)

    new_grants: list[dict[str, Any]] = []
    notes: list[Notification] = []
    # Many players share a state: build (and later serialize) each distinct payload once.
    check_ins: dict[tuple[uuid.UUID, ProgressState], dict[str, Any]] = {}
    for event in sorted(fresh, key=_event_order):
        for quest in sign_in_quests:
            if not rules.applies_to(quest, event_type=event.type, at=event.time):
                continue
            key = (user_text[event.user_id], quest_text[quest.quest_id])
            step = rules.apply_sign_in(
                quest, states[key], at=event.time, zone=event.time_zone, incidents=windows
            )
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
            # An auto-credited reward is a grant to pay now. A reward that expires is stored
            # when earned: its claim deadline counts from `earned_at`, and a claim takes the
            # oldest one still in time.
            if step.auto_credit or (step.earned and quest.claim_within_s is not None):
                new_grants.append(
                    grants.grant_row(
                        user_id=event.user_id,
                        quest=quest,
                        reason="quest_auto_claim" if step.auto_credit else "quest_claim",
                        now=now,
                        earned_at=event.time,
                        status="pending" if step.auto_credit else "earned",
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
                "counted_at": pg_array([s.last_counted_at for _, s in changed]),
                "periods": pg_array([s.period for _, s in changed]),
                "period_completed": pg_plain_array([s.period_completed for _, s in changed]),
                "grace_used": pg_plain_array([s.grace_used for _, s in changed]),
                "now": now,
            },
        )
    grants.add_grants(uow=uow, rows=new_grants)
    result.grants = len(new_grants)
    uow.notify(notes)
    return result


# -- reads and claims ------------------------------------------------------------------------

# The player's zone is the one their latest recorded sign-in carried (the sign-in table belongs
# to `signins`, which imports this module: a plain statement keeps the imports one way).
_PLAYER_ZONE = text(
    "SELECT time_zone FROM sign_in_event WHERE user_id = :user ORDER BY seq DESC LIMIT 1"
)


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
    return {r.quest_id: from_row(ProgressState, r) for r in rows}


@dataclass(frozen=True, slots=True)
class PlayerTime:
    """What a player's quest list needs beyond the states: their zone, the incidents, and when
    each unclaimed reward of an expiring quest was earned (oldest first)."""

    zone: str = DEFAULT_ZONE
    incidents: Sequence[IncidentWindow] = ()
    unclaimed: dict[uuid.UUID, list[datetime]] = field(default_factory=dict)

    def earned_at(self, quest_id: uuid.UUID) -> list[datetime]:
        return self.unclaimed.get(quest_id, [])


def player_time(*, session: Session, user_id: uuid.UUID) -> PlayerTime:
    zone = session.execute(_PLAYER_ZONE, {"user": user_id}).scalar()
    unclaimed: dict[uuid.UUID, list[datetime]] = {}
    for row in session.execute(
        select(col(Grant.quest_id), col(Grant.earned_at))
        .where(and_(col(Grant.user_id) == user_id, col(Grant.status) == "earned"))
        .order_by(col(Grant.earned_at))
    ).all():
        if row.earned_at is not None:
            unclaimed.setdefault(row.quest_id, []).append(row.earned_at)
    return PlayerTime(
        zone=zone or DEFAULT_ZONE,
        incidents=incidents.windows(session=session),
        unclaimed=unclaimed,
    )


@dataclass(frozen=True, slots=True)
class Claim:
    state: ProgressState
    grant: grants.GrantData
    credited: bool = False


def claim(
    *,
    uow: UnitOfWork,
    user_id: uuid.UUID,
    quest: QuestRule,
    retry_in_s: float = 5.0,
    now: datetime | None = None,
) -> Claim:
    """Claim one earned reward: progress and grant change in this one transaction (caller commits).

    The progress row is locked, so parallel claims are serialized and each earned reward is
    claimed once. The oldest earned reward still in time is taken; those past their deadline
    are marked expired first. Raises rules.NothingToClaimError, or rules.RewardExpiredError when
    every reward left has expired (the expiry marks are written: the caller commits them).
    """
    session = uow.session
    now = now or utcnow()
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
    state = from_row(ProgressState, row) if row is not None else ProgressState()
    earned = session.execute(
        select(col(Grant.grant_id), col(Grant.earned_at))
        .where(
            and_(
                col(Grant.user_id) == user_id,
                col(Grant.quest_id) == quest.quest_id,
                col(Grant.status) == "earned",
            )
        )
        .order_by(col(Grant.earned_at), col(Grant.grant_id))
        .with_for_update()
    ).all()
    lost = [g.grant_id for g in earned if rules.is_expired(quest, earned_at=g.earned_at, now=now)]
    live = [g.grant_id for g in earned if g.grant_id not in lost]
    if lost and row is not None:
        session.execute(
            Grant.__table__.update()  # type: ignore[attr-defined]
            .where(col(Grant.grant_id).in_(lost))
            .values(status="expired")
        )
        state = dataclasses.replace(
            state, expired=state.expired + min(len(lost), max(state.claimable, 0))
        )
        session.execute(
            QuestProgress.__table__.update()  # type: ignore[attr-defined]
            .where(QuestProgress.id == row.id)
            .values(expired=state.expired, updated_at=now)
        )
    if state.claimable <= 0 and state.expired > 0 and not live:
        raise rules.RewardExpiredError(quest.quest_id)
    new_state = rules.claim(quest, state)  # raises when nothing is claimable
    assert row is not None
    session.execute(
        QuestProgress.__table__.update()  # type: ignore[attr-defined]
        .where(QuestProgress.id == row.id)
        .values(claimed=new_state.claimed, updated_at=now)
    )
    # Credited right away by claim_reward; the worker's delivery loop only steps in if that fails.
    next_attempt_at = now + timedelta(seconds=retry_in_s)
    if live:
        taken = session.execute(
            Grant.__table__.update()  # type: ignore[attr-defined]
            .where(col(Grant.grant_id) == live[0])
            .values(status="pending", next_attempt_at=next_attempt_at)
            .returning(*Grant.__table__.c)  # type: ignore[attr-defined]
        ).one()
        return Claim(state=new_state, grant=grants.GrantData.of(taken))
    # A reward earned before its quest's rewards could expire has no stored grant yet.
    values = grants.grant_row(
        user_id=user_id,
        quest=quest,
        reason="quest_claim",
        now=now,
        next_attempt_at=next_attempt_at,
    )
    grants.add_grants(uow=uow, rows=[values])
    return Claim(state=new_state, grant=grants.GrantData.of(SimpleNamespace(**values)))


def claim_reward(
    *, uow_factory: UnitOfWorkFactory, auth: AuthClient, user_id: uuid.UUID, quest: QuestRule
) -> Claim:
    """Claim, commit (the claim and its grant are durable before auth is called), then credit."""
    with uow_factory() as uow:
        try:
            claimed = claim(uow=uow, user_id=user_id, quest=quest)
        except rules.RewardExpiredError:
            uow.commit()  # keep the expiry marks: the rewards are lost either way
            raise
        uow.commit()
    credited = grants.deliver(uow_factory=uow_factory, auth=auth, grant=claimed.grant)
    return Claim(state=claimed.state, grant=claimed.grant, credited=credited)
