"""Player time (DESIGN §10, guarantee 8): local dates, DST, zone changes, resets, grace,
incidents, cooldown and claim expiry — example tests for each verdict and Hypothesis properties.
"""

from __future__ import annotations

import itertools
import uuid
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from processing_service.progress import rules
from processing_service.progress.rules import IncidentWindow, PlayerEvent, ProgressState, QuestRule
from quest_devtools.testing.quests import catalog_quest

DST_ZONES = ("America/New_York", "Europe/London", "Australia/Lord_Howe", "Pacific/Kiritimati")
# Zones whose DST changes happen at local midnight (a missing or repeated 00:00).
MIDNIGHT_ZONES = ("America/Santiago", "America/Asuncion")
# Instants near the 2026 DST changes of the zones above (Lord Howe moves by half an hour).
DST_CHANGES = (
    datetime(2026, 3, 8, 7, tzinfo=UTC),  # New York springs forward
    datetime(2026, 3, 29, 1, tzinfo=UTC),  # London springs forward
    datetime(2026, 4, 4, 15, tzinfo=UTC),  # Lord Howe falls back (02:00 → 01:30)
    datetime(2026, 10, 3, 15, 30, tzinfo=UTC),  # Lord Howe springs forward (02:00 → 02:30)
    datetime(2026, 10, 25, 1, tzinfo=UTC),  # London falls back
    datetime(2026, 11, 1, 6, tzinfo=UTC),  # New York falls back
)
T0 = datetime(2026, 6, 1, 12, tzinfo=UTC)


def make_rule(**overrides: Any) -> QuestRule:
    """A daily quest (five days in a row, once, 50 gold), `overrides` in place."""
    fields: dict[str, Any] = {
        "name": "daily-visitor",
        "title": "Visit every day",
        "streak": 5,
        "duplication": 1,
        "streak_mode": "daily",
        "reward_item": "gold",
        "reward_qty": 50,
    }
    return QuestRule.from_catalog(catalog_quest(**{**fields, **overrides}))


def local(zone: str, *args: int) -> datetime:
    """A wall-clock time in `zone`, as an aware instant."""
    return datetime(*args, tzinfo=ZoneInfo(zone))  # type: ignore[misc]


def step(
    rule: QuestRule,
    state: ProgressState,
    at: datetime,
    zone: str | None = None,
    *,
    event_type: str | None = None,
    **kw: object,
) -> rules.StepResult:
    """One sign-in; with `event_type` its type and the quest's window are checked too."""
    event = PlayerEvent(
        time=at,
        time_zone=zone or "UTC",
        type=rules.quest_event_type(event_type or "UserSignIn"),
    )
    return rules.apply_event(rule, state, event, check_window=event_type is not None, **kw)  # type: ignore[arg-type]


# --- zones and local days --------------------------------------------------------------------


def test_local_days_follow_the_players_zone_not_utc() -> None:
    rule = make_rule()
    late, early = (
        local("Europe/Paris", 2026, 6, 1, 23, 30),
        local("Europe/Paris", 2026, 6, 2, 0, 30),
    )
    # 23:30 and 00:30 in Paris: two local days, one UTC day.
    first = step(rule, ProgressState(), late, "Europe/Paris")
    second = step(rule, first.state, early, "Europe/Paris")
    assert (first.verdict, second.verdict) == ("counted", "counted")
    assert (first.local_date, second.local_date) == (date(2026, 6, 1), date(2026, 6, 2))
    assert second.state.streak == 2
    # The same two instants for a UTC player are one day.
    utc_player = step(rule, step(rule, ProgressState(), late).state, early)
    assert utc_player.verdict == "same_day"


def test_unknown_or_missing_zone_is_utc() -> None:
    assert rules.zone_of(None) is UTC
    assert rules.zone_of("UTC") is UTC
    assert rules.zone_of("Mars/Olympus") is UTC
    assert rules.zone_of("../../etc/passwd") is UTC
    assert rules.zone_of("Asia/Tokyo") == ZoneInfo("Asia/Tokyo")


@given(
    day=st.dates(min_value=date(2000, 1, 2), max_value=date(2037, 12, 30)),
    zone=st.sampled_from(DST_ZONES + MIDNIGHT_ZONES),
)
def test_start_of_day_is_the_first_instant_of_that_local_date(day: date, zone: str) -> None:
    start = rules.start_of_day(day, zone)
    assert rules.local_date(start, zone) == day
    assert rules.local_date(start - timedelta(microseconds=1), zone) < day


