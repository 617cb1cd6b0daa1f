"""Exchanges and queues, declared the same way by every producer and consumer.

Work queues are quorum queues with an explicit `x-delivery-limit`: RabbitMQ 3.10 sets no default,
and without one a poison message would be redelivered forever. Dead letters go through the default
exchange to `<queue>.dlq`. A delayed retry is a queue with a message TTL that dead-letters back to
the work queue, so no plugin is needed.

Past one machine: all three are quorum queues asking for `REPLICAS` members
(`x-quorum-initial-group-size`); RabbitMQ places min(REPLICAS, cluster size) of them, so one node
gets one replica and a three-node cluster loses a node and keeps every queue. The retry queue is a
quorum queue too: a classic queue lives on one node, and while that node is down a redeclaration
fails and a retried message would be dropped as unroutable.

RabbitMQ refuses to redeclare a queue with other arguments than it has. A queue declared before
these arguments existed (a classic retry queue, a quorum queue without a group size) is kept as it
is: the declaration falls back to its former arguments. deploy/README.md says how to replace one.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, NamedTuple

from pika.adapters.blocking_connection import BlockingChannel
from pika.exceptions import ChannelClosedByBroker

DEFAULT_DELIVERY_LIMIT = 5
# Quorum queue members asked for; a smaller cluster (one node in development) places fewer.
REPLICAS = 3
PRECONDITION_FAILED = 406
DEFAULT_RETRY_DELAY_MS = 5_000


class QueueNames(NamedTuple):
    queue: str
    dlq: str
    retry: str


def queue_names(queue: str) -> QueueNames:
    return QueueNames(queue=queue, dlq=f"{queue}.dlq", retry=f"{queue}.retry")


def declare_events_exchange(channel: BlockingChannel, exchange: str) -> None:
    channel.exchange_declare(exchange=exchange, exchange_type="topic", durable=True)


def declare_work_queue(
    channel: BlockingChannel,
    *,
    queue: str,
    exchange: str,
    routing_keys: Iterable[str],
    delivery_limit: int = DEFAULT_DELIVERY_LIMIT,
    retry_delay_ms: int = DEFAULT_RETRY_DELAY_MS,
) -> QueueNames:
    names = queue_names(queue)
    declare_events_exchange(channel, exchange)
    declare_replicated(channel, names.dlq, {})
    retry_back = {
        "x-message-ttl": retry_delay_ms,
        "x-dead-letter-exchange": "",
        "x-dead-letter-routing-key": names.queue,
    }
    # Before it was replicated, the retry queue was a classic queue with the same TTL.
    declare_replicated(channel, names.retry, retry_back, former=[retry_back])
    declare_replicated(
        channel,
        names.queue,
        {
            "x-delivery-limit": delivery_limit,
            "x-dead-letter-exchange": "",
            "x-dead-letter-routing-key": names.dlq,
        },
    )
    for key in routing_keys:
        channel.queue_bind(queue=names.queue, exchange=exchange, routing_key=key)
    return names


def replicated_arguments(arguments: dict[str, Any]) -> dict[str, Any]:
    """A quorum queue's arguments with the replication this platform asks for."""
    return {**arguments, "x-queue-type": "quorum", "x-quorum-initial-group-size": REPLICAS}


def declare_replicated(
    channel: BlockingChannel,
    queue: str,
    arguments: dict[str, Any],
    *,
    former: list[dict[str, Any]] | None = None,
) -> None:
    """Declare a durable quorum queue with `REPLICAS` members, or keep the one that exists under
    an earlier declaration: the quorum queue without a group size, then each of `former`.

    The first try runs on a channel of its own, because a refused declaration closes the channel
    it ran on."""
    tries = [
        {**arguments, "x-queue-type": "quorum"},
        *(former or []),
    ]
    probe = channel.connection.channel()
    try:
        probe.queue_declare(queue=queue, durable=True, arguments=replicated_arguments(arguments))
    except ChannelClosedByBroker as exc:
        if exc.reply_code != PRECONDITION_FAILED:
            raise
        refused = exc
    else:
        probe.close()
        return
    for earlier in tries:
        probe = channel.connection.channel()
        try:
            probe.queue_declare(queue=queue, durable=True, arguments=earlier)
        except ChannelClosedByBroker as exc:
            if exc.reply_code != PRECONDITION_FAILED:
                raise
            refused = exc
            continue
        probe.close()
        return
    raise refused


def delete_work_queue(channel: BlockingChannel, queue: str) -> None:
    names = queue_names(queue)
    for name in (names.queue, names.retry, names.dlq):
        channel.queue_delete(queue=name)
