"""Plain rules: change detection, time windows, the QuestChanged payload."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from catalog_service.core.changes import Change, quest_changed_data
from catalog_service.core.writes import changed_fields, window_error
from catalog_service.quests.models import StreakMode, Trigger
from catalog_service.rewards.models import RewardItem

T0 = datetime(2030, 1, 1, tzinfo=UTC)


def test_identical_values_are_no_change() -> None:
    current = {"streak": 3, "trigger": "sign_in", "starts_at": T0, "title": "x"}
    incoming = {"streak": 3, "trigger": Trigger.sign_in, "starts_at": T0}
    assert changed_fields(current, incoming) == {}


def test_changed_values_are_returned_as_plain_values() -> None:
    current = {"streak": 3, "streak_mode": "count", "reward_item": "gold", "ends_at": T0}
    incoming = {
        "streak": 4,
        "streak_mode": StreakMode.daily,
        "reward_item": RewardItem.gold,
        "ends_at": None,
    }
    changes = changed_fields(current, incoming)
    assert changes == {"streak": 4, "streak_mode": "daily", "ends_at": None}
    assert type(changes["streak_mode"]) is str


def test_same_instant_in_another_zone_is_no_change() -> None:
    other_zone = T0.astimezone(__import__("datetime").timezone(timedelta(hours=5)))
    assert changed_fields({"starts_at": T0}, {"starts_at": other_zone}) == {}


def test_window_rules() -> None:
    assert window_error(None, None) is None
    assert window_error(T0, None) is None
    assert window_error(None, T0) is None
    assert window_error(T0, T0 + timedelta(seconds=1)) is None
    assert window_error(T0, T0) == "ends_at must be after starts_at"
    assert window_error(T0, T0 - timedelta(days=1)) == "ends_at must be after starts_at"


def test_quest_changed_payload() -> None:
    quest_id, reward_id = uuid.uuid4(), uuid.uuid4()
    assert quest_changed_data(quest_id=quest_id, reward_id=reward_id, change=Change.updated) == {
        "quest_id": str(quest_id),
        "reward_id": str(reward_id),
        "change": "updated",
    }
    assert quest_changed_data(quest_id=None, reward_id=reward_id, change=Change.deleted) == {
        "quest_id": None,
        "reward_id": str(reward_id),
        "change": "deleted",
    }


def test_time_rules_refuse_contradictions_on_the_field() -> None:
    from catalog_service.core.writes import time_rules_error

    assert time_rules_error(streak_mode="count", reset="none", grace_days=0) is None
    assert time_rules_error(streak_mode="count", reset="daily", grace_days=0) is None
    assert time_rules_error(streak_mode="daily", reset="weekly", grace_days=7) is None
    assert time_rules_error(streak_mode="daily", reset="none", grace_days=2) is None
    daily_daily = time_rules_error(streak_mode="daily", reset="daily", grace_days=0)
    assert daily_daily is not None and daily_daily[0] == "reset"
    assert "meaningless" in daily_daily[1]
    grace = time_rules_error(streak_mode="count", reset="none", grace_days=1)
    assert grace is not None and grace[0] == "grace_days"
    assert "streak_mode daily" in grace[1]
