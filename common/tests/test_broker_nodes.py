"""Several broker URLs: each client connects to the first node that answers and moves to another
when its node goes away. Two `TcpProxy`s in front of the one real broker stand for two nodes;
cutting one (and leaving it cut) is that node's loss."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator

import pytest

from quest_common.broker.batch import BatchPublisher, Message
from quest_common.broker.broadcast import BroadcastListener
from quest_common.broker.connection import (
    BrokerNodes,
    BrokerUnavailableError,
    broker_urls,
    node_label,
)
from quest_common.broker.consumer import ConsumerShell, Delivery, Outcome
from quest_common.broker.publisher import ConfirmingPublisher, PublishError
from quest_common.events import CloudEvent, make_event
from quest_common.logging import quiet_pika
from quest_devtools.devstack import free_port
from quest_devtools.testing.plugin import BrokerNames, amqp_target, drain_queue
from quest_devtools.testing.proxy import TcpProxy
from quest_devtools.testing.waiting import wait_for

ROUTING_KEY = "test.Thing"
ProxyFactory = Callable[[str, int], TcpProxy]


def two_nodes(amqp_url: str, tcp_proxy: ProxyFactory) -> tuple[TcpProxy, TcpProxy, str]:
    """Two proxies to the broker and the comma-separated URL a service would be given."""
    first = tcp_proxy(*amqp_target(amqp_url))
    second = tcp_proxy(*amqp_target(amqp_url))
    return first, second, f"{first.url_for(amqp_url)}, {second.url_for(amqp_url)}"


def closed_port_url(amqp_url: str) -> str:
    host, port = amqp_target(amqp_url)
    return amqp_url.replace(f"{host}:{port}", f"127.0.0.1:{free_port()}", 1)


def test_one_url_or_a_comma_separated_list() -> None:
    one = "amqp://guest:guest@127.0.0.1:5672/%2F"
    assert broker_urls(one) == [one]
    assert broker_urls(" amqp://a:1/%2F ,amqp://b:2/%2F,, ") == ["amqp://a:1/%2F", "amqp://b:2/%2F"]
    with pytest.raises(ValueError, match="no broker URL"):
        broker_urls(" , ")


def test_a_node_is_named_without_its_credentials() -> None:
    assert node_label("amqp://guest:s3cret@rabbit-1:5673/%2F") == "rabbit-1:5673"
    assert node_label("amqp://guest:s3cret@rabbit-2/%2F") == "rabbit-2:5672"


def test_the_first_node_that_answers_is_used(amqp_url: str) -> None:
    dead = closed_port_url(amqp_url)
    nodes = BrokerNodes([dead, amqp_url], name="test-nodes")
    connection = nodes.connect()
    try:
        assert connection.is_open
        assert nodes.current == node_label(amqp_url)
    finally:
        connection.close()


def test_after_a_loss_the_next_attempt_starts_at_the_next_node(
    amqp_url: str, tcp_proxy: ProxyFactory
) -> None:
    first, second, urls = two_nodes(amqp_url, tcp_proxy)
    nodes = BrokerNodes(urls, name="test-nodes")
    nodes.connect().close()
    assert nodes.current == f"127.0.0.1:{first.port}"
    nodes.lost()
    nodes.connect().close()
    # The first node still answers, yet the client moved on: in a cluster the node it lost is
    # the one likely to be stopping.
    assert nodes.current == f"127.0.0.1:{second.port}"


def test_no_node_answering_names_each_without_credentials(amqp_url: str) -> None:
    urls = [closed_port_url(amqp_url), closed_port_url(amqp_url)]
    with pytest.raises(BrokerUnavailableError) as raised:
        BrokerNodes(urls, name="test-nodes").connect()
    message = str(raised.value)
    assert all(node_label(url) in message for url in urls)
    assert "guest:guest" not in message


# --- the loops survive a node's loss -----------------------------------------------------------


@pytest.fixture
def work_queue(broker_names: BrokerNames) -> str:
    return broker_names.work_queue("work", [ROUTING_KEY])


def publish(amqp_url: str, exchange: str, key: str, body: str) -> None:
    publisher = ConfirmingPublisher(amqp_url, exchange, name="test-publish")
    try:
        event = make_event(source="test", type="Thing", subject="s", data={"body": body})
        publisher.publish(event, routing_key=key)
    finally:
        publisher.close()


def test_a_consumer_moves_to_another_node_and_loses_nothing(
    amqp_url: str, broker_names: BrokerNames, work_queue: str, tcp_proxy: ProxyFactory
) -> None:
    first, _second, urls = two_nodes(amqp_url, tcp_proxy)
    seen: list[str] = []

    def handler(batch: list[Delivery]) -> list[Outcome]:
        seen.extend(str(CloudEvent.model_validate_json(d.body).data["body"]) for d in batch)
        return [Outcome.ACK] * len(batch)

    shell = ConsumerShell(amqp_url=urls, queue=work_queue, handler=handler, name="test-consumer")
    thread = threading.Thread(target=shell.run, daemon=True)
    thread.start()
    try:
        assert shell.wait_ready(10)
        publish(amqp_url, broker_names.exchange, ROUTING_KEY, "before")
        wait_for(lambda: "before" in seen)
        first.cut()  # and it stays cut: the node is gone
        publish(amqp_url, broker_names.exchange, ROUTING_KEY, "during")
        wait_for(lambda: "during" in seen, timeout=20)
    finally:
        shell.stop()
        thread.join(15)
    assert seen == ["before", "during"]
    assert drain_queue(amqp_url, work_queue, wait_seconds=1.0) == []


@pytest.fixture
def listener_factory() -> Iterator[Callable[..., BroadcastListener]]:
    started: list[BroadcastListener] = []

    def make(**options: object) -> BroadcastListener:
        listener = BroadcastListener(**options)  # type: ignore[arg-type]
        listener.start()
        started.append(listener)
        return listener

    yield make
    for listener in started:
        listener.stop()
        listener.join(5)


def test_a_broadcast_listener_binds_again_on_another_node(
    amqp_url: str,
    broker_names: BrokerNames,
    tcp_proxy: ProxyFactory,
    listener_factory: Callable[..., BroadcastListener],
) -> None:
    first, _second, urls = two_nodes(amqp_url, tcp_proxy)
    heard: list[str] = []
    connects: list[int] = []
    listener = listener_factory(
        amqp_url=urls,
        exchange=broker_names.exchange,
        routing_keys=["test.#"],
        on_message=lambda _key, body: heard.append(
            str(CloudEvent.model_validate_json(body).data["body"])
        ),
        on_connect=lambda: connects.append(1),
        name="test-broadcast",
    )
    assert listener.ready.wait(10)
    first.cut()
    # Bound again elsewhere (and `on_connect` ran again to catch up on what it missed).
    wait_for(lambda: len(connects) == 2 and listener.ready.is_set(), timeout=20)
    publish(amqp_url, broker_names.exchange, "test.Thing", "after the loss")
    wait_for(lambda: heard == ["after the loss"])


def test_a_publisher_sends_again_what_its_lost_connection_left_unconfirmed(
    amqp_url: str, broker_names: BrokerNames, tcp_proxy: ProxyFactory
) -> None:
    first, _second, urls = two_nodes(amqp_url, tcp_proxy)
    probe = broker_names.probe("probe", "test.#")
    publisher = ConfirmingPublisher(urls, broker_names.exchange, name="test-publisher")
    try:
        events = [
            make_event(source="test", type="Thing", subject="s", data={"n": n}) for n in range(2)
        ]
        publisher.publish(events[0], routing_key="test.Thing")
        first.cut()
        # Its connection is dead, which the publisher learns only by publishing: the same call
        # sends it again on a connection to the other node, and returns once that confirms.
        publisher.publish(events[1], routing_key="test.Thing")
        assert publisher.resent == 1
    finally:
        publisher.close()
    bodies = drain_queue(amqp_url, probe, expect=2)
    assert [CloudEvent.model_validate_json(b).data["n"] for b in bodies] == [0, 1]


def test_a_batch_publisher_goes_on_through_the_other_node(
    amqp_url: str, broker_names: BrokerNames, tcp_proxy: ProxyFactory
) -> None:
    first, _second, urls = two_nodes(amqp_url, tcp_proxy)
    probe = broker_names.probe("probe", "test.#")
    publisher = BatchPublisher(urls, broker_names.exchange, name="test-batch")
    try:
        assert publisher.publish([Message("test.Thing", b"before", "Thing")]) == 1
        # This publisher sends without waiting for confirms: a message still inside the proxy
        # when it is cut is lost by design. Let "before" reach the broker first.
        assert drain_queue(amqp_url, probe, expect=1) == [b"before"]
        first.cut()
        assert publisher.publish([Message("test.Thing", b"after", "Thing")]) == 1
        assert publisher.connections_opened == 2
    finally:
        publisher.close()
    assert drain_queue(amqp_url, probe, expect=1) == [b"after"]


def test_a_publisher_with_no_node_left_fails_cleanly(
    amqp_url: str, broker_names: BrokerNames, tcp_proxy: ProxyFactory
) -> None:
    first, second, urls = two_nodes(amqp_url, tcp_proxy)
    publisher = ConfirmingPublisher(urls, broker_names.exchange, name="test-publisher")
    try:
        event = make_event(source="test", type="Thing", subject="s", data={})
        publisher.publish(event, routing_key="test.Thing", mandatory=False)
        first.cut()
        second.cut()
        with pytest.raises(PublishError, match="broker unavailable"):
            publisher.publish(event, routing_key="test.Thing", mandatory=False)
    finally:
        publisher.close()


# --- an outage is a few warnings, not a flood ----------------------------------------------------


class Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def root_log() -> Iterator[Collect]:
    """Every record that reaches the root logger at INFO, with pika quieted as services do."""
    root = logging.getLogger()
    pika_logger = logging.getLogger("pika")
    saved = (root.level, pika_logger.level)
    handler = Collect()
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    quiet_pika()
    try:
        yield handler
    finally:
        root.removeHandler(handler)
        root.setLevel(saved[0])
        pika_logger.setLevel(saved[1])


def test_a_broker_outage_logs_one_numbered_warning_per_attempt(
    amqp_url: str,
    broker_names: BrokerNames,
    work_queue: str,
    tcp_proxy: ProxyFactory,
    listener_factory: Callable[..., BroadcastListener],
    root_log: Collect,
) -> None:
    proxy = tcp_proxy(*amqp_target(amqp_url))
    url = proxy.url_for(amqp_url)
    shell = ConsumerShell(
        amqp_url=url,
        queue=work_queue,
        handler=lambda batch: [Outcome.ACK] * len(batch),
        name="cut-consumer",
    )
    thread = threading.Thread(target=shell.run, daemon=True)
    thread.start()
    listener = listener_factory(
        amqp_url=url,
        exchange=broker_names.exchange,
        routing_keys=["test.#"],
        on_message=lambda _key, _body: None,
        name="cut-listener",
    )
    try:
        assert shell.wait_ready(10) and listener.ready.wait(10)
        root_log.records.clear()
        proxy.cut()
        # Long enough for the old fixed 1 s loop to have logged a dozen times per loop.
        wait_for(
            lambda: (
                _attempts(root_log, "cut-consumer") >= 4
                and _attempts(root_log, "cut-listener") >= 4
            ),
            timeout=30,
        )
        proxy.restore()
        assert listener.ready.wait(40) and shell.wait_ready(40)
    finally:
        shell.stop()
        thread.join(15)
    loud = [r for r in root_log.records if r.levelno >= logging.WARNING]
    # Nothing from pika itself, nothing above WARNING, and per loop the attempts numbered
    # 1, 2, 3, ... once each: one line per attempt, with waits that grow.
    assert not [r for r in loud if r.name.startswith("pika") or r.levelno > logging.WARNING]
    for name in ("cut-consumer", "cut-listener"):
        lines = [
            r.getMessage()
            for r in loud
            if r.getMessage().startswith(f"{name}: broker connection: attempt")
        ]
        numbers = [int(line.split("attempt ")[1].split()[0]) for line in lines]
        assert numbers == list(range(1, len(numbers) + 1)), lines
        # Waits from 1 s, doubled up to 30 s, each drawn from the upper half (jitter).
        waits = [float(line.rsplit("next in ", 1)[1].split()[0]) for line in lines]
        for number, wait in zip(numbers, waits, strict=True):
            full = min(2.0 ** (number - 1), 30.0)
            assert full / 2 - 0.05 <= wait <= full + 0.05, lines
    assert len(loud) == sum(1 for r in loud if "broker connection: attempt" in r.getMessage()), [
        r.getMessage() for r in loud
    ]


def _attempts(log: Collect, name: str) -> int:
    return sum(
        1 for r in log.records if r.getMessage().startswith(f"{name}: broker connection: attempt")
    )
