"""Plain rules shared by the write paths (no I/O, unit-tested directly)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from enum import Enum
from typing import Any


def plain(value: Any) -> Any:
    """Enums are stored as their string value."""
    return value.value if isinstance(value, Enum) else value


def changed_fields(current: Mapping[str, Any], incoming: Mapping[str, Any]) -> dict[str, Any]:
    """The subset of `incoming` that differs from `current`: an identical PUT or PATCH writes
    nothing, bumps no version and publishes no event (so seeding twice is a no-op)."""
    return {
        field: plain(value)
        for field, value in incoming.items()
        if plain(current.get(field)) != plain(value)
    }


def window_error(starts_at: datetime | None, ends_at: datetime | None) -> str | None:
    """Why a quest's time window is invalid, or None."""
    if starts_at is not None and ends_at is not None and ends_at <= starts_at:
        return "ends_at must be after starts_at"
    return None


def time_rules_error(*, streak_mode: str, reset: str, grace_days: int) -> tuple[str, str] | None:
    """Why a quest's player-time settings contradict each other: (field, message), or None.

    Checked on the merged result of every write (POST, PUT, PATCH against the stored row)."""
    if streak_mode == "daily" and reset == "daily":
        return (
            "reset",
            "reset daily with streak_mode daily is meaningless: the streak would start again "
            "every day before it could grow",
        )
    if grace_days > 0 and streak_mode != "daily":
        return "grace_days", "grace_days needs streak_mode daily (only daily streaks miss days)"
    return None


def badge_quest_error(*, reward_item: str, duplication: int, reset: str) -> tuple[str, str] | None:
    """Why a quest cannot pay a badge: (field, message), or None. A badge is held once, so a
    quest that pays one can be completed only once: no duplication, no reset."""
    if reward_item != "badge":
        return None
    if duplication > 1:
        return "duplication", "a badge quest is completed once: duplication must be 1"
    if reset != "none":
        return "reset", "a badge quest is completed once: it cannot reset"
    return None


def badge_reward_error(*, reward_item: str, reward_qty: int) -> str | None:
    """A badge is given once: its reward's quantity is 1."""
    if reward_item == "badge" and reward_qty != 1:
        return "a badge reward gives one badge: reward_qty must be 1"
    return None
