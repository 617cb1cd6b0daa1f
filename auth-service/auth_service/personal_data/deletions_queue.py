"""The queues that keep `auth.UserDeleted` and `auth.UserCreated` for processing, declared by
auth as well.

Auth's relay publishes with `mandatory` and in order: an event no queue would receive is
retried, and the events behind it wait. A deletion must reach processing (a deleted player stays
deleted), so it may not be dropped; but it must not hold back the sign-ins while processing has
not yet declared its queue either. So the relay declares that queue itself before its first
publish, through the same helper and defaults as the consumer
(`declare_work_queue(queue=..., routing_keys=["auth.UserDeleted"])`): the declarations are
identical, whichever side comes first, and the deletions wait in the queue for their consumer.
The same holds for the accounts announced by `auth.UserCreated` (sign-ups, and the existing
ones backfilled once by a migration): processing keeps its set of players from them, so they
wait for it in their own queue too.
"""

import logging
from collections.abc import Callable

from pika.exceptions import AMQPError

from auth_service.core.config import Settings
from auth_service.personal_data.service import USER_DELETED_KEY
from auth_service.tokens import access
from quest_common.broker.connection import connect
from quest_common.broker.publisher import ConfirmingPublisher, PublishError
from quest_common.broker.topology import declare_work_queue
from quest_common.events import USER_CREATED_KEY
from quest_common.outbox import PublisherFactory

logger = logging.getLogger(__name__)

RELAY_NAME = "auth-outbox-relay"


def kept_queues(settings: Settings) -> list[tuple[str, str]]:
    """(queue, routing key) of each queue the relay declares; an empty name is left out."""
    pairs = [
        (settings.user_deletions_queue, USER_DELETED_KEY),
        (settings.user_created_queue, USER_CREATED_KEY),
    ]
    return [(queue, key) for queue, key in pairs if queue]


def declare_kept_queues(settings: Settings) -> None:
    connection = connect(settings.amqp_url, name=f"{RELAY_NAME}-topology")
    try:
        channel = connection.channel()
        for queue, key in kept_queues(settings):
            declare_work_queue(
                channel, queue=queue, exchange=settings.events_exchange, routing_keys=[key]
            )
    finally:
        connection.close()


def relay_route_required(settings: Settings) -> Callable[[str], bool]:
    """For the relay: whether an event with this routing key must find a queue (else it is
    retried, holding back the ones behind it). An account's announcement must when its queue
    is kept (the relay declared it); without one (tests) nobody is waiting for it."""

    def required(key: str) -> bool:
        if key == USER_CREATED_KEY:
            return bool(settings.user_created_queue)
        return access.route_required(key)

    return required


def relay_publisher_factory(settings: Settings) -> PublisherFactory:
    """The relay's publisher, made once the kept queues are declared (the relay calls this
    again at its next pass while the broker cannot be reached)."""

    def make() -> ConfirmingPublisher:
        if kept_queues(settings):
            try:
                declare_kept_queues(settings)
            except (AMQPError, OSError) as exc:
                names = ", ".join(queue for queue, _ in kept_queues(settings))
                raise PublishError(f"cannot declare {names}: {exc}") from exc
        return ConfirmingPublisher(settings.amqp_url, settings.events_exchange, name=RELAY_NAME)

    return make
