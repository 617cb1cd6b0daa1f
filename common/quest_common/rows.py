"""Building a model from a row (or any object) whose attributes carry the model's field names."""

from __future__ import annotations

import dataclasses
from typing import Any, TypeVar

T = TypeVar("T")
_MISSING = object()


# Each class's field names, looked up once: a batch builds thousands of states from rows.
_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def _field_names(cls: type) -> tuple[str, ...]:
    names = _FIELD_NAMES.get(cls)
    if names is None:
        if dataclasses.is_dataclass(cls):
            names = tuple(f.name for f in dataclasses.fields(cls))
        else:
            fields: dict[str, Any] | None = getattr(cls, "model_fields", None)  # pydantic, SQLModel
            if fields is None:
                raise TypeError(f"{cls.__name__} is neither a dataclass nor a pydantic model")
            names = tuple(fields)
        _FIELD_NAMES[cls] = names
    return names


def from_row(cls: type[T], row: object, **overrides: Any) -> T:
    """`cls` built from the same-named attributes of `row`, one for each field of `cls` the row
    has; `overrides` give the other fields, or replace a row's value. Fields neither gives keep
    their defaults."""
    values: dict[str, Any] = {}
    for name in _field_names(cls):
        value = getattr(row, name, _MISSING)  # one look-up: hasattr() would be a second
        if value is not _MISSING:
            values[name] = value
    values.update(overrides)
    return cls(**values)
