"""Work queues are replicated quorum queues, and queues declared before replication was asked for
are kept as they are (RabbitMQ refuses a redeclaration with other arguments)."""

from __future__ import annotations

import subprocess

from quest_common.broker.connection import connect
from quest_common.broker.topology import REPLICAS, declare_work_queue, queue_names
from quest_devtools.testing.plugin import BrokerNames


def queue_arguments(queue: str) -> dict[str, object]:
    """What the broker holds for `queue` (type and arguments), read with rabbitmqctl."""
    out = subprocess.run(
        ["rabbitmqctl", "-q", "list_queues", "name", "type", "arguments", "--no-table-headers"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout
    for line in out.splitlines():
        name, kind, arguments = line.split("\t", 2)
        if name == queue:
            return {"type": kind, "arguments": arguments}
    raise AssertionError(f"{queue} not on the broker")


def declare(amqp_url: str, names: BrokerNames, queue: str) -> None:
    connection = connect(amqp_url, name="test-declare")
    try:
        declare_work_queue(
            connection.channel(), queue=queue, exchange=names.exchange, routing_keys=["test.#"]
        )
    finally:
        connection.close()


def test_the_work_dead_letter_and_retry_queues_ask_for_three_replicas(
    amqp_url: str, broker_names: BrokerNames
) -> None:
    queue = broker_names.queue("work")
    declare(amqp_url, broker_names, queue)
    declare(amqp_url, broker_names, queue)  # a second declaration is equivalent
    for name in queue_names(queue):
        held = queue_arguments(name)
        assert held["type"] == "quorum", (name, held)
        assert f'{{"x-quorum-initial-group-size",{REPLICAS}}}' in str(held["arguments"]), held


def test_queues_declared_before_replication_are_kept(
    amqp_url: str, broker_names: BrokerNames
) -> None:
    queue = broker_names.queue("old")
    names = queue_names(queue)
    connection = connect(amqp_url, name="test-declare-old")
    try:
        channel = connection.channel()
        # What the earlier release declared: a classic retry queue and quorum queues without a
        # group size.
        channel.queue_declare(names.dlq, durable=True, arguments={"x-queue-type": "quorum"})
        channel.queue_declare(
            names.retry,
            durable=True,
            arguments={
                "x-message-ttl": 5000,
                "x-dead-letter-exchange": "",
                "x-dead-letter-routing-key": names.queue,
            },
        )
        channel.queue_declare(
            names.queue,
            durable=True,
            arguments={
                "x-queue-type": "quorum",
                "x-delivery-limit": 5,
                "x-dead-letter-exchange": "",
                "x-dead-letter-routing-key": names.dlq,
            },
        )
    finally:
        connection.close()
    declare(amqp_url, broker_names, queue)  # no PRECONDITION_FAILED
    assert queue_arguments(names.retry)["type"] == "classic"
    assert "group-size" not in str(queue_arguments(names.queue)["arguments"])