def test_period_ends_at_is_local_midnight_in_utc() -> None:
    daily = make_rule(streak_mode="count", reset="daily")
    weekly = make_rule(streak_mode="daily", reset="weekly")
    # Summer time in London: local midnight is 23:00 UTC.
    now = datetime(2026, 7, 1, 12, tzinfo=UTC)  # a Wednesday
    assert rules.period_ends_at(daily, now=now, zone="Europe/London") == datetime(
        2026, 7, 1, 23, tzinfo=UTC
    )
    assert rules.period_ends_at(weekly, now=now, zone="Europe/London") == datetime(
        2026, 7, 5, 23, tzinfo=UTC
    )
    # Kiritimati (+14): at 12:00 UTC it is already 02:00 the next day.
    assert rules.period_ends_at(daily, now=now, zone="Pacific/Kiritimati") == datetime(
        2026, 7, 2, 10, tzinfo=UTC
    )
    # The week holding a DST change is an hour shorter, still ending at local Monday 00:00.
    before_change = datetime(2026, 3, 27, 12, tzinfo=UTC)
    assert rules.period_ends_at(weekly, now=before_change, zone="Europe/London") == datetime(
        2026, 3, 29, 23, tzinfo=UTC
    )
    assert rules.period_ends_at(make_rule(), now=now, zone="Europe/London") is None


# --- one example per verdict -----------------------------------------------------------------


def test_verdict_counted_and_same_day() -> None:
    rule = make_rule()
    first = step(rule, ProgressState(), T0, "Asia/Tokyo")
    again = step(rule, first.state, T0 + timedelta(hours=2), "Asia/Tokyo")
    assert (first.verdict, first.counted) == ("counted", True)
    assert (again.verdict, again.counted, again.state) == ("same_day", False, first.state)


def test_verdict_not_after_last_for_a_date_before_the_last_counted_one() -> None:
    rule = make_rule()
    state = step(rule, ProgressState(), T0, "Pacific/Kiritimati").state  # 2026-06-02 locally
    # Moving west makes it 2026-06-01 again: that date is not after the last counted one.
    back = step(rule, state, T0 + timedelta(hours=3), "America/New_York")
    assert (back.verdict, back.local_date, back.state) == (
        "not_after_last",
        date(2026, 6, 1),
        state,
    )


def test_verdict_not_after_last_for_a_late_older_event() -> None:
    rule = make_rule()
    state = step(rule, ProgressState(), T0 + timedelta(days=1)).state
    late = step(rule, state, T0)  # happened a day before the counted one, arrived after it
    assert (late.verdict, late.counted, late.state) == ("not_after_last", False, state)
    # Later on the counted date itself it is still "same day".
    assert step(rule, state, T0 + timedelta(days=1, hours=-1)).verdict == "same_day"


def test_verdict_cooldown() -> None:
    rule = make_rule(streak_mode="count", streak=3, cooldown_s=600)
    state = step(rule, ProgressState(), T0).state
    early = step(rule, state, T0 + timedelta(seconds=599))
    on_time = step(rule, early.state, T0 + timedelta(seconds=600))
    assert (early.verdict, early.state) == ("cooldown", state)
    assert (on_time.verdict, on_time.state.streak) == ("counted", 2)


def test_verdict_outside_window() -> None:
    rule = make_rule(starts_at=T0, ends_at=T0 + timedelta(days=1))
    before = step(rule, ProgressState(), T0 - timedelta(seconds=1), event_type="UserSignIn")
    after = step(rule, ProgressState(), T0 + timedelta(days=1), event_type="UserSignIn")
    assert before.verdict == after.verdict == "outside_window"
    assert before.state == after.state == ProgressState()
    inside = step(rule, ProgressState(), T0, event_type="NewUserSignIn")
    assert inside.verdict == "counted"


def test_verdict_done() -> None:
    rule = make_rule(streak_mode="count", streak=1, duplication=1)
    state = step(rule, ProgressState(), T0).state
    done = step(rule, state, T0 + timedelta(days=1))
    assert (done.verdict, done.counted, done.state) == ("done", False, state)


