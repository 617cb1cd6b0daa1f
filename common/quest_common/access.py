"""Current authorisation: "tokens of this user issued before T are void" (DESIGN §12).

An access token lives for minutes; a ban, a deletion, a demotion or a logout-everywhere must
not wait for it to expire. Auth stores the moment of each such change (`not_before`) and emits
`auth.UserAccessChanged` through its outbox. Every replica of every service keeps the map here:

- `AccessRevocations`: the thread-safe map user id → not_before (epoch seconds), consulted by
  `quest_common.security.current_claims` for every token;
- `AccessChangeListener`: a `BroadcastListener` on `auth.UserAccessChanged` (one exclusive,
  auto-delete queue per replica) that, each time its queue is (re)bound, reloads the whole map
  from auth's signed snapshot (`/internal/access/not-before`), retrying every few seconds until
  it loads (while events keep being applied: auth being down must not hold up a revocation).
  A restarted or reconnected replica misses nothing: changes made while it was away are in the
  snapshot, changes made after the queue was bound arrive as events.

The snapshot is a JWT signed with auth's token key (audience `quest-access-snapshot`), checked
through the same JWKS every service already uses: nothing forged on the private network can
lift a revocation, and no extra secret has to be handed to each service.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

import httpx

from quest_common.broker.broadcast import BroadcastListener
from quest_common.events import CloudEvent, routing_key

logger = logging.getLogger(__name__)

ACCESS_CHANGED = "UserAccessChanged"
ACCESS_CHANGED_KEY = routing_key("auth", ACCESS_CHANGED)
SNAPSHOT_AUDIENCE = "quest-access-snapshot"
SNAPSHOT_PATH = "/internal/access/not-before"
# Access tokens live far less than this; an entry older than any live token is useless.
DEFAULT_RETAIN_SECONDS = 24 * 3600.0
# While the snapshot cannot be loaded, a warning when it starts and then at most this often.
SNAPSHOT_WARNING_EVERY_S = 60.0


def issued_at(claims: Any) -> float:
    """When a token was issued, as precisely as it says: `iat_ms` (auth adds it) or `iat`."""
    iat_ms = getattr(claims, "iat_ms", None)
    if isinstance(iat_ms, int):
        return iat_ms / 1000
    return float(claims.iat)


class AccessRevocations:
    """user id → not_before; a token of that user issued before not_before is void."""

    def __init__(self, *, retain_seconds: float = DEFAULT_RETAIN_SECONDS) -> None:
        self.retain_seconds = retain_seconds
        self._not_before: dict[str, float] = {}
        self._lock = threading.Lock()
        self.loaded = threading.Event()  # set once a full snapshot has been applied

    def void_before(self, user_id: str, not_before: float) -> None:
        """Only ever moves a user's line later: an old event replayed cannot un-void tokens."""
        with self._lock:
            if not_before > self._not_before.get(user_id, float("-inf")):
                self._not_before[user_id] = not_before

    def load(self, entries: Mapping[str, float], *, now: float | None = None) -> None:
        now = time.time() if now is None else now
        with self._lock:
            for user_id, not_before in entries.items():
                if not_before > self._not_before.get(user_id, float("-inf")):
                    self._not_before[user_id] = not_before
            cutoff = now - self.retain_seconds
            for user_id in [u for u, t in self._not_before.items() if t < cutoff]:
                del self._not_before[user_id]
        self.loaded.set()

    def not_before(self, user_id: str) -> float | None:
        with self._lock:
            return self._not_before.get(user_id)

    def is_void(self, user_id: str, issued: float) -> bool:
        line = self.not_before(user_id)
        return line is not None and issued < line

    def __len__(self) -> int:
        with self._lock:
            return len(self._not_before)


def parse_access_changed(body: bytes) -> tuple[str, float] | None:
    """(user_id, not_before) from an `auth.UserAccessChanged` envelope; None if unusable."""
    try:
        event = CloudEvent.from_json(body)
        user_id = str(event.data["user_id"])
        not_before = datetime.fromisoformat(str(event.data["not_before"]).replace("Z", "+00:00"))
    except (ValueError, KeyError, TypeError):
        return None
    if event.type != ACCESS_CHANGED or not_before.tzinfo is None:
        return None
    return user_id, not_before.timestamp()


def entries_from_claims(claims: Mapping[str, Any]) -> dict[str, float]:
    """The snapshot JWT's `not_before` claim: {user_id: epoch milliseconds}."""
    raw = claims.get("not_before")
    if not isinstance(raw, dict):
        raise ValueError("snapshot carries no not_before map")
    return {str(user): int(ms) / 1000 for user, ms in raw.items()}


def snapshot_url_from_jwks(jwks_url: str) -> str:
    """Auth's origin is the JWKS URL's; the snapshot is on the same private address."""
    parsed = httpx.URL(jwks_url)
    return str(parsed.copy_with(path=SNAPSHOT_PATH, query=None, fragment=None))


def jwks_snapshot_loader(
    *, url: str, verifier: Any, timeout: float = 3.0
) -> Callable[[], dict[str, float]]:
    """Fetch auth's snapshot and verify its signature with `verifier` (a `JwksVerifier`)."""

    def load() -> dict[str, float]:
        response = httpx.get(url, timeout=timeout)
        response.raise_for_status()
        token = response.json()["token"]
        claims = verifier.decode(token, audience=SNAPSHOT_AUDIENCE)
        return entries_from_claims(claims)

    return load


