"""Cached, ETag-carrying public reads.

A read is served from the cache when the cached body belongs to the current catalog version;
otherwise the loader runs in the threadpool (sync DB session) and its JSON is cached. Either way
the body is bytes serialized once, so a hit costs a dict lookup and a hash comparison.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable

from fastapi import Request, Response
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel
from sqlmodel import Session

from catalog_service.core.changes import read_version
from catalog_service.core.read_cache import CachedBody, etag_matches, make_body
from catalog_service.core.runtime import CatalogRuntime

# Clients may keep a copy but must revalidate (cheap with If-None-Match): quests change rarely,
# but a stale reward definition must not outlive a change.
CACHE_CONTROL = "no-cache"

Loader = Callable[[Session], BaseModel]

NOT_MODIFIED = {304: {"description": "Not modified (the `If-None-Match` ETag is current)"}}


def _load(runtime: CatalogRuntime, load: Loader) -> CachedBody:
    with runtime.uow.read() as session:
        # Version first, then data: the data is at least as new as the version it is filed under.
        version = read_version(session)
        return make_body(version, load(session).model_dump_json().encode())


def respond(request: Request, entry: CachedBody) -> Response:
    headers = {"ETag": entry.etag, "Cache-Control": CACHE_CONTROL}
    if etag_matches(request.headers.get("if-none-match"), entry.etag):
        return Response(status_code=304, headers=headers)
    return Response(content=entry.body, media_type="application/json", headers=headers)


async def cached_read(
    request: Request, runtime: CatalogRuntime, key: Hashable, load: Loader
) -> Response:
    version = runtime.versions.known()
    if version is not None:
        entry = runtime.cache.get(key, version=version)
        if entry is not None:
            return respond(request, entry)
    entry = await run_in_threadpool(_load, runtime, load)
    runtime.cache.put(key, entry)
    return respond(request, entry)
