"""Quest rules (DESIGN §6 and §10) as pure functions: no I/O, no clock, no database.

The worker, the claim route, the tests, a simulation and the benchmark all call these, so the
rules live in exactly one place and can be replayed to check what the database says.

Any event (DESIGN §14). A quest counts the events of one type (`sign_in`, auth's, or a type a
game server sends) that pass all its filters (`where`); `measure: count` adds 1 per event, `sum`
adds a numeric property (the excess of a completion carries into the next one). A quest that
`requires` others counts nothing until each of them was completed once.

Player time. An event is judged on the player's *local calendar date* in the zone its event
carries (IANA name, `zoneinfo`): a day is a date, never 24 hours, so a day across a DST change
is one day like any other. Counted local dates only move forward — a date that is not after the
last counted one never counts again — so changing zones (or a late, redelivered event) cannot
mint an extra day. With every new quest field at its default (no reset, no grace, no cooldown,
no expiry) and the zone at its default (UTC), the rules do exactly what they did before zones.

Verdicts (what the trace shows for each event): `counted`, `grace_used` (counted; missed days
forgiven), `streak_reset` (counted as day 1 of a new streak), `same_day` (the last counted local
date again), `not_after_last` (a local date before the last counted one: a late, older event, or
a zone further west), `cooldown`, `done`, `outside_window` (not in the quest's time window, or in
a reset period already over), `filtered_out` (a filter does not hold), `locked` (a prerequisite
is not completed yet), `not_positive` (a sum quest's value is missing, zero or negative).
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from functools import lru_cache
from http import HTTPStatus
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from quest_common.events import SIGN_IN_EVENT_TYPE, EventType
from quest_common.refusals import ClientError

StreakMode = Literal["count", "daily"]
Reset = Literal["none", "daily", "weekly"]
Status = Literal["in_progress", "claimable", "done"]
Verdict = Literal[
    "counted",
    "same_day",
    "not_after_last",
    "cooldown",
    "outside_window",
    "done",
    "grace_used",
    "streak_reset",
    "filtered_out",
    "locked",
    "not_positive",
]
Measure = Literal["count", "sum"]
FilterOp = Literal["eq", "ne", "in", "gt", "gte", "lt", "lte"]

SIGN_IN_TYPES = EventType.SIGN_IN_TYPES  # the one definition, with the envelope
DEFAULT_ZONE = "UTC"

# A zone: an IANA name, a tzinfo, or None for UTC.
Zone = str | tzinfo | None


# --- zones and local dates -------------------------------------------------------------------


@lru_cache(maxsize=4096)
def _zone_named(name: str) -> tzinfo:
    if name in ("", "UTC", "Etc/UTC"):
        # No zone file needed for the default: this works even without tzdata installed.
        return UTC
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        # Auth validates names before they reach an event. A name this machine does not know
        # (older tzdata than auth's) must not turn a sign-in into a poison message: the
        # documented default, UTC, applies.
        return UTC


def is_known_zone(name: str) -> bool:
    """Whether `name` is an IANA zone this machine can load (UTC always is)."""
    return name in ("UTC", "Etc/UTC") or _zone_named(name) is not UTC


def zone_of(zone: Zone) -> tzinfo:
    """The tzinfo for a zone name (unknown or missing → UTC)."""
    if zone is None:
        return UTC
    if isinstance(zone, str):
        return _zone_named(zone)
    return zone


def _aware(at: datetime) -> datetime:
    return at if at.tzinfo is not None else at.replace(tzinfo=UTC)


def local_date(at: datetime, zone: Zone = None) -> date:
    """The player's calendar date at instant `at` in `zone`."""
    return _aware(at).astimezone(zone_of(zone)).date()


def start_of_day(day: date, zone: Zone = None) -> datetime:
    """The first instant (UTC) of local date `day` in `zone`.

    Where midnight does not exist (a DST gap at 00:00), fold=0 takes the offset from before the
    gap, which lands exactly on the transition: the first instant that is `day` locally."""
    return datetime.combine(day, time(), tzinfo=zone_of(zone)).astimezone(UTC)


def period_start(reset: str, day: date) -> date | None:
    """The first local date of the reset period holding `day` (weeks start on Monday)."""
    if reset == "daily":
        return day
    if reset == "weekly":
        return day - timedelta(days=day.weekday())
    return None


