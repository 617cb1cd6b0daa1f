"""The per-user "tokens issued before T are void" map: its rules, its feed from the real broker,
the signed snapshot, and `current_claims` refusing a voided token."""

from __future__ import annotations

import json
import logging
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st

from quest_common.access import (
    ACCESS_CHANGED,
    ACCESS_CHANGED_KEY,
    SNAPSHOT_AUDIENCE,
    AccessChangeListener,
    AccessRevocations,
    encode_entries,
    install_access_revocation,
    issued_at,
    jwks_snapshot_loader,
    parse_access_changed,
    snapshot_url_from_jwks,
)
from quest_common.broker.publisher import ConfirmingPublisher
from quest_common.events import make_event, rfc3339
from quest_common.security import CurrentClaims, InvalidTokenError, JwksVerifier, TokenClaims
from quest_devtools.testing.access import publish_access_change
from quest_devtools.testing.plugin import BrokerNames
from quest_devtools.testing.threads import broadcast_listeners
from quest_devtools.testing.tokens import JwksServer, TestKeys


def access_listener(
    amqp_url: str,
    broker_names: BrokerNames,
    load_snapshot: Callable[[], dict[str, float]],
    *,
    revocations: AccessRevocations | None = None,
    retry_seconds: float = 2.0,
) -> AccessChangeListener:
    """A listener on this test's own exchange, fed by `load_snapshot` instead of auth."""
    return AccessChangeListener(
        revocations=revocations if revocations is not None else AccessRevocations(),
        amqp_url=amqp_url,
        exchange=broker_names.exchange,
        load_snapshot=load_snapshot,
        retry_seconds=retry_seconds,
    )


