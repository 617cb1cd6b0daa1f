"""A player's event from a message body, or why it can never be processed."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from processing_service.progress.rules import DEFAULT_ZONE, PlayerEvent, is_known_zone
from quest_common.events import INGEST_PREFIX, CloudEvent, event_type_of, parse_envelope


class InvalidMessageError(ValueError):
    """The message can never be processed: it goes to the dead-letter queue."""


def player_zone(data: Any) -> str:
    """The zone a sign-in carried (DESIGN §10): missing, not a string or a name this machine does
    not know → UTC. Never a reason to dead-letter: the sign-in still counts, on UTC days."""
    value = data.get("time_zone") if isinstance(data, dict) else None
    if isinstance(value, str) and len(value) <= 64 and is_known_zone(value):
        return value
    return DEFAULT_ZONE


def is_ingested(event: PlayerEvent) -> bool:
    """A game server's event: it carries no zone, the player's latest known one applies."""
    return event.envelope_type.startswith(INGEST_PREFIX)


def _event(raw: Mapping[str, Any], event_type: str, user_id: uuid.UUID) -> PlayerEvent:
    data = raw["data"]
    ingested = raw["type"].startswith(INGEST_PREFIX)
    properties = data.get("data") if ingested else None
    if ingested and not isinstance(properties, dict):
        raise InvalidMessageError("an ingested event without its properties (`data.data`)")
    return PlayerEvent(
        event_id=raw["id"],
        user_id=user_id,
        user_name=str(data.get("user_name") or ""),
        type=event_type,
        envelope_type=raw["type"],
        time=raw["time"],
        source=raw["source"],
        time_zone=DEFAULT_ZONE if ingested else player_zone(data),
        data=properties or {},
    )


def parse_event(body: bytes) -> PlayerEvent | None:
    """A player's event (a sign-in, or an ingested `ingest.<type>`); None for an envelope type
    this queue does not count.

    The common case takes the envelope's fast path; anything unusual goes through the full
    CloudEvent model, which also words the error.
    """
    raw = parse_envelope(body)
    if raw is not None:
        event_type = event_type_of(raw["type"])
        if event_type is None:
            return None
        try:
            user_id = uuid.UUID(str(raw["data"].get("user_id") or raw.get("subject")))
        except ValueError:
            pass  # the slow path words the error
        else:
            return _event(raw, event_type, user_id)
    try:
        event = CloudEvent.from_json(body)
    except (ValidationError, ValueError) as exc:
        raise InvalidMessageError(f"not a CloudEvent: {exc}") from exc
    event_type = event_type_of(event.type)
    if event_type is None:
        return None
    raw_user = event.data.get("user_id") or event.subject
    try:
        user_id = uuid.UUID(str(raw_user))
    except ValueError as exc:
        raise InvalidMessageError(f"an event without a valid user_id: {raw_user!r}") from exc
    return _event(event.model_dump(), event_type, user_id)