def _next_period_start(reset: str, period: date) -> date:
    return period + timedelta(days=1 if reset == "daily" else 7)


# --- incidents -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class IncidentWindow:
    """An operator incident as the rules see it: [starts_at, ends_at) in UTC instants."""

    starts_at: datetime
    ends_at: datetime


def excused_days(first: date, last: date, zone: Zone, incidents: Sequence[IncidentWindow]) -> int:
    """How many local dates in [first, last] overlap an incident (each date once)."""
    if not incidents or last < first:
        return 0
    tz = zone_of(zone)
    spans: list[tuple[int, int]] = []
    for incident in incidents:
        starts, ends = _aware(incident.starts_at), _aware(incident.ends_at)
        if ends <= starts:
            continue
        a = starts.astimezone(tz).date()
        # Half-open window: an incident ending at local midnight does not touch the next day.
        b = (ends - timedelta(microseconds=1)).astimezone(tz).date()
        low, high = max(min(a, b), first), min(max(a, b), last)
        if low <= high:
            spans.append((low.toordinal(), high.toordinal()))
    # Merge overlapping spans and count their dates, without walking day by day.
    total, reached = 0, 0  # `reached`: the last ordinal already counted
    for lo, hi in sorted(spans):
        start = max(lo, reached + 1)
        if hi >= start:
            total += hi - start + 1
            reached = hi
    return total


# --- filters and measures --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Filter:
    """One condition of a quest's `where`: `data[property] <op> value`."""

    property: str
    op: FilterOp
    value: Any

    def holds(self, data: Mapping[str, Any]) -> bool:
        """Whether the event's properties pass. A missing property passes no condition (not even
        `ne`); values of kinds that do not compare (text against a number) do not pass either."""
        if self.property not in data:
            return False
        actual, wanted = data[self.property], self.value
        try:
            match self.op:
                case "eq":
                    return bool(actual == wanted)
                case "ne":
                    return bool(actual != wanted)
                case "in":
                    return isinstance(wanted, (list, tuple)) and actual in wanted
                case "gt":
                    return bool(actual > wanted)
                case "gte":
                    return bool(actual >= wanted)
                case "lt":
                    return bool(actual < wanted)
                case "lte":
                    return bool(actual <= wanted)
        except TypeError:
            return False
        return False


def passes(where: Sequence[Filter], data: Mapping[str, Any]) -> bool:
    """All of the quest's filters hold for the event's properties."""
    return all(condition.holds(data) for condition in where)


