"""A generic, batching RabbitMQ consumer shell around a handler function.

The shell owns everything about the broker; the handler owns the work and its transaction:

- QoS (`prefetch`) bounds what sits unacknowledged in this process;
- deliveries are collected into a batch of up to `batch_size`; the handler runs once per batch and
  commits, and only then are the deliveries settled — so a crash before the commit means
  redelivery, never loss;
- batches only form under load: what has arrived is handled at once (no fixed wait); only while
  more deliveries keep arriving does the shell keep collecting, for up to `linger_s`;
- the handler runs in a second thread, so the broker thread receives (and, with `prepare`,
  parses) batch N+1 while batch N commits; at most one batch is in the handler at a time, and its
  deliveries are settled from the broker thread once the handler returned;
- each delivery gets an `Outcome`: ACK, DEAD_LETTER (an invalid message: rejected without requeue,
  so the queue's dead-letter exchange moves it to the DLQ) or RETRY (a transient failure: a copy
  goes to the delayed-retry TTL queue, or the message is requeued so the quorum queue's
  `x-delivery-limit` counts it); a handler that raises is retried one message at a time so a single
  poison message cannot drag a whole batch to the delivery limit;
- a lost connection is re-established, on another node of the list when there are several, with
  capped exponential backoff and jitter while none answers (unacked deliveries come back from
  the broker; a batch committed but not acked is redelivered and deduplicated by the handler);
- on SIGTERM/SIGINT (or `stop()`), it cancels the consumer, finishes and settles the deliveries it
  already holds, and closes the connection cleanly.

pika's `BlockingConnection` is not thread-safe: the shell uses one connection in the thread that
calls `run()`, and settles deliveries from that same thread; the handler thread only wakes it
(`add_callback_threadsafe`) when a batch is done.
"""

from __future__ import annotations

import contextlib
import enum
import logging
import signal
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from types import FrameType
from typing import Any, Generic, TypeVar

import pika
import pika.exceptions
from pika.adapters.blocking_connection import BlockingChannel, BlockingConnection
from pika.spec import Basic, BasicProperties

from quest_common.broker.connection import BrokerNodes
from quest_common.logging import bind_event_id
from quest_common.retry import Backoff, retry_until_stopped

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


T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class ParsedBatch(Generic[T]):
    """A batch after parsing: one outcome per delivery (so far), and what is left to apply."""

    outcomes: list[Outcome]
    items: list[T]


def parse_batch(
    batch: list[Delivery],
    parse: Callable[[bytes], T | None],
    invalid: type[Exception],
    what: str = "message",
) -> ParsedBatch[T]:
    """Each body through `parse` (no I/O): one that raises `invalid` is dead-lettered, logged
    with its message id; one `parse` passes over (None: a type this queue does not apply) is
    acked; the rest are acked, their items kept in order for the handler to apply."""
    outcomes: list[Outcome] = []
    items: list[T] = []
    for delivery in batch:
        try:
            item = parse(delivery.body)
        except invalid as exc:
            with bind_event_id(delivery.properties.message_id):
                log.warning("dead-lettering a %s: %s", what, exc)
            outcomes.append(Outcome.DEAD_LETTER)
            continue
        if item is not None:
            items.append(item)
        outcomes.append(Outcome.ACK)
    return ParsedBatch(outcomes=outcomes, items=items)


BatchHandler = Callable[[list[Delivery]], list[Outcome]]
# With `prepare`, the handler gets what `prepare` made of the batch (one outcome per delivery).
Prepare = Callable[[list[Delivery]], Any]
PreparedHandler = Callable[[Any], list[Outcome]]
Declare = Callable[[BlockingChannel], None]


