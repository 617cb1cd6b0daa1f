"""Publish events with publisher confirms: a publish returns once the broker holds the message.

With several broker nodes, a publish whose connection drops before its confirm is sent again at
once on a connection to another node: the broker may or may not hold the first copy, and the
consumers deduplicate by the envelope id, so a second copy costs nothing and a missing one
would lose an acknowledged event.
"""

from __future__ import annotations

import logging

import pika
from pika.exceptions import AMQPError, NackError, UnroutableError

from quest_common.broker.connection import BrokerNodes
from quest_common.broker.topology import declare_events_exchange
from quest_common.events import CloudEvent

logger = logging.getLogger(__name__)

CONTENT_TYPE = "application/cloudevents+json"


class PublishError(Exception):
    """The broker did not take the message (down, nacked, or nobody would receive it)."""


class PublisherConnection:
    """One connection and one channel on the events exchange, opened on first use and again after
    `close()` (which every failure calls). Not thread-safe (pika's BlockingConnection is not):
    one per thread."""

    confirm = False

    def __init__(self, url: str, exchange: str, *, name: str, heartbeat_s: int = 30) -> None:
        self.url = url
        self.exchange = exchange
        self.name = name
        self.heartbeat_s = heartbeat_s
        self.connections_opened = 0
        self._nodes = BrokerNodes(url, name=name, heartbeat_s=heartbeat_s)
        self._connection: pika.BlockingConnection | None = None
        self._channel: pika.adapters.blocking_connection.BlockingChannel | None = None

    def _ensure_channel(self) -> pika.adapters.blocking_connection.BlockingChannel:
        if self._channel is not None and self._channel.is_open:
            return self._channel
        self.close()
        self._connection = self._nodes.connect()
        self.connections_opened += 1
        channel = self._connection.channel()
        if self.confirm:
            channel.confirm_delivery()
        declare_events_exchange(channel, self.exchange)
        self._channel = channel
        return channel

    def keep_alive(self) -> None:
        """Answer the broker's heartbeats on an idle, open connection (from the owning thread
        only). pika's `BlockingConnection` does so only inside its own calls: a publisher that
        sends nothing for two heartbeat intervals is dropped by the broker, and its next publish
        fails and waits for a reconnection."""
        if self._connection is None or not self._connection.is_open:
            return
        try:
            self._connection.process_data_events(time_limit=0)
        except (AMQPError, OSError) as exc:
            logger.info("%s: idle connection lost: %s", self.name, exc)
            self.lost()

    def lost(self) -> None:
        """Drop a broken connection; the next one starts at another node."""
        self._nodes.lost()
        self.close()

    def close(self) -> None:
        connection, self._connection, self._channel = self._connection, None, None
        if connection is not None and connection.is_open:
            try:
                connection.close()
            except (AMQPError, OSError):
                logger.debug("closing a broken publisher connection", exc_info=True)


class ConfirmingPublisher(PublisherConnection):
    """Publishes with confirms; reconnects on the next publish after a failure."""

    confirm = True

    def __init__(
        self, url: str, exchange: str, *, name: str = "publisher", heartbeat_s: int = 30
    ) -> None:
        super().__init__(url, exchange, name=name, heartbeat_s=heartbeat_s)
        self.resent = 0  # publishes sent again after their connection dropped

    def publish_body(
        self,
        body: bytes,
        *,
        routing_key: str,
        message_id: str,
        event_type: str,
        mandatory: bool = True,
    ) -> None:
        properties = pika.BasicProperties(
            content_type=CONTENT_TYPE,
            delivery_mode=pika.DeliveryMode.Persistent,
            message_id=message_id,
            type=event_type,
        )
        # A connection that was open when this publish began may drop before the confirm (its
        # node stopping): send again, once, on a fresh connection, which starts at another node.
        for attempt in (1, 2):
            had_connection = self._connection is not None
            try:
                channel = self._ensure_channel()
                channel.basic_publish(
                    exchange=self.exchange,
                    routing_key=routing_key,
                    body=body,
                    properties=properties,
                    mandatory=mandatory,
                )
                return
            except UnroutableError as exc:
                raise PublishError(f"no queue is bound for {routing_key}") from exc
            except NackError as exc:
                raise PublishError(f"broker refused {message_id}") from exc
            except (AMQPError, OSError) as exc:
                self.lost()
                if attempt == 1 and had_connection:
                    self.resent += 1
                    logger.info(
                        "%s: connection lost before %s was confirmed: %s; sending it again",
                        self.name,
                        message_id,
                        exc,
                    )
                    continue
                raise PublishError(f"broker unavailable: {type(exc).__name__}: {exc}") from exc

    def publish(self, event: CloudEvent, *, routing_key: str, mandatory: bool = True) -> None:
        self.publish_body(
            event.to_json(),
            routing_key=routing_key,
            message_id=event.id,
            event_type=event.type,
            mandatory=mandatory,
        )
