"""What one API process holds for its lifetime: the engine, the read cache with its version
tracker and the outbox relay, and the maker of units of work. Built by `create_app`, stored on
`app.state`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Engine

from catalog_service.core.config import Settings
from catalog_service.core.db import create_db_engine, libpq_dsn
from catalog_service.core.read_cache import ReadCache, VersionTracker
from catalog_service.core.uow import UnitOfWork
from quest_common.outbox import OutboxRelay, service_relay


@dataclass
class CatalogRuntime:
    settings: Settings
    engine: Engine
    on_version: Callable[[int], None]
    cache: ReadCache
    versions: VersionTracker
    relay: OutboxRelay | None

    @classmethod
    def build(cls, settings: Settings) -> CatalogRuntime:
        engine = create_db_engine(settings.database_url)
        versions = VersionTracker(
            dsn=libpq_dsn(engine), resync_seconds=settings.version_resync_seconds
        )
        relay = service_relay(
            settings,
            engine=engine,
            name="catalog-outbox-relay",
            enabled=settings.run_outbox_relay,
            # QuestChanged only tells caches to refresh: with no cache listening (no queue
            # bound) there is nobody to tell, and retrying would hold back later events.
            require_route=False,
        )

        def after_commit(version: int) -> None:
            versions.observe(version)
            if relay is not None:
                relay.wake()

        return cls(
            settings=settings,
            engine=engine,
            on_version=after_commit,
            cache=ReadCache(max_entries=settings.read_cache_entries),
            versions=versions,
            relay=relay,
        )

    def new_uow(self) -> UnitOfWork:
        """A unit of work for one caller (a request or a job)."""
        return UnitOfWork(self.engine, on_version=self.on_version)

    def start(self) -> None:
        self.versions.start()
        if self.relay is not None:
            self.relay.start()

    def stop(self) -> None:
        if self.relay is not None:
            self.relay.stop()
        self.versions.stop()
        self.engine.dispose()
