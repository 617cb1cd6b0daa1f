"""One long-lived broker connection for a process's short operations: the sign-in queue's
figures (every `/admin/ops` and every `/metrics` scrape), a dead letter's replay, the collection
of dead letters. Opening a connection costs several round trips and a broker-side process; these
operations are many and small.

`pika.BlockingConnection` is not thread-safe: one operation at a time holds the lock. The
connection is opened on first use and opened again after a failure (the operation is tried once
more on the new one). It sends no heartbeats — it is idle most of the time and no thread would
answer them — so a connection the broker dropped is only noticed when next used, and replaced.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from typing import Any, TypeVar

import pika.exceptions

from quest_common.broker.connection import connect

T = TypeVar("T")

_LOST = (pika.exceptions.AMQPConnectionError, pika.exceptions.AMQPChannelError, OSError)


class BrokerClient:
    def __init__(self, amqp_url: str, *, name: str) -> None:
        self.amqp_url = amqp_url
        self.name = name
        self._lock = threading.Lock()
        self._connection: Any = None
        self._channels: dict[bool, Any] = {}
        self.opened = 0  # connections opened so far (each reconnection is one)

    def run(self, operation: Callable[[Any], T], *, confirm: bool = False) -> T:
        """`operation(channel)` on this process's connection; with `confirm`, on a channel in
        publisher-confirm mode (a publish returns once the broker has the message)."""
        with self._lock:
            try:
                return operation(self._channel(confirm))
            except _LOST:
                self._drop()
            return operation(self._channel(confirm))  # once more, on a fresh connection

    def _channel(self, confirm: bool) -> Any:
        if self._connection is None or not self._connection.is_open:
            self._drop()
            self._connection = connect(self.amqp_url, name=self.name, heartbeat_s=0)
            self.opened += 1
        channel = self._channels.get(confirm)
        if channel is None or not channel.is_open:
            channel = self._connection.channel()
            if confirm:
                channel.confirm_delivery()
            self._channels[confirm] = channel
        return channel

    def _drop(self) -> None:
        self._channels.clear()
        connection, self._connection = self._connection, None
        if connection is not None and connection.is_open:
            with contextlib.suppress(*_LOST):  # already gone
                connection.close()

    def close(self) -> None:
        with self._lock:
            self._drop()
