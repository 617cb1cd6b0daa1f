"""The worker: `python -m processing_service.worker`.

- the sign-in consumer (ConsumerShell around `SignInHandler`): one transaction per batch, then ack;
- the grant delivery loop: credits pending grants through auth, with backoff, until auth accepts;
- the catalog listener: drops the cached quest definitions on `catalog.QuestChanged`.
"""

from __future__ import annotations

import json
import logging
import threading
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy import Engine, delete
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlmodel import Session

from processing_service.core.config import Settings, get_settings
from processing_service.core.db import create_db_engine
from processing_service.grants.service import AuthClient, deliver_due
from processing_service.notifications.models import Notification
from processing_service.notifications.publisher import BackgroundPublisher, EventPublisher
from processing_service.progress.service import SignIn, apply_sign_ins
from processing_service.catalog.cache import CatalogUnavailableError, QuestCache
from quest_common.broker.connection import connect
from quest_common.broker.consumer import ConsumerShell, Delivery, Outcome
from quest_common.broker.topology import declare_events_exchange, declare_work_queue
from quest_common.db import utcnow
from quest_common.events import CloudEvent, EventType, routing_key
from quest_common.logging import configure_logging

log = logging.getLogger(__name__)

SIGN_IN_KEYS = [
    routing_key("auth", EventType.USER_SIGN_IN),
    routing_key("auth", EventType.NEW_USER_SIGN_IN),
]
QUEST_CHANGED_KEY = routing_key("catalog", EventType.QUEST_CHANGED)


class InvalidMessageError(ValueError):
    """The message can never be processed: it goes to the dead-letter queue."""


def parse_sign_in(body: bytes) -> SignIn | None:
    """A sign-in from a message body; None for an event type this queue does not count.

    The common case takes a fast path (json.loads and the few checks the worker relies on);
    anything unusual goes through the full CloudEvent model, which also words the error.
    """
    fast = _parse_fast(body)
    if fast is not None:
        return fast if fast is not _NOT_A_SIGN_IN else None
    try:
        event = CloudEvent.from_json(body)
    except (ValidationError, ValueError) as exc:
        raise InvalidMessageError(f"not a CloudEvent: {exc}") from exc
    if event.type not in EventType.SIGN_IN_TYPES:
        return None
    raw_user = event.data.get("user_id") or event.subject
    try:
        user_id = uuid.UUID(str(raw_user))
    except ValueError as exc:
        raise InvalidMessageError(f"sign-in without a valid user_id: {raw_user!r}") from exc
    return SignIn(
        event_id=event.id,
        user_id=user_id,
        user_name=str(event.data.get("user_name") or ""),
        type=event.type,
        time=event.time,
        source=event.source,
    )


_NOT_A_SIGN_IN: Any = object()


def _parse_fast(body: bytes) -> Any:
    """SignIn, _NOT_A_SIGN_IN, or None when the slow path must decide (and explain)."""
    try:
        raw = json.loads(body)
        event_type = raw["type"]
        event_id = raw["id"]
        source = raw["source"]
        data = raw.get("data") or {}
        if (
            raw.get("specversion") != "1.0"
            or not isinstance(event_id, str)
            or not 0 < len(event_id) <= 128
            or not isinstance(source, str)
            or not 0 < len(source) <= 256
            or not isinstance(data, dict)
        ):
            return None
        if event_type not in EventType.SIGN_IN_TYPES:
            return _NOT_A_SIGN_IN if isinstance(event_type, str) else None
        at = datetime.fromisoformat(raw["time"])
        if at.tzinfo is None:
            return None
        user_id = uuid.UUID(str(data.get("user_id") or raw.get("subject")))
        return SignIn(
            event_id=event_id,
            user_id=user_id,
            user_name=str(data.get("user_name") or ""),
            type=event_type,
            time=at.astimezone(UTC),
            source=source,
        )
    except (ValueError, KeyError, TypeError, AttributeError):
        return None


def is_retryable_db_error(exc: BaseException) -> bool:
    # Deadlocks and serialization failures are transient: run the transaction again.
    code = getattr(getattr(exc, "orig", None), "sqlstate", None)
    return code in {"40P01", "40001"}


