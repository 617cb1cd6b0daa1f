"""Fan processing events out to this API replica's SSE clients.

Each replica consumes its own exclusive, auto-delete queue bound to `processing.#` and
`catalog.QuestChanged` (which drops its cached quest list) (so every
replica sees every event and no queue outlives its replica) in a thread with its own pika
connection, and hands each event to the asyncio loop, where the clients of that player wait.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pika.exceptions import AMQPError

from processing_service.notifications.payloads import NOTIFICATION_BATCH, SSE_NAMES
from quest_common.broker.connection import connect
from quest_common.broker.topology import declare_events_exchange
from quest_common.events import EventType, routing_key

log = logging.getLogger(__name__)

QUEST_CHANGED_KEY = routing_key("catalog", EventType.QUEST_CHANGED)


@dataclass(frozen=True, slots=True)
class Note:
    seq: int
    user_id: str
    event: str  # SSE event name
    data: dict[str, Any]


def notes_from_event(body: bytes) -> list[Note]:
    """The notifications a processing event carries: one, or many for a NotificationBatch."""
    try:
        event = json.loads(body)
        if event["type"] == NOTIFICATION_BATCH:
            return [n for item in event["data"]["items"] if (n := _note(item["type"], item))]
        note = _note(event["type"], event["data"])
    except (ValueError, KeyError, TypeError):
        return []
    return [note] if note is not None else []


def _note(event_type: str, fields: dict[str, Any]) -> Note | None:
    try:
        event_name = SSE_NAMES[event_type]
        data = {k: v for k, v in fields.items() if k not in _ENVELOPE_KEYS}
        return Note(
            seq=int(fields["notification_id"]),
            user_id=str(fields["user_id"]),
            event=event_name,
            data=data,
        )
    except (ValueError, KeyError, TypeError):
        return None


_ENVELOPE_KEYS = frozenset({"type", "user_id", "notification_id"})


class Hub:
    def __init__(self) -> None:
        self._clients: dict[str, set[asyncio.Queue[Note | None]]] = defaultdict(set)
        self.loop: asyncio.AbstractEventLoop | None = None
        self.closing = False

    def subscribe(self, user_id: str) -> asyncio.Queue[Note | None]:
        queue: asyncio.Queue[Note | None] = asyncio.Queue(maxsize=1000)
        self._clients[user_id].add(queue)
        return queue

    def unsubscribe(self, user_id: str, queue: asyncio.Queue[Note | None]) -> None:
        clients = self._clients.get(user_id)
        if clients is not None:
            clients.discard(queue)
            if not clients:
                del self._clients[user_id]

    def dispatch(self, note: Note) -> None:
        for queue in list(self._clients.get(note.user_id, ())):
            if queue.full():
                continue  # a stuck client; it replays what it missed when it reconnects
            queue.put_nowait(note)

    def dispatch_all(self, notes: list[Note]) -> None:
        # Most of a batch's notes are for players not connected to this replica.
        clients = self._clients
        for note in notes:
            if note.user_id in clients:
                self.dispatch(note)

    def close_all(self) -> None:
        """End every stream (SIGTERM): clients reconnect to another replica with Last-Event-ID."""
        self.closing = True
        for clients in list(self._clients.values()):
            for queue in list(clients):
                queue.put_nowait(None)

    def client_count(self) -> int:
        return sum(len(c) for c in self._clients.values())


class FanoutConsumer(threading.Thread):
    def __init__(
        self,
        *,
        hub: Hub,
        amqp_url: str,
        exchange: str,
        on_quest_changed: Callable[[], None] | None = None,
    ) -> None:
        super().__init__(name="sse-fanout", daemon=True)
        self.on_quest_changed = on_quest_changed
        self.hub = hub
        self.amqp_url = amqp_url
        self.exchange = exchange
        self._stop_event = threading.Event()
        self.ready = threading.Event()

    def stop(self) -> None:
        self._stop_event.set()

    def _on_message(self, _ch: Any, method: Any, _props: Any, body: bytes) -> None:
        if method.routing_key == QUEST_CHANGED_KEY:
            if self.on_quest_changed is not None:
                self.on_quest_changed()
            return
        notes = notes_from_event(body)
        loop = self.hub.loop
        if notes and loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(self.hub.dispatch_all, notes)

    def run(self) -> None:
        while not self._stop_event.is_set():
            try:
                connection = connect(self.amqp_url, name="sse-fanout")
                try:
                    channel = connection.channel()
                    declare_events_exchange(channel, self.exchange)
                    queue = channel.queue_declare("", exclusive=True, auto_delete=True)
                    name = queue.method.queue
                    channel.queue_bind(name, self.exchange, "processing.#")
                    channel.queue_bind(name, self.exchange, QUEST_CHANGED_KEY)
                    if self.on_quest_changed is not None:
                        self.on_quest_changed()  # whatever changed while we were not listening
                    channel.basic_consume(name, self._on_message, auto_ack=True)
                    self.ready.set()
                    while not self._stop_event.is_set():
                        connection.process_data_events(time_limit=0.25)
                finally:
                    self.ready.clear()
                    if connection.is_open:
                        connection.close()
            except (AMQPError, OSError) as exc:
                log.warning("SSE fan-out lost the broker (%s); reconnecting", exc)
                self._stop_event.wait(1.0)
