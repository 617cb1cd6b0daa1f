"""Abuse limits: sign-up, password change and refresh get 429 + Retry-After past their limits,
per address and per account; a refused request changes nothing. And the address is the
client's only when the peer is the gateway: a spoofed X-Forwarded-For changes nothing."""

import uuid
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text

from auth_service.main import create_app

PREFIX = "/api/auth"
SettingsFactory = Callable[..., Any]


@pytest.fixture
def strict_client(make_settings: SettingsFactory, fresh_db_url: str) -> Iterator[TestClient]:
    # A database of its own: the counters of the address "testclient" start at zero.
    settings = make_settings(
        database_url=fresh_db_url,
        abuse_exempt_addresses=[],
        signup_address_free_per_hour=4,
        password_account_free_failures=2,
        refresh_account_free_per_minute=2,
    )
    with TestClient(create_app(settings)) as client:
        yield client


def _until_429(attempt: Callable[[int], httpx.Response], tries: int = 8) -> httpx.Response:
    for i in range(tries):
        response = attempt(i)
        if response.status_code == 429:
            return response
    raise AssertionError("never limited")


def test_signups_from_one_address_are_limited(strict_client: TestClient) -> None:
    names: list[str] = []

    def signup(_: int) -> httpx.Response:
        names.append(f"s_{uuid.uuid4().hex[:12]}")
        return strict_client.post(
            f"{PREFIX}/signup", json={"user_name": names[-1], "password": "long-enough-1"}
        )

    limited = _until_429(signup)
    assert int(limited.headers["Retry-After"]) >= 1
    assert limited.json() == {"detail": "Too many attempts, try again later"}
    assert len(names) >= 4  # the free ones went through
    # The refused sign-up created nobody.
    login = strict_client.post(
        f"{PREFIX}/login/access-token", data={"username": names[-1], "password": "long-enough-1"}
    )
    assert login.status_code == 400


def test_guessing_the_current_password_is_limited(
    strict_client: TestClient, signup: Callable[..., dict[str, Any]], login: Any
) -> None:
    user = signup(strict_client)
    tokens = login(strict_client, user["user_name"], user["password"])
    headers = {"Authorization": f"Bearer {tokens['access_token']}"}

    def guess(i: int) -> httpx.Response:
        return strict_client.patch(
            f"{PREFIX}/users/me/password",
            json={"current_password": f"guess-{i}", "new_password": "new-password-1"},
            headers=headers,
        )

    limited = _until_429(guess)
    assert int(limited.headers["Retry-After"]) >= 1
    # Even the right password waits now, and nothing changed.
    right = strict_client.patch(
        f"{PREFIX}/users/me/password",
        json={"current_password": user["password"], "new_password": "new-password-1"},
        headers=headers,
    )
    assert right.status_code == 429
    assert login(strict_client, user["user_name"], user["password"])["access_token"]


def test_refresh_is_limited_per_account(
    strict_client: TestClient, signup: Callable[..., dict[str, Any]], login: Any
) -> None:
    user = signup(strict_client)
    current = login(strict_client, user["user_name"], user["password"])["refresh_token"]

    def refresh(_: int) -> httpx.Response:
        nonlocal current
        response = strict_client.post(f"{PREFIX}/login/refresh", json={"refresh_token": current})
        if response.status_code == 200:
            current = response.json()["refresh_token"]
        return response

    limited = _until_429(refresh)
    assert int(limited.headers["Retry-After"]) >= 1


def _address_subjects(db_url: str) -> set[str]:
    engine = create_engine(db_url)
    with engine.connect() as connection:
        rows = connection.execute(
            text("SELECT subject FROM login_throttle WHERE scope = 'signup:address'")
        ).all()
    engine.dispose()
    return {row.subject for row in rows}


@pytest.mark.parametrize("gateway_is_us", [False, True])
def test_forwarded_for_counts_only_from_the_gateway(
    start_service: Callable[[dict[str, str]], str],
    fresh_db_url: str,
    amqp_url: str,
    gateway_is_us: bool,
) -> None:
    base = start_service(
        {
            "DATABASE_URL": fresh_db_url,
            "AMQP_URL": amqp_url,
            "EVENTS_EXCHANGE": f"t.{uuid.uuid4().hex[:10]}.unused",
            "ABUSE_EXEMPT_ADDRESSES": "[]",
            # This test's own address is the gateway's, or some other machine's.
            "FORWARDED_ALLOW_IPS": "127.0.0.1" if gateway_is_us else "10.255.255.1",
        }
    )
    with httpx.Client(base_url=base, timeout=30) as client:
        for i in range(3):
            response = client.post(
                f"{PREFIX}/signup",
                json={"user_name": f"f_{uuid.uuid4().hex[:12]}", "password": "long-enough-1"},
                headers={"X-Forwarded-For": f"203.0.113.{i + 1}"},
            )
            assert response.status_code == 201, response.text
    subjects = _address_subjects(fresh_db_url)
    if gateway_is_us:
        assert subjects == {"203.0.113.1", "203.0.113.2", "203.0.113.3"}
    else:
        assert subjects == {"127.0.0.1"}  # the spoofed header changed nothing
