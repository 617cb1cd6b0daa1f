"""Reading back what a service published: an app with its outbox relay running, a probe queue
bound to its exchange, and the outbox rows about one subject."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from quest_common.events import CloudEvent
from quest_common.outbox import OutboxEvent
from quest_devtools.testing.plugin import drain_queue

S = TypeVar("S")


def read_events(
    amqp_url: str, queue: str, *, expect: int, idle_seconds: float = 1.5
) -> list[dict[str, Any]]:
    """The events waiting in `queue` (each body decoded from JSON), once `expect` are there or
    at most 10 s; a duplicate right after the last would be read too."""
    bodies = drain_queue(amqp_url, queue, wait_seconds=10, expect=expect, idle_seconds=idle_seconds)
    return [json.loads(body) for body in bodies]


@dataclass
class EventsApp(Generic[S]):
    """The app on a database of its own with the outbox relay running, and a probe queue that
    receives every event it publishes."""

    client: TestClient
    db_url: str
    settings: S
    amqp_url: str
    queue: str

    def events(self, expect: int) -> list[dict[str, Any]]:
        return read_events(self.amqp_url, self.queue, expect=expect)


def outbox_events(session: Session, event_type: str, *, subject: str) -> list[CloudEvent]:
    """The events of `event_type` about `subject` in the service's outbox, oldest first, read
    afresh (the session forgets what it loaded before)."""
    session.expire_all()
    rows = session.exec(
        select(OutboxEvent)
        .where(OutboxEvent.event_type == event_type)
        .order_by(col(OutboxEvent.created_at))
    ).all()
    events = [CloudEvent.model_validate(row.payload) for row in rows]
    return [event for event in events if event.subject == subject]