def test_verdict_grace_used_then_streak_reset() -> None:
    rule = make_rule(streak=10, grace_days=2)
    state = step(rule, ProgressState(), T0, "Europe/Paris").state
    state = step(rule, state, T0 + timedelta(days=1), "Europe/Paris").state
    # Two days missed: both forgiven, the streak neither resets nor advances for them.
    graced = step(rule, state, T0 + timedelta(days=4), "Europe/Paris")
    assert (graced.verdict, graced.counted) == ("grace_used", True)
    assert (graced.state.streak, graced.state.grace_used) == (3, 2)
    assert rules.grace_left(rule, graced.state) == 0
    # One more missed day inside the same streak: nothing left to forgive.
    reset = step(rule, graced.state, T0 + timedelta(days=6), "Europe/Paris")
    assert (reset.verdict, reset.counted) == ("streak_reset", True)
    assert (reset.state.streak, reset.state.grace_used) == (1, 0)
    assert rules.grace_left(rule, reset.state) == 2


def test_grace_is_per_streak_and_a_gap_too_long_resets() -> None:
    rule = make_rule(streak=2, duplication=3, grace_days=1)
    state = step(rule, ProgressState(), T0).state
    state = step(rule, state, T0 + timedelta(days=2)).state  # one forgiven, completes
    assert (state.completed, state.streak, state.grace_used) == (1, 0, 0)
    state = step(rule, state, T0 + timedelta(days=3)).state
    long_gap = step(rule, state, T0 + timedelta(days=6))
    assert (long_gap.verdict, long_gap.state.streak) == ("streak_reset", 1)


def test_a_day_overlapping_an_incident_never_breaks_a_streak() -> None:
    rule = make_rule(streak=10)
    zone = "America/New_York"
    state = step(rule, ProgressState(), local(zone, 2026, 6, 1, 9), zone).state
    # The operator's outage covers two hours of 2026-06-02, New York time.
    incident = IncidentWindow(local(zone, 2026, 6, 2, 22), local(zone, 2026, 6, 3, 0))
    after = step(rule, state, local(zone, 2026, 6, 3, 9), zone, incidents=[incident])
    assert (after.verdict, after.state.streak) == ("counted", 2)
    # The same outage does not excuse a second missed day.
    late = step(rule, state, local(zone, 2026, 6, 4, 9), zone, incidents=[incident])
    assert late.verdict == "streak_reset"
    # An incident ending exactly at local midnight does not touch the next day.
    edge = IncidentWindow(local(zone, 2026, 6, 1, 20), local(zone, 2026, 6, 2, 0))
    assert step(rule, state, local(zone, 2026, 6, 3, 9), zone, incidents=[edge]).verdict == (
        "streak_reset"
    )


def test_incidents_and_grace_together() -> None:
    rule = make_rule(streak=10, grace_days=1)
    state = step(rule, ProgressState(), T0).state
    incident = IncidentWindow(T0 + timedelta(days=1), T0 + timedelta(days=1, hours=1))
    # Two missed days: one excused by the incident, one forgiven by grace.
    result = step(rule, state, T0 + timedelta(days=3), incidents=[incident])
    assert (result.verdict, result.state.grace_used, result.state.streak) == ("grace_used", 1, 2)


def test_excused_days_counts_each_date_once() -> None:
    day = date(2026, 6, 1)
    overlapping = [
        IncidentWindow(datetime(2026, 6, 1, 10, tzinfo=UTC), datetime(2026, 6, 3, 10, tzinfo=UTC)),
        IncidentWindow(datetime(2026, 6, 2, 10, tzinfo=UTC), datetime(2026, 6, 2, 11, tzinfo=UTC)),
        IncidentWindow(datetime(2026, 6, 9, 10, tzinfo=UTC), datetime(2026, 6, 9, 10, tzinfo=UTC)),
    ]
    assert rules.excused_days(day, day + timedelta(days=9), "UTC", overlapping) == 3
    assert (
        rules.excused_days(day + timedelta(days=1), day + timedelta(days=1), None, overlapping) == 1
    )
    assert rules.excused_days(day, day - timedelta(days=1), None, overlapping) == 0


# --- resets ----------------------------------------------------------------------------------


