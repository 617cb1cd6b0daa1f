"""Cached, ETag-carrying public reads.

A read route renders its body once per catalog version: the JSON bytes and their ETag are cached
under the request's raw path and query string. `CachedReadFront` answers the next identical GET
straight from that cache in front of the whole middleware stack (error handler, request id,
metrics, routing, dependency resolution: where FastAPI spends most of a small request's time).
It does the little of that a cache hit needs itself: echoes or makes the request id, counts the
request in the same Prometheus series with pre-resolved children. The cache only answers for the
version the version tracker currently trusts (see `core.read_cache`); otherwise the request goes
through the stack to the route, which reads the database.
"""

from __future__ import annotations

import itertools
import time
import uuid
from collections.abc import Callable
from typing import Any

from fastapi import Request, Response
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel
from sqlmodel import Session
from starlette.types import Scope, Send

from catalog_service.core.changes import read_version
from catalog_service.core.read_cache import CACHE_CONTROL, CachedBody, etag_matches, make_body
from catalog_service.core.runtime import CatalogRuntime
from quest_common.health import HTTP_LATENCY, HTTP_REQUESTS
from quest_common.logging import accepted_request_id

Loader = Callable[[Session], BaseModel]

NOT_MODIFIED: dict[int | str, dict[str, Any]] = {
    304: {"description": "Not modified (the `If-None-Match` ETag is current)"}
}


def _load(runtime: CatalogRuntime, load: Loader, route: object) -> CachedBody:
    with runtime.new_uow() as uow:
        session = uow.session
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


async def uncached_read(request: Request, runtime: CatalogRuntime, load: Loader) -> Response:
    """A public read that changes more often than the catalog version (an offer's stock moves
    with every redemption): read every time, still with an ETag so a client that has the
    current body gets a 304."""

    def render() -> CachedBody:
        with runtime.new_uow() as uow:
            return make_body(0, load(uow.session).model_dump_json().encode())

    entry = await run_in_threadpool(render)
    if etag_matches(request.headers.get("if-none-match"), entry.etag):
        return Response(status_code=304, headers=_headers(entry))
    return Response(content=entry.body, media_type="application/json", headers=_headers(entry))


class CachedReadFront:
    """Serves a GET whose exact response is cached for the current catalog version; returns
    False (sending nothing) for everything else."""

    def __init__(self, runtime: CatalogRuntime) -> None:
        self.runtime = runtime
        # Prometheus children resolved once per (route template, status): `.labels()` per
        # request costs more than the rest of a cache hit.
        self._counters: dict[tuple[str, int], Any] = {}
        self._timers: dict[str, Any] = {}
        self._id_prefix = uuid.uuid4().hex[:16]
        self._sequence = itertools.count()

    def _count(self, route: object, status: int, seconds: float) -> None:
        template = getattr(route, "path", "unmatched")
        counter = self._counters.get((template, status))
        if counter is None:
            counter = HTTP_REQUESTS.labels("GET", template, str(status))
            self._counters[template, status] = counter
        timer = self._timers.get(template)
        if timer is None:
            timer = self._timers[template] = HTTP_LATENCY.labels("GET", template)
        counter.inc()
        timer.observe(seconds)

    async def serve(self, scope: Scope, send: Send) -> bool:
        if scope["type"] != "http" or scope["method"] != "GET":
            return False
        version = self.runtime.versions.known()
        if version is None:
            return False
        entry = self.runtime.cache.get(_cache_key(scope), version=version)
        if entry is None:
            return False
        started = time.perf_counter()
        if_none_match = request_id = None
        for name, value in scope["headers"]:
            if name == b"if-none-match":
                if_none_match = value.decode("latin-1")
            elif name == b"x-request-id":
                request_id = accepted_request_id(value.decode("latin-1"))
        if request_id is None:
            # Unique per process start and request, without a random draw per request.
            request_id = f"{self._id_prefix}{next(self._sequence):x}"
        headers = [(b"x-request-id", request_id.encode())]
        if etag_matches(if_none_match, entry.etag):
            status, body = 304, b""
            headers += entry.not_modified_headers
        else:
            status, body = 200, entry.body
            headers += entry.full_headers
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})
        self._count(entry.route, status, time.perf_counter() - started)
        return True
