"""The processing API (shim: `processing_service.main:create_app`): the app over what
`bootstrap.build_api` built, whose lifespan starts and stops its listeners."""

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

from processing_service.api.errors import install_dependency_error_handlers
from processing_service.api.main import api_router, clients_router
from processing_service.bootstrap import build_api
from processing_service.core.config import Settings, get_settings
from processing_service.notifications.hub import Hub
from processing_service.ops.metrics import expose_ops_metrics
from quest_common.app import add_ops, service_app
from quest_common.broker.connection import broker_check
from quest_common.db import database_check
from quest_common.errors import install_error_handlers
from quest_common.logging import configure_logging
from quest_common.openapi import publish_public_routes_only
from quest_common.security import check_tokens_against_auth


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
    process = build_api(settings)
    runtime, hub = process.runtime, process.hub

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        hub.loop = asyncio.get_running_loop()
        listeners = process.listeners()
        # First: it refuses to start twice (a second lifespan over this app while one runs), and
        # everything started after it is inside the `try` that stops it.
        access_listener.start()
        try:
            runtime.start()
            for listener in listeners:
                listener.start()
            app.state.fanout = listeners[0]
            _chain_sigterm(hub)
            yield
        finally:
            hub.close_all()
            access_listener.stop()
            for listener in listeners:
                listener.stop()
                if listener.ident is not None:  # started
                    listener.join(5)
            process.simulations.close()
            process.ingestion.close()
            runtime.close()

    app = service_app(title="processing-service", api_prefix="/api/processing", lifespan=lifespan)
    app.state.settings = settings
    app.state.runtime = runtime
    app.state.engine = runtime.engine
    app.state.hub = hub
    app.state.simulations = process.simulations
    app.state.ingestion = process.ingestion
    access_listener = check_tokens_against_auth(app, settings=settings)
    install_error_handlers(app)
    install_dependency_error_handlers(app)
    publish_public_routes_only(app)
    app.include_router(api_router)
    app.include_router(clients_router)
    expose_ops_metrics(runtime.ops_figures)
    return add_ops(
        app,
        {
            "database": partial(database_check, runtime.engine),
            "broker": partial(broker_check, settings.amqp_url),
        },
    )
