"""BatchPublisher / BackgroundPublisher against the real broker: idle heartbeats, one retry."""

from __future__ import annotations

import time

from quest_common.broker.batch import BackgroundPublisher, Message
from quest_devtools.testing.plugin import BrokerNames, amqp_target, bind_probe_queue, drain_queue


def _messages(items: list[str]) -> list[Message]:
    return [Message("test.Thing", item.encode(), "Thing") for item in items]


def _publisher(url: str, exchange: str) -> BackgroundPublisher[str]:
    return BackgroundPublisher(
        amqp_url=url, exchange=exchange, encode=_messages, name="test-batch", heartbeat_s=2
    )


def test_an_idle_publisher_keeps_its_connection_past_the_heartbeat(
    amqp_url: str, broker_names: BrokerNames
) -> None:
    queue = broker_names.queue("probe")
    bind_probe_queue(amqp_url, exchange=broker_names.exchange, queue=queue, routing_key="test.#")
    publisher = _publisher(amqp_url, broker_names.exchange)
    publisher.start()
    try:
        publisher.publish(["first"])
        assert drain_queue(amqp_url, queue, expect=1) == [b"first"]
        # Idle for three heartbeat intervals: without heartbeats answered the broker (or pika)
        # would have dropped the connection by now.
        time.sleep(7)
        publisher.publish(["after idle"])
        assert drain_queue(amqp_url, queue, expect=1) == [b"after idle"]
        # Delivered on the same connection, not by the reconnect that covers a reset.
        assert publisher.publisher.connections_opened == 1
    finally:
        publisher.close()


def test_a_reset_connection_is_retried_once_on_a_fresh_one(
    amqp_url: str, broker_names: BrokerNames, tcp_proxy
) -> None:
    queue = broker_names.queue("probe")
    bind_probe_queue(amqp_url, exchange=broker_names.exchange, queue=queue, routing_key="test.#")
    proxy = tcp_proxy(*amqp_target(amqp_url))
    publisher = _publisher(proxy.url_for(amqp_url), broker_names.exchange)
    publisher.start()
    try:
        publisher.publish(["before"])
        assert drain_queue(amqp_url, queue, expect=1) == [b"before"]
        proxy.cut()  # resets the open connection
        proxy.restore()
        publisher.publish(["after reset"])
        assert drain_queue(amqp_url, queue, expect=1) == [b"after reset"]
        assert publisher.publisher.connections_opened == 2
    finally:
        publisher.close()
