"""What every catalog resource (quests, rewards) has in its models: a unique slug name and the
times its row was created and last changed."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import DateTime
from sqlmodel import Field, SQLModel

from quest_common.db import utcnow

SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
SLUG_MAX = 64


def check_text(value: str) -> str:
    # PostgreSQL text cannot hold NUL characters; refuse them here instead of failing in the driver.
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    return value


def slug_field(**options: Any) -> Any:
    """A request or response field holding a slug (`default=None` for a PATCH body)."""
    return Field(
        min_length=1, max_length=SLUG_MAX, schema_extra={"pattern": SLUG_PATTERN}, **options
    )


def unique_slug_field() -> Any:
    """The name of a resource in its create body and its reads."""
    return slug_field(description="Unique slug: lowercase letters, digits and single dashes.")


def slug_column() -> Any:
    """The table column of a slug: the database keeps it unique."""
    return Field(max_length=SLUG_MAX, unique=True)


class CatalogRow(SQLModel):
    """The timestamps of a catalog table; a write that changes a row sets `updated_at`."""

    created_at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True))
    updated_at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True))
