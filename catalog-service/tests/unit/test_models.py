"""Input validation of the request models (the 422s), without HTTP or a database."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from pydantic import ValidationError

from catalog_service.quests.models import QuestCreate, QuestUpdate, QuestUpsert
from catalog_service.quests.service import list_triggers
from catalog_service.rewards.models import RewardCreate, RewardUpdate

REWARD_ID = uuid.uuid4()


def quest(**fields: Any) -> dict[str, Any]:
    return {
        "name": "sign-in-twice",
        "title": "Sign in twice",
        "streak": 2,
        "reward_id": str(REWARD_ID),
        **fields,
    }


def errors(model: Any, data: dict[str, Any]) -> list[tuple[str, str]]:
    with pytest.raises(ValidationError) as info:
        model.model_validate(data)
    return [(".".join(map(str, e["loc"])), e["msg"]) for e in info.value.errors()]


def test_defaults_match_the_reference_quest_shape() -> None:
    created = QuestCreate.model_validate(quest())
    assert (created.trigger, created.streak_mode, created.duplication) == ("sign_in", "count", 1)
    assert created.auto_claim is False
    assert created.is_active is True
    assert created.description == ""


@pytest.mark.parametrize("name", ["a", "sign-in-3", "x1-y2-z3", "a" * 64])
def test_slug_names_are_accepted(name: str) -> None:
    assert QuestCreate.model_validate(quest(name=name)).name == name
    assert (
        RewardCreate.model_validate(
            {"reward_name": name, "reward_item": "gold", "reward_qty": 1}
        ).reward_name
        == name
    )


@pytest.mark.parametrize("name", ["", "A", "a_b", "a--b", "-a", "a-", "a b", "é", "a" * 65])
def test_non_slug_names_are_refused(name: str) -> None:
    assert errors(QuestCreate, quest(name=name))[0][0] == "name"
    assert errors(RewardUpdate, {"reward_name": name})[0][0] == "reward_name"


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"streak": 0}, "streak"),
        ({"duplication": 0}, "duplication"),
        ({"trigger": "level_up"}, "trigger"),
        ({"streak_mode": "hourly"}, "streak_mode"),
        ({"reward_id": "nope"}, "reward_id"),
        ({"title": "a\x00b"}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"description": "\x00"}, "description"),
    ],
)
def test_field_rules(fields: dict[str, Any], field: str) -> None:
    assert [loc for loc, _ in errors(QuestCreate, quest(**fields))] == [field]


def test_naive_datetimes_are_refused_and_aware_ones_stored_in_utc() -> None:
    assert errors(QuestCreate, quest(starts_at="2030-01-01T00:00:00")) == [
        ("starts_at", "Value error, must be a timezone-aware datetime (e.g. 2030-01-01T00:00:00Z)"),
    ]
    assert errors(QuestUpdate, {"ends_at": datetime(2030, 1, 1)})[0][0] == "ends_at"
    created = QuestCreate.model_validate(quest(starts_at="2030-01-01T02:00:00+02:00"))
    assert created.starts_at == datetime(2030, 1, 1, tzinfo=UTC)
    assert created.starts_at is not None and created.starts_at.utcoffset() is not None


def test_far_dates_are_refused() -> None:
    assert errors(QuestCreate, quest(ends_at="0001-01-01T00:00:00+05:00"))[0][0] == "ends_at"
    assert errors(QuestCreate, quest(ends_at="9999-12-31T23:59:59Z"))[0][0] == "ends_at"


def test_ends_at_must_follow_starts_at() -> None:
    window = {"starts_at": "2030-01-02T00:00:00Z", "ends_at": "2030-01-01T00:00:00Z"}
    assert (
        errors(QuestCreate, quest(**window))[0][1] == "Value error, ends_at must be after starts_at"
    )
    assert errors(QuestUpsert, {k: v for k, v in quest(**window).items() if k != "name"})
    assert errors(QuestUpdate, window)


def test_update_keeps_unset_fields_and_refuses_nulls_for_required_ones() -> None:
    update = QuestUpdate.model_validate({"streak": 5, "ends_at": None})
    assert update.model_dump(exclude_unset=True) == {"streak": 5, "ends_at": None}
    for field in ("name", "title", "streak", "duplication", "trigger", "reward_id", "is_active"):
        assert errors(QuestUpdate, {field: None})[0][0] == field
    assert errors(RewardUpdate, {"reward_qty": None})[0][0] == "reward_qty"


def test_reward_rules() -> None:
    base = {"reward_name": "ten-diamonds", "reward_item": "diamond", "reward_qty": 10}
    assert RewardCreate.model_validate(base).reward_qty == 10
    assert errors(RewardCreate, {**base, "reward_qty": 0})[0][0] == "reward_qty"
    assert errors(RewardCreate, {**base, "reward_item": "silver"})[0][0] == "reward_item"


def test_triggers_list_sign_in_and_event() -> None:
    triggers = list_triggers()
    assert triggers.count == 2
    assert [t.trigger for t in triggers.data] == ["sign_in", "event"]
    assert all(t.description for t in triggers.data)


def test_time_rule_fields_default_to_todays_behaviour() -> None:
    created = QuestCreate.model_validate(quest())
    assert (created.reset, created.grace_days, created.cooldown_s) == ("none", 0, 0)
    assert created.claim_within_s is None


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("reset", "monthly"),
        ("grace_days", -1),
        ("grace_days", 8),
        ("cooldown_s", -1),
        ("cooldown_s", 86_401),
        ("claim_within_s", 0),
        ("claim_within_s", 2**31),
    ],
)
def test_time_rule_field_bounds(field: str, value: object) -> None:
    for model in (QuestCreate, QuestUpsert):
        assert [loc for loc, _ in errors(model, quest(**{field: value}))] == [field]
    assert [loc for loc, _ in errors(QuestUpdate, {field: value})] == [field]


def test_time_rule_bounds_are_inclusive() -> None:
    edge = QuestCreate.model_validate(
        quest(grace_days=7, cooldown_s=86_400, claim_within_s=1, streak_mode="daily")
    )
    assert (edge.grace_days, edge.cooldown_s, edge.claim_within_s) == (7, 86_400, 1)
    # PATCH: null turns expiry off; the other time fields refuse null.
    assert QuestUpdate.model_validate({"claim_within_s": None}).model_fields_set == {
        "claim_within_s"
    }
    assert [loc for loc, _ in errors(QuestUpdate, {"cooldown_s": None})] == ["cooldown_s"]
