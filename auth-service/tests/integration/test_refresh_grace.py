"""Refresh rotation's grace: two refreshes of one token racing (scripts, apps, browsers without
Web Locks) both get the same successor for `REFRESH_REUSE_GRACE_SECONDS`; a spent token
presented after that is still a stolen copy and revokes the whole family."""

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
from fastapi.testclient import TestClient
from sqlalchemy import text

from auth_service.core.db import build_engine
from auth_service.core.security import hash_refresh_token
from auth_service.main import create_app

PREFIX = "/api/auth"
REFRESH = f"{PREFIX}/login/refresh"


def _age_spent_token(db_url: str, token: str, seconds: float) -> None:
    """Make the token's spending `seconds` old (instead of waiting for the grace to pass)."""
    engine = build_engine(db_url)
    try:
        with engine.begin() as connection:
            connection.execute(
                text(
                    "UPDATE refresh_token SET spent_at = spent_at - make_interval(secs => :s)"
                    " WHERE token_hash = :h"
                ),
                {"s": seconds, "h": hash_refresh_token(token)},
            )
    finally:
        engine.dispose()


def _me(client: TestClient, response: httpx.Response) -> int:
    headers = {"Authorization": f"Bearer {response.json()['access_token']}"}
    return client.get(f"{PREFIX}/users/me", headers=headers).status_code


def test_parallel_refreshes_of_one_token_get_the_same_successor(
    client: TestClient, player: dict[str, Any]
) -> None:
    token = player["tokens"]["refresh_token"]
    parallel = 4
    barrier = threading.Barrier(parallel)

    def refresh(_: int) -> httpx.Response:
        barrier.wait()  # all at once: the row lock makes one spend it, the others wait for it
        return client.post(REFRESH, json={"refresh_token": token})

    with ThreadPoolExecutor(parallel) as pool:
        responses = list(pool.map(refresh, range(parallel)))

    assert [r.status_code for r in responses] == [200] * parallel, [r.text for r in responses]
    successors = {r.json()["refresh_token"] for r in responses}
    assert len(successors) == 1 and token not in successors
    assert all(_me(client, r) == 200 for r in responses)
    # The family is intact: the successor rotates as usual.
    (successor,) = successors
    assert client.post(REFRESH, json={"refresh_token": successor}).status_code == 200


def test_the_spent_token_within_the_grace_returns_the_same_successor(
    client: TestClient, player: dict[str, Any]
) -> None:
    token = player["tokens"]["refresh_token"]
    first = client.post(REFRESH, json={"refresh_token": token})
    again = client.post(REFRESH, json={"refresh_token": token})
    assert first.status_code == again.status_code == 200
    assert again.json()["refresh_token"] == first.json()["refresh_token"]
    assert _me(client, again) == 200
    # The cookie carries the same successor too (a browser reads it, not the body).
    cookies = again.headers.get_list("set-cookie")
    assert len(cookies) == 2
    assert all(c.startswith(f"refresh_token={first.json()['refresh_token']};") for c in cookies)


def test_reuse_after_the_grace_revokes_the_family(
    client: TestClient, player: dict[str, Any], auth_db_url: str
) -> None:
    assert client.app.state.settings.refresh_reuse_grace_seconds == 5  # type: ignore[attr-defined]
    token = player["tokens"]["refresh_token"]
    successor = client.post(REFRESH, json={"refresh_token": token}).json()["refresh_token"]
    _age_spent_token(auth_db_url, token, seconds=6)
    assert client.post(REFRESH, json={"refresh_token": token}).status_code == 401
    assert client.post(REFRESH, json={"refresh_token": successor}).status_code == 401


def test_no_grace_for_a_family_already_revoked(client: TestClient, player: dict[str, Any]) -> None:
    token = player["tokens"]["refresh_token"]
    successor = client.post(REFRESH, json={"refresh_token": token}).json()["refresh_token"]
    assert client.post(f"{PREFIX}/logout", json={"refresh_token": successor}).status_code == 204
    assert client.post(REFRESH, json={"refresh_token": token}).status_code == 401


def test_the_grace_is_a_setting(make_settings: Any, player: dict[str, Any]) -> None:
    with TestClient(create_app(make_settings(refresh_reuse_grace_seconds=0))) as strict:
        token = player["tokens"]["refresh_token"]
        successor = strict.post(REFRESH, json={"refresh_token": token}).json()["refresh_token"]
        assert strict.post(REFRESH, json={"refresh_token": token}).status_code == 401
        assert strict.post(REFRESH, json={"refresh_token": successor}).status_code == 401
