"""A generic, batching RabbitMQ consumer shell around a handler function.

The shell owns everything about the broker; the handler owns the work and its transaction:

- QoS (`prefetch`) bounds what sits unacknowledged in this process;
- deliveries are collected into a batch (up to `batch_size`, or whatever arrived within
  `linger_s` of the first one), the handler runs once per batch and commits, and only then are
  the deliveries settled — so a crash before the commit means redelivery, never loss;
- each delivery gets an `Outcome`: ACK, DEAD_LETTER (an invalid message: rejected without requeue,
  so the queue's dead-letter exchange moves it to the DLQ) or RETRY (a transient failure: a copy
  goes to the delayed-retry TTL queue, or the message is requeued so the quorum queue's
  `x-delivery-limit` counts it); a handler that raises is retried one message at a time so a single
  poison message cannot drag a whole batch to the delivery limit;
- a lost connection is re-established with capped exponential backoff (unacked deliveries come
  back from the broker);
- on SIGTERM/SIGINT (or `stop()`), it cancels the consumer, finishes and settles the deliveries it
  already holds, and closes the connection cleanly.

pika's `BlockingConnection` is not thread-safe: the shell uses one connection in the thread that
calls `run()`, and settles deliveries from that same thread.
"""

from __future__ import annotations

import contextlib
import enum
import logging
import random
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from types import FrameType
from typing import Any

import pika
import pika.exceptions
from pika.adapters.blocking_connection import BlockingChannel, BlockingConnection
from pika.spec import Basic, BasicProperties

from quest_common.broker.connection import connect

log = logging.getLogger(__name__)

RETRY_COUNT_HEADER = "x-retry-count"


class Outcome(enum.Enum):
    ACK = "ack"
    DEAD_LETTER = "dead_letter"
    RETRY = "retry"


@dataclass(frozen=True, slots=True)
class Delivery:
    delivery_tag: int
    body: bytes
    routing_key: str
    exchange: str
    redelivered: bool
    properties: BasicProperties = field(repr=False)

    @property
    def headers(self) -> dict[str, Any]:
        return dict(self.properties.headers or {})

    @property
    def delivery_count(self) -> int:
        """How often the broker delivered it before (quorum queues set `x-delivery-count`)."""
        return int(self.headers.get("x-delivery-count", 0) or 0)

    @property
    def retry_count(self) -> int:
        """How often it went through the delayed-retry queue."""
        return int(self.headers.get(RETRY_COUNT_HEADER, 0) or 0)


BatchHandler = Callable[[list[Delivery]], list[Outcome]]
Declare = Callable[[BlockingChannel], None]


