"""The quest rules of DESIGN §6, without I/O, including property tests."""

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from processing_service.progress import rules
from processing_service.progress.rules import PlayerEvent, ProgressState, QuestRule
from quest_devtools.testing.quests import catalog_quest

T0 = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)


def make_rule(**overrides: Any) -> QuestRule:
    """The reference quest's rule (sign in three times, twice), `overrides` in place."""
    return QuestRule.from_catalog(catalog_quest(**overrides))


def sign_ins(rule: QuestRule, state: ProgressState, times: list[datetime]) -> ProgressState:
    for at in times:
        state = rules.apply_event(rule, state, PlayerEvent(time=at)).state
    return state


def test_reference_quest_count_mode() -> None:
    rule = make_rule()
    state = sign_ins(rule, ProgressState(), [T0, T0, T0])
    assert (state.streak, state.completed, state.claimable) == (0, 1, 1)
    assert rules.status(rule, state) == "claimable"
    state = rules.claim(rule, state)
    assert rules.status(rule, state) == "in_progress"
    state = sign_ins(rule, state, [T0, T0, T0])
    assert rules.status(rule, state) == "claimable"
    state = rules.claim(rule, state)
    assert rules.status(rule, state) == "done"
    after = sign_ins(rule, state, [T0, T0, T0])
    assert after == state
    with pytest.raises(rules.NothingToClaimError):
        rules.claim(rule, after)


def test_earning_reports_once_on_the_completing_sign_in() -> None:
    rule = make_rule()
    results = []
    state = ProgressState()
    for _ in range(3):
        step = rules.apply_event(rule, state, PlayerEvent(time=T0))
        results.append(step.earned)
        state = step.state
    assert results == [False, False, True]


def test_auto_claim_credits_without_a_claim() -> None:
    rule = make_rule(auto_claim=True, streak=2, duplication=3)
    state = ProgressState()
    steps = []
    for _ in range(2):
        step = rules.apply_event(rule, state, PlayerEvent(time=T0))
        steps.append(step)
        state = step.state
    assert steps[-1].earned and steps[-1].auto_credit
    assert (state.completed, state.claimed, state.claimable) == (1, 1, 0)
    assert rules.status(rule, state) == "in_progress"


def test_daily_mode_same_day_next_day_and_gap() -> None:
    rule = make_rule(streak_mode="daily", streak=5)
    day1 = T0
    state = sign_ins(rule, ProgressState(), [day1, day1 + timedelta(hours=5)])
    assert state.streak == 1  # same UTC day counts once
    state = sign_ins(rule, state, [day1 + timedelta(days=1)])
    assert state.streak == 2  # next day +1
    state = sign_ins(rule, state, [day1 + timedelta(days=4)])
    assert state.streak == 1  # a gap resets to 1


def test_daily_mode_uses_utc_calendar_days() -> None:
    rule = make_rule(streak_mode="daily", streak=5)
    late = datetime(2025, 3, 1, 23, 59, tzinfo=UTC)
    just_after_midnight = datetime(2025, 3, 2, 0, 1, tzinfo=UTC)
    state = sign_ins(rule, ProgressState(), [late, just_after_midnight])
    assert state.streak == 2


def test_daily_mode_completes_on_the_streak_day() -> None:
    rule = make_rule(streak_mode="daily", streak=3, duplication=1)
    state = sign_ins(rule, ProgressState(), [T0 + timedelta(days=i) for i in range(3)])
    assert state.completed == 1 and rules.status(rule, state) == "claimable"


def test_active_window_and_trigger() -> None:
    rule = make_rule(starts_at=T0, ends_at=T0 + timedelta(days=1))
    assert rules.applies_to(rule, event_type="UserSignIn", at=T0)
    assert rules.applies_to(rule, event_type="NewUserSignIn", at=T0 + timedelta(hours=23))
    assert not rules.applies_to(rule, event_type="UserSignIn", at=T0 - timedelta(seconds=1))
    assert not rules.applies_to(rule, event_type="UserSignIn", at=T0 + timedelta(days=1))
    assert not rules.applies_to(rule, event_type="QuestChanged", at=T0)
    assert not rules.applies_to(make_rule(is_active=False), event_type="UserSignIn", at=T0)


def test_from_catalog_reads_the_embedded_reward() -> None:
    quest_id = uuid.uuid4()
    rule = QuestRule.from_catalog(
        {
            "quest_id": str(quest_id),
            "name": "q",
            "title": "Q",
            "streak": 2,
            "duplication": 1,
            "auto_claim": True,
            "streak_mode": "daily",
            "reward": {"reward_item": "gold", "reward_qty": 7},
            "starts_at": "2025-01-01T00:00:00Z",
            "ends_at": None,
        }
    )
    assert rule.quest_id == quest_id
    assert (rule.reward_item, rule.reward_qty, rule.streak_mode) == ("gold", 7, "daily")
    assert rule.starts_at == datetime(2025, 1, 1, tzinfo=UTC)


rule_params = st.builds(
    make_rule,
    streak=st.integers(min_value=1, max_value=6),
    duplication=st.integers(min_value=1, max_value=4),
    auto_claim=st.booleans(),
)
# Each step: either a sign-in after a number of hours, or a claim attempt.
steps = st.lists(st.one_of(st.integers(min_value=0, max_value=60), st.just("claim")), max_size=60)


@given(rule=rule_params, sequence=steps, daily=st.booleans())
def test_never_more_completions_than_duplication(
    rule: QuestRule, sequence: list[int | str], daily: bool
) -> None:
    if daily:
        rule = make_rule(
            streak=rule.streak,
            duplication=rule.duplication,
            auto_claim=rule.auto_claim,
            streak_mode="daily",
        )
    state, at = ProgressState(), T0
    for step in sequence:
        if step == "claim":
            try:
                state = rules.claim(rule, state)
            except rules.NothingToClaimError:
                assert state.claimable == 0
        else:
            assert isinstance(step, int)
            at += timedelta(hours=step)
            state = rules.apply_event(rule, state, PlayerEvent(time=at)).state
        assert 0 <= state.claimed <= state.completed <= rule.duplication
        assert 0 <= state.streak < rule.streak
        if rule.auto_claim:
            assert state.claimable == 0


@given(rule=rule_params, count=st.integers(min_value=0, max_value=40))
def test_count_mode_conserves_sign_ins_while_not_done(rule: QuestRule, count: int) -> None:
    state = ProgressState()
    for i in range(count):
        state = rules.apply_event(rule, state, PlayerEvent(time=T0 + timedelta(minutes=i))).state
        counted = i + 1
        if not rules.is_done(rule, state):
            assert state.completed * rule.streak + state.streak == counted
        else:
            assert state.completed == rule.duplication
            assert counted >= rule.duplication * rule.streak


@given(rule=rule_params, gaps=st.lists(st.integers(min_value=0, max_value=80), max_size=40))
def test_replay_equals_step_by_step(rule: QuestRule, gaps: list[int]) -> None:
    at, times = T0, []
    for gap in gaps:
        at += timedelta(hours=gap)
        times.append(at)
    stepwise = sign_ins(rule, ProgressState(), times)
    assert rules.replay(rule, [PlayerEvent(time=t) for t in times]) == stepwise
