"""The worker: the sign-in consumer, the grant delivery loop, the dead-letter collector and the
catalog listener, all on one runtime."""

from __future__ import annotations

import logging
import threading
from typing import Any

from processing_service.bootstrap import build_runtime
from processing_service.catalog.listener import quest_changes_listener
from processing_service.core.config import Settings, get_settings
from processing_service.dead_letters.service import DeadLetterCollector
from processing_service.deletions.handler import UserDeletedHandler
from processing_service.grants.loop import GrantLoop
from processing_service.signins.handler import SignInHandler
from quest_common.broker.consumer import ConsumerShell
from quest_common.broker.topology import declare_work_queue, queue_names
from quest_common.events import SIGN_IN_KEYS, EventType, routing_key
from quest_common.logging import configure_logging

log = logging.getLogger(__name__)


class Worker:
    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = s = settings or get_settings()
        self.runtime = build_runtime(s, name="processing-worker-events")
        self.engine = self.runtime.engine
        self.cache = self.runtime.cache
        self.grants = GrantLoop(uow_factory=self.runtime.uow, auth=self.runtime.auth, settings=s)
        self.listener = quest_changes_listener(
            amqp_url=s.amqp_url, exchange=s.events_exchange, cache=self.cache
        )
        self.dead_letters = DeadLetterCollector(
            uow_factory=self.runtime.uow,
            amqp_url=s.amqp_url,
            queue=s.sign_in_queue,
            interval_s=s.dead_letter_poll_s,
        )
        self.handler = SignInHandler(
            uow_factory=self.runtime.uow,
            cache=self.cache,
            on_grants=self.grants.wake,
            stopping=lambda: self.shell.stopping,
        )
        self.shell = ConsumerShell(
            amqp_url=s.amqp_url,
            queue=s.sign_in_queue,
            # Parsing runs in the consumer's broker thread while the batch before it commits.
            prepare=self.handler.parse,
            handler=self.handler.apply,
            prefetch=s.prefetch,
            batch_size=s.batch_size,
            linger_s=s.linger_ms / 1000,
            declare=self.declare,
            # A batch that still fails after the handler's short wait goes through the delayed
            # retry queue (a TTL queue dead-lettering back), not straight back to the head of
            # the queue: an outage is waited out without spinning through the delivery limit.
            retry_queue=queue_names(s.sign_in_queue).retry,
            max_retries=s.delivery_limit,
            name="sign-in-consumer",
        )

        # Deleted players (auth.UserDeleted): one at a time, each acked after its commit.
        self.deletions = ConsumerShell(
            amqp_url=s.amqp_url,
            queue=s.user_deletions_queue,
            handler=UserDeletedHandler(uow_factory=self.runtime.uow),
            prefetch=10,
            batch_size=1,
            declare=self.declare_deletions,
            retry_queue=queue_names(s.user_deletions_queue).retry,
            name="user-deletions-consumer",
        )
        self.deletions_thread = threading.Thread(
            target=self.deletions.run, name="user-deletions-consumer", daemon=True
        )

    def declare_deletions(self, channel: Any) -> None:
        # The same declaration as auth's relay (quest_common's defaults), or the two conflict.
        declare_work_queue(
            channel,
            queue=self.settings.user_deletions_queue,
            exchange=self.settings.events_exchange,
            routing_keys=[routing_key("auth", EventType.USER_DELETED)],
        )

    def declare(self, channel: Any) -> None:
        declare_work_queue(
            channel,
            queue=self.settings.sign_in_queue,
            exchange=self.settings.events_exchange,
            routing_keys=list(SIGN_IN_KEYS),
            delivery_limit=self.settings.delivery_limit,
            retry_delay_ms=self.settings.retry_delay_ms,
        )

    def run(self) -> None:
        self.runtime.start()
        self.grants.start()
        self.listener.start()
        self.dead_letters.start()
        self.deletions_thread.start()
        try:
            self.shell.run()  # returns after stop(): in-flight batch finished and acked
        finally:
            self.deletions.stop()
            for thread in (self.listener, self.grants, self.dead_letters):
                thread.stop()
            self.deletions_thread.join(10)
            self.listener.join(5)
            self.grants.join(10)
            self.dead_letters.join(10)
            self.runtime.close()

    def stop(self) -> None:
        self.shell.stop()


def main() -> None:
    settings = get_settings()
    configure_logging("processing-worker", json_lines=settings.log_json, level=settings.log_level)
    worker = Worker(settings)
    worker.shell.install_signal_handlers()
    log.info("worker consuming %s on %s", settings.sign_in_queue, settings.events_exchange)
    worker.run()
