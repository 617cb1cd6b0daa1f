"""The CloudEvents 1.0 envelope every service publishes and consumes (JSON structured mode)."""

from __future__ import annotations

import json
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
    USER_CREATED: Final = "UserCreated"  # auth: an account was created (sign-up or seed)

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


# The routing keys more than one service binds or publishes to.
SIGN_IN_KEYS: Final = (
    routing_key("auth", EventType.USER_SIGN_IN),
    routing_key("auth", EventType.NEW_USER_SIGN_IN),
)
QUEST_CHANGED_KEY: Final = routing_key("catalog", EventType.QUEST_CHANGED)
USER_CREATED_KEY: Final = routing_key("auth", EventType.USER_CREATED)

# Ingested game events (DESIGN §14): a game server's event of type `<type>` travels as the
# CloudEvent type `ingest.<type>` on the routing key of the same name, from
# `source = "client:<client id>"`.
INGEST_PREFIX: Final = "ingest."
INGEST_KEYS: Final = (f"{INGEST_PREFIX}*",)  # event type names hold no dot: one word matches
SIGN_IN_EVENT_TYPE: Final = "sign_in"  # the built-in event type sign-ins count as
# Envelope ids of ingested events are derived from (client, the client's own id), so a retry
# of the same event is the same message to the worker, whichever API process accepted it.
_INGEST_NAMESPACE: Final = uuid.UUID("6f1c3a52-4a0e-4c7e-9a39-2b2f0d7c1e55")


def ingest_type(event_type: str) -> str:
    """`match_won` → `ingest.match_won` (the CloudEvent type and the routing key)."""
    return f"{INGEST_PREFIX}{event_type}"


def ingest_envelope_id(client_id: str, event_id: str) -> str:
    """The envelope id of a client's event: the same for every retry of it."""
    return str(uuid.uuid5(_INGEST_NAMESPACE, f"{client_id}\n{event_id}"))


def event_type_of(envelope_type: str) -> str | None:
    """The quest event type a consumed envelope counts as: `sign_in` for auth's sign-ins, `<type>`
    for `ingest.<type>`, None for anything else."""
    if envelope_type in EventType.SIGN_IN_TYPES:
        return SIGN_IN_EVENT_TYPE
    if envelope_type.startswith(INGEST_PREFIX) and len(envelope_type) > len(INGEST_PREFIX):
        return envelope_type[len(INGEST_PREFIX) :]
    return None


def stored_event(event: CloudEvent) -> dict[str, Any]:
    """The envelope as JSON values, as an outbox row keeps it until it is published."""
    return event.model_dump(mode="json", exclude_none=True)


def stored_event_body(stored: dict[str, Any]) -> bytes:
    """The message body of a stored envelope (`stored_event`): it was validated when it was
    made, so it is sent as it is rather than built through the model again."""
    return json.dumps(stored, separators=(",", ":"), ensure_ascii=False).encode()


def envelope_json(
    *, source: str, type: str, subject: str | None, data: dict[str, Any], time: str
) -> bytes:
    """The JSON `CloudEvent.to_json` writes, built directly for high-volume producers:
    validating one's own output through the model for every message costs more than sending it."""
    envelope: dict[str, Any] = {
        "specversion": "1.0",
        "id": str(uuid.uuid4()),
        "source": source,
        "type": type,
        "time": time,
        "datacontenttype": "application/json",
        "data": data,
    }
    if subject is not None:
        envelope["subject"] = subject
    return json.dumps(envelope, separators=(",", ":")).encode()


def stored_envelope(
    *,
    source: str,
    type: str,
    subject: str | None,
    data: dict[str, Any],
    time: datetime,
    event_id: str | None = None,
) -> dict[str, Any]:
    """`stored_event(make_event(...))` built directly, for a producer's hot path: the same
    values in the same order, without validating our own envelope through the model."""
    envelope: dict[str, Any] = {
        "specversion": "1.0",
        "id": event_id or str(uuid.uuid4()),
        "source": source,
        "type": type,
        "time": rfc3339(time),
    }
    if subject is not None:
        envelope["subject"] = subject
    envelope["datacontenttype"] = "application/json"
    envelope["data"] = data
    return envelope


def parse_envelope(body: bytes | str) -> dict[str, Any] | None:
    """The fast path of `CloudEvent.from_json`: the raw envelope when its required attributes
    are well-formed (time as an aware datetime), else None — then `CloudEvent.from_json` decides
    and words the error. Consumers of deep queues parse every message: the model costs more than
    the rest of their work."""
    try:
        raw = json.loads(body)
        event_id, source, event_type = raw["id"], raw["source"], raw["type"]
        data = raw.get("data") or {}
        if (
            raw.get("specversion") != "1.0"
            or not isinstance(event_id, str)
            or not 0 < len(event_id) <= 128
            or not isinstance(source, str)
            or not 0 < len(source) <= 256
            or not isinstance(event_type, str)
            or not isinstance(data, dict)
        ):
            return None
        at = datetime.fromisoformat(raw["time"])
        if at.tzinfo is None:
            return None
        raw["time"], raw["data"] = at.astimezone(UTC), data
        return dict(raw)
    except (ValueError, KeyError, TypeError, AttributeError):
        return None


def rfc3339(moment: datetime) -> str:
    """An RFC 3339 UTC timestamp with a `Z` suffix."""
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")
