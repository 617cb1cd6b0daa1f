"""Fast public reads: serialized responses cached per (route, filters), keyed by the catalog
version that every write bumps.

The version is followed through PostgreSQL LISTEN/NOTIFY (see `core.changes`), so a write on any
replica invalidates every replica's cache when it commits. While the listener is not connected
`VersionTracker.known()` is None and reads go to the database: the cache only serves what it can
prove is current.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass

import psycopg

from catalog_service.core.changes import NOTIFY_CHANNEL
from quest_common.retry import Backoff, retry_until_stopped

logger = logging.getLogger(__name__)

VERSION_SQL = "SELECT version FROM catalog_state WHERE id = 1"

# Clients may keep a copy but must revalidate (cheap with If-None-Match): quests change rarely,
# but a stale reward definition must not outlive a change.
CACHE_CONTROL = "no-cache"


def strong_etag(body: bytes) -> str:
    return '"' + hashlib.blake2b(body, digest_size=16).hexdigest() + '"'


def etag_matches(if_none_match: str | None, etag: str) -> bool:
    """RFC 9110 `If-None-Match`: weak comparison, a list of tags, or `*`."""
    if not if_none_match:
        return False
    wanted = etag.removeprefix("W/")
    for candidate in if_none_match.split(","):
        tag = candidate.strip()
        if tag == "*" or tag.removeprefix("W/") == wanted:
            return True
    return False


@dataclass(frozen=True, slots=True)
class CachedBody:
    version: int
    body: bytes
    etag: str
    route: object = None  # the route that rendered it (for per-route metrics on a cache hit)
    # Raw ASGI response headers, built once per body rather than per request served from it.
    not_modified_headers: tuple[tuple[bytes, bytes], ...] = ()
    full_headers: tuple[tuple[bytes, bytes], ...] = ()


def make_body(version: int, body: bytes, *, route: object = None) -> CachedBody:
    etag = strong_etag(body)
    validators = ((b"etag", etag.encode()), (b"cache-control", CACHE_CONTROL.encode()))
    return CachedBody(
        version=version,
        body=body,
        etag=etag,
        route=route,
        not_modified_headers=validators,
        full_headers=(
            *validators,
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
        ),
    )


class ReadCache:
    """A bounded LRU of serialized bodies; an entry counts only for the version it was read at.

    Used from the event loop only (lookups and stores happen in async routes), so it needs no lock.
    """

    def __init__(self, *, max_entries: int = 512) -> None:
        self.max_entries = max_entries
        self._entries: OrderedDict[Hashable, CachedBody] = OrderedDict()
        self._version: int | None = None

    def get(self, key: Hashable, *, version: int) -> CachedBody | None:
        if version != self._version:
            # The catalog moved on: everything cached belongs to an older version.
            self._entries.clear()
            self._version = version
            return None
        entry = self._entries.get(key)
        if entry is not None:
            self._entries.move_to_end(key)
        return entry

    def put(self, key: Hashable, entry: CachedBody) -> None:
        if entry.version != self._version:
            return  # read at another version than the one now current: do not keep it
        self._entries[key] = entry
        self._entries.move_to_end(key)
        while len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)

    def __len__(self) -> int:
        return len(self._entries)


class VersionTracker:
    """Follows the committed catalog version in a background thread (LISTEN on its own
    connection), resyncing by a plain read every `resync_seconds` and after every reconnect."""

    def __init__(self, *, dsn: str, resync_seconds: float = 5.0) -> None:
        self.dsn = dsn
        self.resync_seconds = resync_seconds
        self._version = 0
        self._observed = 0  # how many versions `observe` has been told of
        self._live = False
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._ready = threading.Event()
        self._thread: threading.Thread | None = None

    def known(self) -> int | None:
        """The current version, or None when it cannot be trusted (listener not connected)."""
        return self._version if self._live else None

    def observe(self, version: int) -> None:
        """A newer version seen by this process (its own commit, or a notification)."""
        with self._lock:
            self._observed += 1
            if version > self._version:
                self._version = version

    def _resync(self, conn: psycopg.Connection) -> None:
        with self._lock:
            observed = self._observed
        row = conn.execute(VERSION_SQL).fetchone()
        read = int(row[0]) if row else 0
        with self._lock:
            if self._observed != observed:
                # A commit was observed while we read: our value may predate it. Going back to
                # it would let this replica serve bodies cached before that commit as current
                # (exactly what a QuestChanged listener reads right after the change).
                self._version = max(self._version, read)
            else:
                # Exact, not max: after a database restore the version may legitimately go down.
                self._version = read

    def _follow(self) -> None:
        with psycopg.connect(self.dsn, autocommit=True, connect_timeout=5) as conn:
            conn.execute(f"LISTEN {NOTIFY_CHANNEL}")
            # LISTEN first, then read: a commit in between is seen by one or the other.
            self._resync(conn)
            self._live = True
            self._ready.set()
            last_sync = time.monotonic()
            while not self._stop.is_set():
                for notify in conn.notifies(timeout=0.5):
                    try:
                        self.observe(int(notify.payload))
                    except ValueError:
                        logger.warning("ignoring odd %s payload %r", NOTIFY_CHANNEL, notify.payload)
                if time.monotonic() - last_sync >= self.resync_seconds:
                    self._resync(conn)
                    last_sync = time.monotonic()

    def run(self) -> None:
        retry_until_stopped(
            self._follow,
            stop=self._stop,
            backoff=Backoff(0.2, 5.0),
            what="catalog version listener (reads bypass the cache meanwhile)",
            on_error=self._not_live,
        )
        self._live = False

    def _not_live(self, _exc: Exception) -> None:
        self._live = False

    def start(self, *, wait_seconds: float = 5.0) -> None:
        self._stop.clear()
        self._thread = threading.Thread(target=self.run, name="catalog-version", daemon=True)
        self._thread.start()
        # Serve from the cache from the first request when the database is there; when it is
        # not, start anyway (reads fall back to the database and fail or succeed on their own).
        self._ready.wait(wait_seconds)

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
