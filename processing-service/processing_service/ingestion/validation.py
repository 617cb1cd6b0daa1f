"""Whether a request's events may be accepted: pure rules, no I/O (DESIGN §14).

A request is checked whole: every problem of every event is listed (by the event's index), and
one problem anywhere refuses the whole request. What is refused:
- a type catalog does not know, an inactive one, or a built-in one (`sign_in`: auth alone emits
  it);
- `data` missing a required property, a property of the wrong JSON type (an integer is a valid
  `number`; a boolean is not an `integer` nor a `number`; `null` fits no type), or a property
  the type does not declare — refused rather than dropped, so a typo in a property name is
  found at once instead of silently never counting;
- a player the platform does not know, or one who was deleted;
- a time more than 5 minutes ahead of now, or more than 30 days old.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Final, Protocol

MAX_AHEAD: Final = timedelta(minutes=5)
MAX_AGE: Final = timedelta(days=30)
PROPERTY_TYPES: Final = frozenset({"string", "integer", "number", "boolean"})


@dataclass(frozen=True, slots=True)
class Problem:
    """One reason to refuse a request: which event (None: the request as a whole), where in it,
    what is wrong, and a stable code."""

    index: int | None
    loc: tuple[str | int, ...]
    msg: str
    type: str


@dataclass(frozen=True, slots=True)
class PropertySpec:
    type: str
    required: bool = False


@dataclass(frozen=True, slots=True)
class EventTypeSpec:
    """What ingestion needs of a catalog event type."""

    name: str
    is_active: bool = True
    built_in: bool = False
    properties: Mapping[str, PropertySpec] = field(default_factory=dict)

    @classmethod
    def from_catalog(cls, read: Mapping[str, Any]) -> EventTypeSpec:
        """From catalog's read of an event type (`GET /api/catalog/event-types`)."""
        properties = {
            str(name): PropertySpec(type=str(spec["type"]), required=bool(spec.get("required")))
            for name, spec in dict(read.get("properties") or {}).items()
        }
        return cls(
            name=str(read["name"]),
            is_active=bool(read.get("is_active", True)),
            built_in=bool(read.get("built_in", False)),
            properties=properties,
        )


class EventLike(Protocol):
    """The fields of an event the rules look at (`IngestEvent` has them)."""

    @property
    def type(self) -> str: ...
    @property
    def user_id(self) -> Any: ...
    @property
    def time(self) -> datetime: ...
    @property
    def data(self) -> dict[str, Any]: ...


def json_type(value: object) -> str:
    """The JSON type name of a decoded value, as a message names it."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def fits(kind: str, value: object) -> bool:
    """Whether a decoded JSON value is of a property type."""
    if isinstance(value, bool):  # a bool is an int to Python, never to the contract
        return kind == "boolean"
    if kind == "string":
        return isinstance(value, str)
    if kind == "integer":
        return isinstance(value, int)
    if kind == "number":
        return isinstance(value, int) or (isinstance(value, float) and math.isfinite(value))
    return False


def check_data(data: Mapping[str, Any], spec: EventTypeSpec) -> list[tuple[str, str, str]]:
    """(property, message, code) for each way `data` does not match the type's properties."""
    found: list[tuple[str, str, str]] = []
    for name, prop in spec.properties.items():
        if name not in data:
            if prop.required:
                found.append(
                    (name, f"required property of {spec.name} missing", "missing_property")
                )
            continue
        value = data[name]
        if not fits(prop.type, value):
            found.append(
                (name, f"must be of type {prop.type}, not {json_type(value)}", "wrong_type")
            )
    for name in data:
        if name not in spec.properties:
            found.append(
                (
                    name,
                    f"{spec.name} declares no such property (unknown ones are refused)",
                    "unknown_property",
                )
            )
    return found


def check_time(at: datetime, now: datetime) -> tuple[str, str] | None:
    """(message, code) when the time is out of bounds: more than 5 minutes ahead of now, or
    more than 30 days old. Both bounds are included."""
    if at - now > MAX_AHEAD:
        return "more than 5 minutes ahead of now", "time_ahead"
    if now - at > MAX_AGE:
        return "more than 30 days old", "time_too_old"
    return None


def check_events(
    events: Sequence[EventLike],
    *,
    types: Mapping[str, EventTypeSpec],
    known_players: Iterable[str],
    deleted_players: Iterable[str],
    now: datetime,
) -> list[Problem]:
    """Every problem of every event, in order (empty: the request may be accepted). Players are
    compared as canonical UUID text."""
    known, deleted = set(known_players), set(deleted_players)
    problems: list[Problem] = []
    for index, event in enumerate(events):
        spec = types.get(event.type)
        if spec is None:
            problems.append(
                Problem(index, ("type",), f"unknown event type {event.type!r}", "unknown_type")
            )
        elif spec.built_in:
            problems.append(
                Problem(
                    index,
                    ("type",),
                    f"{spec.name} is emitted by the platform alone",
                    "built_in_type",
                )
            )
        elif not spec.is_active:
            problems.append(
                Problem(index, ("type",), f"event type {spec.name} is inactive", "inactive_type")
            )
        else:
            for name, msg, code in check_data(event.data, spec):
                problems.append(Problem(index, ("data", name), msg, code))
        user = str(event.user_id)
        if user in deleted:
            problems.append(
                Problem(index, ("user_id",), "this player was deleted", "deleted_player")
            )
        elif user not in known:
            problems.append(Problem(index, ("user_id",), "unknown player", "unknown_player"))
        out_of_bounds = check_time(event.time, now)
        if out_of_bounds is not None:
            msg, code = out_of_bounds
            problems.append(Problem(index, ("time",), msg, code))
    return problems
