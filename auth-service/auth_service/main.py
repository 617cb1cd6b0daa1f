"""The auth service's app factory: `uvicorn --factory auth_service.main:create_app`."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial

from fastapi import FastAPI
from fastapi.concurrency import run_in_threadpool

from auth_service.api.main import internal_api, public_api
from auth_service.core import security
from auth_service.core.config import Settings, get_settings
from auth_service.core.db import build_engine
from auth_service.core.uow import AuthUnitOfWork
from auth_service.personal_data.deletions_queue import (
    RELAY_NAME,
    relay_publisher_factory,
    relay_route_required,
)
from auth_service.progression.curve import LevelCurve
from auth_service.tokens.keys import KeyRing
from auth_service.tokens.service import TokenService
from quest_common.app import add_ops, service_app
from quest_common.db import database_check
from quest_common.errors import install_error_handlers
from quest_common.logging import configure_logging
from quest_common.openapi import publish_public_routes_only
from quest_common.outbox import expose_outbox_metrics, service_relay


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    engine = build_engine(settings.database_url)
    keyring = KeyRing(
        engine=engine,
        passphrase=settings.signing_key_passphrase,
        reload_s=settings.key_reload_seconds,
    )
    token_service = TokenService(keyring=keyring, settings=settings)
    relay = service_relay(
        settings,
        engine=engine,
        name=RELAY_NAME,
        enabled=settings.run_outbox_relay,
        publisher_factory=relay_publisher_factory(settings),
        poll_seconds=settings.outbox_poll_seconds,
        wake_delay_seconds=settings.outbox_wake_delay_seconds,
        busy_interval_seconds=settings.outbox_busy_interval_seconds,
        require_route=relay_route_required(settings),
    )
    level_curve = LevelCurve(
        levels_url=f"{settings.catalog_url.rstrip('/')}/api/catalog/levels",
        ttl_s=settings.level_curve_ttl_seconds,
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        configure_logging(
            settings.service_name, json_lines=settings.log_json, level=settings.log_level
        )
        # Creates the first signing key if none exists (advisory lock: one replica does it).
        await run_in_threadpool(keyring.start)
        hash_processes = settings.password_hash_processes
        if hash_processes != 0:
            await run_in_threadpool(
                security.start_hashing_pool, hash_processes or security.DEFAULT_HASH_PROCESSES
            )
        if relay is not None:
            relay.start()  # a thread of this process; woken after each login commits
        try:
            yield
        finally:
            if relay is not None:
                await run_in_threadpool(relay.stop)
            await run_in_threadpool(security.stop_hashing_pool)
            level_curve.close()
            engine.dispose()

    app = service_app(
        title="quest auth-service",
        api_prefix=settings.api_prefix,
        lifespan=lifespan,
        version="0.1.0",
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.keyring = keyring
    app.state.tokens = token_service
    app.state.token_verifier = token_service  # read by quest_common.security.current_claims
    app.state.relay = relay
    app.state.level_curve = level_curve  # catalog's level curve, as auth last read it
    # Every request's (and abuse guard's) unit of work: a write wakes the relay once committed.
    app.state.uow = partial(AuthUnitOfWork, engine, relay=relay)

    app.include_router(public_api(), prefix=settings.api_prefix)
    app.include_router(internal_api())
    install_error_handlers(app)
    publish_public_routes_only(app, password_token_url=f"{settings.api_prefix}/login/access-token")
    expose_outbox_metrics(engine)  # outbox_backlog, outbox_oldest_unsent_age_seconds
    # Readiness is the database only: a login must keep working while the broker is down (the
    # outbox holds the events), so a broker outage must not take auth out of the load balancer.
    return add_ops(app, {"database": lambda: database_check(engine)})