def test_daily_reset_restarts_streak_and_period_completions_keeping_claimable() -> None:
    rule = make_rule(streak_mode="count", streak=2, duplication=1, reset="daily")
    zone = "Australia/Lord_Howe"
    state = ProgressState()
    for minutes in (0, 5):
        state = step(rule, state, local(zone, 2026, 6, 1, 10, minutes), zone).state
    assert (state.completed, state.period_completed, state.claimable) == (1, 1, 1)
    assert step(rule, state, local(zone, 2026, 6, 1, 23, 59), zone).verdict == "done"
    assert rules.status(rule, state) == "claimable"
    # Half-way through the day the streak had one step; the next local day starts it again.
    half = step(rule, ProgressState(), local(zone, 2026, 6, 1, 10), zone).state
    next_day = step(rule, half, local(zone, 2026, 6, 2, 0, 1), zone)
    assert (next_day.state.streak, next_day.state.period) == (1, date(2026, 6, 2))
    # A new period with an unclaimed reward: it stays claimable, and the quest counts again.
    rolled = step(rule, state, local(zone, 2026, 6, 2, 0, 1), zone)
    assert rolled.verdict == "counted"
    assert (rolled.state.claimable, rolled.state.period_completed) == (1, 0)


def test_weekly_reset_starts_on_local_monday() -> None:
    rule = make_rule(streak=3, duplication=1, reset="weekly", auto_claim=True)
    zone = "Europe/London"
    state = ProgressState()
    for day in (5, 6, 7):  # Friday 5 June to Sunday 7 June 2026
        state = step(rule, state, local(zone, 2026, 6, day, 23, 30), zone).state
    assert state.completed == 1 and rules.is_done(rule, state)
    assert rules.status(rule, state) == "done"
    monday = local(zone, 2026, 6, 8, 0, 30)  # still Sunday in UTC
    assert rules.status(rule, state, at=monday, zone=zone) == "in_progress"
    result = step(rule, state, monday, zone)
    assert (result.verdict, result.state.streak, result.state.period) == (
        "counted",
        1,
        date(2026, 6, 8),
    )


def test_an_event_from_a_period_already_over_never_counts() -> None:
    rule = make_rule(streak_mode="count", streak=5, reset="daily")
    state = step(rule, ProgressState(), T0, "Pacific/Kiritimati").state  # 2026-06-02 locally
    late = step(rule, state, T0, "Pacific/Pago_Pago")  # 2026-06-01 locally
    assert (late.verdict, late.state) == ("outside_window", state)


# --- cooldown and what players see -----------------------------------------------------------


def test_next_count_at() -> None:
    cooled = make_rule(streak_mode="count", streak=5, cooldown_s=3600)
    assert rules.next_count_at(cooled, ProgressState(), now=T0) is None
    state = step(cooled, ProgressState(), T0).state
    assert rules.next_count_at(cooled, state, now=T0) == T0 + timedelta(hours=1)
    assert rules.next_count_at(cooled, state, now=T0 + timedelta(hours=1)) is None

    daily = make_rule()
    zone = "America/New_York"
    state = step(daily, ProgressState(), local(zone, 2026, 6, 1, 20), zone).state
    assert rules.next_count_at(daily, state, now=local(zone, 2026, 6, 1, 21), zone=zone) == (
        local(zone, 2026, 6, 2, 0).astimezone(UTC)
    )
    done = make_rule(streak_mode="count", streak=1, duplication=1)
    finished = step(done, ProgressState(), T0).state
    assert rules.next_count_at(done, finished, now=T0) is None
    reset = make_rule(streak_mode="count", streak=1, duplication=1, reset="daily")
    finished = step(reset, ProgressState(), T0, "Europe/Paris").state
    assert rules.next_count_at(reset, finished, now=T0, zone="Europe/Paris") == datetime(
        2026, 6, 1, 22, tzinfo=UTC
    )


def test_grace_left_counts_days_already_missed() -> None:
    rule = make_rule(streak=10, grace_days=3)
    state = step(rule, ProgressState(), T0).state
    assert rules.grace_left(rule, state, now=T0 + timedelta(days=1)) == 3
    assert rules.grace_left(rule, state, now=T0 + timedelta(days=3)) == 1
    assert rules.grace_left(rule, state, now=T0 + timedelta(days=9)) == 0
    incident = IncidentWindow(T0 + timedelta(days=1), T0 + timedelta(days=1, hours=1))
    assert rules.grace_left(rule, state, now=T0 + timedelta(days=3), incidents=[incident]) == 2
    assert rules.grace_left(make_rule(streak_mode="count"), state) == 0


