"""Quest progress: apply counted events through the rules, read states, claim rewards."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from sqlmodel import Session

from processing_service.grants import service as grants
from processing_service.grants.models import GrantData
from processing_service.notifications import payloads as sse
from processing_service.notifications.models import Notification
from processing_service.progress import payloads, rules
from processing_service.progress.repository import SqlProgress
from processing_service.progress.rules import (
    DEFAULT_ZONE,
    IncidentWindow,
    PlayerEvent,
    ProgressState,
    QuestRule,
)
from processing_service.progress.schemas import (
    ClaimResult,
    ExpiringRewardPublic,
    PrerequisitePublic,
    QuestProgressList,
    QuestProgressPublic,
    QuestPublic,
)
from quest_common.db import utcnow
from quest_common.rows import from_row

if TYPE_CHECKING:
    from processing_service.unit_of_work import ProcessingUnitOfWork, UnitOfWorkFactory


@dataclass
class BatchResult:
    new_events: int = 0
    duplicates: int = 0
    grants: int = 0


def _by_key(item: tuple[tuple[str, str], ProgressState]) -> tuple[str, str]:
    return item[0]


def _event_order(event: PlayerEvent) -> tuple[datetime, str]:
    return (event.time, event.event_id)


@dataclass(frozen=True, slots=True)
class QuestIndex:
    """The active quests as the worker looks them up: by event type (each list in prerequisite
    order, so an event that completes a prerequisite already counts toward the quests it
    unlocks) and by name (for `requires`)."""

    by_type: dict[str, list[QuestRule]]
    by_name: dict[str, QuestRule]

    @classmethod
    def of(cls, quests: Sequence[QuestRule]) -> QuestIndex:
        by_type: dict[str, list[QuestRule]] = {}
        for quest in rules.prerequisite_order(quests):
            by_type.setdefault(quest.event_type, []).append(quest)
        return cls(by_type=by_type, by_name={q.name: q for q in quests})

    def prerequisites(self, quest: QuestRule) -> list[QuestRule] | None:
        """The quests `quest` requires; None when one of them is not an active quest (then the
        quest stays locked: counting it would pay for a chain nobody can finish)."""
        found = [self.by_name.get(name) for name in quest.requires]
        return None if any(q is None for q in found) else [q for q in found if q is not None]


def apply_events(
    *, uow: ProcessingUnitOfWork, events: Sequence[PlayerEvent], quests: Sequence[QuestRule]
) -> BatchResult:
    """Apply fresh (first-seen) events to progress; the caller commits.

    Within the batch each player's events are applied in event-time order (the order their
    `seq` was given in), each on the local date of the zone it is dated in; a late event from
    an earlier batch never counts a local date that is not after the last counted one (the rules
    see to it: DESIGN §13.8).

    The progress rows of the batch's players (for the quests their events can move, and those
    quests' prerequisites) are locked in a stable order (two workers never race on one player
    and never deadlock each other), the rules run in memory, and the changed rows, grants and
    notifications are written in bulk.
    """
    fresh = list(events)
    result = BatchResult(new_events=len(fresh))
    now = utcnow()
    index = QuestIndex.of(quests)
    if not fresh or not any(e.type in index.by_type for e in fresh):
        return result
    # Player and quest ids as their canonical text from here on: they sort like PostgreSQL's
    # uuid order, and hashing, comparing and printing uuid.UUID objects dominated the batch.
    user_text = {e.user_id: str(e.user_id) for e in fresh}
    quest_text = {q.quest_id: str(q.quest_id) for q in quests}
    needs: dict[uuid.UUID, list[QuestRule] | None] = {
        q.quest_id: index.prerequisites(q) for q in quests if q.requires
    }

    # Make sure every (player, quest) row exists, then lock them all — both in one sorted order.
    wanted: set[tuple[str, str]] = set()
    for event in fresh:
        for quest in index.by_type.get(event.type, ()):
            wanted.add((user_text[event.user_id], quest_text[quest.quest_id]))
            for prerequisite in needs.get(quest.quest_id) or ():
                wanted.add((user_text[event.user_id], quest_text[prerequisite.quest_id]))
    states = uow.progress.lock(sorted(wanted))
    original = dict(states)
    windows: Sequence[IncidentWindow] = uow.incidents.windows()

    new_grants: list[dict[str, Any]] = []
    notes: list[Notification] = []
    # Many players share a state: build (and later serialize) each distinct payload once.
    check_ins: dict[tuple[uuid.UUID, ProgressState, str, str], dict[str, Any]] = {}
    for event in sorted(fresh, key=_event_order):
        user = user_text[event.user_id]
        for quest in index.by_type.get(event.type, ()):
            if not rules.applies_to(quest, event_type=event.type, at=event.time):
                continue
            key = (user, quest_text[quest.quest_id])
            locked = False
            if quest.requires:
                required = needs[quest.quest_id]
                locked = required is None or any(
                    states[(user, quest_text[r.quest_id])].completed < 1 for r in required
                )
            step = rules.apply_event(quest, states[key], event, incidents=windows, locked=locked)
            states[key] = step.state
            if not step.counted:
                continue  # the quest did not move: nothing to tell (the trace shows why)
            verdict = step.verdict
            shape = (quest.quest_id, step.state, verdict, event.time_zone)
            payload = check_ins.get(shape)
            if payload is None:
                payload = check_ins[shape] = payloads.check_in(
                    quest,
                    step.state,
                    verdict,
                    zone=event.time_zone,
                    now=now,
                    incidents=windows,
                )
            notes.append(Notification(user, sse.CHECK_IN, payload))
            if step.earned:
                notes.append(
                    Notification(
                        user, sse.QUEST_COMPLETED, payloads.quest_completed(quest, step.state)
                    )
                )
            # An auto-credited reward is a grant to pay now. A reward that expires is stored
            # when earned: its claim deadline counts from `earned_at`, and a claim takes the
            # oldest one still in time. A sum can complete a quest more than once: one grant
            # for each completion.
            if step.auto_credit or (step.earned and quest.claim_within_s is not None):
                for _ in range(step.earned):
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
    uow.progress.save(changed)
    uow.grants.add(new_grants)
    result.grants = len(new_grants)
    uow.notify(notes)
    return result


# -- reads and claims ------------------------------------------------------------------------


def progress_item(
    quest: dict[str, Any],
    state: ProgressState,
    *,
    player: PlayerTime | None = None,
    now: datetime | None = None,
    locked_by: Sequence[PrerequisitePublic] = (),
) -> QuestProgressPublic:
    """What the player sees of one quest: the stored counters, with the rewards past their
    deadline counted as expired from that moment (before a claim marks them), and the player's
    time (reset, grace, next count, expiring rewards) in their zone."""
    rule = QuestRule.from_catalog(quest)
    player = player or PlayerTime()
    now = now or utcnow()
    zone = player.zone
    earned_at = player.earned_at(rule.quest_id)
    state = rules.expire(rule, state, earned_at=earned_at, now=now)
    return from_row(
        QuestProgressPublic,
        state,
        quest=QuestPublic.model_validate(quest),
        target=rule.streak,
        duplication=rule.duplication,
        status=rules.status(rule, state, at=now, zone=zone),
        time_zone=zone,
        period_ends_at=rules.period_ends_at(rule, now=now, zone=zone),
        grace_left=rules.grace_left(rule, state, now=now, zone=zone, incidents=player.incidents),
        next_count_at=rules.next_count_at(rule, state, now=now, zone=zone),
        expiring=[
            ExpiringRewardPublic(earned_at=e.earned_at, expires_at=e.expires_at)
            for e in rules.expiring(rule, earned_at, now=now)
        ],
        counted_today=state.last_day is not None and state.last_day == rules.local_date(now, zone),
        locked_by=list(locked_by),
    )


def quest_list(
    *, uow: ProcessingUnitOfWork, quests: Sequence[dict[str, Any]], user_id: uuid.UUID
) -> QuestProgressList:
    """The player's progress on each quest (catalog reads), in the catalog's order."""
    ids = [uuid.UUID(str(q["quest_id"])) for q in quests]
    states = uow.progress.states(user_id, ids)
    player = player_time(uow=uow, user_id=user_id)
    now = utcnow()
    completed = {
        str(q["name"]): states.get(i, ProgressState()).completed
        for q, i in zip(quests, ids, strict=True)
    }
    titles = {str(q["name"]): str(q.get("title") or q["name"]) for q in quests}
    items = [
        progress_item(
            q,
            states.get(i, ProgressState()),
            player=player,
            now=now,
            locked_by=[
                PrerequisitePublic(name=name, title=titles.get(name, name))
                for name in q.get("requires") or ()
                if completed.get(name, 0) < 1
            ],
        )
        for q, i in zip(quests, ids, strict=True)
    ]
    return QuestProgressList(data=items, count=len(items))


def progress_states(
    *, session: Session, user_id: uuid.UUID, quest_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, ProgressState]:
    return SqlProgress(session).states(user_id, quest_ids)


@dataclass(frozen=True, slots=True)
class PlayerTime:
    """What a player's quest list needs beyond the states: their zone, the incidents, and when
    each unclaimed reward of an expiring quest was earned (oldest first)."""

    zone: str = DEFAULT_ZONE
    incidents: Sequence[IncidentWindow] = ()
    unclaimed: dict[uuid.UUID, list[datetime]] = field(default_factory=dict)

    def earned_at(self, quest_id: uuid.UUID) -> list[datetime]:
        return self.unclaimed.get(quest_id, [])


def player_time(*, uow: ProcessingUnitOfWork, user_id: uuid.UUID) -> PlayerTime:
    """The player's zone is the one their latest recorded sign-in carried."""
    return PlayerTime(
        zone=uow.events.latest_zone(user_id) or DEFAULT_ZONE,
        incidents=uow.incidents.windows(),
        unclaimed=uow.grants.unclaimed(user_id),
    )


