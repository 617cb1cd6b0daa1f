"""Catalog's event types, cached in this process for ingestion.

Read over httpx with a timeout from catalog's public list (`GET /api/catalog/event-types`,
every page), revalidated every `ttl_s` seconds with `If-None-Match` (an empty 304 while nothing
changed). When catalog does not answer, the last copy is kept and asked again after
`retry_after_failure_s`; a process that never had a copy refuses with
`EventTypesUnavailableError` (503): ingestion cannot check any event without the types.

While one thread reads catalog, the others use the copy they have instead of queueing behind it
(only a process with no copy at all waits for the first read).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

import httpx

from processing_service.ingestion.validation import EventTypeSpec
from quest_common.refusals import ClientError

log = logging.getLogger(__name__)

EVENT_TYPES_RETRY_AFTER_S = 5


class EventTypesUnavailableError(
    ClientError,
    status=HTTPStatus.SERVICE_UNAVAILABLE,
    detail="event types unavailable (catalog unreachable), try again shortly",
):
    """Catalog did not answer and this process never had a copy of the event types."""

    headers = {"Retry-After": str(EVENT_TYPES_RETRY_AFTER_S)}


def _page(body: Any) -> tuple[list[dict[str, Any]], int]:
    data = list(body["data"])
    return data, int(body.get("count", len(data)))


class EventTypeCache:
    def __init__(
        self,
        *,
        catalog_url: str,
        ttl_s: float = 5.0,
        timeout_s: float = 3.0,
        retry_after_failure_s: float = 5.0,
        page_size: int = 1000,
    ) -> None:
        self.catalog_url = catalog_url.rstrip("/")
        self.ttl_s = ttl_s
        self.retry_after_failure_s = retry_after_failure_s
        self.page_size = page_size
        self._client = httpx.Client(timeout=timeout_s)
        self._lock = threading.Lock()  # one catalog read at a time
        self._types: dict[str, EventTypeSpec] | None = None
        self._etag: str | None = None
        self._next_check = 0.0  # monotonic time after which the copy is revalidated

    def close(self) -> None:
        self._client.close()

    def types(self) -> Mapping[str, EventTypeSpec]:
        """Every event type by name (active or not); `EventTypesUnavailableError` without any
        copy."""
        if self._types is None or time.monotonic() >= self._next_check:
            self._refresh()
        if self._types is None:
            raise EventTypesUnavailableError("no copy of the event types")
        return self._types

    def _refresh(self) -> None:
        if self._types is not None:
            if not self._lock.acquire(blocking=False):
                return  # another thread is reading catalog; use the copy meanwhile
        else:
            self._lock.acquire()
        try:
            if self._types is not None and time.monotonic() < self._next_check:
                return  # refreshed while this thread waited
            try:
                fetched = self._fetch()
            except (httpx.HTTPError, ValueError, KeyError, TypeError) as exc:
                log.warning("catalog unreachable (%s): keeping the last known event types", exc)
                self._next_check = time.monotonic() + self.retry_after_failure_s
                return
            if fetched is not None:
                self._types, self._etag = fetched
            self._next_check = time.monotonic() + self.ttl_s
        finally:
            self._lock.release()

    def _fetch(self) -> tuple[dict[str, EventTypeSpec], str | None] | None:
        """Every type and the first page's ETag; None when it is unchanged (304)."""
        url = f"{self.catalog_url}/api/catalog/event-types"
        headers = {"If-None-Match": self._etag} if self._etag and self._types is not None else {}
        response = self._client.get(
            url, params={"limit": self.page_size, "offset": 0}, headers=headers
        )
        if response.status_code == HTTPStatus.NOT_MODIFIED:
            return None
        response.raise_for_status()
        etag = response.headers.get("ETag")
        reads, count = _page(response.json())
        while len(reads) < count:
            page = self._client.get(url, params={"limit": self.page_size, "offset": len(reads)})
            page.raise_for_status()
            more, count = _page(page.json())
            if not more:
                break  # the list shrank while it was read; the next refresh catches up
            reads.extend(more)
        types = {spec.name: spec for spec in map(EventTypeSpec.from_catalog, reads)}
        return types, etag
