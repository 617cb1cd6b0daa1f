"""Two lanes of tokens that never cross: people's routes (`current_claims`, `admin_claims`)
refuse client tokens, client routes (`client_with_scope`) refuse people's tokens and clients
without the scope; a revoked client's tokens are refused like a banned player's."""

from __future__ import annotations

import time
import uuid

from fastapi import FastAPI
from fastapi.testclient import TestClient

from quest_common.access import install_access_revocation
from quest_common.security import (
    AdminClaims,
    CurrentClaims,
    DebitClient,
    EventsClient,
    JwksVerifier,
    client_subject,
)
from quest_devtools.testing.tokens import JwksServer, TestKeys


def lanes_app(jwks_server: JwksServer, keys: TestKeys) -> TestClient:
    app = FastAPI()

    @app.get("/me")
    def me(claims: CurrentClaims) -> dict[str, str]:
        return {"sub": claims.sub}

    @app.get("/admin")
    def admin(claims: AdminClaims) -> dict[str, str]:
        return {"sub": claims.sub}

    @app.post("/events")
    def events(claims: EventsClient) -> dict[str, str | None]:
        return {"client_id": claims.client_id}

    @app.post("/debits")
    def debits(claims: DebitClient) -> dict[str, str | None]:
        return {"client_id": claims.client_id}

    app.state.token_verifier = JwksVerifier(
        jwks_url=jwks_server.url, issuer=keys.issuer, audience=keys.audience
    )
    install_access_revocation(app, amqp_url="amqp://unused", exchange="unused", load_snapshot=None)
    return TestClient(app)


def client_token(keys: TestKeys, client_id: str, scope: str, **extra: object) -> str:
    subject = client_subject(client_id)
    return keys.mint(sub=subject, role="client", name="game", scope=scope, **extra)


def call(client: TestClient, method: str, path: str, token: str) -> int:
    response = client.request(method, path, headers={"Authorization": f"Bearer {token}"})
    return response.status_code


def test_people_and_clients_stay_in_their_lanes(
    jwks_server: JwksServer, test_keys: TestKeys
) -> None:
    client = lanes_app(jwks_server, test_keys)
    player = test_keys.mint(role="player")
    admin = test_keys.mint(role="admin")
    game = client_token(test_keys, str(uuid.uuid4()), "events:write")
    both = client_token(test_keys, str(uuid.uuid4()), "events:write wallet:debit")

    assert call(client, "GET", "/me", player) == 200
    assert call(client, "GET", "/admin", admin) == 200
    # A client token is refused wherever a person is expected, even one that claims admin.
    for path in ("/me", "/admin"):
        assert call(client, "GET", path, game) == 403, path
    forged_admin = test_keys.mint(sub=client_subject("x"), role="admin", scope="events:write")
    assert call(client, "GET", "/admin", forged_admin) == 403
    # A person's token is refused wherever a client is expected, whatever its role or scope.
    for token in (player, admin, test_keys.mint(role="player", scope="events:write")):
        assert call(client, "POST", "/events", token) == 403
    denied = client.post("/events", headers={"Authorization": f"Bearer {player}"})
    assert "a player's token cannot do this" in denied.json()["detail"]

    assert call(client, "POST", "/events", game) == 200
    assert call(client, "POST", "/debits", game) == 403  # no wallet:debit scope
    assert call(client, "POST", "/events", both) == 200
    assert call(client, "POST", "/debits", both) == 200


def test_a_revoked_client_is_refused_by_its_subject(
    jwks_server: JwksServer, test_keys: TestKeys
) -> None:
    client = lanes_app(jwks_server, test_keys)
    client_id = str(uuid.uuid4())
    now_ms = int(time.time() * 1000)
    old = client_token(test_keys, client_id, "events:write", iat_ms=now_ms - 10)
    new = client_token(test_keys, client_id, "events:write", iat_ms=now_ms + 10)
    assert call(client, "POST", "/events", old) == 200
    # What the access listener does on `auth.UserAccessChanged` for `client:<id>`.
    client.app.state.access_revocations.void_before(client_subject(client_id), now_ms / 1000)  # type: ignore[attr-defined]
    assert call(client, "POST", "/events", old) == 401
    assert call(client, "POST", "/events", new) == 200