def wait_for(condition: Any, timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return bool(condition())


# --- rules -----------------------------------------------------------------------------------


def test_token_issued_before_the_line_is_void_after_it_is_not() -> None:
    revocations = AccessRevocations()
    revocations.void_before("u1", 1000.5)
    assert revocations.is_void("u1", 1000.4)
    assert not revocations.is_void("u1", 1000.5)
    assert not revocations.is_void("u2", 0.0)


@given(st.lists(st.floats(min_value=0, max_value=2e9), min_size=1, max_size=10))
def test_the_line_only_moves_later_whatever_the_order(lines: list[float]) -> None:
    forward, backward = AccessRevocations(), AccessRevocations()
    for line in lines:
        forward.void_before("u", line)
    for line in reversed(lines):
        backward.void_before("u", line)
    assert forward.not_before("u") == backward.not_before("u") == max(lines)


def test_snapshot_merges_and_prunes_lines_no_token_can_predate() -> None:
    revocations = AccessRevocations(retain_seconds=100)
    revocations.void_before("old", 10.0)
    revocations.void_before("kept", 950.0)
    revocations.load({"kept": 900.0, "new": 990.0}, now=1000.0)
    assert revocations.not_before("old") is None
    assert revocations.not_before("kept") == 950.0  # an older snapshot cannot lift a line
    assert revocations.not_before("new") == 990.0
    assert revocations.loaded.is_set()


def test_issued_at_prefers_milliseconds() -> None:
    claims = TokenClaims(sub="u", iss="i", aud="a", exp=2, iat=1000, iat_ms=1000_700)
    assert issued_at(claims) == 1000.7
    assert issued_at(claims.model_copy(update={"iat_ms": None})) == 1000.0


def test_access_changed_envelope_round_trip_and_garbage() -> None:
    now = datetime(2026, 1, 2, 3, 4, 5, 678000, tzinfo=UTC)
    event = make_event(
        source="auth-service",
        type=ACCESS_CHANGED,
        subject="u1",
        data={"user_id": "u1", "not_before": rfc3339(now)},
    )
    assert parse_access_changed(event.to_json()) == ("u1", now.timestamp())
    assert parse_access_changed(b"not json") is None
    assert parse_access_changed(b'{"id": "x"}') is None
    other = make_event(source="auth-service", type="UserSignIn", subject="u1", data={})
    assert parse_access_changed(other.to_json()) is None


def test_snapshot_url_is_on_the_jwks_host() -> None:
    url = snapshot_url_from_jwks("http://auth-service:8000/api/auth/.well-known/jwks.json")
    assert url == "http://auth-service:8000/internal/access/not-before"


# --- the signed snapshot ---------------------------------------------------------------------


class SnapshotServer:
    def __init__(self) -> None:
        self.token = ""
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                body = json.dumps({"token": owner.token}).encode()
                self.send_response(200)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *_args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/internal/access/not-before"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()


@pytest.fixture
def snapshot_server() -> Iterator[SnapshotServer]:
    server = SnapshotServer()
    yield server
    server.close()


def sign_snapshot(keys: TestKeys, entries: dict[str, float]) -> str:
    return keys.mint(
        sub="access-snapshot", audience=SNAPSHOT_AUDIENCE, not_before=encode_entries(entries)
    )


def test_snapshot_loader_accepts_auths_signature_only(
    jwks_server: JwksServer, test_keys: TestKeys, snapshot_server: SnapshotServer
) -> None:
    verifier = JwksVerifier(
        jwks_url=jwks_server.url, issuer=test_keys.issuer, audience=test_keys.audience
    )
    load = jwks_snapshot_loader(url=snapshot_server.url, verifier=verifier)
    snapshot_server.token = sign_snapshot(test_keys, {"u1": 1234.5})
    assert load() == {"u1": 1234.5}
    # Same kid, another key: a forged snapshot that would lift every ban.
    forger = TestKeys(kid=test_keys.kid)
    snapshot_server.token = sign_snapshot(forger, {})
    with pytest.raises(InvalidTokenError):
        load()
    # A player's access token is not a snapshot (audience).
    snapshot_server.token = test_keys.mint(not_before={})
    with pytest.raises(InvalidTokenError):
        load()


# --- the listener on the real broker, and current_claims -------------------------------------


def test_listener_loads_the_snapshot_then_hears_changes_within_seconds(
    amqp_url: str, broker_names: BrokerNames
) -> None:
    revocations = AccessRevocations()
    listener = access_listener(
        amqp_url, broker_names, lambda: {"from-snapshot": time.time() - 5}, revocations=revocations
    )
    listener.start()
    try:
        assert wait_for(listener.bound.is_set, 10)
        assert wait_for(revocations.loaded.is_set)
        assert revocations.not_before("from-snapshot") is not None

        user_id = str(uuid.uuid4())
        now = datetime.now(UTC)
        event = make_event(
            source="auth-service",
            type=ACCESS_CHANGED,
            subject=user_id,
            data={"user_id": user_id, "not_before": rfc3339(now), "reason": "status"},
        )
        publisher = ConfirmingPublisher(amqp_url, broker_names.exchange, name="test-access")
        try:
            publisher.publish(event, routing_key=ACCESS_CHANGED_KEY)
            publisher.publish_body(
                b"garbage", routing_key=ACCESS_CHANGED_KEY, message_id="x", event_type="x"
            )
        finally:
            publisher.close()
        assert wait_for(lambda: revocations.not_before(user_id) == now.timestamp(), 5)
    finally:
        listener.stop()
    assert not listener.is_alive()


def test_auth_down_holds_up_no_event_and_the_snapshot_is_retried_until_it_loads(
    amqp_url: str, broker_names: BrokerNames
) -> None:
    revocations = AccessRevocations()
    attempts: list[float] = []

    def flaky_snapshot() -> dict[str, float]:
        attempts.append(time.monotonic())
        if len(attempts) < 3:
            raise ConnectionError("auth is restarting")
        return {"from-snapshot": time.time() - 5}

    listener = access_listener(
        amqp_url, broker_names, flaky_snapshot, revocations=revocations, retry_seconds=0.2
    )
    # Started, stopped and started again, as an app's lifespan may be in tests.
    for _ in range(2):
        listener.start()
        try:
            assert wait_for(listener.bound.is_set, 10)
            user_id = str(uuid.uuid4())
            now = datetime.now(UTC)
            publish_access_change(amqp_url, broker_names.exchange, user_id=user_id, not_before=now)
            line = now.timestamp()
            assert wait_for(lambda u=user_id, t=line: revocations.not_before(u) == t, 5)
            assert wait_for(revocations.loaded.is_set, 5)
            assert revocations.not_before("from-snapshot") is not None
        finally:
            listener.stop()
        assert not listener.is_alive()
        assert not listener.bound.is_set()
    assert len(attempts) >= 4  # the second start reloaded the snapshot


def test_a_running_listener_refuses_a_second_start_and_its_stop_ends_its_thread(
    amqp_url: str, broker_names: BrokerNames
) -> None:
    """Two lifespans over one app at once must not leave a thread that nothing stops (it would
    retry the snapshot for the rest of the process): the second start is refused."""
    before = broadcast_listeners("access-changes")
    listener = access_listener(amqp_url, broker_names, lambda: {})
    for _ in range(2):  # and it starts again once stopped
        listener.start()
        try:
            assert wait_for(listener.bound.is_set, 10)
            with pytest.raises(RuntimeError, match="running already"):
                listener.start()
            assert len(broadcast_listeners("access-changes") - before) == 1
        finally:
            listener.stop()
        # `stop` returns once the thread has ended: nothing of this start is left.
        assert broadcast_listeners("access-changes") - before == set()
        assert not listener.bound.is_set()
    listener.stop()  # a second stop does nothing


def test_current_claims_refuses_a_token_issued_before_the_line(
    jwks_server: JwksServer, test_keys: TestKeys
) -> None:
    app = FastAPI()

    @app.get("/me")
    def me(claims: CurrentClaims) -> dict[str, str]:
        return {"sub": claims.sub}

    app.state.token_verifier = JwksVerifier(
        jwks_url=jwks_server.url, issuer=test_keys.issuer, audience=test_keys.audience
    )
    install_access_revocation(app, amqp_url="amqp://unused", exchange="unused", load_snapshot=None)
    user_id = str(uuid.uuid4())
    now_ms = int(time.time() * 1000)
    before = test_keys.mint(sub=user_id, iat_ms=now_ms - 10)
    after = test_keys.mint(sub=user_id, iat_ms=now_ms + 10)
    other = test_keys.mint(sub=str(uuid.uuid4()), iat_ms=now_ms - 10)
    app.state.access_revocations.void_before(user_id, now_ms / 1000)
    client = TestClient(app)
    for token, expected in ((before, 401), (after, 200), (other, 200)):
        response = client.get("/me", headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == expected, response.text
    assert jwt.get_unverified_header(before)["kid"] == test_keys.kid


def test_auth_down_is_logged_when_it_starts_not_at_every_retry(
    amqp_url: str, broker_names: BrokerNames, caplog: pytest.LogCaptureFixture
) -> None:
    failures = 8
    attempts: list[float] = []

    def snapshot_after_failures() -> dict[str, float]:
        attempts.append(time.monotonic())
        if len(attempts) <= failures:
            raise ConnectionError("auth is restarting")
        return {}

    revocations = AccessRevocations()
    listener = access_listener(
        amqp_url, broker_names, snapshot_after_failures, revocations=revocations, retry_seconds=0.05
    )
    caplog.set_level(logging.INFO, logger="quest_common.access")
    listener.start()
    try:
        assert wait_for(revocations.loaded.is_set, 10)
    finally:
        listener.stop()
    assert len(attempts) == failures + 1
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert warnings == [
        "access snapshot not loaded (auth is restarting); tried 1 time(s), retrying every 0.05 s"
    ]
    loaded = [r.getMessage() for r in caplog.records if "snapshot loaded" in r.getMessage()]
    assert loaded == [
        f"access snapshot loaded: 0 users with void tokens (after {failures} failed tries)"
    ]
