"""Exchanges and queues, declared the same way by every producer and consumer.

Work queues are quorum queues with an explicit `x-delivery-limit`: RabbitMQ 3.10 sets no default,
and without one a poison message would be redelivered forever. Dead letters go through the default
exchange to `<queue>.dlq`. A delayed retry is a classic queue with a message TTL that dead-letters
back to the work queue, so no plugin is needed.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

from pika.adapters.blocking_connection import BlockingChannel

DEFAULT_DELIVERY_LIMIT = 5
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
    channel.queue_declare(queue=names.dlq, durable=True, arguments={"x-queue-type": "quorum"})
    channel.queue_declare(
        queue=names.retry,
        durable=True,
        arguments={
            "x-message-ttl": retry_delay_ms,
            "x-dead-letter-exchange": "",
            "x-dead-letter-routing-key": names.queue,
        },
    )
    channel.queue_declare(
        queue=names.queue,
        durable=True,
        arguments={
            "x-queue-type": "quorum",
            "x-delivery-limit": delivery_limit,
            "x-dead-letter-exchange": "",
            "x-dead-letter-routing-key": names.dlq,
        },
    )
    for key in routing_keys:
        channel.queue_bind(queue=names.queue, exchange=exchange, routing_key=key)
    return names


def delete_work_queue(channel: BlockingChannel, queue: str) -> None:
    names = queue_names(queue)
    for name in (names.queue, names.retry, names.dlq):
        channel.queue_delete(queue=name)
