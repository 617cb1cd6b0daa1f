"""What every service's app factory shares: the FastAPI object with its docs under the public
prefix (reachable through the gateway), and the ops routes and outer middlewares."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from contextlib import AbstractAsyncContextManager
from typing import Any

from fastapi import FastAPI
from fastapi.routing import APIRoute

from quest_common.health import MetricsMiddleware, ReadyCheck, ops_router
from quest_common.logging import RequestIdMiddleware


def operation_id(route: APIRoute) -> str:
    """The route function's name (`claim_reward`), so the generated client reads `claimReward`
    rather than spelling out the URL; each service keeps its route names unique."""
    return route.name


def service_app(
    *,
    title: str,
    api_prefix: str,
    lifespan: Callable[[FastAPI], AbstractAsyncContextManager[None]],
    app_class: type[FastAPI] = FastAPI,
    **fastapi_args: Any,
) -> FastAPI:
    return app_class(
        title=title,
        lifespan=lifespan,
        openapi_url=f"{api_prefix}/openapi.json",
        docs_url=f"{api_prefix}/docs",
        redoc_url=None,
        generate_unique_id_function=operation_id,
        **fastapi_args,
    )


def add_ops(app: FastAPI, checks: Mapping[str, ReadyCheck]) -> FastAPI:
    """`/healthz`, `/readyz` (the named checks), `/metrics`; then the request-id and metrics
    middlewares, outermost, so every response (a cached one too) is counted and carries its id."""
    app.include_router(ops_router(checks))
    app.add_middleware(MetricsMiddleware)
    app.add_middleware(RequestIdMiddleware)
    return app
