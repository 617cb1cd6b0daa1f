"""Quests: what a player has to do (a trigger, a streak) and what it pays (a reward)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any, Self

from pydantic import StringConstraints, field_validator, model_validator
from sqlalchemy import DateTime, String
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from catalog_service.core.models import (
    SLUG_MAX,
    SLUG_PATTERN,
    CatalogRow,
    check_text,
    slug_column,
    slug_field,
    unique_slug_field,
)
from catalog_service.core.writes import window_error
from catalog_service.event_types.models import (
    EVENT_TYPE_NAME_MAX,
    EVENT_TYPE_NAME_PATTERN,
    PROPERTY_NAME_MAX,
    PROPERTY_NAME_PATTERN,
    SIGN_IN,
    PropertyName,
)
from catalog_service.rewards.models import RewardEmbedded


class Trigger(StrEnum):
    """What a quest counts, in short: `trigger` follows `event_type` (`sign_in` for the
    built-in type, `event` for every other); `GET /triggers` lists them with a description."""

    sign_in = "sign_in"
    event = "event"


TRIGGER_DESCRIPTIONS: dict[Trigger, str] = {
    Trigger.sign_in: "A successful sign-in (UserSignIn or NewUserSignIn event).",
    Trigger.event: "An event of the quest's `event_type`, sent by a game server.",
}


def trigger_of(event_type: str) -> Trigger:
    return Trigger.sign_in if event_type == SIGN_IN else Trigger.event


class FilterOp(StrEnum):
    eq = "eq"
    ne = "ne"
    in_ = "in"
    gt = "gt"
    gte = "gte"
    lt = "lt"
    lte = "lte"


class Measure(StrEnum):
    # The member name shadows `str.count`; the value is the contract, so the name stays.
    count = "count"  # type: ignore[assignment]  # every qualifying event adds one
    sum = "sum"  # every qualifying event adds its `measure_property`


MAX_FILTERS = 20
MAX_IN_VALUES = 100
MAX_REQUIRES = 20
FilterText = Annotated[str, StringConstraints(max_length=200)]
FilterScalar = FilterText | int | float | bool


class QuestFilter(SQLModel):
    """One condition on an event's `data`; a quest counts an event when all of them hold."""

    property: PropertyName
    op: FilterOp
    value: FilterScalar | list[FilterScalar] = Field(
        description="One value of the property's type; a list of them for `in`."
    )

    @field_validator("value")
    @classmethod
    def _bounded(cls, value: Any) -> Any:
        values = value if isinstance(value, list) else [value]
        if len(values) > MAX_IN_VALUES:
            raise ValueError(f"at most {MAX_IN_VALUES} values")
        for item in values:
            if isinstance(item, str):
                check_text(item)
        return value


QuestName = Annotated[
    str, StringConstraints(min_length=1, max_length=SLUG_MAX, pattern=SLUG_PATTERN)
]


class StreakMode(StrEnum):
    # The member name shadows `str.count`; the value is the contract, so the name stays.
    count = "count"  # type: ignore[assignment]  # every trigger adds one step
    daily = "daily"  # at most one step per local day of the player; a missed day restarts it


class Reset(StrEnum):
    """When a quest starts again for a player, in the player's own time zone (processing)."""

    none = "none"
    daily = "daily"  # every local day at 00:00
    weekly = "weekly"  # every local Monday at 00:00


MAX_GRACE_DAYS = 7
MAX_COOLDOWN_S = 86_400
# The column is a 32-bit integer: a larger value would be a database error, not a 422.
MAX_CLAIM_WITHIN_S = 2_147_483_647


# Bounds for quest windows: wide enough for any real quest, narrow enough that every value
# converts to UTC and back between PostgreSQL and Python. Checked on the year as written, so
# the OpenAPI document can say the same with a pattern (it cannot compare instants).
EARLIEST_YEAR = 1970
LATEST_YEAR = 8999
WINDOW_SCHEMA: dict[str, Any] = {
    "json_schema_extra": {"pattern": r"^(19[7-9][0-9]|[2-8][0-9]{3})-"}
}


