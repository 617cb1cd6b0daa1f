"""Publish processing events after commit.

The notification rows are the durable record (an SSE client replays from them), so these events
are published without waiting for a confirm per message: waiting would cap the worker at the
broker's round-trip rate. A failed publish is logged and the connection reopened next time.

pika's `BlockingChannel.basic_publish` flushes the socket for every message (one system call
and a poll each — it capped the worker near 6,000 messages/s on its own): a batch is framed
into the connection's buffer and flushed once. The worker publishes from a background thread
(`BackgroundPublisher`), so this overlaps the next batch's database work.
"""

from __future__ import annotations

import json
import logging
import queue
import threading
import uuid
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

import pika
from pika.exceptions import AMQPError

from processing_service.notifications.payloads import EVENT_TYPES, NOTIFICATION_BATCH
from quest_common.broker.connection import connect
from quest_common.broker.topology import declare_events_exchange
from quest_common.events import rfc3339, routing_key

log = logging.getLogger(__name__)

SOURCE = "processing-service"
# Up to this many notifications at once go out as one event each (what a login's check-in
# does); more are sent as NotificationBatch messages of at most BATCH_ITEMS.
SINGLE_EVENTS_MAX = 20
BATCH_ITEMS = 1000


def _envelope(event_type: str, subject: str | None, data: dict[str, Any], now: str) -> bytes:
    """CloudEvents JSON, as `quest_common.events.CloudEvent` writes it, built directly:
    validating our own output through the model for every message costs more than publishing."""
    envelope: dict[str, Any] = {
        "specversion": "1.0",
        "id": str(uuid.uuid4()),
        "source": SOURCE,
        "type": event_type,
        "time": now,
        "datacontenttype": "application/json",
        "data": data,
    }
    if subject is not None:
        envelope["subject"] = subject
    return json.dumps(envelope, separators=(",", ":")).encode()


def to_event_body(note: dict[str, Any], *, now: str | None = None) -> tuple[str, bytes, str]:
    """(routing key, body, type) of one stored notification."""
    event_type = EVENT_TYPES[note["event"]]
    data = {"user_id": note["user_id"], "notification_id": note["seq"], **note["data"]}
    body = _envelope(event_type, note["user_id"], data, now or rfc3339(datetime.now(UTC)))
    return routing_key("processing", event_type), body, event_type


def to_batch_body(notes: list[dict[str, Any]], *, now: str | None = None) -> tuple[str, bytes, str]:
    """(routing key, body, type) of one NotificationBatch message."""
    items = [
        {
            "type": EVENT_TYPES[note["event"]],
            "user_id": note["user_id"],
            "notification_id": note["seq"],
            **note["data"],
        }
        for note in notes
    ]
    body = _envelope(NOTIFICATION_BATCH, None, {"items": items}, now or rfc3339(datetime.now(UTC)))
    return routing_key("processing", NOTIFICATION_BATCH), body, NOTIFICATION_BATCH


def to_messages(notes: list[dict[str, Any]]) -> list[tuple[str, bytes, str]]:
    """The messages publishing these notifications: one each when few, else batches."""
    now = rfc3339(datetime.now(UTC))
    if len(notes) <= SINGLE_EVENTS_MAX:
        return [to_event_body(note, now=now) for note in notes]
    return [
        to_batch_body(notes[i : i + BATCH_ITEMS], now=now)
        for i in range(0, len(notes), BATCH_ITEMS)
    ]


class EventPublisher:
    """Not thread-safe: one per thread."""

    def __init__(self, *, amqp_url: str, exchange: str, name: str = "processing-events") -> None:
        self.amqp_url = amqp_url
        self.exchange = exchange
        self.name = name
        self._connection: pika.BlockingConnection | None = None
        self._channel: Any = None

    def _ensure(self) -> Any:
        if self._channel is not None and self._channel.is_open:
            return self._channel
        self.close()
        self._connection = connect(self.amqp_url, name=self.name)
        self._channel = self._connection.channel()
        declare_events_exchange(self._channel, self.exchange)
        return self._channel

    def publish(self, notes: Iterable[dict[str, Any]]) -> int:
        sent = 0
        try:
            channel = self._ensure()
            # The channel's non-blocking side frames each message into the output buffer;
            # process_data_events below writes them all at once.
            impl = channel._impl
            for key, body, event_type in to_messages(list(notes)):
                impl.basic_publish(
                    exchange=self.exchange,
                    routing_key=key,
                    body=body,
                    properties=pika.BasicProperties(
                        content_type="application/cloudevents+json", type=event_type
                    ),
                )
                sent += 1
            if self._connection is not None:
                # Flushes the buffered frames and answers heartbeats between batches.
                self._connection.process_data_events(0)
        except (AMQPError, OSError) as exc:
            log.warning("publishing processing events failed after %d: %s", sent, exc)
            self.close()
        return sent

    def heartbeat(self) -> None:
        """Answer the broker's heartbeats on an idle, open connection."""
        if self._connection is not None and self._connection.is_open:
            try:
                self._connection.process_data_events(0)
            except (AMQPError, OSError) as exc:
                log.warning("publisher connection lost while idle: %s", exc)
                self.close()

    def close(self) -> None:
        connection, self._connection, self._channel = self._connection, None, None
        if connection is not None and connection.is_open:
            try:
                connection.close()
            except (AMQPError, OSError):
                log.debug("closing publisher connection failed", exc_info=True)


class BackgroundPublisher(threading.Thread):
    """Publishes from its own thread and connection; `publish` only enqueues (thread-safe).

    Used after the worker's commit: the publish overlaps the next batch instead of delaying the
    ack. `close()` publishes what is queued, then closes the connection.
    """

    def __init__(self, *, amqp_url: str, exchange: str, name: str = "processing-events") -> None:
        super().__init__(name=f"{name}-publisher", daemon=True)
        self._publisher = EventPublisher(amqp_url=amqp_url, exchange=exchange, name=name)
        self._queue: queue.Queue[list[dict[str, Any]] | None] = queue.Queue()
        self.sent = 0

    def publish(self, notes: Iterable[dict[str, Any]]) -> None:
        self._queue.put(list(notes))

    def run(self) -> None:
        try:
            while True:
                try:
                    notes = self._queue.get(timeout=5.0)
                except queue.Empty:
                    self._publisher.heartbeat()
                    continue
                if notes is None:
                    return
                # Everything already waiting goes out in the same flush.
                while True:
                    try:
                        more = self._queue.get_nowait()
                    except queue.Empty:
                        break
                    if more is None:
                        self._queue.put(None)
                        break
                    notes.extend(more)
                self.sent += self._publisher.publish(notes)
        finally:
            self._publisher.close()

    def close(self, timeout: float = 10.0) -> None:
        if self.is_alive():
            self._queue.put(None)
            self.join(timeout)
        else:
            self._publisher.close()
