"""App factory: `uvicorn --factory catalog_service.main:create_app`."""

from __future__ import annotations

import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial
from typing import Any

from fastapi import FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError
from starlette.types import Receive, Scope, Send

from catalog_service.api.main import API_PREFIX, api_router
from catalog_service.api.reads import CachedReadFront
from catalog_service.core.config import Settings, get_settings
from catalog_service.core.errors import InvalidError
from catalog_service.core.runtime import CatalogRuntime
from quest_common.app import add_ops, service_app
from quest_common.broker.connection import broker_check
from quest_common.db import database_check
from quest_common.errors import install_error_handlers
from quest_common.logging import configure_logging
from quest_common.openapi import publish_public_routes_only
from quest_common.outbox import expose_outbox_metrics
from quest_common.security import check_tokens_against_auth

logger = logging.getLogger(__name__)


def _install_catalog_error_handlers(app: FastAPI) -> None:
    """The refusals quest_common does not answer: a rule's 422, a value the database refuses."""

    @app.exception_handler(InvalidError)
    async def invalid(_: Request, exc: InvalidError) -> JSONResponse:
        # Same shape as FastAPI's own validation errors, so clients handle one format.
        detail = [{"type": "value_error", "loc": ["body", exc.field], "msg": exc.detail}]
        return JSONResponse({"detail": detail}, status_code=422)

    @app.exception_handler(DataError)
    async def data_error(_: Request, exc: DataError) -> JSONResponse:
        # Validation should have caught it; if a value still does not fit a column, it is still
        # the client's input, not a server fault (guarantee 7: bad input never gets a 5xx).
        logger.warning("database refused a value: %s", exc.orig)
        return JSONResponse(
            {"detail": "A value does not fit the catalog's limits"}, status_code=422
        )


class CatalogApp(FastAPI):
    """FastAPI with the read cache in front of the whole middleware stack: a cache hit (most
    public reads) costs a lookup and two sends, not a pass through every middleware."""

    read_front: CachedReadFront | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        front = self.read_front
        if front is not None and await front.serve(scope, send):
            return
        await super().__call__(scope, receive, send)


def _catalog_app(**options: Any) -> CatalogApp:
    app = service_app(**options)
    assert isinstance(app, CatalogApp)
    return app


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    if settings.environment != "test":
        # Tests keep pytest's log capture; everything else logs through the shared format.
        configure_logging(
            settings.service_name, json_lines=settings.log_json, level=settings.log_level
        )
    runtime = CatalogRuntime.build(settings)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        # First: it refuses to start twice (a second lifespan over this app while one runs), and
        # everything started after it is inside the `try` that stops it.
        access_listener.start()
        try:
            await run_in_threadpool(runtime.start)
            # Everything built at start-up lives as long as the process: out of the collector's
            # sight, a full collection (triggered by request garbage) no longer walks it all.
            gc.collect()
            gc.freeze()
            yield
        finally:
            await run_in_threadpool(access_listener.stop)
            await run_in_threadpool(runtime.stop)

    app = _catalog_app(
        app_class=CatalogApp,
        title="Quest catalog",
        api_prefix=API_PREFIX,
        lifespan=lifespan,
        version="1.0.0",
        description="Rewards and quests: public reads, admin writes.",
    )
    app.state.runtime = runtime
    access_listener = check_tokens_against_auth(app, settings=settings)
    _install_catalog_error_handlers(app)
    install_error_handlers(app)
    publish_public_routes_only(app)
    app.read_front = CachedReadFront(runtime)
    app.include_router(api_router, prefix=API_PREFIX)
    expose_outbox_metrics(runtime.engine)  # outbox_backlog, outbox_oldest_unsent_age_seconds
    return add_ops(
        app,
        {
            "database": partial(database_check, runtime.engine),
            "broker": partial(broker_check, settings.amqp_url),
        },
    )
