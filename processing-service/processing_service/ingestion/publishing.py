"""The API's publishers of accepted events: a few confirm-mode broker connections that requests
take turns on (pika connections are not thread-safe; a request holds one for its whole batch).

Each new connection also declares the worker's queue with the `ingest.*` binding, exactly as the
worker declares it: an accepted event must land in a queue even if no worker ever started yet,
and a mandatory publish to a routing key without a queue fails rather than vanishing.
"""

from __future__ import annotations

import queue
from collections.abc import Sequence

from pika.adapters.blocking_connection import BlockingChannel

from quest_common.broker.confirmed_batch import ConfirmedBatchPublisher, ConfirmedMessage
from quest_common.broker.publisher import PublishError
from quest_common.broker.topology import declare_work_queue
from quest_common.events import INGEST_KEYS


class EventPublishers:
    def __init__(
        self,
        *,
        amqp_url: str,
        exchange: str,
        queue_name: str,
        delivery_limit: int,
        retry_delay_ms: int,
        size: int = 4,
        confirm_timeout_s: float = 5.0,
        name: str = "ingest",
    ) -> None:
        def declare(channel: BlockingChannel) -> None:
            declare_work_queue(
                channel,
                queue=queue_name,
                exchange=exchange,
                routing_keys=INGEST_KEYS,
                delivery_limit=delivery_limit,
                retry_delay_ms=retry_delay_ms,
            )

        self.confirm_timeout_s = confirm_timeout_s
        self._all = [
            ConfirmedBatchPublisher(
                amqp_url,
                exchange,
                name=f"{name}-publisher-{n}",
                confirm_timeout_s=confirm_timeout_s,
                declare=declare,
            )
            for n in range(max(1, size))
        ]
        self._idle: queue.Queue[ConfirmedBatchPublisher] = queue.Queue()
        for publisher in self._all:
            self._idle.put(publisher)

    def publish(self, messages: Sequence[ConfirmedMessage]) -> None:
        """Every message confirmed by the broker, or `PublishError`."""
        try:
            # A publisher is busy for at most two confirm waits (one resend).
            publisher = self._idle.get(timeout=2 * self.confirm_timeout_s + 1)
        except queue.Empty:
            raise PublishError("every publisher stayed busy") from None
        try:
            publisher.publish_batch(messages)
        finally:
            self._idle.put(publisher)

    def close(self) -> None:
        for publisher in self._all:
            publisher.close()