def check_moment(value: datetime | None) -> datetime | None:
    # Quest windows are compared against event times from other services: a naive time would
    # silently mean a different instant on each machine.
    if value is None:
        return None
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("must be a timezone-aware datetime (e.g. 2030-01-01T00:00:00Z)")
    if not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
        raise ValueError(f"must be in the years {EARLIEST_YEAR} to {LATEST_YEAR}")
    return value.astimezone(UTC)


class WindowChecks(SQLModel):
    """The checks of a body with a title, a description and a window (a quest's or an offer's),
    whole (POST, PUT) or partial (PATCH: a field left out is None). Both bounds of the window in
    one body are checked here; one bound of a PATCH against the stored other, by the service."""

    if TYPE_CHECKING:  # declared by each body, in its own place in the schema
        starts_at: datetime | None
        ends_at: datetime | None

    @field_validator("title", "description", check_fields=False)
    @classmethod
    def _text(cls, value: str | None) -> str | None:
        return value if value is None else check_text(value)

    @field_validator("starts_at", "ends_at", check_fields=False)
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        return check_moment(value)

    @model_validator(mode="after")
    def _window(self) -> Self:
        error = window_error(self.starts_at, self.ends_at)
        if error is not None:
            raise ValueError(error)
        return self


class QuestChecks(WindowChecks):
    """The checks of every quest body."""


class QuestFields(QuestChecks):
    """Every quest field except its name (the name is in the path of the seeding route)."""

    title: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=2000)
    event_type: str = Field(
        default=SIGN_IN,
        min_length=1,
        max_length=EVENT_TYPE_NAME_MAX,
        schema_extra={"pattern": EVENT_TYPE_NAME_PATTERN},
        foreign_key="event_type.name",
        index=True,
        description="The event type this quest counts (an active one from `/event-types`).",
    )
    trigger: Trigger = Field(
        default=Trigger.sign_in,
        sa_type=String(32),
        description="Follows `event_type`: `sign_in` for the built-in type, `event` otherwise. "
        "May be left out; when given it must agree.",
    )
    where: list[QuestFilter] = Field(
        default_factory=list,
        max_length=MAX_FILTERS,
        sa_type=JSONB,
        description="Conditions on the event's properties, all of which must hold.",
    )
    measure: Measure = Field(
        default=Measure.count,
        sa_type=String(16),
        description="`count` adds 1 per event; `sum` adds the event's `measure_property`.",
    )
    measure_property: str | None = Field(
        default=None,
        max_length=PROPERTY_NAME_MAX,
        schema_extra={"pattern": PROPERTY_NAME_PATTERN},
        description="The numeric property a `sum` adds up (null for `count`).",
    )
    requires: list[QuestName] = Field(
        default_factory=list,
        max_length=MAX_REQUIRES,
        sa_type=JSONB,
        description="Names of the quests a player must have completed once before this one counts.",
    )
    streak: int = Field(
        ge=1,
        le=10_000,
        description="The target: events counted (or, with measure sum, the total added) to "
        "complete the quest once.",
    )
    duplication: int = Field(
        default=1, ge=1, le=10_000, description="How many times a player can complete it."
    )
    auto_claim: bool = False
    streak_mode: StreakMode = Field(default=StreakMode.count, sa_type=String(16))
    reward_id: uuid.UUID = Field(foreign_key="reward.reward_id", index=True)
    is_active: bool = True
    starts_at: datetime | None = Field(
        default=None, sa_type=DateTime(timezone=True), schema_extra=WINDOW_SCHEMA
    )
    ends_at: datetime | None = Field(
        default=None, sa_type=DateTime(timezone=True), schema_extra=WINDOW_SCHEMA
    )
    reset: Reset = Field(
        default=Reset.none,
        sa_type=String(16),
        description="Start again every local day or week of the player; `duplication` is then "
        "the most completions per period.",
    )
    grace_days: int = Field(
        default=0,
        ge=0,
        le=MAX_GRACE_DAYS,
        description="Missed local days forgiven inside one streak (streak_mode daily only).",
    )
    cooldown_s: int = Field(
        default=0,
        ge=0,
        le=MAX_COOLDOWN_S,
        description="A trigger counts only this many seconds after the last counted one.",
    )
    claim_within_s: int | None = Field(
        default=None,
        ge=1,
        le=MAX_CLAIM_WITHIN_S,
        description="An earned reward expires when not claimed within this time (null: never).",
    )

    @model_validator(mode="before")
    @classmethod
    def _trigger_follows_event_type(cls, data: Any) -> Any:
        # Older clients send `trigger: "sign_in"` and no event type; newer ones may leave the
        # trigger out. Either way the two agree (checked after validation).
        if isinstance(data, dict) and data.get("trigger") is None:
            event_type = data.get("event_type") or SIGN_IN
            if isinstance(event_type, str):
                data = {**data, "trigger": trigger_of(event_type).value}
        return data

    @model_validator(mode="after")
    def _trigger_agrees(self) -> Self:
        if self.trigger != trigger_of(self.event_type):
            raise ValueError(
                f"trigger {self.trigger.value!r} does not go with event_type "
                f"{self.event_type!r} (sign_in → sign_in, any other type → event)"
            )
        return self


