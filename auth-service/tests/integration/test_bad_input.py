"""Guarantee 7 on auth's JSON write routes: bodies no route can accept get a 4xx, never a 5xx."""

import pytest
from fastapi.testclient import TestClient

PREFIX = "/api/auth"

BAD_BODIES = [
    b'{"user_name": 1e999, "password": "secret-password-1"}',
    b'{"user_name": NaN, "password": "secret-password-1"}',
    b'{"user_name": "\\ud800", "password": "secret-password-1"}',
    b'{"user_name": "nul\\u0000name", "password": "secret-password-1"}',
    b'{"user_name": "abc_ok", "password": ',
    b'{"user_name": ["abc"], "password": 12345678}',
]


@pytest.mark.parametrize("body", BAD_BODIES)
@pytest.mark.parametrize("path", ["/signup", "/login/refresh", "/logout"])
def test_bad_json_is_a_4xx(client: TestClient, body: bytes, path: str) -> None:
    response = client.post(
        f"{PREFIX}{path}", content=body, headers={"content-type": "application/json"}
    )
    assert 400 <= response.status_code < 500, response.text
    assert "detail" in response.json()
    assert "secret-password" not in response.text


def test_fifty_megabyte_signup_is_refused_unread(client: TestClient) -> None:
    body = b'{"user_name": "big", "password": "' + b"x" * (50 * 1024 * 1024) + b'"}'
    response = client.post(
        f"{PREFIX}/signup", content=body, headers={"content-type": "application/json"}
    )
    assert response.status_code == 413
    assert len(response.content) < 200
