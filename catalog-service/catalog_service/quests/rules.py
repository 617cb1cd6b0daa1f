"""The rules that tie a quest to its event type and to other quests: filters that fit the
type's properties, what a sum adds up, and prerequisites without unknown names or cycles.

Plain functions on plain values (a quest's fields as stored, an event type's properties as
stored), so they are checked the same way on a POST, a PUT and a PATCH merged with its row, and
unit-tested without a database. Each returns `(field, message)` for the first problem, or None.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final

Problem = tuple[str, str]
# Property name → {"type": "string" | "integer" | "number" | "boolean", "required": bool}
Properties = Mapping[str, Mapping[str, Any]]
# Quest name → the names of the quests it requires.
Graph = Mapping[str, Sequence[str]]

ORDERING_OPS: Final = frozenset({"gt", "gte", "lt", "lte"})
NUMERIC: Final = frozenset({"integer", "number"})


def _fits(value: Any, property_type: str) -> bool:
    # bool is an int in Python: `true` is never a number here, nor `1` a boolean.
    if property_type == "string":
        return isinstance(value, str)
    if property_type == "boolean":
        return isinstance(value, bool)
    if isinstance(value, bool):
        return False
    if property_type == "integer":
        return isinstance(value, int)
    return isinstance(value, int | float)


def filter_problem(
    where: Sequence[Mapping[str, Any]], properties: Properties, *, event_type: str
) -> Problem | None:
    """Why a quest's `where` filters do not fit its event type's properties, or None."""
    for index, condition in enumerate(where):
        name, op, value = condition["property"], condition["op"], condition["value"]
        spec = properties.get(name)
        here = f"where[{index}]"
        if spec is None:
            return "where", f"{here}: event type {event_type!r} has no property {name!r}"
        property_type = str(spec["type"])
        if op in ORDERING_OPS and property_type not in NUMERIC:
            return "where", f"{here}: {op} needs a numeric property; {name!r} is {property_type}"
        values = value if op == "in" else [value]
        if op == "in" and (not isinstance(value, list) or not value):
            return "where", f"{here}: in needs a non-empty list of values"
        if op != "in" and isinstance(value, list):
            return "where", f"{here}: {op} compares with one value, not a list"
        if not all(_fits(v, property_type) for v in values):
            return "where", f"{here}: {name!r} is {property_type}; the value does not fit"
    return None


def measure_problem(
    *,
    measure: str,
    measure_property: str | None,
    streak_mode: str,
    properties: Properties,
    event_type: str,
) -> Problem | None:
    """Why a quest's measure does not fit: a sum adds a numeric property of its type up and
    cannot be daily (a day counts once, whatever it adds); a count adds 1 and reads nothing."""
    if measure == "count":
        if measure_property is not None:
            return "measure_property", "measure_property is for measure sum only"
        return None
    if streak_mode == "daily":
        return (
            "measure",
            "measure sum with streak_mode daily is meaningless: a daily streak counts a day "
            "once, whatever it adds up to",
        )
    if measure_property is None:
        return "measure_property", "measure sum needs a measure_property (a numeric property)"
    spec = properties.get(measure_property)
    if spec is None:
        return (
            "measure_property",
            f"event type {event_type!r} has no property {measure_property!r}",
        )
    if str(spec["type"]) not in NUMERIC:
        return (
            "measure_property",
            f"{measure_property!r} is {spec['type']}: a sum needs an integer or number property",
        )
    return None


def event_problem(values: Mapping[str, Any], properties: Properties) -> Problem | None:
    """Filters and measure of a quest's complete values against its event type's properties."""
    event_type = str(values["event_type"])
    return filter_problem(values["where"], properties, event_type=event_type) or measure_problem(
        measure=str(values["measure"]),
        measure_property=values["measure_property"],
        streak_mode=str(values["streak_mode"]),
        properties=properties,
        event_type=event_type,
    )


def find_cycle(graph: Graph) -> list[str] | None:
    """A cycle of requirements as a path that returns to its start (`[a, b, a]`), or None.
    Names the graph does not hold are leaves: unknown names are another rule's concern."""
    state: dict[str, int] = {}  # 1: on the current path, 2: finished, no cycle through it
    for start in graph:
        if start in state:
            continue
        path: list[str] = [start]
        stack: list[tuple[str, int]] = [(start, 0)]
        state[start] = 1
        while stack:
            node, next_child = stack[-1]
            children = graph.get(node, ())
            if next_child == len(children):
                stack.pop()
                path.pop()
                state[node] = 2
                continue
            stack[-1] = (node, next_child + 1)
            child = children[next_child]
            if state.get(child) == 1:
                return [*path[path.index(child) :], child]
            if child not in state and child in graph:
                state[child] = 1
                path.append(child)
                stack.append((child, 0))
    return None


def prerequisite_problem(
    *, name: str, requires: Sequence[str], others: Graph, old_name: str | None = None
) -> Problem | None:
    """Why a quest named `name` (formerly `old_name`) cannot require `requires`, given every
    other quest's requirements (`others`, without this quest), or None.

    The graph holds no cycle before the write (every write was checked), so a new cycle goes
    through this quest; a rename must not strand another quest's requirement."""
    if old_name is not None and old_name != name:
        dependents = sorted(q for q, needs in others.items() if old_name in needs)
        if dependents:
            return (
                "name",
                f"quest(s) {', '.join(dependents)} require {old_name!r}: change them before "
                "renaming it",
            )
    if len(set(requires)) != len(requires):
        return "requires", "a quest is listed twice"
    unknown = [r for r in requires if r not in others and r != name]
    if unknown:
        return "requires", f"unknown quest(s): {', '.join(unknown)}"
    # Searched from this quest first, so the cycle reads from it.
    cycle = find_cycle({name: list(requires), **{q: n for q, n in others.items() if q != name}})
    if cycle is not None:
        return "requires", f"prerequisites would go round in a circle: {' → '.join(cycle)}"
    return None
