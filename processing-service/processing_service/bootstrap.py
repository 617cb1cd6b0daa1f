"""The composition root: everything a process runs is built here, once; the entry points
(`entrypoints/api.py`, `entrypoints/worker.py`) only start and stop it.

`build_runtime` makes what both processes share: the engine and units of work, the quest cache
(the one HTTP client to catalog), the auth client, the notification publisher and the one
long-lived broker client for short broker operations. `build_worker` adds the worker's consumers,
its periodic jobs and the catalog listener; `build_api` the API's SSE hub and listeners, and what
ingestion uses (event types, confirm-mode publishers, rate limit).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine

from processing_service.catalog.cache import QuestCache
from processing_service.catalog.listener import quest_changes_listener
from processing_service.core.broker import BrokerClient
from processing_service.core.config import Settings
from processing_service.core.jobs import PeriodicJob
from processing_service.dead_letters.service import collect
from processing_service.deletions.handler import UserDeletedHandler
from processing_service.events.handler import EventHandler
from processing_service.grants.auth_client import AuthClient
from processing_service.grants.service import deliver_all_due
from processing_service.ingestion.event_types import EventTypeCache
from processing_service.ingestion.publishing import EventPublishers
from processing_service.ingestion.rate_limit import TokenBuckets
from processing_service.notifications import service as notifications
from processing_service.notifications.hub import Hub
from processing_service.notifications.models import Notification
from processing_service.notifications.payloads import LEVEL_REACHED_KEY
from processing_service.notifications.wire import to_messages
from processing_service.ops.service import ProcessingOps, figures
from processing_service.players.handler import UserCreatedHandler
from processing_service.simulation.runner import SimulationRunner
from processing_service.unit_of_work import UnitOfWork
from quest_common.broker.batch import BackgroundPublisher
from quest_common.broker.broadcast import BroadcastListener
from quest_common.broker.consumer import ConsumerShell
from quest_common.broker.topology import declare_work_queue, queue_names
from quest_common.db import make_engine
from quest_common.events import (
    INGEST_KEYS,
    SIGN_IN_KEYS,
    USER_CREATED_KEY,
    EventType,
    routing_key,
)

# The notification purge's period: rows older than the retention go within this much.
PURGE_EVERY_S = 60.0


@dataclass
class Runtime:
    settings: Settings
    engine: Engine
    cache: QuestCache
    auth: AuthClient
    publisher: BackgroundPublisher[Notification]
    broker: BrokerClient

    def uow(self) -> UnitOfWork:
        """A unit of work that publishes what it committed."""
        return UnitOfWork(engine=self.engine, publish=self.publisher.publish)

    def ops_figures(self) -> ProcessingOps:
        return figures(engine=self.engine, broker=self.broker, queue=self.settings.sign_in_queue)

    def start(self) -> None:
        self.publisher.start()

    def close(self) -> None:
        self.publisher.close()
        self.broker.close()
        self.cache.close()
        self.auth.close()
        self.engine.dispose()


def build_runtime(settings: Settings, *, name: str, writes_local_copy: bool = True) -> Runtime:
    engine = make_engine(settings.database_url)
    return Runtime(
        settings=settings,
        engine=engine,
        cache=QuestCache(
            engine=engine,
            catalog_url=settings.catalog_url,
            ttl_s=settings.quest_cache_ttl_s,
            timeout_s=settings.http_timeout_s,
            writes_local_copy=writes_local_copy,
        ),
        auth=AuthClient(
            auth_url=settings.auth_url,
            client_id=settings.processing_client_id,
            client_secret=settings.processing_client_secret,
            timeout_s=settings.http_timeout_s,
        ),
        publisher=BackgroundPublisher(
            amqp_url=settings.amqp_url,
            exchange=settings.events_exchange,
            encode=to_messages,
            name=f"{name}-events",
            heartbeat_s=settings.publisher_heartbeat_s,
        ),
        broker=BrokerClient(settings.amqp_url, name=f"{name}-operations"),
    )


# --- the worker ------------------------------------------------------------------------------


@dataclass
class WorkerProcess:
    runtime: Runtime
    sign_ins: ConsumerShell
    deletions: ConsumerShell
    players: ConsumerShell
    catalog_listener: BroadcastListener
    jobs: dict[str, PeriodicJob] = field(default_factory=dict)


def build_worker(settings: Settings) -> WorkerProcess:
    s = settings
    runtime = build_runtime(s, name="processing-worker")
    jobs = {
        job.name: job
        for job in (
            PeriodicJob(
                name="grant-delivery",
                work=lambda: deliver_all_due(
                    uow_factory=runtime.uow,
                    auth=runtime.auth,
                    max_backoff_s=s.grant_max_backoff_s,
                ),
                interval_s=s.grant_poll_s,
            ),
            PeriodicJob(
                name="notification-purge",
                work=lambda: notifications.purge(
                    uow_factory=runtime.uow, older_than_s=s.notification_retention_s
                ),
                interval_s=PURGE_EVERY_S,
            ),
            PeriodicJob(
                name="dead-letter-collection",
                work=lambda: collect(
                    uow_factory=runtime.uow, broker=runtime.broker, queue=s.sign_in_queue
                ),
                interval_s=s.dead_letter_poll_s,
            ),
        )
    }
    shells: dict[str, ConsumerShell] = {}
    handler = EventHandler(
        uow_factory=runtime.uow,
        cache=runtime.cache,
        on_grants=jobs["grant-delivery"].wake,
        stopping=lambda: shells["sign-ins"].stopping,
    )

    def declare_sign_ins(channel: Any) -> None:
        declare_work_queue(
            channel,
            queue=s.sign_in_queue,
            exchange=s.events_exchange,
            # Sign-ins and game servers' events share one queue and one handler: a player's
            # events are applied in one order whatever their type.
            routing_keys=[*SIGN_IN_KEYS, *INGEST_KEYS],
            delivery_limit=s.delivery_limit,
            retry_delay_ms=s.retry_delay_ms,
        )

    def declare_deletions(channel: Any) -> None:
        # The same declaration as auth's relay (quest_common's defaults), or the two conflict.
        declare_work_queue(
            channel,
            queue=s.user_deletions_queue,
            exchange=s.events_exchange,
            routing_keys=[routing_key("auth", EventType.USER_DELETED)],
        )

    def declare_players(channel: Any) -> None:
        # The same declaration as auth's relay (quest_common's defaults), or the two conflict.
        declare_work_queue(
            channel,
            queue=s.user_created_queue,
            exchange=s.events_exchange,
            routing_keys=[USER_CREATED_KEY],
        )

    shells["sign-ins"] = ConsumerShell(
        amqp_url=s.amqp_url,
        queue=s.sign_in_queue,
        # Parsing runs in the consumer's broker thread while the batch before it commits.
        prepare=handler.parse,
        handler=handler.apply,
        prefetch=s.prefetch,
        batch_size=s.batch_size,
        linger_s=s.linger_ms / 1000,
        declare=declare_sign_ins,
        # A batch that still fails after the handler's short wait goes through the delayed
        # retry queue (a TTL queue dead-lettering back), not straight back to the head of the
        # queue: an outage is waited out without spinning through the delivery limit.
        retry_queue=queue_names(s.sign_in_queue).retry,
        max_retries=s.delivery_limit,
        name="sign-in-consumer",
    )
    return WorkerProcess(
        runtime=runtime,
        sign_ins=shells["sign-ins"],
        # Deleted players (auth.UserDeleted): one at a time, each acked after its commit.
        deletions=ConsumerShell(
            amqp_url=s.amqp_url,
            queue=s.user_deletions_queue,
            handler=UserDeletedHandler(uow_factory=runtime.uow),
            prefetch=10,
            batch_size=1,
            declare=declare_deletions,
            retry_queue=queue_names(s.user_deletions_queue).retry,
            name="user-deletions-consumer",
        ),
        # Known players (auth.UserCreated): batches, each acked after its commit.
        players=ConsumerShell(
            amqp_url=s.amqp_url,
            queue=s.user_created_queue,
            handler=UserCreatedHandler(uow_factory=runtime.uow),
            prefetch=500,
            batch_size=200,
            linger_s=s.linger_ms / 1000,
            declare=declare_players,
            retry_queue=queue_names(s.user_created_queue).retry,
            name="players-consumer",
        ),
        catalog_listener=quest_changes_listener(
            amqp_url=s.amqp_url, exchange=s.events_exchange, cache=runtime.cache
        ),
        jobs=jobs,
    )


# --- the API ---------------------------------------------------------------------------------


@dataclass
class Ingestion:
    """What the ingestion routes use: catalog's event types, the confirm-mode publishers and the
    per-client rate limit."""

    event_types: EventTypeCache
    publishers: EventPublishers
    rate_limit: TokenBuckets

    def close(self) -> None:
        self.publishers.close()
        self.event_types.close()


def build_ingestion(settings: Settings) -> Ingestion:
    s = settings
    return Ingestion(
        event_types=EventTypeCache(
            catalog_url=s.catalog_url, ttl_s=s.event_type_cache_ttl_s, timeout_s=s.http_timeout_s
        ),
        # Onto the worker's queue, declared as the worker declares it (the worker counts
        # ingested events beside sign-ins).
        publishers=EventPublishers(
            amqp_url=s.amqp_url,
            exchange=s.events_exchange,
            queue_name=s.sign_in_queue,
            delivery_limit=s.delivery_limit,
            retry_delay_ms=s.retry_delay_ms,
            size=s.ingest_publishers,
            confirm_timeout_s=s.ingest_confirm_timeout_s,
            name="processing-api-ingest",
        ),
        rate_limit=TokenBuckets(rate_per_s=s.ingest_rate_per_s, burst=s.ingest_burst),
    )


@dataclass
class ApiProcess:
    runtime: Runtime
    hub: Hub
    simulations: SimulationRunner
    ingestion: Ingestion

    def listeners(self) -> list[BroadcastListener]:
        """Fresh listeners for one lifespan (a thread starts once): this replica hears every
        processing event (and auth's `LevelReached`, relayed live) for its own SSE clients, and
        follows catalog changes for the quest list it serves, as the worker does."""
        settings = self.runtime.settings
        return [
            BroadcastListener(
                amqp_url=settings.amqp_url,
                exchange=settings.events_exchange,
                routing_keys=["processing.#", LEVEL_REACHED_KEY],
                on_message=self.hub.on_message,
                name="sse-fanout",
            ),
            quest_changes_listener(
                amqp_url=settings.amqp_url,
                exchange=settings.events_exchange,
                cache=self.runtime.cache,
            ),
        ]


def build_api(settings: Settings) -> ApiProcess:
    # The API only reads the quests' local copy: the worker keeps it.
    runtime = build_runtime(settings, name="processing-api", writes_local_copy=False)
    return ApiProcess(
        runtime=runtime,
        hub=Hub(),
        simulations=SimulationRunner(
            engine=runtime.engine,
            database_url=settings.database_url,
            max_running=settings.simulation_max_running,
            retry_after_s=settings.simulation_retry_after_s,
        ),
        ingestion=build_ingestion(settings),
    )
