"""Hear every event of some routing keys, in every process that listens.

Each listener declares its own exclusive, auto-delete queue (so every replica hears every event
and no queue outlives its process), consumes in its own thread with its own connection, and
reconnects after a loss, to another node of the list when there are several, with capped
exponential backoff and jitter (1 s to 30 s) while none answers. `on_connect` runs on each
(re)connection, once the queue is bound and before consuming starts: anything may have happened
while it was not listening, and whatever happens from then on is queued for it. `on_idle` runs
between polls (about four times a second) while consuming, for work that must not hold up the
messages, such as retrying `on_connect`'s reload; `on_disconnected` runs after each failed
attempt to connect (a cache may still refresh from elsewhere while the broker is away).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from typing import Any

from pika.exceptions import AMQPError

from quest_common.broker.connection import BrokerNodes
from quest_common.broker.topology import declare_events_exchange
from quest_common.retry import Backoff, retry_until_stopped

log = logging.getLogger(__name__)


class BroadcastListener(threading.Thread):
    def __init__(
        self,
        *,
        amqp_url: str,
        exchange: str,
        routing_keys: Sequence[str],
        on_message: Callable[[str, bytes], None],
        on_connect: Callable[[], None] | None = None,
        on_idle: Callable[[], None] | None = None,
        on_disconnected: Callable[[], None] | None = None,
        ready: threading.Event | None = None,
        name: str,
    ) -> None:
        super().__init__(name=name, daemon=True)
        self.amqp_url = amqp_url
        self.exchange = exchange
        self.routing_keys = list(routing_keys)
        self.on_message = on_message
        self.on_connect = on_connect
        self.on_idle = on_idle
        self.on_disconnected = on_disconnected
        self._nodes = BrokerNodes(amqp_url, name=name)
        self._backoff = Backoff(1.0, 30.0, jitter=True)
        self._stop_event = threading.Event()
        # Set while bound and consuming; may be an event the owner keeps across restarts.
        self.ready = ready if ready is not None else threading.Event()

    def stop(self) -> None:
        self._stop_event.set()

    def _deliver(self, _ch: Any, method: Any, _props: Any, body: bytes) -> None:
        try:
            self.on_message(method.routing_key, body)
        except Exception:
            log.exception("%s: handling %s failed", self.name, method.routing_key)

    def run(self) -> None:
        retry_until_stopped(
            self._listen_once,
            stop=self._stop_event,
            backoff=self._backoff,
            what=f"{self.name}: broker connection",
            errors=(AMQPError, OSError),
            on_error=self._disconnected,
        )

    def _listen_once(self) -> None:
        connection = self._nodes.connect()
        try:
            channel = connection.channel()
            declare_events_exchange(channel, self.exchange)
            queue = channel.queue_declare("", exclusive=True, auto_delete=True)
            name = queue.method.queue
            for key in self.routing_keys:
                channel.queue_bind(name, self.exchange, key)
            if self.on_connect is not None:
                self.on_connect()
            channel.basic_consume(name, self._deliver, auto_ack=True)
            self.ready.set()
            self._backoff.reset()
            while not self._stop_event.is_set():
                connection.process_data_events(time_limit=0.25)
                if self.on_idle is not None:
                    self.on_idle()
        finally:
            self.ready.clear()
            if connection.is_open:
                connection.close()

    def _disconnected(self, _exc: Exception) -> None:
        self._nodes.lost()
        if self.on_disconnected is not None and not self._stop_event.is_set():
            self.on_disconnected()
