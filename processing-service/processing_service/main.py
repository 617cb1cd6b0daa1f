"""The processing API: `uvicorn --factory processing_service.main:create_app`."""

from __future__ import annotations

import asyncio
import signal
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial
from types import FrameType
from typing import Any

from fastapi import FastAPI

from processing_service.api.main import api_router
from processing_service.core.config import Settings, get_settings
from processing_service.core.db import create_db_engine
from processing_service.grants.service import AuthClient
from processing_service.notifications.hub import FanoutConsumer, Hub
from processing_service.notifications.publisher import EventPublisher
from processing_service.catalog.cache import QuestCache
from quest_common.broker.connection import broker_check
from quest_common.db import database_check
from quest_common.health import MetricsMiddleware, ops_router
from quest_common.logging import RequestIdMiddleware, configure_logging
from quest_common.security import JwksVerifier


def _chain_sigterm(hub: Hub) -> None:
    """On SIGTERM end the SSE streams too, or uvicorn would wait for them to close by themselves."""
    if threading.current_thread() is not threading.main_thread():
        return
    for sig in (signal.SIGTERM, signal.SIGINT):
        previous = signal.getsignal(sig)

        def handler(signum: int, frame: FrameType | None, previous: Any = previous) -> None:
            loop = hub.loop
            if loop is not None and not loop.is_closed():
                loop.call_soon_threadsafe(hub.close_all)
            if callable(previous):
                previous(signum, frame)

        signal.signal(sig, handler)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    configure_logging(settings.service_name, json_lines=settings.log_json, level=settings.log_level)
    engine = create_db_engine(settings)
    hub = Hub()
    publisher = EventPublisher(
        amqp_url=settings.amqp_url, exchange=settings.events_exchange, name="processing-api-events"
    )
    publish_lock = threading.Lock()

    def publish(notes: list[dict[str, Any]]) -> None:
        # Routes run in a thread pool and a pika connection is not thread-safe.
        with publish_lock:
            publisher.publish(notes)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        hub.loop = asyncio.get_running_loop()
        fanout = FanoutConsumer(
            hub=hub,
            amqp_url=settings.amqp_url,
            exchange=settings.events_exchange,
            # The quest list this replica serves follows catalog changes as the worker does.
            on_quest_changed=app.state.quest_cache.invalidate,
        )
        fanout.start()
        _chain_sigterm(hub)
        try:
            yield
        finally:
            hub.close_all()
            fanout.stop()
            fanout.join(5)
            publisher.close()
            app.state.quest_cache.close()
            app.state.auth_client.close()
            engine.dispose()

    app = FastAPI(
        title="processing-service",
        lifespan=lifespan,
        openapi_url="/api/processing/openapi.json",
        docs_url="/api/processing/docs",
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.hub = hub
    app.state.publish = publish
    app.state.token_verifier = JwksVerifier(
        jwks_url=settings.jwks_url, issuer=settings.jwt_issuer, audience=settings.jwt_audience
    )
    app.state.quest_cache = QuestCache(
        engine=engine,
        catalog_url=settings.catalog_url,
        ttl_s=settings.quest_cache_ttl_s,
        timeout_s=settings.http_timeout_s,
    )
    app.state.auth_client = AuthClient(
        auth_url=settings.auth_url,
        client_id=settings.processing_client_id,
        client_secret=settings.processing_client_secret,
        timeout_s=settings.http_timeout_s,
    )
    app.add_middleware(MetricsMiddleware)
    app.add_middleware(RequestIdMiddleware)
    app.include_router(api_router)
    app.include_router(
        ops_router(
            {
                "database": partial(database_check, engine),
                "broker": partial(broker_check, settings.amqp_url),
            }
        )
    )
    return app
