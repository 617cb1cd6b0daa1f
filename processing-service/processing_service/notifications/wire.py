"""Notifications as broker messages, both ways (the worker and API publish, each API replica hears).

Up to SINGLE_EVENTS_MAX notifications at once go out as one event each (what a login's check-in
does); more are sent as NotificationBatch messages of at most BATCH_ITEMS: a broker message per
check-in would cost the worker more than its whole database transaction.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from processing_service.notifications.models import Notification
from processing_service.notifications.payloads import (
    EVENT_TYPES,
    LEVEL_REACHED,
    NOTIFICATION_BATCH,
    SSE_NAMES,
)
from quest_common.broker.batch import Message
from quest_common.events import envelope_json, parse_envelope, rfc3339, routing_key

SOURCE = "processing-service"
SINGLE_EVENTS_MAX = 20
BATCH_ITEMS = 1000
_ENVELOPE_KEYS = frozenset({"type", "user_id", "notification_id"})


def _item(note: Notification) -> dict[str, Any]:
    return {"user_id": note.user_id, "notification_id": note.seq, **note.data}


def to_messages(notes: list[Notification]) -> list[Message]:
    """The messages publishing these notifications: one each when few, else batches."""
    now = rfc3339(datetime.now(UTC))
    if len(notes) <= SINGLE_EVENTS_MAX:
        messages = []
        for note in notes:
            event_type = EVENT_TYPES[note.event]
            body = envelope_json(
                source=SOURCE, type=event_type, subject=note.user_id, data=_item(note), time=now
            )
            messages.append(Message(routing_key("processing", event_type), body, event_type))
        return messages
    return [
        Message(
            routing_key("processing", NOTIFICATION_BATCH),
            envelope_json(
                source=SOURCE,
                type=NOTIFICATION_BATCH,
                subject=None,
                data={
                    "items": [
                        {"type": EVENT_TYPES[n.event], **_item(n)}
                        for n in notes[i : i + BATCH_ITEMS]
                    ]
                },
                time=now,
            ),
            NOTIFICATION_BATCH,
        )
        for i in range(0, len(notes), BATCH_ITEMS)
    ]


def from_message(body: bytes) -> list[Notification]:
    """The notifications a processing event carries: one, or many for a NotificationBatch."""
    event = parse_envelope(body)
    if event is None:
        return []
    try:
        if event["type"] == "LevelReached" and event.get("source") == "auth-service":
            data = event["data"]
            level = {"level": int(data["level"])}
            return [Notification(user_id=str(data["user_id"]), event=LEVEL_REACHED, data=level)]
        if event["type"] == NOTIFICATION_BATCH:
            items = event["data"]["items"]
            return [n for item in items if (n := _notification(item["type"], item))]
    except (KeyError, TypeError, ValueError):
        return []
    note = _notification(event["type"], event["data"])
    return [note] if note is not None else []


def _notification(event_type: str, fields: dict[str, Any]) -> Notification | None:
    try:
        return Notification(
            user_id=str(fields["user_id"]),
            event=SSE_NAMES[event_type],
            data={k: v for k, v in fields.items() if k not in _ENVELOPE_KEYS},
            seq=int(fields["notification_id"]),
        )
    except (ValueError, KeyError, TypeError):
        return None
