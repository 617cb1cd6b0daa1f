"""Reads are public; writes need an admin token verified through the JWKS served over HTTP."""

from __future__ import annotations

import time
import uuid
from typing import Any

import pytest
from fastapi.testclient import TestClient

from catalog_service.core.config import Settings
from catalog_service.main import create_app
from quest_devtools.testing.threads import broadcast_listeners
from quest_devtools.testing.tokens import TestKeys, forge_unsigned

REWARD_BODY = {"reward_item": "gold", "reward_qty": 1}


def _write_calls(quest_id: str, reward_id: str) -> list[tuple[str, str, dict[str, Any] | None]]:
    body = {"reward_name": f"auth-{uuid.uuid4().hex[:8]}", **REWARD_BODY}
    return [
        ("POST", "/api/catalog/rewards", body),
        ("PUT", f"/api/catalog/rewards/by-name/{body['reward_name']}", REWARD_BODY),
        ("PATCH", f"/api/catalog/rewards/{reward_id}", {"reward_qty": 2}),
        ("DELETE", f"/api/catalog/rewards/{reward_id}", None),
        (
            "POST",
            "/api/catalog/quests",
            {"name": "q", "title": "t", "streak": 1, "reward_id": reward_id},
        ),
        (
            "PUT",
            "/api/catalog/quests/by-name/q",
            {"title": "t", "streak": 1, "reward_id": reward_id},
        ),
        ("PATCH", f"/api/catalog/quests/{quest_id}", {"streak": 9}),
        ("DELETE", f"/api/catalog/quests/{quest_id}", None),
    ]


@pytest.fixture
def targets(api: Any) -> tuple[str, str]:
    reward = api.reward()
    quest = api.quest(reward_id=reward["reward_id"])
    return quest["quest_id"], reward["reward_id"]


def test_reads_are_public(client: TestClient, targets: tuple[str, str]) -> None:
    quest_id, reward_id = targets
    for url in (
        "/api/catalog/quests",
        f"/api/catalog/quests/{quest_id}",
        "/api/catalog/rewards",
        f"/api/catalog/rewards/{reward_id}",
        "/api/catalog/triggers",
    ):
        assert client.get(url).status_code == 200, url


def test_anonymous_writes_are_401(client: TestClient, targets: tuple[str, str]) -> None:
    for method, url, body in _write_calls(*targets):
        response = client.request(method, url, json=body)
        assert response.status_code == 401, (method, url)
        assert response.headers["www-authenticate"] == "Bearer"


def test_player_writes_are_403(
    client: TestClient, targets: tuple[str, str], player_headers: dict[str, str]
) -> None:
    quest_id, reward_id = targets
    for method, url, body in _write_calls(quest_id, reward_id):
        response = client.request(method, url, json=body, headers=player_headers)
        assert response.status_code == 403, (method, url)
    # Nothing changed.
    assert client.get(f"/api/catalog/quests/{quest_id}").json()["is_active"] is True
    assert client.get(f"/api/catalog/rewards/{reward_id}").json()["reward_qty"] == 5


def _bad_tokens(test_keys: TestKeys) -> dict[str, str]:
    now = int(time.time())
    admin = {
        "sub": str(uuid.uuid4()),
        "role": "admin",
        "name": "admin",
        "iss": test_keys.issuer,
        "aud": test_keys.audience,
        "iat": now,
        "exp": now + 600,
    }
    other_key = TestKeys(kid=test_keys.kid)  # same kid, a different private key
    return {
        "alg none": forge_unsigned(admin, test_keys.kid),
        "other key": other_key.mint(role="admin"),
        "unknown kid": TestKeys().mint(role="admin"),
        "expired": test_keys.mint(role="admin", expires_in=-120),
        "wrong audience": test_keys.mint(role="admin", audience="quest-internal"),
        "wrong issuer": test_keys.mint(role="admin", issuer="someone-else"),
        "garbage": "not.a.token",
    }


def test_forged_or_expired_tokens_are_401(
    client: TestClient, test_keys: TestKeys, unique_name: Any
) -> None:
    for label, token in _bad_tokens(test_keys).items():
        name = unique_name("forged")
        response = client.post(
            "/api/catalog/rewards",
            json={"reward_name": name, **REWARD_BODY},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert response.status_code == 401, label
        assert client.get("/api/catalog/rewards", params={"limit": 1000}).json()["data"]
        names = {
            r["reward_name"]
            for r in client.get("/api/catalog/rewards", params={"limit": 1000}).json()["data"]
        }
        assert name not in names, label


def test_service_token_cannot_write(client: TestClient, test_keys: TestKeys) -> None:
    # A service token is meant for /internal routes: its audience is not the platform's.
    token = test_keys.mint(sub="processing-service", role="service", audience="quest-internal")
    response = client.post(
        "/api/catalog/rewards",
        json={"reward_name": f"svc-{uuid.uuid4().hex[:8]}", **REWARD_BODY},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 401


def test_public_openapi_lists_no_private_route(client: TestClient) -> None:
    paths = client.get("/api/catalog/openapi.json").json()["paths"]
    assert paths
    assert not [p for p in paths if p.startswith(("/internal", "/healthz", "/readyz", "/metrics"))]


def test_a_demoted_admin_is_refused_within_seconds(
    client: TestClient, test_keys: TestKeys, amqp_url: str, settings: Any
) -> None:
    """auth.UserAccessChanged on the real broker → the admin's older token stops working."""
    from datetime import UTC, datetime

    from quest_devtools.testing.access import publish_access_change

    admin_id = str(uuid.uuid4())
    old = test_keys.headers(sub=admin_id, role="admin")
    body = {"reward_name": f"r-{uuid.uuid4().hex[:8]}", "reward_item": "gold", "reward_qty": 1}
    assert client.post("/api/catalog/rewards", json=body, headers=old).status_code == 201
    listener = client.app.state.access_listener  # type: ignore[attr-defined]
    deadline = time.monotonic() + 10
    while not listener.bound.is_set() and time.monotonic() < deadline:
        time.sleep(0.05)

    now = datetime.now(UTC)
    publish_access_change(
        amqp_url, settings.events_exchange, user_id=admin_id, not_before=now, reason="role"
    )
    started = time.monotonic()
    status = 0
    while time.monotonic() - started < 5:
        body["reward_name"] = f"r-{uuid.uuid4().hex[:8]}"
        status = client.post("/api/catalog/rewards", json=body, headers=old).status_code
        if status == 401:
            break
        time.sleep(0.1)
    assert status == 401
    # A token issued after the line (the new, player-role one) is accepted.
    later = int(now.timestamp() * 1000) + 5
    fresh = test_keys.headers(sub=admin_id, iat_ms=later)
    assert client.get("/api/catalog/quests", headers=fresh).status_code == 200
    assert client.post("/api/catalog/rewards", json=body, headers=fresh).status_code == 403


def test_the_access_listener_lives_and_ends_with_the_apps_lifespan(settings: Settings) -> None:
    before = broadcast_listeners("access-changes")
    app = create_app(settings)
    with TestClient(app):
        assert len(broadcast_listeners("access-changes") - before) == 1
        # A second lifespan over the same app while this one runs (a harness that runs the
        # lifespan itself, as schemathesis' `from_asgi` does) is refused at start-up: it would
        # start a listener that the first lifespan's end does not stop.
        with pytest.raises(RuntimeError, match="running already"), TestClient(app):
            pass
        assert len(broadcast_listeners("access-changes") - before) == 1
    assert broadcast_listeners("access-changes") - before == set()
