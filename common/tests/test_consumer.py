"""ConsumerShell against the real RabbitMQ: batching, outcomes, delivery limit, retry, stop."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pika
import pytest

from quest_common.broker.connection import connect
from quest_common.broker.consumer import ConsumerShell, Delivery, Outcome
from quest_devtools.testing.plugin import BrokerNames, amqp_target, drain_queue
from quest_devtools.testing.waiting import wait_for

ROUTING_KEY = "test.Thing"


def publish(amqp_url: str, exchange: str, bodies: list[bytes]) -> None:
    connection = connect(amqp_url, name="test-publish")
    try:
        channel = connection.channel()
        channel.confirm_delivery()
        for body in bodies:
            channel.basic_publish(
                exchange=exchange,
                routing_key=ROUTING_KEY,
                body=body,
                properties=pika.BasicProperties(delivery_mode=2),
            )
    finally:
        connection.close()


def ready_count(amqp_url: str, queue: str) -> int:
    connection = connect(amqp_url, name="test-count")
    try:
        result = connection.channel().queue_declare(queue=queue, passive=True)
        return int(result.method.message_count)
    finally:
        connection.close()


class Running:
    def __init__(self, shell: ConsumerShell) -> None:
        self.shell = shell
        self.thread = threading.Thread(target=shell.run, daemon=True)

    def __enter__(self) -> ConsumerShell:
        self.thread.start()
        assert self.shell.wait_ready(10)
        return self.shell

    def __exit__(self, *_exc: object) -> None:
        self.shell.stop()
        self.thread.join(15)
        assert not self.thread.is_alive()


@pytest.fixture
def work_queue(broker_names: BrokerNames) -> str:
    return broker_names.work_queue("work", [ROUTING_KEY], delivery_limit=3, retry_delay_ms=200)


def make_shell(
    amqp_url: str, queue: str, handler: Callable[[list[Delivery]], list[Outcome]], **kwargs: object
) -> ConsumerShell:
    options: dict[str, object] = {"prefetch": 100, "batch_size": 20, "linger_s": 0.05}
    options.update(kwargs)
    return ConsumerShell(amqp_url=amqp_url, queue=queue, handler=handler, **options)  # type: ignore[arg-type]


def test_batches_are_handled_then_acked(
    amqp_url: str, broker_names: BrokerNames, work_queue: str
) -> None:
    seen: list[bytes] = []
    sizes: list[int] = []

    def handler(batch: list[Delivery]) -> list[Outcome]:
        sizes.append(len(batch))
        seen.extend(d.body for d in batch)
        return [Outcome.ACK] * len(batch)

    publish(amqp_url, broker_names.exchange, [str(i).encode() for i in range(100)])
    with Running(make_shell(amqp_url, work_queue, handler)):
        wait_for(lambda: len(seen) >= 100)
    assert sorted(seen, key=int) == [str(i).encode() for i in range(100)]
    assert max(sizes) <= 20 and max(sizes) > 1  # batched, never above batch_size
    assert ready_count(amqp_url, work_queue) == 0  # all acked: nothing came back on close


def test_dead_letter_goes_to_the_dlq_and_the_rest_is_acked(
    amqp_url: str, broker_names: BrokerNames, work_queue: str
) -> None:
    seen: list[bytes] = []

    def handler(batch: list[Delivery]) -> list[Outcome]:
        seen.extend(d.body for d in batch)
        return [Outcome.DEAD_LETTER if d.body == b"bad" else Outcome.ACK for d in batch]

    publish(amqp_url, broker_names.exchange, [b"a", b"bad", b"c"])
    with Running(make_shell(amqp_url, work_queue, handler)):
        wait_for(lambda: len(seen) >= 3)
    assert drain_queue(amqp_url, f"{work_queue}.dlq", expect=1) == [b"bad"]
    assert ready_count(amqp_url, work_queue) == 0


def test_a_raising_poison_message_reaches_the_dlq_after_the_delivery_limit(
    amqp_url: str, broker_names: BrokerNames, work_queue: str
) -> None:
    attempts: list[int] = []
    good: list[bytes] = []

    def handler(batch: list[Delivery]) -> list[Outcome]:
        for delivery in batch:
            if delivery.body == b"poison":
                attempts.append(delivery.delivery_count)
                raise ValueError("cannot handle")
        good.extend(d.body for d in batch)
        return [Outcome.ACK] * len(batch)

    publish(amqp_url, broker_names.exchange, [b"one", b"poison", b"two"])
    with Running(make_shell(amqp_url, work_queue, handler)):
        wait_for(lambda: ready_count(amqp_url, f"{work_queue}.dlq") == 1)
        publish(amqp_url, broker_names.exchange, [b"three"])
        wait_for(lambda: b"three" in good)  # the queue keeps flowing
    assert sorted(set(good)) == [b"one", b"three", b"two"]
    assert len(attempts) >= 3  # delivery_limit=3 redeliveries before dead-lettering
    assert drain_queue(amqp_url, f"{work_queue}.dlq", expect=1) == [b"poison"]


def test_retry_goes_through_the_ttl_queue_and_comes_back(
    amqp_url: str, broker_names: BrokerNames, work_queue: str
) -> None:
    attempts: list[tuple[float, int]] = []

    def handler(batch: list[Delivery]) -> list[Outcome]:
        outcomes = []
        for delivery in batch:
            attempts.append((time.monotonic(), delivery.retry_count))
            outcomes.append(Outcome.RETRY if delivery.retry_count < 2 else Outcome.ACK)
        return outcomes

    publish(amqp_url, broker_names.exchange, [b"flaky"])
    shell = make_shell(amqp_url, work_queue, handler, retry_queue=f"{work_queue}.retry")
    with Running(shell):
        wait_for(lambda: len(attempts) >= 3)
        time.sleep(0.3)
    assert [count for _, count in attempts] == [0, 1, 2]
    assert ready_count(amqp_url, work_queue) == 0
    assert ready_count(amqp_url, f"{work_queue}.dlq") == 0


def test_stop_finishes_and_acks_the_batch_in_flight(
    amqp_url: str, broker_names: BrokerNames, work_queue: str
) -> None:
    started = threading.Event()
    handled: list[bytes] = []

    def handler(batch: list[Delivery]) -> list[Outcome]:
        started.set()
        time.sleep(0.5)  # a slow commit, still running when stop() arrives
        handled.extend(d.body for d in batch)
        return [Outcome.ACK] * len(batch)

    publish(amqp_url, broker_names.exchange, [str(i).encode() for i in range(10)])
    shell = make_shell(amqp_url, work_queue, handler, batch_size=10, linger_s=0.2)
    runner = Running(shell)
    runner.__enter__()
    assert started.wait(10)
    shell.stop()
    runner.thread.join(15)
    assert not runner.thread.is_alive()
    # Whatever the handler saw was acked exactly once; the rest is back in the queue, none lost.
    assert len(handled) == len(set(handled)) >= 1
    assert len(handled) + ready_count(amqp_url, work_queue) == 10


def test_reconnects_after_the_connection_is_cut(
    amqp_url: str, broker_names: BrokerNames, work_queue: str, tcp_proxy
) -> None:
    proxy = tcp_proxy(*amqp_target(amqp_url))
    seen: list[bytes] = []

    def handler(batch: list[Delivery]) -> list[Outcome]:
        seen.extend(d.body for d in batch)
        return [Outcome.ACK] * len(batch)

    shell = make_shell(
        proxy.url_for(amqp_url), work_queue, handler, reconnect_initial_s=0.1, reconnect_max_s=0.5
    )
    with Running(shell):
        publish(amqp_url, broker_names.exchange, [b"before"])
        wait_for(lambda: b"before" in seen)
        proxy.cut()
        time.sleep(0.5)
        publish(amqp_url, broker_names.exchange, [b"during"])
        proxy.restore()
        wait_for(lambda: b"during" in seen, timeout=20)
        publish(amqp_url, broker_names.exchange, [b"after"])
        wait_for(lambda: b"after" in seen)
    assert ready_count(amqp_url, work_queue) == 0


def test_a_lone_delivery_is_handled_without_waiting_for_the_linger(
    amqp_url: str, broker_names: BrokerNames, work_queue: str
) -> None:
    handled_at: list[float] = []

    def handler(batch: list[Delivery]) -> list[Outcome]:
        handled_at.extend(time.monotonic() for _ in batch)
        return [Outcome.ACK] * len(batch)

    # A linger this long would show in every single login's latency if it applied to one message.
    with Running(make_shell(amqp_url, work_queue, handler, linger_s=2.0)):
        sent_at = time.monotonic()
        publish(amqp_url, broker_names.exchange, [b"alone"])
        wait_for(lambda: len(handled_at) == 1)
    assert handled_at[0] - sent_at < 1.0
    assert ready_count(amqp_url, work_queue) == 0


def test_the_next_batch_is_prepared_while_one_is_in_the_handler(
    amqp_url: str, broker_names: BrokerNames, work_queue: str
) -> None:
    prepared: list[list[bytes]] = []
    handled: list[bytes] = []
    overlapped = threading.Event()

    def prepare(batch: list[Delivery]) -> list[bytes]:
        prepared.append([d.body for d in batch])
        return [d.body for d in batch]

    def handler(bodies: list[bytes]) -> list[Outcome]:
        # The first batch "commits" until the broker thread has parsed the second one.
        if not handled and wait_until(lambda: len(prepared) >= 2, timeout=10):
            overlapped.set()
        handled.extend(bodies)
        return [Outcome.ACK] * len(bodies)

    publish(amqp_url, broker_names.exchange, [str(i).encode() for i in range(40)])
    shell = make_shell(amqp_url, work_queue, handler, prepare=prepare, batch_size=10, prefetch=40)
    with Running(shell):
        wait_for(lambda: len(handled) >= 40)
    assert overlapped.is_set()
    assert sorted(handled, key=int) == [str(i).encode() for i in range(40)]
    assert ready_count(amqp_url, work_queue) == 0  # all acked, each once


def test_deliveries_are_settled_only_after_the_handler_returned(
    amqp_url: str, broker_names: BrokerNames, work_queue: str, tcp_proxy
) -> None:
    proxy = tcp_proxy(*amqp_target(amqp_url))
    cut = threading.Event()
    seen: list[tuple[bytes, bool]] = []

    def handler(batch: list[Delivery]) -> list[Outcome]:
        seen.extend((d.body, d.redelivered) for d in batch)
        # The first batch is still in the handler when the connection drops: had the shell
        # acked anything early, it would not come back.
        cut.wait(10)
        return [Outcome.ACK] * len(batch)

    shell = make_shell(
        proxy.url_for(amqp_url), work_queue, handler, reconnect_initial_s=0.1, reconnect_max_s=0.5
    )
    publish(amqp_url, broker_names.exchange, [b"a", b"b"])
    with Running(shell):
        wait_for(lambda: len(seen) >= 2)
        proxy.cut()
        cut.set()
        time.sleep(0.5)
        proxy.restore()
        wait_for(lambda: {body for body, again in seen if again} == {b"a", b"b"}, timeout=20)
    assert ready_count(amqp_url, work_queue) == 0


def wait_until(condition: Callable[[], bool], *, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.01)
    return False