def measured(value: object) -> float | None:
    """A sum quest's addend: a number (never a boolean), else None."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return value


# --- quest definitions and progress ----------------------------------------------------------


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
    # Player time (DESIGN §10); the defaults keep the behaviour from before these fields.
    reset: Reset = "none"
    grace_days: int = 0
    cooldown_s: int = 0
    claim_within_s: int | None = None
    # The reward's name: for a badge reward, the badge the player is given.
    reward_name: str = ""
    # Any event (DESIGN §14); the defaults are the sign-in quest of part one.
    event_type: str = SIGN_IN_EVENT_TYPE
    where: tuple[Filter, ...] = ()
    measure: Measure = "count"
    measure_property: str | None = None
    requires: tuple[str, ...] = ()  # names of the quests to complete first

    @classmethod
    def from_catalog(cls, quest: Mapping[str, Any]) -> QuestRule:
        """Build from a catalog quest read (with its embedded reward)."""
        reward = quest.get("reward") or {}
        reset = quest.get("reset")
        claim_within = quest.get("claim_within_s")
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
            reset=reset if reset in ("daily", "weekly") else "none",
            grace_days=int(quest.get("grace_days") or 0),
            cooldown_s=int(quest.get("cooldown_s") or 0),
            claim_within_s=int(claim_within) if claim_within is not None else None,
            reward_name=str(reward.get("reward_name") or ""),
            event_type=str(quest.get("event_type") or SIGN_IN_EVENT_TYPE),
            where=tuple(
                Filter(property=str(f["property"]), op=f["op"], value=f["value"])
                for f in quest.get("where") or ()
            ),
            measure="sum" if quest.get("measure") == "sum" else "count",
            measure_property=quest.get("measure_property"),
            requires=tuple(str(name) for name in quest.get("requires") or ()),
        )


def _parse_time(value: object) -> datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        parsed = value
    else:
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


# Hashable (the worker keys its payload cache by state) and treated as a value: nothing assigns
# to a field, changes go through `dataclasses.replace`. Not frozen on purpose: a frozen
# dataclass pays a function call per field to build, and one is built for every counted event.
@dataclass(slots=True, unsafe_hash=True)
class ProgressState:
    """One player's progress on one quest.

    Fields after `last_day` are only ever set by quests that use the matching rule, so with the
    defaults a state is exactly what it was before player time existed."""

    streak: int | float = 0  # steps toward the target; a sum quest's running total
    completed: int = 0  # every completion ever (earned rewards), across reset periods
    claimed: int = 0
    last_day: date | None = None  # the last local date that counted (in its event's zone)
    last_counted_at: datetime | None = None  # cooldown quests: when the last counted one was
    period: date | None = None  # reset quests: first local date of the current period
    period_completed: int = 0  # reset quests: completions in the current period
    grace_used: int = 0  # grace quests: missed days forgiven in the current streak
    expired: int = 0  # earned rewards lost because they were not claimed in time

    @property
    def claimable(self) -> int:
        return self.completed - self.claimed - self.expired


@dataclass(slots=True)
class StepResult:
    # Not frozen: a frozen dataclass pays a call per field to build, on every event. Nothing
    # changes a result after the rules return it.
    state: ProgressState
    counted: bool  # the event moved the streak (or reset it) on this quest
    earned: int  # completions this event made (a sum can complete a quest more than once)
    auto_credit: bool  # the earned rewards are credited at once (auto_claim)
    verdict: Verdict = "counted"
    local_date: date | None = None  # the event's local date in the player's zone


class NothingToClaimError(
    ClientError, status=HTTPStatus.CONFLICT, detail="Nothing to claim on this quest"
):
    """The player has no earned, unclaimed reward on this quest."""


class RewardExpiredError(ClientError, status=HTTPStatus.CONFLICT, detail="reward expired"):
    """The earned reward was not claimed within the quest's `claim_within_s`."""


def quest_event_type(event_type: str) -> str:
    """The quest event type of a recorded type (auth's `UserSignIn`, `NewUserSignIn`: `sign_in`)."""
    return SIGN_IN_EVENT_TYPE if event_type in SIGN_IN_TYPES else event_type


def applies_to(rule: QuestRule, *, event_type: str, at: datetime) -> bool:
    """Whether an event of `event_type` at `at` can advance this quest (its type, active window)."""
    if rule.event_type != quest_event_type(event_type) or not rule.is_active:
        return False
    if rule.starts_at is not None and at < rule.starts_at:
        return False
    return not (rule.ends_at is not None and at >= rule.ends_at)


def is_done(rule: QuestRule, state: ProgressState) -> bool:
    """No more completions (for a reset quest: in the state's current period)."""
    if rule.reset != "none":
        return state.period_completed >= rule.duplication
    return state.completed >= rule.duplication


def _period_over(rule: QuestRule, state: ProgressState, at: datetime | None, zone: Zone) -> bool:
    if rule.reset == "none" or at is None or state.period is None:
        return False
    current = period_start(rule.reset, local_date(at, zone))
    return current is not None and current > state.period


def status(
    rule: QuestRule, state: ProgressState, *, at: datetime | None = None, zone: Zone = None
) -> Status:
    """What the player sees. With `at` (now), a reset quest whose period has ended is no longer
    done, even before the player's next event rolls the stored state over."""
    # An earned but unclaimed reward is shown first: "done" only once nothing is left to claim.
    if state.claimable > 0:
        return "claimable"
    if is_done(rule, state) and not _period_over(rule, state, at, zone):
        return "done"
    return "in_progress"


def _unchanged(state: ProgressState, verdict: Verdict, day: date) -> StepResult:
    return StepResult(state, False, 0, False, verdict, day)