@dataclass(frozen=True, slots=True)
class Claim:
    state: ProgressState
    grant: GrantData
    credited: bool = False


def claim_earned(
    *,
    uow: ProcessingUnitOfWork,
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
    now = now or utcnow()
    stored = uow.progress.lock_one(user_id, quest.quest_id)
    state = stored or ProgressState()
    earned = uow.grants.lock_earned(user_id, quest.quest_id)
    lost = [g for g, at in earned if rules.is_expired(quest, earned_at=at, now=now)]
    live = [g for g, _ in earned if g not in lost]
    if lost and stored is not None:
        uow.grants.mark_expired(lost)
        state = rules.expire(quest, state, earned_at=[at for _, at in earned], now=now)
        uow.progress.set_counts(
            user_id, quest.quest_id, claimed=state.claimed, expired=state.expired, now=now
        )
    if state.claimable <= 0 and state.expired > 0 and not live:
        raise rules.RewardExpiredError(quest.quest_id)
    new_state = rules.claim(quest, state)  # raises when nothing is claimable
    uow.progress.set_counts(
        user_id, quest.quest_id, claimed=new_state.claimed, expired=new_state.expired, now=now
    )
    # Credited right away by claim_reward; the worker's delivery loop only steps in if that fails.
    next_attempt_at = now + timedelta(seconds=retry_in_s)
    if live:
        return Claim(
            state=new_state, grant=uow.grants.take(live[0], next_attempt_at=next_attempt_at)
        )
    # A reward earned before its quest's rewards could expire has no stored grant yet.
    values = grants.grant_row(
        user_id=user_id,
        quest=quest,
        reason="quest_claim",
        now=now,
        next_attempt_at=next_attempt_at,
    )
    uow.grants.add([values])
    return Claim(state=new_state, grant=GrantData.of(SimpleNamespace(**values)))


def claim_reward(
    *,
    uow_factory: UnitOfWorkFactory,
    auth: grants.Crediting,
    user_id: uuid.UUID,
    quest: dict[str, Any],
) -> ClaimResult:
    """Claim, commit (the claim and its grant are durable before auth is called), then credit;
    `credited` is False when auth did not take it yet (the delivery loop will)."""
    rule = QuestRule.from_catalog(quest)
    with uow_factory() as uow:
        try:
            claimed = claim_earned(uow=uow, user_id=user_id, quest=rule)
        except rules.RewardExpiredError:
            uow.commit()  # keep the expiry marks: the rewards are lost either way
            raise
        uow.commit()
    credited = grants.deliver(uow_factory=uow_factory, auth=auth, grant=claimed.grant)
    with uow_factory() as reads:
        player = player_time(uow=reads, user_id=user_id)
    return ClaimResult(
        progress=progress_item(quest, claimed.state, player=player),
        grant_id=str(claimed.grant.grant_id),
        item=claimed.grant.item,
        qty=claimed.grant.qty,
        credited=credited,
    )
