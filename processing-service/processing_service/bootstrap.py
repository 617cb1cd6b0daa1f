"""The composition root: builds the runtime once, for the API and the worker alike."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine

from processing_service.catalog.cache import QuestCache
from processing_service.core.config import Settings
from processing_service.grants.auth_client import AuthClient
from processing_service.notifications.models import Notification
from processing_service.notifications.wire import to_messages
from processing_service.ops.service import ProcessingOps, figures
from processing_service.unit_of_work import UnitOfWork
from quest_common.broker.batch import BackgroundPublisher
from quest_common.db import make_engine


@dataclass
class Runtime:
    settings: Settings
    engine: Engine
    cache: QuestCache
    auth: AuthClient
    publisher: BackgroundPublisher[Notification]

    def uow(self) -> UnitOfWork:
        """A unit of work that publishes what it committed."""
        return UnitOfWork(engine=self.engine, publish=self.publisher.publish)

    def ops_figures(self) -> ProcessingOps:
        return figures(
            engine=self.engine, amqp_url=self.settings.amqp_url, queue=self.settings.sign_in_queue
        )

    def start(self) -> None:
        self.publisher.start()

    def close(self) -> None:
        self.publisher.close()
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
            name=name,
            heartbeat_s=settings.publisher_heartbeat_s,
        ),
    )