class ConsumerShell:
    def __init__(
        self,
        *,
        amqp_url: str,
        queue: str,
        handler: BatchHandler,
        prefetch: int = 1000,
        batch_size: int = 500,
        linger_s: float = 0.01,
        declare: Declare | None = None,
        retry_queue: str | None = None,
        max_retries: int = 5,
        reconnect_initial_s: float = 0.5,
        reconnect_max_s: float = 30.0,
        idle_poll_s: float = 0.25,
        name: str = "consumer",
    ) -> None:
        if batch_size < 1 or prefetch < batch_size:
            raise ValueError("need 1 <= batch_size <= prefetch")
        self.amqp_url = amqp_url
        self.queue = queue
        self.handler = handler
        self.prefetch = prefetch
        self.batch_size = batch_size
        self.linger_s = linger_s
        self.declare = declare
        self.retry_queue = retry_queue
        self.max_retries = max_retries
        self.reconnect_initial_s = reconnect_initial_s
        self.reconnect_max_s = reconnect_max_s
        self.idle_poll_s = idle_poll_s
        self.name = name
        self._stop = threading.Event()
        self._ready = threading.Event()
        self._connection: BlockingConnection | None = None
        self._buffer: list[Delivery] = []
        self.batches = 0
        self.settled = 0

    # -- lifecycle -------------------------------------------------------------------------

    def stop(self) -> None:
        """Finish what the shell holds, then return from `run()`. Thread- and signal-safe."""
        self._stop.set()
        connection = self._connection
        if connection is not None and threading.current_thread() is not threading.main_thread():
            # Wake the consuming thread if it is blocked waiting for I/O.
            # The connection may be closing already; the flag alone then suffices.
            with contextlib.suppress(Exception):
                connection.add_callback_threadsafe(lambda: None)

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    def wait_ready(self, timeout: float) -> bool:
        """Block until the shell is connected and consuming (for tests and the health check)."""
        return self._ready.wait(timeout)

    def install_signal_handlers(self) -> None:
        """SIGTERM/SIGINT stop taking work; in-flight deliveries are finished and acked."""

        def _handle(signum: int, _frame: FrameType | None) -> None:
            log.info("signal %s: finishing in-flight work", signal.Signals(signum).name)
            self._stop.set()

        signal.signal(signal.SIGTERM, _handle)
        signal.signal(signal.SIGINT, _handle)

    def run(self) -> None:
        """Consume until `stop()`; reconnects with capped exponential backoff."""
        delay = self.reconnect_initial_s
        while not self._stop.is_set():
            try:
                self._consume_once()
                delay = self.reconnect_initial_s
            except (pika.exceptions.AMQPError, OSError) as exc:
                self._ready.clear()
                # Deliveries we held are unacked: the broker redelivers them to someone.
                self._buffer.clear()
                if self._stop.is_set():
                    break
                sleep_for = delay * (0.5 + random.random() / 2)  # noqa: S311 - jitter
                log.warning(
                    "%s: broker connection lost (%r), retrying in %.1fs", self.name, exc, sleep_for
                )
                self._stop.wait(sleep_for)
                delay = min(delay * 2, self.reconnect_max_s)
        log.info("%s: stopped", self.name)

    # -- one connection --------------------------------------------------------------------

    def _consume_once(self) -> None:
        connection = connect(self.amqp_url, name=self.name)
        self._connection = connection
        try:
            channel = connection.channel()
            if self.declare is not None:
                self.declare(channel)
            channel.basic_qos(prefetch_count=self.prefetch)
            consumer_tag = channel.basic_consume(self.queue, self._on_message, auto_ack=False)
            self._ready.set()
            log.info("%s: consuming %s", self.name, self.queue)
            while not self._stop.is_set():
                self._next_batch(connection, channel)
            # Graceful stop: no new deliveries; pending undispatched ones go back to the queue.
            channel.basic_cancel(consumer_tag)
            while self._buffer:
                self._handle_batch(channel)
            channel.close()
        finally:
            self._ready.clear()
            self._connection = None
            if connection.is_open:
                try:
                    connection.close()
                except pika.exceptions.AMQPError:
                    log.debug("%s: close failed", self.name, exc_info=True)

    def _on_message(
        self,
        _channel: BlockingChannel,
        method: Basic.Deliver,
        properties: BasicProperties,
        body: bytes,
    ) -> None:
        self._buffer.append(
            Delivery(
                delivery_tag=method.delivery_tag,
                body=body,
                routing_key=method.routing_key,
                exchange=method.exchange,
                redelivered=bool(method.redelivered),
                properties=properties,
            )
        )

    def _next_batch(self, connection: BlockingConnection, channel: BlockingChannel) -> None:
        if not self._buffer:
            # Returns as soon as a delivery is dispatched, or after the poll interval.
            connection.process_data_events(time_limit=self.idle_poll_s)
            return
        # Linger briefly so a deep queue yields big batches while a shallow one stays fast.
        deadline = time.monotonic() + self.linger_s
        while len(self._buffer) < self.batch_size and not self._stop.is_set():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            connection.process_data_events(time_limit=remaining)
        self._handle_batch(channel)

    def _handle_batch(self, channel: BlockingChannel) -> None:
        batch = self._buffer[: self.batch_size]
        del self._buffer[: self.batch_size]
        outcomes = self._run_handler(batch)
        self._settle(channel, batch, outcomes)
        self.batches += 1
        self.settled += len(batch)

    def _run_handler(self, batch: list[Delivery]) -> list[Outcome]:
        try:
            outcomes = self.handler(batch)
            if len(outcomes) != len(batch):
                raise RuntimeError("handler returned a wrong number of outcomes")
            return outcomes
        except Exception:
            log.exception("%s: batch of %d failed; retrying one by one", self.name, len(batch))
        # One message at a time, so only the message that fails is counted toward its limit.
        outcomes = []
        for delivery in batch:
            try:
                [outcome] = self.handler([delivery])
            except Exception:
                log.exception("%s: delivery %d failed", self.name, delivery.delivery_tag)
                outcome = Outcome.RETRY
            outcomes.append(outcome)
        return outcomes

    def _settle(
        self, channel: BlockingChannel, batch: list[Delivery], outcomes: list[Outcome]
    ) -> None:
        last_ack = 0
        for delivery, outcome in zip(batch, outcomes, strict=True):
            if outcome is Outcome.ACK:
                last_ack = delivery.delivery_tag
            elif outcome is Outcome.DEAD_LETTER:
                channel.basic_nack(delivery.delivery_tag, requeue=False)
            else:
                self._retry(channel, delivery)
        if last_ack:
            # Everything up to here is settled; one frame acks the whole run of the batch.
            channel.basic_ack(last_ack, multiple=True)

    def _retry(self, channel: BlockingChannel, delivery: Delivery) -> None:
        if self.retry_queue is None:
            # Requeue: the quorum queue counts the return toward `x-delivery-limit`.
            channel.basic_nack(delivery.delivery_tag, requeue=True)
            return
        if delivery.retry_count >= self.max_retries:
            channel.basic_nack(delivery.delivery_tag, requeue=False)
            return
        headers = delivery.headers
        headers[RETRY_COUNT_HEADER] = delivery.retry_count + 1
        props = delivery.properties
        channel.basic_publish(
            exchange="",
            routing_key=self.retry_queue,
            body=delivery.body,
            properties=pika.BasicProperties(
                content_type=props.content_type,
                delivery_mode=pika.DeliveryMode.Persistent,
                message_id=props.message_id,
                headers=headers,
                # The TTL queue dead-letters back to the exchange with this routing key.
                type=props.type,
            ),
        )
        channel.basic_ack(delivery.delivery_tag)
