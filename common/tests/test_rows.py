from dataclasses import dataclass
from types import SimpleNamespace

import pytest
import sqlalchemy as sa
from pydantic import BaseModel
from sqlmodel import SQLModel

from quest_common.rows import from_row


@dataclass(frozen=True)
class Point:
    x: int
    y: int = 0
    label: str = "origin"


class PointModel(BaseModel):
    x: int
    y: int = 0


class PointTable(SQLModel):
    x: int
    y: int = 0


def test_a_dataclass_takes_the_fields_the_row_has_and_keeps_defaults_for_the_rest() -> None:
    row = SimpleNamespace(x=3, y=4, other="ignored")
    assert from_row(Point, row) == Point(x=3, y=4, label="origin")


def test_overrides_fill_missing_fields_and_replace_row_values() -> None:
    row = SimpleNamespace(x=3, y=4)
    assert from_row(Point, row, label="p") == Point(x=3, y=4, label="p")
    assert from_row(Point, row, y=9) == Point(x=3, y=9)


@pytest.mark.parametrize("cls", [PointModel, PointTable])
def test_pydantic_and_sqlmodel_models(cls: type[PointModel] | type[PointTable]) -> None:
    made = from_row(cls, SimpleNamespace(x=1, z=2))
    assert isinstance(made, cls)
    assert (made.x, made.y) == (1, 0)


def test_properties_of_the_row_count_as_attributes() -> None:
    class Row:
        y = 2

        @property
        def x(self) -> int:
            return 5

    assert from_row(Point, Row()) == Point(x=5, y=2)


def test_other_classes_are_refused() -> None:
    class Plain:
        def __init__(self, x: int) -> None:
            self.x = x

    with pytest.raises(TypeError):
        from_row(Plain, SimpleNamespace(x=1))


def test_a_sqlalchemy_row_is_read_by_column_name() -> None:
    """What the services pass: a Row from a query selecting some columns, and some others."""
    engine = sa.create_engine("sqlite://")
    with engine.connect() as connection:
        row = connection.execute(
            sa.select(sa.literal(1).label("x"), sa.literal("{}").label("throttles"))
        ).one()
    assert from_row(Point, row) == Point(x=1)
    assert from_row(PointTable, row, y=3) == PointTable(x=1, y=3)
