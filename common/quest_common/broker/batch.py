"""Publish many messages without a confirm each, from one background thread.

For events whose durable record is elsewhere (a database row a client can replay from): waiting
for a confirm per message would cap the producer at the broker's round-trip rate. A publish that
fails is retried once on a fresh connection (a reset while idle is the common case; with several
broker nodes, the fresh connection starts at another node), then logged.

pika's `BlockingConnection` answers the broker's heartbeats only inside its own calls, from the
thread that owns it: `BackgroundPublisher` owns the connection in its thread and calls
`process_data_events` at least twice per heartbeat interval while idle, so an idle publisher is
still connected when the next message comes.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable, Iterable
from typing import Generic, NamedTuple, TypeVar

import pika
from pika.exceptions import AMQPError

from quest_common.broker.publisher import CONTENT_TYPE, PublisherConnection

log = logging.getLogger(__name__)
T = TypeVar("T")


class Message(NamedTuple):
    routing_key: str
    body: bytes
    type: str


class BatchPublisher(PublisherConnection):
    """Sends messages without waiting for confirms; one retry on a fresh connection."""

    def publish(self, messages: Iterable[Message]) -> int:
        """Send the messages in order; returns how many went out."""
        pending = list(messages)
        sent = 0
        for attempt in range(2):
            try:
                channel = self._ensure_channel()
                for message in pending[sent:]:
                    channel.basic_publish(
                        exchange=self.exchange,
                        routing_key=message.routing_key,
                        body=message.body,
                        properties=pika.BasicProperties(
                            content_type=CONTENT_TYPE, type=message.type
                        ),
                    )
                    sent += 1
                return sent
            except (AMQPError, OSError) as exc:
                self.lost()
                if attempt == 0:
                    log.info("%s: connection lost (%s); reconnecting once", self.name, exc)
                    continue
                log.warning("%s: publishing failed after %d: %s", self.name, sent, exc)
        return sent


class BackgroundPublisher(threading.Thread, Generic[T]):
    """A `BatchPublisher` in its own thread; `publish` only enqueues (thread-safe).

    `encode` turns what the callers hand in into broker messages, in this thread, so that callers
    (a worker between batches, an HTTP route) never wait for the broker. `close()` sends what is
    queued, then closes the connection.
    """

    def __init__(
        self,
        *,
        amqp_url: str,
        exchange: str,
        encode: Callable[[list[T]], list[Message]],
        name: str,
        heartbeat_s: int = 30,
    ) -> None:
        super().__init__(name=f"{name}-publisher", daemon=True)
        self._publisher = BatchPublisher(amqp_url, exchange, name=name, heartbeat_s=heartbeat_s)
        self._encode = encode
        self.publisher = self._publisher
        self._queue: queue.Queue[list[T] | None] = queue.Queue()
        # Well inside the heartbeat interval, so the broker never sees the connection as dead.
        self._idle_s = max(heartbeat_s / 3, 0.2)
        self.sent = 0

    def publish(self, items: Iterable[T]) -> None:
        batch = list(items)
        if batch:
            self._queue.put(batch)

    def run(self) -> None:
        try:
            while True:
                try:
                    items = self._queue.get(timeout=self._idle_s)
                except queue.Empty:
                    self._publisher.keep_alive()
                    continue
                if items is None:
                    return
                # Everything already waiting goes out together.
                while True:
                    try:
                        more = self._queue.get_nowait()
                    except queue.Empty:
                        break
                    if more is None:
                        self._queue.put(None)
                        break
                    items.extend(more)
                self.sent += self._publisher.publish(self._encode(items))
        finally:
            self._publisher.close()

    def close(self, timeout: float = 10.0) -> None:
        if self.is_alive():
            self._queue.put(None)
            self.join(timeout)
        else:
            self._publisher.close()
