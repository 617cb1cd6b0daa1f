"""Smoke test of the running stack through Traefik: sign up, log in, what is (not) routed."""

from __future__ import annotations

from typing import Any


def test_sign_up_and_log_in_through_the_gateway(stack: Any) -> None:
    player = stack.sign_up()
    tokens = stack.log_in(player.user_name, player.password)
    assert tokens["token_type"] == "bearer"
    with stack.client() as client:
        me = client.get(
            "/api/auth/users/me", headers={"Authorization": f"Bearer {tokens['access_token']}"}
        )
    assert me.status_code == 200, me.text
    assert me.json()["user_name"] == player.user_name
    assert str(me.json()["user_id"]) == player.user_id


def test_seeded_player_can_sign_in(stack: Any) -> None:
    tokens = stack.log_in("user", "password")
    assert tokens["access_token"]


def test_internal_routes_are_not_reachable_through_the_gateway(stack: Any) -> None:
    with stack.client() as client:
        token = client.post(
            "/internal/oauth/token",
            data={
                "grant_type": "client_credentials",
                "client_id": "processing-service",
                "client_secret": stack.processing_client_secret,
            },
        )
        credit = client.post("/internal/wallet/credits", json={})
        debit = client.post("/internal/wallet/debits", json={})
    assert token.status_code == 404
    assert credit.status_code == 404
    assert debit.status_code == 404
    # The same route answers on auth's own port (private network): the 404 is the gateway's.
    import httpx

    direct = httpx.post(
        stack.auth_url + "/internal/oauth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": "processing-service",
            "client_secret": stack.processing_client_secret,
        },
        timeout=10,
    )
    assert direct.status_code == 200, direct.text
    assert direct.json()["access_token"]


def test_ops_endpoints_are_not_routed_to_the_services(stack: Any) -> None:
    with stack.client() as client:
        metrics = client.get("/metrics")
    # `/metrics` falls to the frontend (its index.html), never to a service's Prometheus text.
    assert "# TYPE" not in metrics.text


def test_security_headers_on_api_and_frontend(stack: Any) -> None:
    with stack.client() as client:
        responses = [client.get("/api/auth/.well-known/jwks.json")]
        if "frontend" in stack.components:
            responses.append(client.get("/"))
    for response in responses:
        assert response.status_code == 200, response.request.url
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["x-content-type-options"] == "nosniff"
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    keys = responses[0].json()["keys"]
    assert keys and all("kid" in key for key in keys)
