"""What one API process holds for its lifetime: the engine, the read cache with its version
tracker, the outbox relay, auth's wallet client with the redemption settlement job, and the maker
of units of work. Built by `create_app`, stored on `app.state`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Engine

from catalog_service.core.config import Settings
from catalog_service.core.db import create_db_engine, libpq_dsn
from catalog_service.core.read_cache import ReadCache, VersionTracker
from catalog_service.core.uow import UnitOfWork
from catalog_service.shop.job import SettlementJob
from catalog_service.shop.wallet import WalletClient
from quest_common.outbox import OutboxRelay, service_relay


@dataclass
class CatalogRuntime:
    settings: Settings
    engine: Engine
    on_version: Callable[[int], None]
    cache: ReadCache
    versions: VersionTracker
    relay: OutboxRelay | None
    wallet: WalletClient
    settlement: SettlementJob | None = None

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

        runtime = cls(
            settings=settings,
            engine=engine,
            on_version=after_commit,
            cache=ReadCache(max_entries=settings.read_cache_entries),
            versions=versions,
            relay=relay,
            wallet=WalletClient(
                auth_url=settings.auth_url,
                client_secret=settings.catalog_client_secret,
                timeout_s=settings.auth_timeout_seconds,
            ),
        )
        if settings.run_redemption_job:
            runtime.settlement = SettlementJob(
                uow_factory=runtime.new_uow,
                wallet=runtime.wallet,
                poll_s=settings.redemption_poll_seconds,
                max_backoff_s=settings.redemption_max_backoff_seconds,
            )
        return runtime

    def new_uow(self) -> UnitOfWork:
        """A unit of work for one caller (a request or a job)."""
        return UnitOfWork(self.engine, on_version=self.on_version)

    def start(self) -> None:
        self.versions.start()
        if self.relay is not None:
            self.relay.start()
        if self.settlement is not None:
            self.settlement.start()

    def stop(self) -> None:
        if self.settlement is not None:
            self.settlement.stop()
        if self.relay is not None:
            self.relay.stop()
        self.versions.stop()
        self.wallet.close()
        self.engine.dispose()