# --- claim expiry ----------------------------------------------------------------------------


def test_claim_expiry_helpers() -> None:
    rule = make_rule(claim_within_s=3600)
    earned = [T0, T0 + timedelta(minutes=30)]
    now = T0 + timedelta(minutes=45)
    assert rules.expires_at(rule, T0) == T0 + timedelta(hours=1)
    assert [e.earned_at for e in rules.expiring(rule, earned, now=now)] == earned
    assert rules.expired(rule, earned, now=now) == 0
    later = T0 + timedelta(hours=1)  # exactly the deadline: expired
    assert rules.expired(rule, earned, now=later) == 1
    assert [e.earned_at for e in rules.expiring(rule, earned, now=later)] == [earned[1]]

    never = make_rule()
    assert rules.expires_at(never, T0) is None
    assert rules.expiring(never, earned, now=T0 + timedelta(days=999)) == []
    assert rules.expired(never, earned, now=T0 + timedelta(days=999)) == 0


def test_expired_rewards_leave_claimable_and_cannot_be_claimed() -> None:
    rule = make_rule(streak_mode="count", streak=1, duplication=3, claim_within_s=60)
    state = ProgressState()
    for i in range(2):
        state = step(rule, state, T0 + timedelta(seconds=i)).state
    assert state.claimable == 2
    with pytest.raises(rules.RewardExpiredError):
        rules.claim(rule, state, earned_at=T0, now=T0 + timedelta(seconds=60))
    state = rules.expire(rule, state, earned_at=[T0], now=T0 + timedelta(seconds=60))
    assert (state.expired, state.claimable) == (1, 1)
    state = rules.claim(
        rule, state, earned_at=T0 + timedelta(seconds=1), now=T0 + timedelta(seconds=60)
    )
    assert (state.claimed, state.claimable) == (1, 0)
    with pytest.raises(rules.NothingToClaimError):
        rules.claim(rule, state)


def test_from_catalog_reads_the_time_rules() -> None:
    base = {
        "quest_id": str(uuid.uuid4()),
        "name": "q",
        "streak": 2,
        "duplication": 1,
        "reward": {"reward_item": "gold", "reward_qty": 1},
    }
    rule = QuestRule.from_catalog(
        {**base, "reset": "weekly", "grace_days": 2, "cooldown_s": 60, "claim_within_s": 7200}
    )
    assert (rule.reset, rule.grace_days, rule.cooldown_s, rule.claim_within_s) == (
        "weekly",
        2,
        60,
        7200,
    )
    # A catalog from before these fields: today's behaviour.
    old = QuestRule.from_catalog(base)
    assert (old.reset, old.grace_days, old.cooldown_s, old.claim_within_s) == ("none", 0, 0, None)


# --- Hypothesis properties -------------------------------------------------------------------


def _around_dst() -> st.SearchStrategy[datetime]:
    return st.builds(
        lambda base, minutes: base + timedelta(minutes=minutes),
        st.sampled_from(DST_CHANGES),
        st.integers(min_value=-4 * 24 * 60, max_value=4 * 24 * 60),
    )


zoned_events = st.lists(
    st.tuples(_around_dst(), st.sampled_from(DST_ZONES)), min_size=1, max_size=60
)


def drawn_rules(
    *,
    max_streak: int,
    max_duplication: int,
    modes: tuple[str, ...] = ("count", "daily"),
    **fields: st.SearchStrategy[Any],
) -> st.SearchStrategy[QuestRule]:
    """Rules in one of `modes`, with a streak and a duplication from 1 up to the maximums,
    auto-claimed or not, and the other `fields` drawn from the strategies given."""
    return st.builds(
        make_rule,
        streak_mode=st.sampled_from(modes),
        streak=st.integers(min_value=1, max_value=max_streak),
        duplication=st.integers(min_value=1, max_value=max_duplication),
        auto_claim=st.booleans(),
        **fields,
    )


daily_rules = drawn_rules(
    max_streak=8,
    max_duplication=20,
    modes=("daily",),
    grace_days=st.integers(min_value=0, max_value=7),
    reset=st.sampled_from(["none", "weekly"]),
    cooldown_s=st.sampled_from([0, 0, 3600, 86_400]),
)


