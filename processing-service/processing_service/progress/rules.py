"""Quest rules (DESIGN §6) as pure functions: no I/O, no clock, no database.

The worker, the claim route, the tests and the benchmark all call these, so the rules live in
exactly one place and can be replayed to check what the database says.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, Literal

StreakMode = Literal["count", "daily"]
Status = Literal["in_progress", "claimable", "done"]

SIGN_IN_TYPES = frozenset({"UserSignIn", "NewUserSignIn"})


@dataclass(frozen=True, slots=True)
class QuestRule:
    """The part of a catalog quest definition the rules need."""

    quest_id: uuid.UUID
    name: str
    title: str
    streak: int
    duplication: int
    auto_claim: bool
    streak_mode: StreakMode
    reward_item: str
    reward_qty: int
    trigger: str = "sign_in"
    is_active: bool = True
    starts_at: datetime | None = None
    ends_at: datetime | None = None

    @classmethod
    def from_catalog(cls, quest: Mapping[str, Any]) -> QuestRule:
        """Build from a catalog quest read (with its embedded reward)."""
        reward = quest.get("reward") or {}
        return cls(
            quest_id=uuid.UUID(str(quest["quest_id"])),
            name=str(quest["name"]),
            title=str(quest.get("title") or quest["name"]),
            streak=int(quest["streak"]),
            duplication=int(quest["duplication"]),
            auto_claim=bool(quest.get("auto_claim", False)),
            streak_mode="daily" if quest.get("streak_mode") == "daily" else "count",
            reward_item=str(reward.get("reward_item", "diamond")),
            reward_qty=int(reward.get("reward_qty", 0)),
            trigger=str(quest.get("trigger", "sign_in")),
            is_active=bool(quest.get("is_active", True)),
            starts_at=_parse_time(quest.get("starts_at")),
            ends_at=_parse_time(quest.get("ends_at")),
        )


def _parse_time(value: object) -> datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        parsed = value
    else:
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class ProgressState:
    """One player's progress on one quest."""

    streak: int = 0
    completed: int = 0
    claimed: int = 0
    last_day: date | None = None  # daily mode: the last UTC day that counted

    @property
    def claimable(self) -> int:
        return self.completed - self.claimed


@dataclass(frozen=True, slots=True)
class StepResult:
    state: ProgressState
    counted: bool  # the sign-in moved the streak (or reset it) on this quest
    earned: bool  # the sign-in completed the quest once more
    auto_credit: bool  # the earned reward is credited at once (auto_claim)


class NothingToClaimError(Exception):
    """The player has no earned, unclaimed reward on this quest."""


def applies_to(rule: QuestRule, *, event_type: str, at: datetime) -> bool:
    """Whether a sign-in event at `at` advances this quest (trigger and active window)."""
    if event_type not in SIGN_IN_TYPES or rule.trigger != "sign_in" or not rule.is_active:
        return False
    if rule.starts_at is not None and at < rule.starts_at:
        return False
    return not (rule.ends_at is not None and at >= rule.ends_at)


def is_done(rule: QuestRule, state: ProgressState) -> bool:
    return state.completed >= rule.duplication


def status(rule: QuestRule, state: ProgressState) -> Status:
    # An earned but unclaimed reward is shown first: "done" only once nothing is left to claim.
    if state.claimable > 0:
        return "claimable"
    if is_done(rule, state):
        return "done"
    return "in_progress"


def apply_sign_in(rule: QuestRule, state: ProgressState, *, at: datetime) -> StepResult:
    """Advance `state` by one sign-in at `at` (the event's time, UTC)."""
    if is_done(rule, state):
        return StepResult(state, counted=False, earned=False, auto_credit=False)
    day = at.astimezone(UTC).date()
    last_day = state.last_day
    if rule.streak_mode == "daily":
        if last_day is not None and day <= last_day:
            # Same UTC day (or a late, out-of-order event): at most one step per day.
            return StepResult(state, counted=False, earned=False, auto_credit=False)
        # A missed day starts the streak again at 1.
        gap = last_day is not None and (day - last_day).days > 1
        streak = 1 if gap else state.streak + 1
        last_day = day
    else:
        streak = state.streak + 1
        last_day = day if last_day is None or day > last_day else last_day

    completed, claimed, earned = state.completed, state.claimed, False
    if streak >= rule.streak:
        completed, streak, earned = completed + 1, 0, True
        if rule.auto_claim:
            claimed += 1
    new = ProgressState(streak=streak, completed=completed, claimed=claimed, last_day=last_day)
    return StepResult(new, counted=True, earned=earned, auto_credit=earned and rule.auto_claim)


def claim(rule: QuestRule, state: ProgressState) -> ProgressState:
    """Claim one earned reward; raises NothingToClaimError when there is none."""
    if state.claimable <= 0:
        raise NothingToClaimError(rule.quest_id)
    return dataclasses.replace(state, claimed=state.claimed + 1)


def replay(
    rule: QuestRule,
    sign_ins: Iterable[tuple[str, datetime]],
    state: ProgressState | None = None,
) -> ProgressState:
    """Fold a sequence of (event_type, time) sign-ins into a state (used to check the worker)."""
    current = state or ProgressState()
    for event_type, at in sign_ins:
        if applies_to(rule, event_type=event_type, at=at):
            current = apply_sign_in(rule, current, at=at).state
    return current
