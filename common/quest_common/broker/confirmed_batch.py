"""Publish a batch with publisher confirms and one wait: every message is sent, then the broker's
confirms are awaited together, so a batch of 500 costs about one round trip, not 500.

pika's `BlockingChannel.confirm_delivery()` makes each `basic_publish` wait for its own confirm.
Here confirm mode is switched on at the channel underneath (`channel._impl`, pika 1.4's
asynchronous channel) with a callback that counts the broker's acks and nacks (`multiple` acks
included), and the blocking connection's I/O loop runs until every delivery tag is settled.

A batch is all or nothing for the caller: any nack, any unroutable message (mandatory, so a
message no queue would keep is never silently dropped), a lost connection or no confirm within
`confirm_timeout_s` raises `PublishError`. A connection lost mid-batch is tried once more on a
fresh connection, which starts at another node (`AMQP_URL` may list a cluster's nodes): the whole
batch is sent again, so some messages may reach the queue twice; consumers deduplicate by the
message id (the envelope id), so a second copy costs nothing and a missing one would lose an
acknowledged event.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

import pika
from pika.adapters.blocking_connection import BlockingChannel
from pika.exceptions import AMQPError

from quest_common.broker.publisher import CONTENT_TYPE, PublisherConnection, PublishError

logger = logging.getLogger(__name__)


class ConfirmedMessage(NamedTuple):
    routing_key: str
    body: bytes
    message_id: str
    type: str


class _Confirms:
    """The delivery tags of one channel in confirm mode and what the broker said of them."""

    def __init__(self, wake: Callable[[], None]) -> None:
        self._wake = wake
        self.published = 0  # the last delivery tag handed out (the broker numbers from 1)
        self.acked = 0  # every tag up to this one is acked (tags are settled in order)
        self.settled: set[int] = set()  # settled beyond `acked` (out of order)
        self.nacked = False
        self.returned = 0  # messages the broker returned as unroutable

    def on_confirm(self, frame: Any) -> None:
        method = frame.method
        if isinstance(method, pika.spec.Basic.Nack):
            self.nacked = True
        tag, multiple = int(method.delivery_tag), bool(method.multiple)
        if multiple:
            self.acked = max(self.acked, tag)
            self.settled = {t for t in self.settled if t > self.acked}
        else:
            self.settled.add(tag)
        while self.acked + 1 in self.settled:
            self.acked += 1
            self.settled.discard(self.acked)
        if self.done():
            self._wake()

    def on_return(self, *_args: Any) -> None:
        self.returned += 1

    def done(self) -> bool:
        return self.nacked or self.acked >= self.published


class ConfirmedBatchPublisher(PublisherConnection):
    """One connection and one confirm-mode channel; `publish_batch` sends all, then waits once.
    Not thread-safe (pika's BlockingConnection is not): a caller holds it for a whole batch.

    `declare(channel)` runs on every new channel, after the exchange's declaration: a producer
    whose messages must reach a queue even before its consumer ever ran declares that queue
    there. No heartbeats by default: a pooled publisher may sit idle with nobody to answer
    them; a connection the broker dropped meanwhile is noticed at the next batch and replaced.
    """

    def __init__(
        self,
        url: str,
        exchange: str,
        *,
        name: str = "batch-publisher",
        heartbeat_s: int = 0,
        confirm_timeout_s: float = 5.0,
        declare: Callable[[BlockingChannel], None] | None = None,
    ) -> None:
        super().__init__(url, exchange, name=name, heartbeat_s=heartbeat_s)
        self.confirm_timeout_s = confirm_timeout_s
        self._declare = declare
        self._confirms = _Confirms(lambda: None)
        self.resent = 0  # batches sent again after their connection dropped

    def _ensure_channel(self) -> BlockingChannel:
        if self._channel is not None and self._channel.is_open:
            return self._channel
        channel = super()._ensure_channel()  # confirm = False: not the per-publish wait
        if self._declare is not None:
            self._declare(channel)
        connection = self._connection
        assert connection is not None

        def wake() -> None:
            # A timer due at once makes the wait below return as soon as this frame is handled.
            connection.call_later(0, lambda: None)

        confirms = _Confirms(wake)
        selected: list[bool] = []
        # pika 1.4's blocking channel has no confirm mode without a wait per publish: the
        # asynchronous channel under it does, with a callback per confirm frame.
        impl = channel._impl

        def on_select_ok(_frame: Any) -> None:
            selected.append(True)
            wake()

        impl.confirm_delivery(ack_nack_callback=confirms.on_confirm, callback=on_select_ok)
        impl.add_on_return_callback(confirms.on_return)
        self._wait(lambda: bool(selected), what="confirm.select")
        self._confirms = confirms
        return channel

    def _wait(self, ready: Callable[[], bool], *, what: str) -> None:
        assert self._connection is not None
        connection = self._connection
        deadline = time.monotonic() + self.confirm_timeout_s
        while not ready():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"no answer to {what} within {self.confirm_timeout_s}s")
            # Frames are handled as they arrive (the confirm callback runs inside this call, and
            # wakes it once the last tag is settled); at the deadline at the latest it returns.
            connection.process_data_events(time_limit=remaining)

    def publish_batch(self, messages: Sequence[ConfirmedMessage]) -> None:
        """Send every message (persistent, mandatory), then return once the broker confirmed
        them all; `PublishError` when it did not (the caller treats the batch as not sent)."""
        if not messages:
            return
        for attempt in (1, 2):
            had_connection = self._connection is not None
            try:
                self._send(messages)
                return
            except PublishError:
                raise
            except (AMQPError, OSError, TimeoutError) as exc:
                self.lost()
                if attempt == 1 and had_connection:
                    self.resent += 1
                    logger.info(
                        "%s: connection lost before a batch of %d was confirmed (%s); "
                        "sending it again",
                        self.name,
                        len(messages),
                        exc,
                    )
                    continue
                raise PublishError(f"broker unavailable: {type(exc).__name__}: {exc}") from exc

    def _send(self, messages: Sequence[ConfirmedMessage]) -> None:
        channel = self._ensure_channel()
        confirms = self._confirms
        confirms.returned = 0
        for message in messages:
            channel.basic_publish(
                exchange=self.exchange,
                routing_key=message.routing_key,
                body=message.body,
                properties=pika.BasicProperties(
                    content_type=CONTENT_TYPE,
                    delivery_mode=pika.DeliveryMode.Persistent,
                    message_id=message.message_id,
                    type=message.type,
                ),
                mandatory=True,
            )
            confirms.published += 1
        self._wait(confirms.done, what=f"a batch of {len(messages)}")
        # A return comes before its message's ack: once all are acked, every return is in.
        if confirms.nacked:
            self.close()  # the channel's tags are no longer tracked one by one
            raise PublishError(f"broker refused a message of a batch of {len(messages)}")
        if confirms.returned:
            raise PublishError(f"{confirms.returned} message(s) reached no queue")