class AccessChangeListener:
    """Feeds `revocations` from the broker and auth's snapshot, on a thread of its own.

    One thread at a time, started and stopped by one owner (the app's lifespan): `start` refuses
    while a thread runs, because `stop` would end only the newer one and the other would outlive
    the app, retrying the snapshot for the rest of the process; `stop` returns once the thread
    has ended. It may be started again after a stop (an app's lifespan can run more than once in
    tests), each start running a fresh `BroadcastListener`."""

    def __init__(
        self,
        *,
        revocations: AccessRevocations,
        amqp_url: str,
        exchange: str,
        load_snapshot: Callable[[], Mapping[str, float]] | None,
        retry_seconds: float = 2.0,
    ) -> None:
        self.revocations = revocations
        self.amqp_url = amqp_url
        self.exchange = exchange
        self.load_snapshot = load_snapshot
        self.retry_seconds = retry_seconds
        self.bound = threading.Event()  # set while the queue is bound and consumed
        self._snapshot_due = True
        self._next_try = 0.0
        self._failed_tries = 0  # since the last snapshot loaded
        self._last_warning = 0.0
        self._listener: BroadcastListener | None = None  # the latest start's thread
        self._running = False  # between a start and its stop

    def start(self) -> None:
        if self._running:
            raise RuntimeError(
                "the access listener is running already: one owner starts it and stops it"
            )
        self._snapshot_due = True
        self._listener = BroadcastListener(
            amqp_url=self.amqp_url,
            exchange=self.exchange,
            routing_keys=[ACCESS_CHANGED_KEY],
            on_message=self._on_message,
            on_connect=self._reload_snapshot,
            on_idle=self._retry_snapshot,
            on_disconnected=self._retry_snapshot,
            ready=self.bound,
            name="access-changes",
        )
        self._listener.start()
        self._running = True

    def stop(self, timeout: float = 5.0) -> None:
        """Stop the thread and wait for it to end (at most `timeout`; it ends once the poll or
        the snapshot fetch in flight is over). Stopping a stopped listener does nothing."""
        listener = self._listener
        if not self._running or listener is None:
            return
        self._running = False
        listener.stop()
        listener.join(timeout)
        if listener.is_alive():
            logger.warning("%s still closing %.1fs after its stop", listener.name, timeout)

    def is_alive(self) -> bool:
        return self._listener is not None and self._listener.is_alive()

    def _try_snapshot(self) -> None:
        self._next_try = time.monotonic() + self.retry_seconds
        if self.load_snapshot is None:
            self.revocations.loaded.set()
            self._snapshot_due = False
            return
        try:
            entries = self.load_snapshot()
        except Exception as exc:  # auth down, bad signature: keep what we know, try again
            self._failed_tries += 1
            now = time.monotonic()
            # Said when it starts, then at most once a minute: auth away for an hour must not
            # bury every other line of the log.
            if self._failed_tries == 1 or now - self._last_warning >= SNAPSHOT_WARNING_EVERY_S:
                self._last_warning = now
                logger.warning(
                    "access snapshot not loaded (%s); tried %d time(s), retrying every %g s",
                    exc,
                    self._failed_tries,
                    self.retry_seconds,
                )
            return
        self.revocations.load(entries)
        self._snapshot_due = False
        logger.info(
            "access snapshot loaded: %d users with void tokens (after %d failed tries)",
            len(entries),
            self._failed_tries,
        )
        self._failed_tries = 0

    def _reload_snapshot(self) -> None:
        # The queue is bound already: whatever changes after the snapshot is read arrives as an
        # event, so nothing falls between the two.
        self._snapshot_due = True
        self._try_snapshot()

    def _retry_snapshot(self) -> None:
        # Also while the broker is away: a restart with the broker down still knows the past.
        if self._snapshot_due and time.monotonic() >= self._next_try:
            self._try_snapshot()

    def _on_message(self, _key: str, body: bytes) -> None:
        parsed = parse_access_changed(body)
        if parsed is None:
            logger.warning("ignoring an unusable %s message", ACCESS_CHANGED_KEY)
            return
        self.revocations.void_before(*parsed)


def install_access_revocation(
    app: Any,
    *,
    amqp_url: str,
    exchange: str,
    load_snapshot: Callable[[], Mapping[str, float]] | None,
) -> AccessChangeListener:
    """Put the map on `app.state.access_revocations` (where `current_claims` looks) and return
    the listener that feeds it; the app's lifespan starts and stops it."""
    revocations = AccessRevocations()
    listener = AccessChangeListener(
        revocations=revocations, amqp_url=amqp_url, exchange=exchange, load_snapshot=load_snapshot
    )
    app.state.access_revocations = revocations
    app.state.access_listener = listener
    return listener


def listen_for_access_changes(app: Any, *, settings: Any, verifier: Any) -> AccessChangeListener:
    """The wiring every service but auth uses: the broker and exchange of `settings`, auth's
    snapshot at `settings.access_snapshot_url` or else on the JWKS URL's host, checked with
    `verifier` (the service's `JwksVerifier`). The app's lifespan starts and stops the result."""
    url = getattr(settings, "access_snapshot_url", None) or snapshot_url_from_jwks(
        settings.jwks_url
    )
    return install_access_revocation(
        app,
        amqp_url=settings.amqp_url,
        exchange=settings.events_exchange,
        load_snapshot=jwks_snapshot_loader(url=url, verifier=verifier),
    )


def encode_entries(entries: Mapping[str, float]) -> dict[str, int]:
    """{user_id: epoch ms}, the snapshot claim's shape (integers survive JSON exactly)."""
    return {user: round(t * 1000) for user, t in entries.items()}


__all__ = [
    "ACCESS_CHANGED",
    "ACCESS_CHANGED_KEY",
    "SNAPSHOT_AUDIENCE",
    "AccessChangeListener",
    "AccessRevocations",
    "encode_entries",
    "install_access_revocation",
    "issued_at",
    "listen_for_access_changes",
]
