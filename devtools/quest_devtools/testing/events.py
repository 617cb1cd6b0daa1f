"""Reading back what a service published: an app with its outbox relay running, and a probe
queue bound to its exchange."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from fastapi.testclient import TestClient

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
