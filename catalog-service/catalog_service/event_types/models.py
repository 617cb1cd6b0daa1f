"""Event types: what a game server may send (`match_won`, `gold_spent`), each with typed
properties that quests filter on and sum. `sign_in` is built in: auth alone emits it."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any, Final

from pydantic import StringConstraints, field_validator
from sqlalchemy import Column
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from catalog_service.core.models import CatalogRow, check_text

# Lowercase words joined by underscores: the name goes into the routing key `ingest.<type>`,
# where a dot would be a separator and `*`/`#` wildcards.
EVENT_TYPE_NAME_PATTERN: Final = r"^[a-z][a-z0-9_]*$"
EVENT_TYPE_NAME_MAX: Final = 64
PROPERTY_NAME_PATTERN: Final = r"^[A-Za-z_][A-Za-z0-9_]*$"
PROPERTY_NAME_MAX: Final = 64
MAX_PROPERTIES: Final = 50

SIGN_IN: Final = "sign_in"

PropertyName = Annotated[
    str,
    StringConstraints(min_length=1, max_length=PROPERTY_NAME_MAX, pattern=PROPERTY_NAME_PATTERN),
]


class PropertyType(StrEnum):
    string = "string"
    integer = "integer"
    number = "number"
    boolean = "boolean"


NUMERIC_TYPES: Final = frozenset({PropertyType.integer, PropertyType.number})


class PropertySpec(SQLModel):
    type: PropertyType
    required: bool = False


# What auth's sign-in events carry in `data` (auth_service.signin.sign_in_data); the player's
# id is the event's own `user_id`, not a property.
SIGN_IN_PROPERTIES: Final[dict[str, dict[str, Any]]] = {
    "user_name": {"type": "string", "required": True},
    "signed_in_at": {"type": "string", "required": True},
    "time_zone": {"type": "string", "required": True},
    "method": {"type": "string", "required": True},
}


class EventTypeUpsert(SQLModel):
    """Body of `PUT /event-types/by-name/{name}`: the name comes from the path."""

    title: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=2000)
    properties: dict[PropertyName, PropertySpec] = Field(
        default_factory=dict,
        description="The properties an event of this type carries in `data`, by name.",
    )

    @field_validator("title", "description")
    @classmethod
    def _text(cls, value: str) -> str:
        return check_text(value)

    @field_validator("properties")
    @classmethod
    def _few(cls, value: dict[str, PropertySpec]) -> dict[str, PropertySpec]:
        if len(value) > MAX_PROPERTIES:
            raise ValueError(f"at most {MAX_PROPERTIES} properties")
        return value


class EventType(CatalogRow, table=True):
    __tablename__ = "event_type"

    event_type_id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    name: str = Field(max_length=EVENT_TYPE_NAME_MAX, unique=True)
    title: str = Field(max_length=200)
    description: str = Field(default="", max_length=2000)
    properties: dict[str, Any] = Field(
        default_factory=dict, sa_column=Column(JSONB, nullable=False, server_default="{}")
    )
    is_active: bool = True
    built_in: bool = Field(
        default=False, description="Defined by the platform (sign_in): read-only."
    )


class EventTypePublic(SQLModel):
    event_type_id: uuid.UUID
    name: str
    title: str
    description: str
    properties: dict[str, PropertySpec]
    is_active: bool
    built_in: bool = Field(description="Defined by the platform (sign_in): read-only.")
    created_at: datetime
    updated_at: datetime


class EventTypesPublic(SQLModel):
    data: list[EventTypePublic]
    count: int
