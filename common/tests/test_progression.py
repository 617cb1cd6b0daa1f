"""Progression rules: levels from XP, the boards' UTC periods and shared ranks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from quest_common.progression import (
    DEFAULT_LEVEL_THRESHOLDS,
    Period,
    level_for_xp,
    levels_reached,
    period_bounds,
    shared_ranks,
    thresholds_error,
)

curves = st.lists(st.integers(min_value=1, max_value=10_000), min_size=0, max_size=40).map(
    lambda steps: [0, *[sum(steps[: i + 1]) for i in range(len(steps))]]
)
moments = st.datetimes(
    min_value=datetime(1971, 1, 1), max_value=datetime(2200, 1, 1), timezones=st.just(UTC)
)


def test_the_default_curve_is_valid() -> None:
    assert thresholds_error(DEFAULT_LEVEL_THRESHOLDS) is None


@pytest.mark.parametrize(
    ("thresholds", "words"),
    [
        ([], "at least one"),
        ([10, 20], "first threshold must be 0"),
        ([0, 100, 100], "strictly increasing"),
        ([0, 100, 50], "strictly increasing"),
    ],
)
def test_a_curve_that_is_not_strictly_increasing_from_zero_is_refused(
    thresholds: list[int], words: str
) -> None:
    error = thresholds_error(thresholds)
    assert error is not None and words in error


@given(curve=curves, xp=st.integers(min_value=0, max_value=1_000_000))
def test_the_level_is_the_last_threshold_reached(curve: list[int], xp: int) -> None:
    assert thresholds_error(curve) is None
    info = level_for_xp(curve, xp)
    assert info.level == sum(1 for t in curve if t <= xp)
    assert info.level_starts_at_xp == curve[info.level - 1] <= xp
    if info.next_level_at_xp is None:
        assert info.level == len(curve)
    else:
        assert xp < info.next_level_at_xp == curve[info.level]


@given(curve=curves, a=st.integers(0, 500_000), b=st.integers(0, 500_000))
def test_more_xp_never_lowers_the_level(curve: list[int], a: int, b: int) -> None:
    low, high = sorted((a, b))
    assert level_for_xp(curve, low).level <= level_for_xp(curve, high).level


def test_a_threshold_exactly_reached_is_the_new_level() -> None:
    assert level_for_xp([0, 100, 250], 99).level == 1
    assert level_for_xp([0, 100, 250], 100).level == 2
    assert level_for_xp([0, 100, 250], 250).next_level_at_xp is None


@given(announced=st.integers(0, 100), gained=st.integers(0, 100))
def test_every_level_crossed_is_announced_once_in_order(announced: int, gained: int) -> None:
    level = announced + gained
    reached = levels_reached(announced=announced, level=level)
    assert reached == list(range(announced + 1, level + 1))
    # A lower level (the curve was raised) announces nothing again.
    assert levels_reached(announced=level, level=announced) == []


@given(now=moments)
def test_the_week_is_the_utc_iso_week_containing_now(now: datetime) -> None:
    start, end = period_bounds(Period.week, now)
    assert end is not None and start <= now < end
    assert end - start == timedelta(days=7)
    assert start.weekday() == 0 and (start.hour, start.minute, start.second) == (0, 0, 0)
    assert start.isocalendar()[:2] == now.isocalendar()[:2]


@given(now=moments)
def test_the_month_is_the_utc_calendar_month_containing_now(now: datetime) -> None:
    start, end = period_bounds(Period.month, now)
    assert end is not None and start <= now < end
    assert (start.year, start.month, start.day, start.hour) == (now.year, now.month, 1, 0)
    assert end.day == 1 and (end - timedelta(days=1)).month == now.month


@given(now=moments, offset_h=st.integers(-12, 14))
def test_periods_are_utc_whatever_zone_now_is_given_in(now: datetime, offset_h: int) -> None:
    local = now.astimezone(timezone(timedelta(hours=offset_h)))
    for period in Period:
        assert period_bounds(period, local) == period_bounds(period, now)


def test_the_all_time_board_never_resets() -> None:
    start, end = period_bounds(Period.all, datetime(2030, 5, 5, tzinfo=UTC))
    assert end is None and start.year == 1970


def test_a_naive_now_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        period_bounds(Period.week, datetime(2030, 5, 5))


@given(st.lists(st.integers(0, 5), max_size=30).map(lambda v: sorted(v, reverse=True)))
def test_equal_values_share_a_rank_and_the_next_counts_everyone_above(values: list[int]) -> None:
    ranks = shared_ranks(values)
    for i, value in enumerate(values):
        assert ranks[i] == 1 + sum(1 for v in values if v > value)


def test_ties_share_the_medal() -> None:
    assert shared_ranks([50, 50, 20, 0, 0]) == [1, 1, 3, 4, 4]