@settings(max_examples=300)
@given(rule=daily_rules, events=zoned_events, in_time_order=st.booleans())
def test_a_local_date_counts_at_most_once_whatever_the_zones(
    rule: QuestRule, events: list[tuple[datetime, str]], in_time_order: bool
) -> None:
    """Guarantee 8: a daily quest counts each local date at most once, whatever zone each event
    carries, in time order or not (late and redelivered events), across DST changes."""
    if in_time_order:
        events = sorted(events)
    counted = [
        s.result.local_date
        for s in rules.trace(rule, [PlayerEvent(time=at, time_zone=zone) for at, zone in events])
        if s.result.counted
    ]
    assert len(counted) == len(set(counted))
    assert counted == sorted(counted)  # counted dates only move forward


@settings(max_examples=200)
@given(rule=daily_rules, events=zoned_events)
def test_a_date_before_the_last_counted_one_is_not_after_last_and_its_own_date_same_day(
    rule: QuestRule, events: list[tuple[datetime, str]]
) -> None:
    """Whatever the order and zones: a daily quest's event on a local date before the last
    counted one reads `not_after_last`, on that very date `same_day`, and neither changes the
    state (a reset quest's earlier period reads `outside_window` first)."""
    state = ProgressState()
    for at, zone in events:
        result = rules.apply_event(rule, state, PlayerEvent(time=at, time_zone=zone))
        last_day = state.last_day
        if result.verdict == "not_after_last":
            assert last_day is not None and result.local_date is not None
            assert result.local_date < last_day
        if result.verdict == "same_day":
            assert result.local_date == last_day
        if last_day is not None and result.local_date is not None:
            if result.local_date < last_day and result.verdict not in ("done", "outside_window"):
                assert result.verdict == "not_after_last"
            if result.local_date <= last_day:
                assert not result.counted and result.state == state
        state = result.state


@given(
    events=st.lists(
        st.tuples(_around_dst(), st.sampled_from(DST_ZONES)), min_size=1, max_size=25, unique=True
    ),
    redeliveries=st.lists(st.integers(min_value=0, max_value=1000), max_size=25),
    shuffle=st.randoms(use_true_random=False),
    rule=daily_rules | st.builds(make_rule, streak_mode=st.just("count"), duplication=st.just(4)),
)
def test_redelivered_events_in_any_arrival_order_give_one_ordered_pass(
    events: list[tuple[datetime, str]],
    redeliveries: list[int],
    shuffle: object,
    rule: QuestRule,
) -> None:
    """Duplicates and arrival order do not matter once the events are taken in time order and
    deduplicated by their id, as the worker does."""
    originals = [
        PlayerEvent(time=at, time_zone=zone, event_id=f"e{i}")
        for i, (at, zone) in enumerate(sorted(events))
    ]
    one_pass = rules.replay(rule, originals)
    arrived = originals + [originals[i % len(originals)] for i in redeliveries]
    shuffle.shuffle(arrived)  # type: ignore[attr-defined]
    in_time_order = sorted(arrived, key=lambda e: (e.time, e.event_id))
    assert rules.replay(rule, in_time_order) == one_pass


@given(
    zone=st.sampled_from(DST_ZONES + MIDNIGHT_ZONES),
    year=st.integers(min_value=2020, max_value=2030),
    every_minutes=st.sampled_from([7, 15, 30, 60]),
)
def test_a_day_across_a_dst_change_counts_once(zone: str, year: int, every_minutes: int) -> None:
    """Sign-ins all through each local day that holds a DST change: one step per day."""
    tz = ZoneInfo(zone)
    change_days = []
    at = datetime(year, 1, 1, tzinfo=UTC)
    while at.year == year and len(change_days) < 2:
        nxt = at + timedelta(hours=6)
        if at.astimezone(tz).utcoffset() != nxt.astimezone(tz).utcoffset():
            change_days.append(rules.local_date(nxt, zone))
        at = nxt
    rule = make_rule(streak=100)
    for day in change_days:
        start, end = rules.start_of_day(day, zone), rules.start_of_day(day + timedelta(1), zone)
        times = []
        at = start
        while at < end:
            times.append(at)
            at += timedelta(minutes=every_minutes)
        times.append(end - timedelta(microseconds=1))
        steps = list(rules.trace(rule, [PlayerEvent(time=t, time_zone=zone) for t in times]))
        assert [s.result.counted for s in steps].count(True) == 1
        assert {s.result.local_date for s in steps} == {day}


