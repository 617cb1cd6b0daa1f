"""Publish processing events after commit.

The notification rows are the durable record (an SSE client replays from them), so these events
are published without waiting for a confirm per message: waiting would cap the worker at the
broker's round-trip rate. A failed publish is logged and the connection reopened next time.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

import pika
from pika.exceptions import AMQPError
from quest_common.broker.connection import connect
from quest_common.broker.topology import declare_events_exchange
from quest_common.events import make_event, routing_key

from processing_service.notifications.payloads import EVENT_TYPES

log = logging.getLogger(__name__)

SOURCE = "processing-service"


def to_event_body(note: dict[str, Any]) -> tuple[str, bytes, str, str]:
    """(routing key, body, message id, type) of a stored notification."""
    event_type = EVENT_TYPES[note["event"]]
    event = make_event(
        source=SOURCE,
        type=event_type,
        subject=note["user_id"],
        data={"user_id": note["user_id"], "notification_id": note["seq"], **note["data"]},
    )
    return routing_key("processing", event_type), event.to_json(), event.id, event_type


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
            for note in notes:
                key, body, message_id, event_type = to_event_body(note)
                channel.basic_publish(
                    exchange=self.exchange,
                    routing_key=key,
                    body=body,
                    properties=pika.BasicProperties(
                        content_type="application/cloudevents+json",
                        message_id=message_id,
                        type=event_type,
                    ),
                )
                sent += 1
            if self._connection is not None:
                self._connection.process_data_events(0)  # answer heartbeats between batches
        except (AMQPError, OSError) as exc:
            log.warning("publishing processing events failed after %d: %s", sent, exc)
            self.close()
        return sent

    def close(self) -> None:
        connection, self._connection, self._channel = self._connection, None, None
        if connection is not None and connection.is_open:
            try:
                connection.close()
            except (AMQPError, OSError):
                log.debug("closing publisher connection failed", exc_info=True)
