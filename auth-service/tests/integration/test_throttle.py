"""Login throttling per account and per client address (429 + Retry-After)."""

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from auth_service.main import create_app

PREFIX = "/api/auth"


def _attempt(client: TestClient, name: str, password: str) -> Any:
    return client.post(
        f"{PREFIX}/login/access-token", data={"username": name, "password": password}
    )


def _fail(client: TestClient, name: str, *, times: int) -> None:
    """`times` sign-ins with a wrong password, each refused as wrong (400, not yet 429)."""
    for _ in range(times):
        assert _attempt(client, name, "wrong-password").status_code == 400


@pytest.fixture
def failed_free(
    make_settings: Callable[..., Any], signup: Callable[..., dict[str, Any]]
) -> Iterator[tuple[TestClient, dict[str, Any]]]:
    """An app that lets an account fail 3 times for free, and a user who has just failed 3
    times."""
    with TestClient(create_app(make_settings(throttle_account_free_failures=3))) as client:
        user = signup(client)
        _fail(client, user["user_name"], times=3)
        yield client, user


def test_account_lockout_after_free_failures(
    failed_free: tuple[TestClient, dict[str, Any]], signup: Callable[..., dict[str, Any]]
) -> None:
    client, user = failed_free
    # The fourth failure is counted and locks the account for a while.
    assert _attempt(client, user["user_name"], "wrong-password").status_code == 400
    locked = _attempt(client, user["user_name"], "wrong-password")
    assert locked.status_code == 429
    assert int(locked.headers["Retry-After"]) >= 1
    assert locked.json() == {"detail": "Too many failed sign-in attempts, try again later"}
    # Even the right password waits: otherwise the lock would be an oracle.
    assert _attempt(client, user["user_name"], user["password"]).status_code == 429
    # Another account from the same address is unaffected.
    other = signup(client)
    assert _attempt(client, other["user_name"], other["password"]).status_code == 200


def test_unknown_names_are_throttled_like_real_ones(
    make_settings: Callable[..., Any], new_name: Callable[[], str]
) -> None:
    settings = make_settings(throttle_account_free_failures=2)
    with TestClient(create_app(settings)) as client:
        name = new_name()
        statuses = [_attempt(client, name, "wrong-password").status_code for _ in range(5)]
        assert statuses[:3] == [400, 400, 400]
        assert 429 in statuses[3:]


def test_address_lockout_across_accounts(
    make_settings: Callable[..., Any],
    fresh_db_url: str,
    new_name: Callable[[], str],
    signup: Callable[..., dict[str, Any]],
) -> None:
    # Every TestClient request comes from "testclient": count from a clean slate on a database
    # of its own, where earlier tests' failures from that address are not recorded.
    settings = make_settings(
        database_url=fresh_db_url,
        throttle_address_free_failures=4,
        throttle_address_max_failures_per_hour=1000,
        throttle_account_free_failures=100,
    )
    with TestClient(create_app(settings)) as client:
        user = signup(client)
        # Spread over many names, as credential stuffing does: the per-account limit never trips.
        statuses = [_attempt(client, new_name(), "guess-123").status_code for _ in range(6)]
        assert statuses[:5] == [400] * 5
        assert statuses[5] == 429
        blocked = _attempt(client, user["user_name"], user["password"])
        assert blocked.status_code == 429
        assert int(blocked.headers["Retry-After"]) >= 1


def test_success_resets_the_account_counter(
    failed_free: tuple[TestClient, dict[str, Any]],
) -> None:
    client, user = failed_free
    assert _attempt(client, user["user_name"], user["password"]).status_code == 200
    _fail(client, user["user_name"], times=3)
