"""The queue that keeps `auth.UserDeleted` for processing, declared by auth as well.

Auth's relay publishes with `mandatory` and in order: an event no queue would receive is
retried, and the events behind it wait. A deletion must reach processing (a deleted player stays
deleted), so it may not be dropped; but it must not hold back the sign-ins while processing has
not yet declared its queue either. So the relay declares that queue itself before its first
publish, through the same helper and defaults as the consumer
(`declare_work_queue(queue=..., routing_keys=["auth.UserDeleted"])`): the declarations are
identical, whichever side comes first, and the deletions wait in the queue for their consumer.
"""

import logging

from pika.exceptions import AMQPError

from auth_service.core.config import Settings
from auth_service.personal_data.service import USER_DELETED_KEY
from quest_common.broker.connection import connect
from quest_common.broker.publisher import ConfirmingPublisher, PublishError
from quest_common.broker.topology import declare_work_queue
from quest_common.outbox import PublisherFactory

logger = logging.getLogger(__name__)

RELAY_NAME = "auth-outbox-relay"


def declare_user_deletions_queue(settings: Settings) -> None:
    connection = connect(settings.amqp_url, name=f"{RELAY_NAME}-topology")
    try:
        declare_work_queue(
            connection.channel(),
            queue=settings.user_deletions_queue,
            exchange=settings.events_exchange,
            routing_keys=[USER_DELETED_KEY],
        )
    finally:
        connection.close()


def relay_publisher_factory(settings: Settings) -> PublisherFactory:
    """The relay's publisher, made once the deletions queue is declared (the relay calls this
    again at its next pass while the broker cannot be reached)."""

    def make() -> ConfirmingPublisher:
        if settings.user_deletions_queue:
            try:
                declare_user_deletions_queue(settings)
            except (AMQPError, OSError) as exc:
                raise PublishError(
                    f"cannot declare {settings.user_deletions_queue}: {exc}"
                ) from exc
        return ConfirmingPublisher(settings.amqp_url, settings.events_exchange, name=RELAY_NAME)

    return make
