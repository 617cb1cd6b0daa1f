"""The level curve: how much XP each level starts at (one curve for the whole platform)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Self

from pydantic import Field as PydanticField
from pydantic import model_validator
from sqlalchemy import BigInteger, Column, DateTime
from sqlalchemy.dialects.postgresql import ARRAY
from sqlmodel import Field, SQLModel

from quest_common.db import utcnow
from quest_common.progression import MAX_LEVELS, MAX_THRESHOLD, thresholds_error

Threshold = Annotated[int, PydanticField(strict=True, ge=0, le=MAX_THRESHOLD)]


class LevelCurve(SQLModel, table=True):
    """A single row (id = 1), stored with the default curve by the migration that creates it."""

    __tablename__ = "level_curve"

    id: int = Field(default=1, primary_key=True)
    thresholds: list[int] = Field(sa_column=Column(ARRAY(BigInteger), nullable=False))
    updated_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False)
    )


class LevelsUpdate(SQLModel):
    """`PUT /levels`: level n starts at `thresholds[n - 1]` XP."""

    # Strict: "100" or 100.0 is refused rather than coerced into a curve the admin did not send.
    thresholds: list[Threshold] = Field(
        min_length=1,
        max_length=MAX_LEVELS,
        description="XP at which each level starts: 0 first, then strictly increasing.",
    )

    @model_validator(mode="after")
    def _curve(self) -> Self:
        error = thresholds_error(self.thresholds)
        if error is not None:
            raise ValueError(error)
        return self


class LevelsPublic(SQLModel):
    thresholds: list[int]
    levels: int
    updated_at: datetime | None