class ConsumerShell:
    def __init__(
        self,
        *,
        amqp_url: str,
        queue: str,
        handler: BatchHandler | PreparedHandler,
        prepare: Prepare | None = None,
        prefetch: int = 1000,
        batch_size: int = 500,
        linger_s: float = 0.01,
        declare: Declare | None = None,
        retry_queue: str | None = None,
        max_retries: int = 5,
        reconnect_initial_s: float = 1.0,
        reconnect_max_s: float = 30.0,
        idle_poll_s: float = 0.25,
        name: str = "consumer",
    ) -> None:
        if batch_size < 1 or prefetch < batch_size:
            raise ValueError("need 1 <= batch_size <= prefetch")
        self.amqp_url = amqp_url
        self.queue = queue
        self.handler: PreparedHandler = handler
        self.prepare: Prepare = prepare if prepare is not None else _as_is
        self.prefetch = prefetch
        self.batch_size = batch_size
        self.linger_s = linger_s
        self.declare = declare
        self.retry_queue = retry_queue
        self.max_retries = max_retries
        self._reconnect = Backoff(reconnect_initial_s, reconnect_max_s, jitter=True)
        self._nodes = BrokerNodes(amqp_url, name=name)
        self.idle_poll_s = idle_poll_s
        self.name = name
        self._stop = threading.Event()
        self._ready = threading.Event()
        self._connection: BlockingConnection | None = None
        self._buffer: list[Delivery] = []
        # The next batch, already prepared while the one before it is in the handler.
        self._next: tuple[list[Delivery], Any] | None = None
        self._in_handler: tuple[list[Delivery], Future[list[Outcome]]] | None = None
        self._handler_thread: ThreadPoolExecutor | None = None
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
        retry_until_stopped(
            self._consume_once,
            stop=self._stop,
            backoff=self._reconnect,
            what=f"{self.name}: broker connection",
            errors=(pika.exceptions.AMQPError, OSError),
            on_error=self._lost,
        )
        log.info("%s: stopped", self.name)

    def _lost(self, _exc: Exception) -> None:
        self._ready.clear()
        self._nodes.lost()
        # Deliveries we held are unacked: the broker redelivers them to someone.
        self._buffer.clear()
        self._next = None

    # -- one connection --------------------------------------------------------------------

    def _consume_once(self) -> None:
        connection = self._nodes.connect()
        self._connection = connection
        self._handler_thread = ThreadPoolExecutor(1, thread_name_prefix=f"{self.name}-handler")
        try:
            channel = connection.channel()
            if self.declare is not None:
                self.declare(channel)
            channel.basic_qos(prefetch_count=self.prefetch)
            consumer_tag = channel.basic_consume(self.queue, self._on_message, auto_ack=False)
            self._ready.set()
            self._reconnect.reset()
            log.info("%s: consuming %s on %s", self.name, self.queue, self._nodes.current)
            while not self._stop.is_set():
                self._step(connection, channel)
            # Graceful stop: no new deliveries; pending undispatched ones go back to the queue.
            channel.basic_cancel(consumer_tag)
            # Finish what we hold: the batch in the handler, the prepared one, the buffer.
            while self._in_handler is not None or self._next is not None or self._buffer:
                self._step(connection, channel)
            channel.close()
        finally:
            self._ready.clear()
            self._connection = None
            # A batch still in the handler finishes (its commit stands); unsettled, it is
            # redelivered, and the handler's dedupe by envelope id makes that harmless.
            self._handler_thread.shutdown(wait=True)
            self._in_handler = None
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

    def _step(self, connection: BlockingConnection, channel: BlockingChannel) -> None:
        """One turn of the broker thread: settle a finished batch, start the next one, or wait
        for I/O (a delivery, or the handler thread's wake-up)."""
        if self._in_handler is not None and self._in_handler[1].done():
            batch, done = self._in_handler
            self._in_handler = None
            self._settle(channel, batch, done.result())
            self.batches += 1
            self.settled += len(batch)
        if self._in_handler is None:
            if self._next is not None:
                batch, prepared = self._next
                self._next = None
                self._start(connection, batch, prepared)
                return
            if self._buffer:
                self._fill(connection)
                batch = self._take()
                self._start(connection, batch, self._prepare(batch))
                return
        elif self._next is None and len(self._buffer) >= self.batch_size:
            # Batch N is committing: receive and parse batch N+1 meanwhile.
            batch = self._take()
            self._next = (batch, self._prepare(batch))
            return
        # Returns as soon as a delivery is dispatched, the handler thread wakes us, or after the
        # poll interval (heartbeats are answered in here, even while a batch commits).
        connection.process_data_events(time_limit=self.idle_poll_s)

    def _fill(self, connection: BlockingConnection) -> None:
        """Batch only under load: take what has already arrived, and keep taking for up to
        `linger_s` only while more keeps arriving — a lone delivery (or a pair) goes at once,
        a deep queue yields big batches."""
        deadline = time.monotonic() + self.linger_s
        while len(self._buffer) < self.batch_size and not self._stop.is_set():
            held = len(self._buffer)
            connection.process_data_events(time_limit=0)  # what already sits in the socket
            if len(self._buffer) == held or time.monotonic() >= deadline:
                return

    def _take(self) -> list[Delivery]:
        batch = self._buffer[: self.batch_size]
        del self._buffer[: self.batch_size]
        return batch

    def _prepare(self, batch: list[Delivery]) -> Any:
        try:
            return self.prepare(batch)
        except Exception:
            log.exception("%s: preparing a batch of %d failed", self.name, len(batch))
            return _UNPREPARED  # the handler thread goes one by one

    def _start(self, connection: BlockingConnection, batch: list[Delivery], prepared: Any) -> None:
        assert self._handler_thread is not None
        done = self._handler_thread.submit(self._run_handler, batch, prepared)
        self._in_handler = (batch, done)

        def wake(_done: Future[list[Outcome]]) -> None:
            # The connection may be gone already (the batch is then redelivered).
            with contextlib.suppress(Exception):
                connection.add_callback_threadsafe(_nothing)

        done.add_done_callback(wake)

    def _run_handler(self, batch: list[Delivery], prepared: Any) -> list[Outcome]:
        if prepared is not _UNPREPARED:
            try:
                outcomes = self.handler(prepared)
                if len(outcomes) != len(batch):
                    raise RuntimeError("handler returned a wrong number of outcomes")
                return outcomes
            except Exception:
                log.exception("%s: batch of %d failed; retrying one by one", self.name, len(batch))
        # One message at a time, so only the message that fails is counted toward its limit.
        outcomes = []
        for delivery in batch:
            try:
                [outcome] = self.handler(self.prepare([delivery]))
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


_UNPREPARED = object()


def _as_is(batch: list[Delivery]) -> list[Delivery]:
    return batch


def _nothing() -> None:
    """A wake-up: any callback makes `process_data_events` return."""
