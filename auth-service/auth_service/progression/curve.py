"""Auth's copy of the level curve, which catalog owns (`GET /api/catalog/levels`).

Auth reads it and keeps it, rather than following a catalog event: the curve changes rarely, a
read needs no new queue or consumer in auth, and a copy that is revalidated (with the ETag, a
304 costs nothing) cannot miss a change the way a listener that was down could. Until the first
read succeeds the default curve applies (the one catalog seeds); while catalog is away the last
curve read stays in use. Reads happen off the request path's critical section: a caller asking
for the curve gets the copy at hand and, when it is older than `ttl_s`, at most one caller at a
time refreshes it with a short timeout.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Sequence

import httpx

from quest_common.progression import DEFAULT_LEVEL_THRESHOLDS, thresholds_error

log = logging.getLogger(__name__)


class LevelCurve:
    def __init__(self, *, levels_url: str | None, ttl_s: float = 30.0, timeout_s: float = 2.0):
        self.levels_url = levels_url
        self.ttl_s = ttl_s
        self._thresholds: tuple[int, ...] = DEFAULT_LEVEL_THRESHOLDS
        self._etag: str | None = None
        self._checked_at = float("-inf")
        self._refreshing = threading.Lock()
        self._client = httpx.Client(timeout=timeout_s) if levels_url else None

    def close(self) -> None:
        if self._client is not None:
            self._client.close()

    def thresholds(self) -> Sequence[int]:
        """The curve to use now; revalidated against catalog when the copy is old."""
        stale = self._client is not None and time.monotonic() - self._checked_at >= self.ttl_s
        # One refresher at a time; the others use the copy at hand rather than wait.
        if stale and self._refreshing.acquire(blocking=False):
            try:
                self._refresh()
            finally:
                self._refreshing.release()
        return self._thresholds

    def _refresh(self) -> None:
        assert self._client is not None and self.levels_url is not None
        headers = {"If-None-Match": self._etag} if self._etag else {}
        try:
            response = self._client.get(self.levels_url, headers=headers)
            if response.status_code == 304:
                return
            response.raise_for_status()
            thresholds = [int(t) for t in response.json()["thresholds"]]
        except (httpx.HTTPError, ValueError, KeyError, TypeError) as exc:
            # Catalog away or odd: keep the last curve; try again after the next ttl.
            log.warning("level curve not refreshed from catalog (%s); keeping the last one", exc)
            return
        finally:
            self._checked_at = time.monotonic()
        error = thresholds_error(thresholds)
        if error is not None:
            log.warning("catalog's level curve refused (%s); keeping the last one", error)
            return
        self._thresholds = tuple(thresholds)
        self._etag = response.headers.get("etag")
