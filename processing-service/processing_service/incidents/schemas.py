"""Public models of the incidents routes."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator


class IncidentCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    starts_at: AwareDatetime
    ends_at: AwareDatetime
    reason: str = Field(min_length=1, max_length=200)

    @model_validator(mode="after")
    def _window(self) -> IncidentCreate:
        if self.ends_at <= self.starts_at:
            raise ValueError("ends_at must be after starts_at")
        if not self.reason.strip():
            raise ValueError("reason must not be blank")
        return self


class IncidentEnd(BaseModel):
    """A new end for an incident (now, to end a running one)."""

    model_config = ConfigDict(extra="forbid")

    ends_at: AwareDatetime


class IncidentPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    incident_id: uuid.UUID
    starts_at: datetime
    ends_at: datetime
    reason: str
    declared_by: str
    created_at: datetime


class IncidentsPublic(BaseModel):
    data: list[IncidentPublic]
    count: int