def apply_event(
    rule: QuestRule,
    state: ProgressState,
    event: PlayerEvent,
    *,
    incidents: Sequence[IncidentWindow] = (),
    locked: bool = False,
    check_window: bool = False,
) -> StepResult:
    """Advance `state` by one event of the quest's type, dated in the zone the event carries.

    `incidents`: operator incident windows; a missed local day overlapping one never breaks a
    daily streak. `locked`: a prerequisite is not completed yet (the caller knows the player's
    other quests). `check_window`: the quest's type and time window are checked here too
    (verdict `outside_window`); the worker checks `applies_to` itself and leaves it out.
    """
    # Hot path (the worker, a simulation of a million events): the common cases are inlined.
    at = event.time
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    zone = event.time_zone
    tz = UTC if zone is None else zone_of(zone)
    day = at.astimezone(tz).date()
    if check_window and not applies_to(rule, event_type=event.type, at=at):
        return _unchanged(state, "outside_window", day)
    if locked:
        return _unchanged(state, "locked", day)
    if rule.where and not passes(rule.where, event.data):
        return _unchanged(state, "filtered_out", day)
    step: int | float = 1
    if rule.measure == "sum":
        value = measured(event.data.get(rule.measure_property or ""))
        if value is None or value <= 0:
            return _unchanged(state, "not_positive", day)
        step = value

    if rule.reset != "none":
        period = period_start(rule.reset, day)
        assert period is not None
        if state.period is None or period > state.period:
            # The first event of a new period: the streak and the period's completions start
            # again (earned, unclaimed rewards stay claimable: `completed` is kept).
            state = dataclasses.replace(
                state, streak=0, period=period, period_completed=0, grace_used=0
            )
        elif period < state.period:
            # A period already over (a late event, or a zone moved west): never counts again.
            return _unchanged(state, "outside_window", day)

    if is_done(rule, state):
        return _unchanged(state, "done", day)
    last_day = state.last_day
    if rule.streak_mode == "daily" and last_day is not None and day <= last_day:
        # At most one step per local date, and dates only move forward. A date before the
        # last counted one (a late event, or a zone further west) is told apart from the
        # same date, so the trace does not call a day that never counted "already counted".
        return _unchanged(state, "same_day" if day == last_day else "not_after_last", day)
    last_counted_at = state.last_counted_at
    if (
        rule.cooldown_s > 0
        and last_counted_at is not None
        and (at - last_counted_at).total_seconds() < rule.cooldown_s
    ):
        return _unchanged(state, "cooldown", day)

    verdict: Verdict = "counted"
    grace_used = state.grace_used
    streak = state.streak + step
    if rule.streak_mode == "daily":
        if last_day is not None and state.streak > 0:
            missed = (day - last_day).days - 1
            if missed > 0 and incidents:
                missed -= excused_days(
                    last_day + timedelta(days=1), day - timedelta(days=1), tz, incidents
                )
            if missed > 0:
                if grace_used + missed <= rule.grace_days:
                    # Forgiven: the missed days neither reset nor advance the streak.
                    grace_used += missed
                    verdict = "grace_used"
                else:
                    # A missed day starts the streak again at 1.
                    streak, grace_used, verdict = 1, 0, "streak_reset"
        last_day = day
    elif last_day is None or day > last_day:
        last_day = day

    completed, claimed = state.completed, state.claimed
    period_completed, earned = state.period_completed, 0
    while streak >= rule.streak:
        # A completion; in a sum quest the excess carries into the next one, and a value that
        # covers the target twice completes it twice (as far as `duplication` allows).
        completed, streak, grace_used, earned = completed + 1, streak - rule.streak, 0, earned + 1
        if rule.reset != "none":
            period_completed += 1
        if rule.auto_claim:
            claimed += 1
        if (period_completed if rule.reset != "none" else completed) >= rule.duplication:
            streak = 0  # done: nothing more counts, and nothing is carried
            break
    new = ProgressState(
        streak=streak,
        completed=completed,
        claimed=claimed,
        last_day=last_day,
        # Kept only where a cooldown needs it, so other quests' states stay as before.
        last_counted_at=at if rule.cooldown_s > 0 else state.last_counted_at,
        period=state.period,
        period_completed=period_completed,
        grace_used=grace_used,
        expired=state.expired,
    )
    return StepResult(
        new,
        counted=True,
        earned=earned,
        auto_credit=earned > 0 and rule.auto_claim,
        verdict=verdict,
        local_date=day,
    )


# --- claims and their expiry -----------------------------------------------------------------


def expires_at(rule: QuestRule, earned_at: datetime) -> datetime | None:
    """When a reward earned at `earned_at` expires (None: never)."""
    if rule.claim_within_s is None:
        return None
    return _aware(earned_at) + timedelta(seconds=rule.claim_within_s)