class QuestBase(QuestFields):
    name: str = unique_slug_field()


class QuestCreate(QuestBase):
    pass


class QuestUpsert(QuestFields):
    """Body of `PUT /quests/by-name/{name}`: the name comes from the path."""


class QuestUpdate(QuestChecks):
    """PATCH body: fields left out stay as they are. Only the time bounds and `claim_within_s`
    accept null (to clear one; no expiry); the other fields default to None without being
    nullable, so an explicit null is a 422 rather than a NOT NULL violation."""

    name: str = slug_field(default=None)
    title: str = Field(default=None, min_length=1, max_length=200)
    description: str = Field(default=None, max_length=2000)
    event_type: str = Field(
        default=None,
        min_length=1,
        max_length=EVENT_TYPE_NAME_MAX,
        schema_extra={"pattern": EVENT_TYPE_NAME_PATTERN},
    )
    trigger: Trigger = Field(default=None)
    where: list[QuestFilter] = Field(default=None, max_length=MAX_FILTERS)
    measure: Measure = Field(default=None)
    # Nullable on purpose: null goes back to no property (measure count).
    measure_property: str | None = Field(
        default=None, max_length=PROPERTY_NAME_MAX, schema_extra={"pattern": PROPERTY_NAME_PATTERN}
    )
    requires: list[QuestName] = Field(default=None, max_length=MAX_REQUIRES)
    streak: int = Field(default=None, ge=1, le=10_000)
    duplication: int = Field(default=None, ge=1, le=10_000)
    auto_claim: bool = Field(default=None)
    streak_mode: StreakMode = Field(default=None)
    reward_id: uuid.UUID = Field(default=None)
    is_active: bool = Field(default=None)
    starts_at: datetime | None = Field(default=None, schema_extra=WINDOW_SCHEMA)
    ends_at: datetime | None = Field(default=None, schema_extra=WINDOW_SCHEMA)
    reset: Reset = Field(default=None)
    grace_days: int = Field(default=None, ge=0, le=MAX_GRACE_DAYS)
    cooldown_s: int = Field(default=None, ge=0, le=MAX_COOLDOWN_S)
    # Nullable on purpose: null turns expiry off.
    claim_within_s: int | None = Field(default=None, ge=1, le=MAX_CLAIM_WITHIN_S)


class Quest(CatalogRow, QuestBase, table=True):
    quest_id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    name: str = slug_column()


class QuestPublic(QuestBase):
    quest_id: uuid.UUID
    created_at: datetime
    updated_at: datetime
    reward: RewardEmbedded


class QuestsPublic(SQLModel):
    data: list[QuestPublic]
    count: int


class TriggerPublic(SQLModel):
    trigger: Trigger
    description: str


class TriggersPublic(SQLModel):
    data: list[TriggerPublic]
    count: int
