"""The rules tying a quest to its event type and to other quests: filters, sums, prerequisites."""

from __future__ import annotations

import itertools
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from catalog_service.quests.rules import (
    event_problem,
    filter_problem,
    find_cycle,
    measure_problem,
    prerequisite_problem,
)

PROPS: dict[str, dict[str, Any]] = {
    "mode": {"type": "string", "required": True},
    "kills": {"type": "integer", "required": False},
    "gold": {"type": "number", "required": True},
    "ranked": {"type": "boolean", "required": False},
}


def where_problem(*conditions: tuple[str, str, Any]) -> tuple[str, str] | None:
    where = [{"property": p, "op": op, "value": v} for p, op, v in conditions]
    return filter_problem(where, PROPS, event_type="match_won")


def test_filters_that_fit_their_properties_pass() -> None:
    assert where_problem() is None
    assert where_problem(("mode", "eq", "duo"), ("mode", "in", ["solo", "duo"])) is None
    assert where_problem(("kills", "gte", 3), ("kills", "in", [1, 2]), ("kills", "ne", 0)) is None
    assert where_problem(("gold", "lt", 2.5), ("gold", "gt", 1)) is None  # an int is a number
    assert where_problem(("ranked", "eq", True), ("ranked", "ne", False)) is None


def test_a_filter_on_a_missing_property_names_it_and_its_index() -> None:
    problem = where_problem(("mode", "eq", "duo"), ("deaths", "lt", 3))
    assert problem == ("where", "where[1]: event type 'match_won' has no property 'deaths'")


def test_values_that_do_not_fit_are_refused() -> None:
    for condition in [
        ("mode", "eq", 3),
        ("kills", "eq", 2.5),  # not an integer
        ("kills", "eq", True),  # a boolean is not a number
        ("gold", "gte", "10"),
        ("ranked", "eq", 1),
        ("mode", "in", ["solo", 2]),
    ]:
        problem = where_problem(condition)
        assert problem is not None and "does not fit" in problem[1], condition


def test_ordering_needs_a_number_and_in_needs_a_list() -> None:
    for op in ("gt", "gte", "lt", "lte"):
        problem = where_problem(("mode", op, "a"))
        assert problem is not None and "numeric" in problem[1], op
    assert where_problem(("ranked", "gt", True)) is not None
    empty = where_problem(("mode", "in", []))
    assert empty is not None and "non-empty list" in empty[1]
    single = where_problem(("mode", "in", "solo"))
    assert single is not None and "non-empty list" in single[1]
    listed = where_problem(("mode", "eq", ["solo"]))
    assert listed is not None and "one value" in listed[1]


def measure(**fields: Any) -> tuple[str, str] | None:
    values = {"measure": "count", "measure_property": None, "streak_mode": "count", **fields}
    return measure_problem(properties=PROPS, event_type="match_won", **values)


def test_count_reads_no_property_and_sum_adds_a_numeric_one() -> None:
    assert measure() is None
    assert measure(streak_mode="daily") is None
    assert measure(measure="sum", measure_property="gold") is None
    assert measure(measure="sum", measure_property="kills") is None
    assert measure(measure_property="gold") == (
        "measure_property",
        "measure_property is for measure sum only",
    )
    missing = measure(measure="sum")
    assert missing is not None and missing[0] == "measure_property"
    unknown = measure(measure="sum", measure_property="deaths")
    assert unknown is not None and "no property 'deaths'" in unknown[1]
    text = measure(measure="sum", measure_property="mode")
    assert text is not None and "integer or number" in text[1]


def test_sum_with_a_daily_streak_is_refused() -> None:
    problem = measure(measure="sum", measure_property="gold", streak_mode="daily")
    assert problem is not None and problem[0] == "measure"


def test_event_problem_checks_filters_then_measure() -> None:
    values = {
        "event_type": "match_won",
        "where": [{"property": "mode", "op": "eq", "value": "duo"}],
        "measure": "sum",
        "measure_property": "gold",
        "streak_mode": "count",
    }
    assert event_problem(values, PROPS) is None
    assert event_problem({**values, "measure_property": "mode"}, PROPS) is not None
    bad_filter = {**values, "where": [{"property": "x", "op": "eq", "value": 1}]}
    assert event_problem(bad_filter, PROPS) == (
        "where",
        "where[0]: event type 'match_won' has no property 'x'",
    )


def test_prerequisites_known_and_acyclic() -> None:
    others = {"first-win": [], "ten-wins": ["first-win"]}
    assert prerequisite_problem(name="champion", requires=["ten-wins"], others=others) is None
    unknown = prerequisite_problem(name="champion", requires=["nope"], others=others)
    assert unknown == ("requires", "unknown quest(s): nope")
    itself = prerequisite_problem(name="champion", requires=["champion"], others=others)
    assert itself is not None and "circle" in itself[1]
    twice = prerequisite_problem(name="champion", requires=["ten-wins", "ten-wins"], others=others)
    assert twice == ("requires", "a quest is listed twice")
    # first-win → champion → ten-wins → first-win
    loop = prerequisite_problem(
        name="first-win",
        requires=["champion"],
        others={
            "ten-wins": ["first-win"],
            "champion": ["ten-wins"],
        },
    )
    assert loop is not None and loop[1].endswith("first-win → champion → ten-wins → first-win")


def test_a_rename_may_not_strand_a_requirement() -> None:
    others = {"ten-wins": ["first-win"]}
    renamed = prerequisite_problem(
        name="first-victory", requires=[], others=others, old_name="first-win"
    )
    assert renamed is not None and renamed[0] == "name" and "ten-wins" in renamed[1]
    kept = prerequisite_problem(name="first-win", requires=[], others=others, old_name="first-win")
    assert kept is None


NAMES = st.sampled_from([f"q{i}" for i in range(8)])
GRAPHS = st.dictionaries(NAMES, st.lists(NAMES, max_size=4, unique=True), max_size=8)


def acyclic(graph: dict[str, list[str]]) -> bool:
    """Kahn's algorithm, independent of `find_cycle`: a graph is acyclic when every node can be
    removed once the nodes it requires are gone."""
    remaining = {name: {r for r in needs if r in graph} for name, needs in graph.items()}
    while remaining:
        free = [name for name, needs in remaining.items() if not needs]
        if not free:
            return False
        for name in free:
            del remaining[name]
        for needs in remaining.values():
            needs.difference_update(free)
    return True


@given(GRAPHS)
def test_find_cycle_agrees_with_a_topological_sort(graph: dict[str, list[str]]) -> None:
    cycle = find_cycle(graph)
    assert (cycle is None) == acyclic(graph)
    if cycle is not None:
        # A real path: it returns to its start and every step is a requirement in the graph.
        assert cycle[0] == cycle[-1] and len(cycle) >= 2
        assert all(b in graph[a] for a, b in itertools.pairwise(cycle))


@given(GRAPHS, NAMES, st.lists(NAMES, max_size=4, unique=True))
def test_a_write_that_passes_leaves_the_graph_known_and_acyclic(
    graph: dict[str, list[str]], name: str, requires: list[str]
) -> None:
    # Only a graph every earlier write left valid: acyclic, every requirement known.
    others = {q: [r for r in needs if r in graph and r != name] for q, needs in graph.items()}
    others.pop(name, None)
    if not acyclic(others):
        return
    problem = prerequisite_problem(name=name, requires=requires, others=others)
    after = {**others, name: requires}
    known = all(r in after for needs in after.values() for r in needs)
    assert (problem is None) == (known and acyclic(after))
