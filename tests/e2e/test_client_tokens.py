"""OAuth2 clients through the gateway: a stock OAuth2 library (Authlib, with its defaults) gets
and uses a client-credentials token and refreshes a player's token; client and player tokens
never cross lanes in any service; a revoked or rotated client's tokens stop working within 5 s
in every service (DESIGN §14, guarantee 15)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import admin_setup
import httpx
from admin_setup import TOKEN_PATH
from authlib.integrations.httpx_client import OAuth2Client


def new_client(stack: Any, admin: dict[str, str], scopes: list[str]) -> dict[str, Any]:
    with stack.client() as client:
        return admin_setup.new_client(client, admin, scopes)


def wait_for_status(call: Callable[[], httpx.Response], expected: int, within: float) -> float:
    started = time.monotonic()
    while True:
        status = call().status_code
        if status == expected:
            return time.monotonic() - started
        assert time.monotonic() - started < within, f"still {status} after {within}s"
        time.sleep(0.1)


def test_authlib_gets_and_uses_a_client_token_and_refreshes_a_players(stack: Any) -> None:
    created = new_client(stack, stack.admin_headers(), ["events:write"])
    token_url = f"{stack.gateway_url}{TOKEN_PATH}"
    # Authlib's defaults: client_secret_basic, form-encoded grant.
    with OAuth2Client(created["client_id"], created["client_secret"]) as game:
        token = game.fetch_token(token_url, grant_type="client_credentials")
        assert token["token_type"] == "bearer" and token["scope"] == "events:write"
        assert "refresh_token" not in token
        me = game.get(f"{stack.gateway_url}/api/auth/clients/me")
        assert me.status_code == 200 and me.json()["client_id"] == created["client_id"]

    player = stack.sign_up()
    with OAuth2Client() as app:
        first = app.fetch_token(token_url, username=player.user_name, password=player.password)
        assert app.get(f"{stack.gateway_url}/api/auth/users/me").json()["user_id"] == player.user_id
        renewed = app.refresh_token(token_url, refresh_token=first["refresh_token"])
        assert renewed["refresh_token"] != first["refresh_token"]
        assert renewed["access_token"] != first["access_token"]
        me = app.get(f"{stack.gateway_url}/api/auth/users/me")
        assert me.status_code == 200 and me.json()["user_id"] == player.user_id


def player_routes(client: httpx.Client, headers: dict[str, str]) -> dict[str, httpx.Response]:
    """One route per service where a player or an admin is expected."""
    return {
        "auth": client.get("/api/auth/users/me", headers=headers),
        "catalog": client.get("/api/catalog/admin/audit", headers=headers),
        "processing": client.get("/api/processing/me/quests", headers=headers),
    }


def test_client_and_player_tokens_never_cross_lanes(stack: Any) -> None:
    created = new_client(stack, stack.admin_headers(), ["events:write", "wallet:debit"])
    player = stack.new_player()
    with stack.client() as client:
        token = client.post(
            TOKEN_PATH,
            data={
                "grant_type": "client_credentials",
                "client_id": created["client_id"],
                "client_secret": created["client_secret"],
            },
        ).json()["access_token"]
        game = {"Authorization": f"Bearer {token}"}
        for service, response in player_routes(client, game).items():
            assert response.status_code == 403, (service, response.text)
        # Where a client is expected, a player's or an admin's token is refused.
        for headers in (player.headers, stack.admin_headers()):
            assert client.get("/api/auth/clients/me", headers=headers).status_code == 403
        assert client.get("/api/auth/clients/me", headers=game).status_code == 200


def test_a_revoked_or_rotated_client_is_refused_everywhere_within_five_seconds(
    stack: Any,
) -> None:
    admin = stack.admin_headers()
    for action in ("rotate", "revoke"):
        created = new_client(stack, admin, ["events:write"])
        with stack.client() as client:
            form = {
                "grant_type": "client_credentials",
                "client_id": created["client_id"],
                "client_secret": created["client_secret"],
            }
            token = client.post(TOKEN_PATH, data=form).json()["access_token"]
            game = {"Authorization": f"Bearer {token}"}
            # Before: a known caller in the wrong lane (403) in every service; on the ingestion
            # route the token is let in, and an empty batch is refused for what it holds.
            assert {r.status_code for r in player_routes(client, game).values()} == {403}

            def ingest(h: dict[str, str] = game) -> httpx.Response:
                return client.post("/api/processing/events/batch", json={"events": []}, headers=h)

            assert ingest().status_code == 422
            url = f"/api/auth/admin/clients/{created['client_id']}"
            if action == "rotate":
                assert client.post(f"{url}/secret", headers=admin).status_code == 200
            else:
                assert client.delete(url, headers=admin).status_code == 204
            # Auth reads its own rows: the secret and the token are void at once.
            assert client.post(TOKEN_PATH, data=form).status_code == 401
            assert client.get("/api/auth/clients/me", headers=game).status_code == 401
            # Catalog and processing hear auth.UserAccessChanged for `client:<id>`: the token
            # becomes a revoked one (401) there too.
            for service, path in (
                ("catalog", "/api/catalog/admin/audit"),
                ("processing", "/api/processing/me/quests"),
            ):
                took = wait_for_status(
                    lambda p=path, h=game: client.get(p, headers=h), expected=401, within=5
                )
                refused = client.get(path, headers=game)
                assert refused.json()["detail"] == "token revoked, sign in again", service
                print(f"{action}: client token void in {service} after {took:.2f}s")
            took = wait_for_status(ingest, expected=401, within=5)
            print(f"{action}: client token void for ingestion after {took:.2f}s")