class SignInHandler:
    """The batch handler: parse, apply in one transaction, commit, publish; then the shell acks."""

    def __init__(
        self,
        *,
        engine: Engine,
        cache: QuestCache,
        publish: Callable[[list[dict[str, Any]]], Any] | None = None,
        on_grants: Callable[[], None] | None = None,
        stopping: Callable[[], bool] | None = None,
        max_wait_s: float = 20.0,
    ) -> None:
        self.stopping = stopping
        self.max_wait_s = max_wait_s
        self.engine = engine
        self.cache = cache
        self.publish = publish
        self.on_grants = on_grants
        self.processed = 0

    def __call__(self, batch: list[Delivery]) -> list[Outcome]:
        outcomes: list[Outcome] = []
        events: list[SignIn] = []
        for delivery in batch:
            try:
                sign_in = parse_sign_in(delivery.body)
            except InvalidMessageError as exc:
                log.warning("dead-lettering message %s: %s", delivery.properties.message_id, exc)
                outcomes.append(Outcome.DEAD_LETTER)
                continue
            if sign_in is not None:
                events.append(sign_in)
            outcomes.append(Outcome.ACK)
        if events:
            notes, grants = self._apply(events)
            if self.publish is not None and notes:
                self.publish(notes)
            if grants and self.on_grants is not None:
                self.on_grants()
        self.processed += len(batch)
        return outcomes

    def _apply(self, events: list[SignIn]) -> tuple[list[dict[str, Any]], int]:
        # Transient trouble (database or catalog unreachable) is waited out here, briefly, rather
        # than requeued at once: a requeue counts toward the delivery limit, and an outage must not
        # push good sign-ins into the dead-letter queue. Past the wait the shell requeues.
        delay, waited = 0.2, 0.0
        while True:
            try:
                quests = self.cache.rules()
                with Session(self.engine) as session:
                    result = apply_sign_ins(session=session, events=events, quests=quests)
                    session.commit()
                return result.notifications, result.grants
            except (OperationalError, DBAPIError, CatalogUnavailableError) as exc:
                if (
                    isinstance(exc, DBAPIError)
                    and not isinstance(exc, OperationalError)
                    and (not is_retryable_db_error(exc))
                ):
                    raise
                if waited >= self.max_wait_s or (self.stopping is not None and self.stopping()):
                    raise
                if is_retryable_db_error(exc):
                    log.info("batch transaction conflicted, retrying")
                    continue
                log.warning("batch waits for a transient failure: %s", exc)
                time.sleep(delay)
                waited += delay
                delay = min(delay * 2, 5.0)


class GrantLoop(threading.Thread):
    """Credits pending grants; woken after a batch that created some, else polls."""

    def __init__(self, *, settings: Settings, engine: Engine) -> None:
        super().__init__(name="grant-delivery", daemon=True)
        self.settings = settings
        self.engine = engine
        self._wake = threading.Event()
        self._stop_event = threading.Event()
        self.credited = 0

    def wake(self) -> None:
        self._wake.set()

    def stop(self) -> None:
        self._stop_event.set()
        self._wake.set()

    def run(self) -> None:
        auth = AuthClient(
            auth_url=self.settings.auth_url,
            client_id=self.settings.processing_client_id,
            client_secret=self.settings.processing_client_secret,
            timeout_s=self.settings.http_timeout_s,
        )
        publisher = EventPublisher(
            amqp_url=self.settings.amqp_url,
            exchange=self.settings.events_exchange,
            name="grant-events",
        )
        last_cleanup = 0.0
        try:
            while not self._stop_event.is_set():
                self._wake.clear()
                try:
                    while True:
                        credited, notes = deliver_due(
                            engine=self.engine,
                            auth=auth,
                            max_backoff_s=self.settings.grant_max_backoff_s,
                        )
                        if notes:
                            publisher.publish(notes)
                        self.credited += credited
                        if credited < 50:
                            break
                    now = utcnow().timestamp()
                    if now - last_cleanup > 60:
                        self._cleanup()
                        last_cleanup = now
                except Exception:
                    log.exception("grant delivery round failed")
                self._wake.wait(self.settings.grant_poll_s)
        finally:
            publisher.close()
            auth.close()

    def _cleanup(self) -> None:
        from datetime import timedelta

        cutoff = utcnow() - timedelta(seconds=self.settings.notification_retention_s)
        with Session(self.engine) as session:
            session.exec(delete(Notification).where(Notification.created_at < cutoff))  # type: ignore[call-overload, arg-type]
            session.commit()


