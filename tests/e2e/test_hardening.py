"""DESIGN §12 through the real gateway and services: bad input is a 4xx on every service (never
a 5xx, never a 502 on the next request of the connection), bodies are capped, unknown API
paths get a quick 404, and a ban or a demotion reaches catalog and processing within 5 s."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable
from typing import Any

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

EDGE_BODIES: list[bytes] = [
    b'{"user_name": 1e999, "password": "secret-pass-1"}',
    b'{"user_name": NaN, "password": "secret-pass-1"}',
    b'{"user_name": -Infinity}',
    b'{"user_name": "\\ud800", "password": "secret-pass-1"}',
    b'{"reward_name": "x\\udfff", "reward_item": "gold", "reward_qty": 1}',
    b'{"reward_name": "nul\\u0000", "reward_item": "gold", "reward_qty": 1}',
    b'{"reward_qty": 1e999, "reward_item": "gold", "reward_name": "big"}',
    b'{"role": NaN, "status": 1e999}',
    b'{"current_password": "\\ud800", "new_password": "secret-pass-1"}',
    b'{"refresh_token": "\\u0000"}',
    b'{"streak": 99999999999999999999999999, "name": "q"}',
    b'{"unterminated": ',
    b"\xff\xfe\x00garbage",
    b"[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]",
    b'"a string"',
    b"null",
    b'{"user_name": ["a", {"b": NaN}]}',
]


def _json_routes(stack: Any) -> list[tuple[str, str, dict[str, str]]]:
    """(method, path, headers) of JSON write routes of the three services."""
    player = stack.new_player()
    admin = stack.admin_headers()
    return [
        ("POST", "/api/auth/signup", {}),
        ("POST", "/api/auth/login/refresh", {}),
        ("POST", "/api/auth/logout", {}),
        ("PATCH", "/api/auth/users/me/password", player.headers),
        ("PATCH", f"/api/auth/users/{player.user_id}", admin),
        ("POST", "/api/catalog/rewards", admin),
        ("POST", "/api/catalog/quests", admin),
        ("PUT", "/api/catalog/rewards/by-name/fuzzed", admin),
        ("PUT", "/api/catalog/quests/by-name/fuzzed", admin),
        ("PATCH", f"/api/catalog/quests/{uuid.uuid4()}", admin),
        ("POST", f"/api/processing/me/quests/{uuid.uuid4()}/claim", player.headers),
        ("POST", f"/api/processing/dead-letters/{uuid.uuid4()}/replay", admin),
    ]


def _send_and_check(
    client: httpx.Client, method: str, path: str, headers: dict[str, str], body: bytes
) -> None:
    response = client.request(
        method, path, content=body, headers={**headers, "Content-Type": "application/json"}
    )
    assert response.status_code < 500, (method, path, body[:60], response.status_code)
    assert response.status_code >= 400, (method, path, body[:60], response.status_code)
    assert "secret-pass" not in response.text
    # The same connection still works: no half-sent response for the gateway to trip on.
    follow = client.get("/api/catalog/quests")
    assert follow.status_code == 200, follow.status_code


def test_json_edge_cases_are_4xx_on_every_service(stack: Any) -> None:
    routes = _json_routes(stack)
    with stack.client() as client:
        for method, path, headers in routes:
            for body in EDGE_BODIES:
                _send_and_check(client, method, path, headers, body)


# Fragments a JSON body can be made of, valid or not: the fuzzer splices them together.
_FRAGMENTS = st.sampled_from(
    [
        "NaN",
        "Infinity",
        "-Infinity",
        "1e999",
        "-1e999",
        '"\\ud800"',
        '"\\udc00x"',
        '"\\u0000"',
        "null",
        "true",
        "[]",
        "{}",
        '"ok"',
        "1",
        "-0",
        "1.5e308",
        '"' + "x" * 300 + '"',
        "99999999999999999999999999999",
    ]
)
_KEYS = st.sampled_from(
    [
        "user_name",
        "password",
        "reward_name",
        "reward_item",
        "reward_qty",
        "name",
        "streak",
        "role",
        "status",
        "refresh_token",
        "current_password",
        "new_password",
        "\\ud800",
    ]
)


@st.composite
def _fuzzed_body(draw: Callable[..., Any]) -> bytes:
    pairs = draw(st.lists(st.tuples(_KEYS, _FRAGMENTS), min_size=0, max_size=5))
    text = "{" + ", ".join(f'"{k}": {v}' for k, v in pairs) + "}"
    if draw(st.booleans()):
        text = text[: draw(st.integers(min_value=0, max_value=len(text)))]
    return text.encode()


def test_fuzzed_json_never_gets_a_5xx(stack: Any) -> None:
    routes = _json_routes(stack)
    with stack.client() as client:

        @given(route=st.sampled_from(routes), body=_fuzzed_body())
        @settings(
            max_examples=150,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def fuzz(route: tuple[str, str, dict[str, str]], body: bytes) -> None:
            method, path, headers = route
            response = client.request(
                method, path, content=body, headers={**headers, "Content-Type": "application/json"}
            )
            assert response.status_code < 500, (method, path, body[:80], response.status_code)

        fuzz()


def test_bodies_over_one_mebibyte_are_refused_with_413(stack: Any) -> None:
    body = json.dumps({"user_name": "big", "password": "x" * (2 * 1024 * 1024)}).encode()
    with stack.client() as client:
        at_gateway = client.post(
            "/api/auth/signup", content=body, headers={"Content-Type": "application/json"}
        )
        assert at_gateway.status_code == 413

    # And each service on its own (a chunked body, no Content-Length), for what bypasses it.
    def chunks() -> Any:
        yield b'{"user_name": "big", "password": "'
        for _ in range(40):
            yield b"x" * 65536
        yield b'"}'

    for base, path in (
        (stack.auth_url, "/api/auth/signup"),
        (stack.catalog_url, "/api/catalog/rewards"),
        (stack.processing_url, f"/api/processing/me/quests/{uuid.uuid4()}/claim"),
    ):
        direct = httpx.post(
            base + path, content=chunks(), headers={"Content-Type": "application/json"}, timeout=30
        )
        assert direct.status_code == 413, (base, direct.status_code)
        assert "detail" in direct.json()


def test_unknown_api_paths_get_a_quick_404_from_the_gateway(stack: Any) -> None:
    with stack.client(timeout=5) as client:
        for path in ("/api/nope", "/api/anything-unknown/x?y=1", "/api", "/api/"):
            started = time.monotonic()
            response = client.get(path)
            assert response.status_code == 404, (path, response.status_code)
            assert time.monotonic() - started < 2, path
            assert "text/html" not in response.headers.get("content-type", ""), path
            assert "<html" not in response.text.lower(), path


def _wait_for_status(
    call: Callable[[], httpx.Response], expected: set[int], within: float
) -> float:
    started = time.monotonic()
    while True:
        status = call().status_code
        if status in expected:
            return time.monotonic() - started
        assert time.monotonic() - started < within, f"still {status} after {within}s"
        time.sleep(0.1)


def test_a_ban_reaches_processing_within_five_seconds(stack: Any) -> None:
    player = stack.new_player()
    admin = stack.admin_headers()
    with stack.client() as client:

        def my_quests() -> httpx.Response:
            return client.get("/api/processing/me/quests", headers=player.headers)

        assert my_quests().status_code == 200
        banned = client.patch(
            f"/api/auth/users/{player.user_id}", json={"status": 2}, headers=admin
        )
        assert banned.status_code == 200, banned.text
        took = _wait_for_status(my_quests, {401}, within=5)
    print(f"ban effective in processing after {took:.2f}s")


def test_a_demotion_reaches_catalog_within_five_seconds(stack: Any) -> None:
    player = stack.new_player()
    admin = stack.admin_headers()
    with stack.client() as client:
        url = f"/api/auth/users/{player.user_id}"
        assert client.patch(url, json={"role": "admin"}, headers=admin).status_code == 200
        promoted = stack.log_in(player.user_name, player.password)["access_token"]
        headers = {"Authorization": f"Bearer {promoted}"}

        def write() -> httpx.Response:
            body = {
                "reward_name": f"demo-{uuid.uuid4().hex[:8]}",
                "reward_item": "gold",
                "reward_qty": 1,
            }
            return client.post("/api/catalog/rewards", json=body, headers=headers)

        assert write().status_code == 201
        assert client.patch(url, json={"role": "player"}, headers=admin).status_code == 200
        took = _wait_for_status(write, {401, 403}, within=5)
        assert client.get("/api/processing/me/quests", headers=headers).status_code == 401
    print(f"demotion effective in catalog after {took:.2f}s")


def test_logout_everywhere_reaches_processing(stack: Any) -> None:
    player = stack.new_player()
    with stack.client() as client:
        out = client.post("/api/auth/logout-everywhere", headers=player.headers)
        assert out.status_code == 204
        _wait_for_status(
            lambda: client.get("/api/processing/me/quests", headers=player.headers),
            {401},
            within=5,
        )


def test_a_password_change_reaches_processing_and_catalog_within_five_seconds(stack: Any) -> None:
    # A password change is the "I was compromised" button: the earlier access tokens (possibly
    # in an attacker's hands) stop working everywhere, as after a logout-everywhere. An admin's,
    # so that catalog (whose reads are public) has a route that checks the token.
    player = stack.new_player()
    admin = stack.admin_headers()
    with stack.client() as client:
        url = f"/api/auth/users/{player.user_id}"
        assert client.patch(url, json={"role": "admin"}, headers=admin).status_code == 200
        token = stack.log_in(player.user_name, player.password)["access_token"]
        headers = {"Authorization": f"Bearer {token}"}

        def write() -> httpx.Response:
            body = {
                "reward_name": f"pw-{uuid.uuid4().hex[:8]}",
                "reward_item": "gold",
                "reward_qty": 1,
            }
            return client.post("/api/catalog/rewards", json=body, headers=headers)

        assert write().status_code == 201
        assert client.get("/api/processing/me/quests", headers=headers).status_code == 200
        changed = client.patch(
            "/api/auth/users/me/password",
            json={"current_password": player.password, "new_password": "brand-new-pass-2"},
            headers=headers,
        )
        assert changed.status_code == 204, changed.text
        assert client.get("/api/auth/users/me", headers=headers).status_code == 401
        took = _wait_for_status(
            lambda: client.get("/api/processing/me/quests", headers=headers), {401}, within=5
        )
        _wait_for_status(write, {401}, within=5)
    print(f"password change effective in processing after {took:.2f}s")