@given(
    rule=daily_rules,
    gaps=st.lists(st.integers(min_value=0, max_value=4 * 24), min_size=1, max_size=60),
    zone=st.sampled_from(DST_ZONES),
)
def test_grace_never_lets_the_streak_exceed_the_counted_dates(
    rule: QuestRule, gaps: list[int], zone: str
) -> None:
    at, events = T0, []
    for hours in gaps:
        at += timedelta(hours=hours)
        events.append(PlayerEvent(time=at, time_zone=zone))
    counted_dates: set[date] = set()
    since_restart = 0  # counted dates in the current streak
    for traced in rules.trace(rule, events):
        result = traced.result
        if result.counted:
            assert result.local_date is not None
            counted_dates.add(result.local_date)
            since_restart = 1 if result.verdict == "streak_reset" else since_restart + 1
        if result.state.streak == 0:
            since_restart = 0
        assert result.state.streak <= since_restart <= len(counted_dates)
        assert 0 <= result.state.grace_used <= rule.grace_days


@given(
    rule=drawn_rules(
        max_streak=4, max_duplication=3, reset=st.sampled_from(["daily", "weekly"])
    ).filter(lambda r: not (r.streak_mode == "daily" and r.reset == "daily")),
    gaps=st.lists(st.integers(min_value=0, max_value=36 * 60), min_size=1, max_size=80),
    zones=st.lists(st.sampled_from(DST_ZONES), min_size=1, max_size=3),
)
def test_resets_give_at_most_duplication_completions_per_period(
    rule: QuestRule, gaps: list[int], zones: list[str]
) -> None:
    at, events = DST_CHANGES[1] - timedelta(days=3), []
    for i, minutes in enumerate(gaps):
        at += timedelta(minutes=minutes)
        events.append(PlayerEvent(time=at, time_zone=zones[i % len(zones)]))
    per_period: Counter[date | None] = Counter()
    state = ProgressState()
    for traced in rules.trace(rule, events):
        state = traced.result.state
        if traced.result.earned:
            per_period[state.period] += 1
    assert all(count <= rule.duplication for count in per_period.values())
    assert state.completed == sum(per_period.values())
    assert 0 <= state.claimable <= state.completed


@given(
    cooldown_s=st.integers(min_value=1, max_value=86_400),
    mode=st.sampled_from(["count", "daily"]),
    offsets=st.lists(st.integers(min_value=0, max_value=3 * 86_400), min_size=1, max_size=60),
    in_time_order=st.booleans(),
)
def test_no_two_counted_sign_ins_closer_than_the_cooldown(
    cooldown_s: int, mode: str, offsets: list[int], in_time_order: bool
) -> None:
    rule = make_rule(streak_mode=mode, streak=1000, cooldown_s=cooldown_s)
    if in_time_order:
        offsets = sorted(offsets)
    counted = [
        s.event.time
        for s in rules.trace(rule, [PlayerEvent(time=T0 + timedelta(seconds=o)) for o in offsets])
        if s.result.counted
    ]
    assert all(
        (later - earlier).total_seconds() >= cooldown_s
        for earlier, later in itertools.pairwise(counted)
    )


# --- today's behaviour, exactly, with every new field at its default -------------------------


def _before_player_time(
    rule: QuestRule, state: ProgressState, at: datetime
) -> tuple[ProgressState, bool, bool]:
    """The rule as it was before zones, resets, grace, cooldown and expiry (reference copy)."""
    if state.completed >= rule.duplication:
        return state, False, False
    day = at.astimezone(UTC).date()
    last_day = state.last_day
    if rule.streak_mode == "daily":
        if last_day is not None and day <= last_day:
            return state, False, False
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
    return ProgressState(streak, completed, claimed, last_day), True, earned


@given(
    rule=drawn_rules(max_streak=5, max_duplication=4),
    offsets=st.lists(st.integers(min_value=-2 * 86_400, max_value=6 * 86_400), max_size=50),
)
def test_defaults_preserve_the_rules_from_before_player_time(
    rule: QuestRule, offsets: list[int]
) -> None:
    new, old = ProgressState(), ProgressState()
    for offset in offsets:
        at = T0 + timedelta(seconds=offset)
        result = rules.apply_event(rule, new, PlayerEvent(time=at))
        old, counted, earned = _before_player_time(rule, old, at)
        assert (result.state, result.counted, result.earned) == (old, counted, earned)
        new = result.state