class CatalogListener(threading.Thread):
    """Each worker hears every `QuestChanged` through its own exclusive, auto-delete queue."""

    def __init__(self, *, settings: Settings, cache: QuestCache) -> None:
        super().__init__(name="catalog-listener", daemon=True)
        self.settings = settings
        self.cache = cache
        self._stop_event = threading.Event()
        self.ready = threading.Event()

    def stop(self) -> None:
        self._stop_event.set()

    def run(self) -> None:
        while not self._stop_event.is_set():
            try:
                connection = connect(self.settings.amqp_url, name="catalog-listener")
                try:
                    channel = connection.channel()
                    declare_events_exchange(channel, self.settings.events_exchange)
                    queue = channel.queue_declare("", exclusive=True, auto_delete=True)
                    name = queue.method.queue
                    channel.queue_bind(name, self.settings.events_exchange, QUEST_CHANGED_KEY)
                    # Anything may have changed while we were not listening.
                    self.cache.invalidate()

                    def on_change(ch: Any, method: Any, _props: Any, _body: bytes) -> None:
                        log.info("quest definitions changed: dropping the cache")
                        self.cache.invalidate()

                    channel.basic_consume(name, on_change, auto_ack=True)
                    self.ready.set()
                    while not self._stop_event.is_set():
                        connection.process_data_events(time_limit=0.5)
                finally:
                    self.ready.clear()
                    if connection.is_open:
                        connection.close()
            except Exception as exc:
                log.warning("catalog listener: %s; reconnecting", exc)
                self._stop_event.wait(2.0)


class Worker:
    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or get_settings()
        self.engine = create_db_engine(self.settings)
        self.cache = QuestCache(
            engine=self.engine,
            catalog_url=self.settings.catalog_url,
            ttl_s=self.settings.quest_cache_ttl_s,
            timeout_s=self.settings.http_timeout_s,
        )
        self.grants = GrantLoop(settings=self.settings, engine=self.engine)
        self.listener = CatalogListener(settings=self.settings, cache=self.cache)
        self.publisher = BackgroundPublisher(
            amqp_url=self.settings.amqp_url, exchange=self.settings.events_exchange
        )
        self.handler = SignInHandler(
            engine=self.engine,
            cache=self.cache,
            publish=self.publisher.publish,
            on_grants=self.grants.wake,
            stopping=lambda: self.shell.stopping,
        )
        self.shell = ConsumerShell(
            amqp_url=self.settings.amqp_url,
            queue=self.settings.sign_in_queue,
            handler=self.handler,
            prefetch=self.settings.prefetch,
            batch_size=self.settings.batch_size,
            linger_s=self.settings.linger_ms / 1000,
            declare=self.declare,
            name="sign-in-consumer",
        )

    def declare(self, channel: Any) -> None:
        declare_work_queue(
            channel,
            queue=self.settings.sign_in_queue,
            exchange=self.settings.events_exchange,
            routing_keys=SIGN_IN_KEYS,
            delivery_limit=self.settings.delivery_limit,
            retry_delay_ms=self.settings.retry_delay_ms,
        )

    def run(self) -> None:
        self.grants.start()
        self.listener.start()
        self.publisher.start()
        try:
            self.shell.run()  # returns after stop(): in-flight batch finished and acked
        finally:
            self.listener.stop()
            self.grants.stop()
            self.listener.join(5)
            self.grants.join(10)
            self.publisher.close()
            self.cache.close()
            self.engine.dispose()

    def stop(self) -> None:
        self.shell.stop()


def main() -> None:
    settings = get_settings()
    configure_logging("processing-worker", json_lines=settings.log_json, level=settings.log_level)
    worker = Worker(settings)
    worker.shell.install_signal_handlers()
    log.info("worker consuming %s on %s", settings.sign_in_queue, settings.events_exchange)
    worker.run()


if __name__ == "__main__":
    main()
