"""The CloudEvents 1.0 envelope every service publishes and consumes (JSON structured mode)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any, Final

from pydantic import BaseModel, ConfigDict, Field, field_validator

EVENTS_EXCHANGE: Final = "quest.events"


class EventType:
    """Event type names; the routing key is `<producer>.<type>`."""

    USER_SIGN_IN: Final = "UserSignIn"
    NEW_USER_SIGN_IN: Final = "NewUserSignIn"
    QUEST_CHANGED: Final = "QuestChanged"
    QUEST_PROGRESSED: Final = "QuestProgressed"
    QUEST_COMPLETED: Final = "QuestCompleted"
    REWARD_CREDITED: Final = "RewardCredited"
    USER_DELETED: Final = "UserDeleted"  # auth: an account was deleted (anonymised)

    SIGN_IN_TYPES: Final = frozenset({USER_SIGN_IN, NEW_USER_SIGN_IN})


class CloudEvent(BaseModel):
    """A CloudEvents 1.0 envelope.

    Unknown attributes are ignored rather than rejected: a producer may add extension attributes
    or a newer payload version without breaking older consumers.
    """

    model_config = ConfigDict(extra="ignore", frozen=True)

    specversion: str = Field(default="1.0", pattern=r"^1\.0$")
    id: str = Field(min_length=1, max_length=128)
    source: str = Field(min_length=1, max_length=256)
    type: str = Field(min_length=1, max_length=128)
    time: datetime
    subject: str | None = Field(default=None, max_length=256)
    datacontenttype: str = "application/json"
    data: dict[str, Any] = Field(default_factory=dict)

    @field_validator("time")
    @classmethod
    def _time_is_utc(cls, value: datetime) -> datetime:
        # Quest rules compare event times across UTC calendar days: a naive time would be ambiguous.
        if value.tzinfo is None:
            raise ValueError("time must carry a timezone")
        return value.astimezone(UTC)

    def to_json(self) -> bytes:
        return self.model_dump_json(exclude_none=True).encode()

    @classmethod
    def from_json(cls, body: bytes | str) -> CloudEvent:
        return cls.model_validate_json(body)


def make_event(
    *,
    source: str,
    type: str,
    subject: str | None,
    data: dict[str, Any],
    time: datetime | None = None,
    event_id: str | None = None,
) -> CloudEvent:
    """Build an envelope with a fresh id and the current UTC time unless given."""
    return CloudEvent(
        id=event_id or str(uuid.uuid4()),
        source=source,
        type=type,
        subject=subject,
        time=time or datetime.now(UTC),
        data=data,
    )


def routing_key(producer: str, event_type: str) -> str:
    """`auth` + `UserSignIn` → `auth.UserSignIn`."""
    return f"{producer}.{event_type}"


def rfc3339(moment: datetime) -> str:
    """An RFC 3339 UTC timestamp with a `Z` suffix."""
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")
