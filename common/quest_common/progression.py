"""Progression rules shared by catalog (which owns the level curve) and auth (which holds XP and
the boards): levels from XP, the boards' periods and ranks. Pure functions, no I/O.

A level curve is a list of XP thresholds: level n starts at `thresholds[n - 1]` XP, so the first
threshold is 0 (everyone is at least level 1) and each one is higher than the one before.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

# Seeded by catalog and used by auth until it has read catalog's curve once.
DEFAULT_LEVEL_THRESHOLDS: tuple[int, ...] = (
    0,
    100,
    250,
    500,
    1_000,
    2_000,
    3_500,
    5_500,
    8_000,
    12_000,
)
MAX_LEVELS = 1_000
MAX_THRESHOLD = 1_000_000_000_000


def thresholds_error(thresholds: Sequence[int]) -> str | None:
    """Why a curve cannot be used, or None when it can."""
    if not thresholds:
        return "at least one threshold is needed (level 1 starts at 0)"
    if len(thresholds) > MAX_LEVELS:
        return f"at most {MAX_LEVELS} levels"
    if thresholds[0] != 0:
        return "the first threshold must be 0: every player starts at level 1"
    for i in range(1, len(thresholds)):
        if thresholds[i] <= thresholds[i - 1]:
            return (
                f"thresholds must be strictly increasing: thresholds[{i}] = {thresholds[i]}"
                f" is not above {thresholds[i - 1]}"
            )
    if thresholds[-1] > MAX_THRESHOLD:
        return f"thresholds must be at most {MAX_THRESHOLD}"
    return None


@dataclass(frozen=True, slots=True)
class LevelInfo:
    level: int
    level_starts_at_xp: int
    next_level_at_xp: int | None  # None at the last level of the curve


def level_for_xp(thresholds: Sequence[int], xp: int) -> LevelInfo:
    """The level a player with `xp` XP is at: the highest n with thresholds[n - 1] <= xp."""
    # Binary search: a curve may have up to MAX_LEVELS entries and this runs on every /users/me.
    lo, hi = 0, len(thresholds)  # invariant: thresholds[lo] <= xp (thresholds[0] == 0 <= xp)
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if thresholds[mid] <= xp:
            lo = mid
        else:
            hi = mid
    nxt = thresholds[lo + 1] if lo + 1 < len(thresholds) else None
    return LevelInfo(level=lo + 1, level_starts_at_xp=thresholds[lo], next_level_at_xp=nxt)


def levels_reached(*, announced: int, level: int) -> list[int]:
    """The levels to announce when a player at `level` was last announced at `announced`: every
    one in between, in order, so a reward that crosses two levels loses neither."""
    return list(range(announced + 1, level + 1))


# --- leaderboards --------------------------------------------------------------------------


class Period(StrEnum):
    all = "all"
    week = "week"  # the current UTC ISO week: Monday 00:00 UTC to the next Monday
    month = "month"  # the current UTC calendar month

    # A board shared by every player cannot follow each player's zone: periods are UTC.


# Where the all-time board's rows are filed (one period that never ends).
ALL_TIME_START = datetime(1970, 1, 1, tzinfo=UTC)


def period_bounds(period: Period, now: datetime) -> tuple[datetime, datetime | None]:
    """[start, end) of the period containing `now`, in UTC; end is None for all time."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    now = now.astimezone(UTC)
    if period is Period.all:
        return ALL_TIME_START, None
    day = now.replace(hour=0, minute=0, second=0, microsecond=0)
    if period is Period.week:
        start = day - timedelta(days=day.weekday())
        return start, start + timedelta(days=7)
    start = day.replace(day=1)
    end = (
        start.replace(year=start.year + 1, month=1)
        if start.month == 12
        else start.replace(month=start.month + 1)
    )
    return start, end


def shared_ranks(values: Sequence[int]) -> list[int]:
    """Competition ranks ("1224") of values listed best first: equal values share a rank, so
    they share a medal; the next different value's rank counts everyone above it."""
    ranks: list[int] = []
    for i, value in enumerate(values):
        if i and value == values[i - 1]:
            ranks.append(ranks[-1])
        else:
            ranks.append(i + 1)
    return ranks
