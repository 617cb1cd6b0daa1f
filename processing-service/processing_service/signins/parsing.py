"""A sign-in from a message body, or why it can never be processed."""

from __future__ import annotations

import uuid
from typing import Any

from pydantic import ValidationError

from processing_service.progress.rules import DEFAULT_ZONE, is_known_zone
from processing_service.progress.service import ReceivedSignIn
from quest_common.events import CloudEvent, EventType, parse_envelope


class InvalidMessageError(ValueError):
    """The message can never be processed: it goes to the dead-letter queue."""


def player_zone(data: Any) -> str:
    """The zone a sign-in carried (DESIGN §10): missing, not a string or a name this machine does
    not know → UTC. Never a reason to dead-letter: the sign-in still counts, on UTC days."""
    value = data.get("time_zone") if isinstance(data, dict) else None
    if isinstance(value, str) and len(value) <= 64 and is_known_zone(value):
        return value
    return DEFAULT_ZONE


def parse_sign_in(body: bytes) -> ReceivedSignIn | None:
    """A sign-in; None for an event type this queue does not count.

    The common case takes the envelope's fast path; anything unusual goes through the full
    CloudEvent model, which also words the error.
    """
    raw = parse_envelope(body)
    if raw is not None:
        if raw["type"] not in EventType.SIGN_IN_TYPES:
            return None
        try:
            user_id = uuid.UUID(str(raw["data"].get("user_id") or raw.get("subject")))
        except ValueError:
            pass  # the slow path words the error
        else:
            return ReceivedSignIn(
                event_id=raw["id"],
                user_id=user_id,
                user_name=str(raw["data"].get("user_name") or ""),
                type=raw["type"],
                time=raw["time"],
                source=raw["source"],
                time_zone=player_zone(raw["data"]),
            )
    try:
        event = CloudEvent.from_json(body)
    except (ValidationError, ValueError) as exc:
        raise InvalidMessageError(f"not a CloudEvent: {exc}") from exc
    if event.type not in EventType.SIGN_IN_TYPES:
        return None
    raw_user = event.data.get("user_id") or event.subject
    try:
        user_id = uuid.UUID(str(raw_user))
    except ValueError as exc:
        raise InvalidMessageError(f"sign-in without a valid user_id: {raw_user!r}") from exc
    return ReceivedSignIn(
        event_id=event.id,
        user_id=user_id,
        user_name=str(event.data.get("user_name") or ""),
        type=event.type,
        time=event.time,
        source=event.source,
        time_zone=player_zone(event.data),
    )
