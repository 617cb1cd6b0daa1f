"""Quests on any event (DESIGN §14) as pure rules: filters, sums with carry, prerequisites."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from processing_service.progress import payloads, rules
from processing_service.progress.rules import Filter, PlayerEvent, ProgressState, QuestRule
from quest_devtools.testing.quests import catalog_quest

T0 = datetime(2026, 4, 1, 9, tzinfo=UTC)


def rule(**fields: Any) -> QuestRule:
    return QuestRule.from_catalog(
        catalog_quest(
            name=fields.pop("name", f"q-{uuid.uuid4().hex[:6]}"),
            event_type="purchase",
            trigger="event",
            **fields,
        )
    )


def purchase(minutes: int = 0, **data: Any) -> PlayerEvent:
    return PlayerEvent(
        time=T0 + timedelta(minutes=minutes),
        type="purchase",
        data=data,
        event_id=f"e{minutes}-{uuid.uuid4().hex[:4]}",
    )


def fold(quest: QuestRule, events: list[PlayerEvent]) -> list[rules.StepResult]:
    return [step.result for step in rules.trace(quest, events)]


def test_a_catalog_quest_read_gives_the_rule_its_event_fields() -> None:
    quest = rule(
        where=[{"property": "map", "op": "eq", "value": "desert"}],
        measure="sum",
        measure_property="gold",
        requires=["first"],
    )
    assert quest.event_type == "purchase"
    assert quest.where == (Filter(property="map", op="eq", value="desert"),)
    assert (quest.measure, quest.measure_property, quest.requires) == ("sum", "gold", ("first",))
    # A quest read from before these fields existed is the sign-in quest of part one.
    plain = QuestRule.from_catalog(catalog_quest())
    assert (plain.event_type, plain.where, plain.measure, plain.requires) == (
        "sign_in",
        (),
        "count",
        (),
    )


def test_only_events_passing_every_filter_count_the_others_read_filtered_out() -> None:
    quest = rule(
        streak=2,
        where=[
            {"property": "map", "op": "in", "value": ["desert", "forest"]},
            {"property": "kills", "op": "gte", "value": 3},
        ],
    )
    steps = fold(
        quest,
        [
            purchase(0, map="desert", kills=5),
            purchase(1, map="city", kills=9),  # wrong map
            purchase(2, map="forest", kills=2),  # too few kills
            purchase(3, map="forest"),  # kills missing
            purchase(4, map="forest", kills="many"),  # not comparable
            purchase(5, map="forest", kills=3),
        ],
    )
    assert [s.verdict for s in steps] == [
        "counted",
        "filtered_out",
        "filtered_out",
        "filtered_out",
        "filtered_out",
        "counted",
    ]
    assert steps[-1].earned == 1 and steps[-1].state.completed == 1


@given(
    op=st.sampled_from(["eq", "ne", "gt", "gte", "lt", "lte"]),
    actual=st.integers(-5, 5),
    wanted=st.integers(-5, 5),
)
def test_a_filter_compares_like_its_operator(op: Any, actual: int, wanted: int) -> None:
    expected = {
        "eq": actual == wanted,
        "ne": actual != wanted,
        "gt": actual > wanted,
        "gte": actual >= wanted,
        "lt": actual < wanted,
        "lte": actual <= wanted,
    }[op]
    assert Filter("n", op, wanted).holds({"n": actual}) is expected
    assert Filter("n", op, wanted).holds({}) is False  # a missing property passes nothing


def test_a_sum_adds_values_and_carries_the_excess_into_the_next_completion() -> None:
    quest = rule(streak=500, duplication=3, measure="sum", measure_property="gold")
    steps = fold(quest, [purchase(0, gold=320), purchase(1, gold=250), purchase(2, gold=100)])
    assert [s.state.streak for s in steps] == [320, 70, 170]
    assert [s.earned for s in steps] == [0, 1, 0]
    assert steps[-1].state.completed == 1


def test_one_value_can_complete_a_sum_quest_more_than_once_but_never_past_duplication() -> None:
    quest = rule(streak=100, duplication=2, measure="sum", measure_property="gold", auto_claim=True)
    step = fold(quest, [purchase(0, gold=1000)])[0]
    assert (step.earned, step.state.completed, step.state.claimed, step.state.streak) == (
        2,
        2,
        2,
        0,
    )
    after = rules.apply_event(quest, step.state, purchase(1, gold=50))
    assert after.verdict == "done" and after.state == step.state


def test_a_sum_value_that_is_missing_zero_negative_or_not_a_number_adds_nothing() -> None:
    quest = rule(streak=10, measure="sum", measure_property="gold")
    steps = fold(
        quest,
        [purchase(0), purchase(1, gold=0), purchase(2, gold=-5), purchase(3, gold=True)],
    )
    assert {s.verdict for s in steps} == {"not_positive"}
    assert steps[-1].state == ProgressState()


@given(values=st.lists(st.integers(1, 400), max_size=30), target=st.integers(1, 300))
def test_a_sum_never_loses_or_invents_an_amount(values: list[int], target: int) -> None:
    """Until the quest is done, completions times target + the carried streak is the total added."""
    quest = rule(streak=target, duplication=10_000, measure="sum", measure_property="gold")
    state = rules.replay(quest, [purchase(i, gold=v) for i, v in enumerate(values)])
    assert state.completed * target + state.streak == sum(values)
    assert 0 <= state.streak < target


def test_a_quest_with_prerequisites_is_locked_until_each_is_completed_once() -> None:
    first = rule(name="first", streak=2)
    second = rule(name="second", streak=1, duplication=1, requires=["first"])
    events = [purchase(i) for i in range(4)]
    done = rules.first_completions([first, second], events)
    assert done == {"first": 1, "second": 1}
    steps = [s.result for s in rules.trace(second, events, completed_at=done)]
    # The event that completes the prerequisite already counts for the quest it unlocks.
    assert [s.verdict for s in steps] == ["locked", "counted", "done", "done"]


def test_prerequisites_are_folded_first_whatever_the_order_given() -> None:
    a = rule(name="a", requires=["b"])
    b = rule(name="b", requires=["c"])
    c = rule(name="c")
    assert [q.name for q in rules.prerequisite_order([a, b, c])] == ["c", "b", "a"]
    # A cycle (catalog refuses them) is cut rather than looped over.
    x, y = rule(name="x", requires=["y"]), rule(name="y", requires=["x"])
    assert sorted(q.name for q in rules.prerequisite_order([x, y])) == ["x", "y"]


def test_an_event_of_another_type_is_outside_the_quests_window() -> None:
    quest = rule()
    sign_in = PlayerEvent(time=T0)
    assert not rules.applies_to(quest, event_type=sign_in.type, at=T0)
    assert rules.apply_event(quest, ProgressState(), sign_in, check_window=True).verdict == (
        "outside_window"
    )
    # Auth's envelope types count as the built-in `sign_in` type.
    assert rules.quest_event_type("NewUserSignIn") == "sign_in"


def test_a_check_in_frame_carries_the_players_time_as_the_quest_list_would_say_it() -> None:
    daily = QuestRule.from_catalog(
        catalog_quest(streak_mode="daily", streak=5, grace_days=1, duplication=1)
    )
    now = datetime(2026, 4, 1, 21, 30, tzinfo=UTC)  # 23:30 in Paris, 1 April
    step = rules.apply_event(
        daily, ProgressState(), PlayerEvent(time=now, time_zone="Europe/Paris")
    )
    frame = payloads.check_in(daily, step.state, step.verdict, zone="Europe/Paris", now=now)
    assert frame["counted_today"] is True
    assert frame["time_zone"] == "Europe/Paris"
    assert frame["grace_left"] == 1
    # The next local day in Paris starts at 22:00 UTC.
    assert frame["next_count_at"] == "2026-04-01T22:00:00Z"