def is_expired(rule: QuestRule, *, earned_at: datetime, now: datetime) -> bool:
    deadline = expires_at(rule, earned_at)
    return deadline is not None and _aware(now) >= deadline


@dataclass(frozen=True, slots=True)
class Expiring:
    earned_at: datetime
    expires_at: datetime


def expiring(rule: QuestRule, earned_at: Iterable[datetime], *, now: datetime) -> list[Expiring]:
    """The unclaimed rewards (given by when each was earned) that will expire and have not yet,
    soonest first. Empty for a quest whose rewards never expire."""
    result = []
    for earned in earned_at:
        deadline = expires_at(rule, earned)
        if deadline is not None and _aware(now) < deadline:
            result.append(Expiring(earned_at=_aware(earned), expires_at=deadline))
    return sorted(result, key=lambda e: e.expires_at)


def expired(rule: QuestRule, earned_at: Iterable[datetime], *, now: datetime) -> int:
    """How many of the unclaimed rewards (given by when each was earned) have expired at `now`."""
    return sum(1 for earned in earned_at if is_expired(rule, earned_at=earned, now=now))


def expire(
    rule: QuestRule, state: ProgressState, *, earned_at: Iterable[datetime], now: datetime
) -> ProgressState:
    """Move the rewards that expired by `now` out of `claimable` into `expired`.

    `earned_at`: when each earned, unclaimed and not yet expired reward was earned (the caller
    keeps them, e.g. one row per earned reward, and marks the expired ones itself)."""
    lost = min(expired(rule, earned_at, now=now), max(state.claimable, 0))
    return dataclasses.replace(state, expired=state.expired + lost) if lost else state


def claim(
    rule: QuestRule,
    state: ProgressState,
    *,
    earned_at: datetime | None = None,
    now: datetime | None = None,
) -> ProgressState:
    """Claim one earned reward; raises NothingToClaimError when there is none, and
    RewardExpiredError when the reward (earned at `earned_at`) expired by `now`."""
    if state.claimable <= 0:
        raise NothingToClaimError(rule.quest_id)
    if earned_at is not None and now is not None and is_expired(rule, earned_at=earned_at, now=now):
        raise RewardExpiredError(rule.quest_id)
    return dataclasses.replace(state, claimed=state.claimed + 1)


# --- what players see ------------------------------------------------------------------------


def period_ends_at(rule: QuestRule, *, now: datetime, zone: Zone = None) -> datetime | None:
    """The UTC instant of the next reset in the player's zone (None without reset)."""
    if rule.reset == "none":
        return None
    period = period_start(rule.reset, local_date(now, zone))
    assert period is not None
    return start_of_day(_next_period_start(rule.reset, period), zone)


def grace_left(
    rule: QuestRule,
    state: ProgressState,
    *,
    now: datetime | None = None,
    zone: Zone = None,
    incidents: Sequence[IncidentWindow] = (),
) -> int:
    """Missed days the current streak can still absorb. With `now`, the days already missed
    since the last counted one (and not excused by an incident) are taken off."""
    if rule.streak_mode != "daily" or rule.grace_days <= 0:
        return 0
    left = rule.grace_days - state.grace_used
    if now is not None and state.last_day is not None and state.streak > 0:
        today = local_date(now, zone)
        missed = (today - state.last_day).days - 1
        if missed > 0:
            missed -= excused_days(
                state.last_day + timedelta(days=1), today - timedelta(days=1), zone, incidents
            )
        left -= max(missed, 0)
    return max(left, 0)


def next_count_at(
    rule: QuestRule, state: ProgressState, *, now: datetime, zone: Zone = None
) -> datetime | None:
    """When the next sign-in can count (cooldown, and for a daily streak the next local day),
    or None when a sign-in now would count. A quest done for good also gives None (nothing
    counts any more: its status says so); a reset quest done for this period gives the reset."""
    now = _aware(now)
    if is_done(rule, state) and not _period_over(rule, state, now, zone):
        return period_ends_at(rule, now=now, zone=zone)
    candidates: list[datetime] = []
    if rule.cooldown_s > 0 and state.last_counted_at is not None:
        candidates.append(_aware(state.last_counted_at) + timedelta(seconds=rule.cooldown_s))
    if rule.streak_mode == "daily" and state.last_day is not None:
        candidates.append(start_of_day(state.last_day + timedelta(days=1), zone))
    when = max(candidates, default=None)
    return when if when is not None and when > now else None


