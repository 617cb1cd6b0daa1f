"""`from_row`: an object from a row's same-named columns."""

import dataclasses

import sqlalchemy as sa
from pydantic import BaseModel
from sqlmodel import Field, SQLModel

from quest_common.db import from_row


@dataclasses.dataclass
class Point:
    x: int
    y: int
    label: str = "none"


class Pair(BaseModel):
    a: str
    b: int = 0


class Thing(SQLModel, table=True):
    __tablename__ = "from_row_things"
    id: int = Field(primary_key=True)
    name: str
    size: int = 7


def _row(**columns: object) -> sa.Row:
    engine = sa.create_engine("sqlite://")
    with engine.connect() as connection:
        select = sa.select(*(sa.literal(value).label(name) for name, value in columns.items()))
        row = connection.execute(select).one()
    return row


def test_dataclass_takes_the_columns_named_like_its_fields_and_ignores_the_rest() -> None:
    assert from_row(Point, _row(x=1, y=2, extra="ignored")) == Point(x=1, y=2)


def test_overrides_win_over_the_row() -> None:
    assert from_row(Point, _row(x=1, y=2, label="row"), label="mine") == Point(1, 2, "mine")


def test_pydantic_model_keeps_defaults_for_missing_columns() -> None:
    assert from_row(Pair, _row(a="x")) == Pair(a="x", b=0)


def test_sqlmodel_table_model() -> None:
    thing = from_row(Thing, _row(id=3, name="lamp", other=1))
    assert (thing.id, thing.name, thing.size) == (3, "lamp", 7)


def test_plain_object_is_read_through_its_attributes() -> None:
    source = Point(x=5, y=6, label="p")
    assert from_row(Point, source) == source
