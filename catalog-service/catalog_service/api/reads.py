"""Cached, ETag-carrying public reads.

A read route renders its body once per catalog version: the JSON bytes and their ETag are cached
under the request's raw path and query string. `CachedReadMiddleware` answers the next identical
GET straight from that cache, before routing and dependency resolution, which is where FastAPI
spends most of a small request's time. The cache only answers for the version the version tracker
currently trusts (see `core.read_cache`); otherwise the request goes through to the route, which
reads the database.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import Request, Response
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel
from sqlmodel import Session
from starlette.types import ASGIApp, Receive, Scope, Send

from catalog_service.core.changes import read_version
from catalog_service.core.read_cache import CachedBody, etag_matches, make_body
from catalog_service.core.runtime import CatalogRuntime

# Clients may keep a copy but must revalidate (cheap with If-None-Match): quests change rarely,
# but a stale reward definition must not outlive a change.
CACHE_CONTROL = "no-cache"

Loader = Callable[[Session], BaseModel]

NOT_MODIFIED: dict[int | str, dict[str, Any]] = {
    304: {"description": "Not modified (the `If-None-Match` ETag is current)"}
}


def _load(runtime: CatalogRuntime, load: Loader, route: object) -> CachedBody:
    with runtime.uow.read() as session:
        # Version first, then data: the data is at least as new as the version it is filed under.
        version = read_version(session)
        return make_body(version, load(session).model_dump_json().encode(), route=route)


def _cache_key(scope: Scope) -> tuple[str, bytes]:
    return scope["path"], scope.get("query_string", b"")


def _headers(entry: CachedBody) -> dict[str, str]:
    return {"ETag": entry.etag, "Cache-Control": CACHE_CONTROL}


async def cached_read(request: Request, runtime: CatalogRuntime, load: Loader) -> Response:
    """Render (or reuse) the body for this exact request; errors (404) propagate uncached."""
    key = _cache_key(request.scope)
    version = runtime.versions.known()
    entry = runtime.cache.get(key, version=version) if version is not None else None
    if entry is None:
        entry = await run_in_threadpool(_load, runtime, load, request.scope.get("route"))
        runtime.cache.put(key, entry)
    if etag_matches(request.headers.get("if-none-match"), entry.etag):
        return Response(status_code=304, headers=_headers(entry))
    return Response(content=entry.body, media_type="application/json", headers=_headers(entry))


class CachedReadMiddleware:
    """Answers a GET whose exact response is cached for the current catalog version."""

    def __init__(self, app: ASGIApp, *, runtime: CatalogRuntime) -> None:
        self.app = app
        self.runtime = runtime

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET":
            await self.app(scope, receive, send)
            return
        version = self.runtime.versions.known()
        entry = (
            self.runtime.cache.get(_cache_key(scope), version=version)
            if version is not None
            else None
        )
        if entry is None:
            await self.app(scope, receive, send)
            return
        # Route template for the metrics middleware, as the router would have set it.
        scope["route"] = entry.route
        if_none_match = None
        for name, value in scope["headers"]:
            if name == b"if-none-match":
                if_none_match = value.decode("latin-1")
                break
        headers = [
            (b"etag", entry.etag.encode()),
            (b"cache-control", CACHE_CONTROL.encode()),
        ]
        if etag_matches(if_none_match, entry.etag):
            await send({"type": "http.response.start", "status": 304, "headers": headers})
            await send({"type": "http.response.body", "body": b""})
            return
        headers += [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(entry.body)).encode()),
        ]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": entry.body})