# --- events and replay -----------------------------------------------------------------------


NO_PLAYER = uuid.UUID(int=0)  # a replay's events need no player


# Treated as a value (changes go through `dataclasses.replace`), but not frozen: a frozen
# dataclass pays a call per field to build, and a simulation builds one per recorded event.
@dataclass(slots=True)
class PlayerEvent:
    """One thing a player did, as the worker consumes, records and replays it: a sign-in (type
    `sign_in`, sent by auth) or a game server's event (its type, its properties in `data`).

    A sign-in carries the player's zone; an ingested event is dated in the player's latest known
    zone (DESIGN §14). `envelope_type` is what the wire called it (`UserSignIn`,
    `ingest.match_won`)."""

    time: datetime
    time_zone: str = DEFAULT_ZONE
    type: str = SIGN_IN_EVENT_TYPE
    data: Mapping[str, Any] = field(default_factory=dict)
    event_id: str = ""
    user_id: uuid.UUID = NO_PLAYER
    user_name: str = ""
    source: str = ""
    envelope_type: str = ""


@dataclass(frozen=True, slots=True)
class TraceStep:
    event: PlayerEvent
    result: StepResult


def trace(
    rule: QuestRule,
    events: Iterable[PlayerEvent],
    state: ProgressState | None = None,
    *,
    incidents: Sequence[IncidentWindow] = (),
    completed_at: Mapping[str, int] | None = None,
) -> Iterator[TraceStep]:
    """Fold events in the order given (the worker's consumption order), yielding each step with
    its verdict. A repeated event id is skipped (nothing yielded), as a redelivery is.

    `completed_at`: for a quest with prerequisites, the position in `events` of the event that
    first completed each of the player's other quests (by name; `first_completions` gives it).
    An event before all of them is `locked`; the completing event itself already counts here, as
    the worker applies a player's quests in prerequisite order."""
    current = state or ProgressState()
    seen: set[str] = set()
    needed = rule.requires
    done = completed_at or {}
    for position, event in enumerate(events):
        if event.event_id:
            if event.event_id in seen:
                continue
            seen.add(event.event_id)
        locked = bool(needed) and not all(done.get(n, position + 1) <= position for n in needed)
        step = apply_event(
            rule, current, event, incidents=incidents, locked=locked, check_window=True
        )
        current = step.state
        yield TraceStep(event=event, result=step)


def first_completions(
    quests: Sequence[QuestRule],
    events: Sequence[PlayerEvent],
    *,
    incidents: Sequence[IncidentWindow] = (),
) -> dict[str, int]:
    """Where in `events` (one player's, in consumption order) each of `quests` (by name) was
    first completed, prerequisites of prerequisites included: what `trace` needs to tell a locked
    event from a counted one. Quests are folded after the ones they require."""
    done: dict[str, int] = {}
    for quest in prerequisite_order(quests):
        positions = {id(e): i for i, e in enumerate(events)}
        for step in trace(quest, events, incidents=incidents, completed_at=done):
            if step.result.earned:
                done[quest.name] = positions[id(step.event)]
                break
    return done


def prerequisite_order(quests: Sequence[QuestRule]) -> list[QuestRule]:
    """The quests, each after the ones it requires (catalog refuses cycles; a name left in a
    cycle anyway is put last rather than looping)."""
    by_name = {q.name: q for q in quests}
    ordered: list[QuestRule] = []
    placed: set[str] = set()
    visiting: set[str] = set()

    def place(quest: QuestRule) -> None:
        if quest.name in placed or quest.name in visiting:
            return
        visiting.add(quest.name)
        for name in quest.requires:
            if name in by_name:
                place(by_name[name])
        visiting.discard(quest.name)
        placed.add(quest.name)
        ordered.append(quest)

    for quest in quests:
        place(quest)
    return ordered


def replay(
    rule: QuestRule,
    events: Iterable[PlayerEvent],
    state: ProgressState | None = None,
    *,
    incidents: Sequence[IncidentWindow] = (),
    completed_at: Mapping[str, int] | None = None,
) -> ProgressState:
    """Fold a sequence of events into a state: the same function for the worker's check, a
    simulation and the tests."""
    current = state or ProgressState()
    for step in trace(rule, events, current, incidents=incidents, completed_at=completed_at):
        current = step.result.state
    return current
