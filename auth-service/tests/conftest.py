"""Fixtures for the auth-service tests: a migrated throwaway database, app clients, users."""

import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session

from auth_service.core.config import Settings
from auth_service.core.db import build_engine, run_migrations
from auth_service.core.uow import AuthUnitOfWork
from auth_service.main import create_app
from auth_service.progression.service import LEVEL_REACHED_KEY
from auth_service.users.models import Role
from auth_service.users.service import create_user
from quest_common.events import SIGN_IN_KEYS
from quest_devtools.testing.events import EventsApp
from quest_devtools.testing.plugin import BrokerNames, service_databases

PREFIX = "/api/auth"

SettingsFactory = Callable[..., Settings]


auth_db_url, fresh_db_url = service_databases("auth", run_migrations)


@pytest.fixture
def fresh_engine(fresh_db_url: str) -> Iterator[Engine]:
    """An engine on the test's own fresh database, disposed after it."""
    engine = build_engine(fresh_db_url)
    yield engine
    engine.dispose()


@pytest.fixture
def make_settings(auth_db_url: str, amqp_url: str) -> SettingsFactory:
    def make(**overrides: Any) -> Settings:
        values: dict[str, Any] = {
            "environment": "test",
            "database_url": auth_db_url,
            "amqp_url": amqp_url,
            "events_exchange": f"t.{uuid.uuid4().hex[:10]}.unused",
            "run_outbox_relay": False,
            # Tests that need the deletions queue name a unique one (never the shared default).
            "user_deletions_queue": "",
            "user_created_queue": "",
            "password_hash_processes": 0,  # hash in-thread; the pool has tests of its own
            # Every TestClient request comes from the address "testclient": keep the per-address
            # limit out of the way except in the tests about it.
            "throttle_address_free_failures": 100_000,
            "throttle_address_max_failures_per_hour": 1_000_000,
            # Likewise the per-address abuse limits (sign-up, refresh, ...).
            "abuse_exempt_addresses": ["testclient"],
        }
        values.update(overrides)
        return Settings(**values)

    return make


@pytest.fixture
def relay_settings(
    make_settings: SettingsFactory, fresh_db_url: str, broker_names: BrokerNames
) -> SettingsFactory:
    """`relay_settings(**overrides)` → settings of the app with its outbox relay running, on a
    database of its own, publishing to the test's exchange."""

    def make(**overrides: Any) -> Settings:
        return make_settings(
            database_url=fresh_db_url,
            events_exchange=broker_names.exchange,
            run_outbox_relay=True,
            **overrides,
        )

    return make


@pytest.fixture
def events_app(
    relay_settings: SettingsFactory, broker_names: BrokerNames, amqp_url: str
) -> Iterator[EventsApp[Settings]]:
    """The app with its outbox relay running on a database of its own; its probe queue gets
    its sign-in and level events (not `auth.UserCreated`, which every sign-up adds)."""
    queue = broker_names.probe("sign-ins", *SIGN_IN_KEYS, LEVEL_REACHED_KEY)
    settings = relay_settings()
    with TestClient(create_app(settings)) as client:
        yield EventsApp(client, settings.database_url, settings, amqp_url, queue)


@pytest.fixture
def client(make_settings: SettingsFactory) -> Iterator[TestClient]:
    with TestClient(create_app(make_settings())) as test_client:
        yield test_client


@pytest.fixture
def db_session(auth_db_url: str) -> Iterator[Session]:
    engine = build_engine(auth_db_url)
    with Session(engine) as session:
        yield session
    engine.dispose()


@pytest.fixture
def db_uow(auth_db_url: str) -> Iterator[AuthUnitOfWork]:
    """A unit of work on the test database, for service calls that write."""
    engine = build_engine(auth_db_url)
    with AuthUnitOfWork(engine) as uow:
        yield uow
    engine.dispose()


def unique_name(prefix: str = "u") -> str:
    return f"{prefix}_{uuid.uuid4().hex[:12]}"


@pytest.fixture
def new_name() -> Callable[[], str]:
    return unique_name


@pytest.fixture
def signup() -> Callable[..., dict[str, Any]]:
    """`signup(client)` → the created user's JSON plus its `password`."""

    def make(client: TestClient, *, password: str = "correct-horse-1") -> dict[str, Any]:  # noqa: S107
        name = unique_name()
        response = client.post(f"{PREFIX}/signup", json={"user_name": name, "password": password})
        assert response.status_code == 201, response.text
        return {**response.json(), "password": password}

    return make


@pytest.fixture
def login() -> Callable[..., dict[str, Any]]:
    """`login(client, name, password)` → the token JSON (asserts 200)."""

    def do(client: TestClient, user_name: str, password: str) -> dict[str, Any]:
        response = client.post(
            f"{PREFIX}/login/access-token", data={"username": user_name, "password": password}
        )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    return do


@pytest.fixture
def admin(
    client: TestClient, db_uow: AuthUnitOfWork, login: Callable[..., dict[str, Any]]
) -> dict[str, Any]:
    """A signed-in admin: its `user_id` and the `headers` of its requests."""
    name = unique_name("admin")
    user = create_user(uow=db_uow, user_name=name, password="admin-pass-123", role=Role.ADMIN)
    tokens = login(client, name, "admin-pass-123")
    return {
        "user_id": str(user.user_id),
        "headers": {"Authorization": f"Bearer {tokens['access_token']}"},
    }


@pytest.fixture
def admin_headers(admin: dict[str, Any]) -> dict[str, str]:
    headers: dict[str, str] = admin["headers"]
    return headers


@pytest.fixture
def player(
    client: TestClient,
    signup: Callable[..., dict[str, Any]],
    login: Callable[..., dict[str, Any]],
) -> dict[str, Any]:
    """A signed-up, signed-in player: its user JSON, password, tokens and auth headers."""
    user = signup(client)
    tokens = login(client, user["user_name"], user["password"])
    return {
        **user,
        "tokens": tokens,
        "headers": {"Authorization": f"Bearer {tokens['access_token']}"},
    }


@pytest.fixture
def access_of() -> Callable[[TestClient, dict[str, Any]], tuple[int, int, int]]:
    """`access_of(client, player)` → the status codes, in this order, of the player's password
    sign-in, of a refresh with their refresh token and of `GET /users/me` with their access
    token."""

    def check(client: TestClient, player: dict[str, Any]) -> tuple[int, int, int]:
        login = client.post(
            f"{PREFIX}/login/access-token",
            data={"username": player["user_name"], "password": player["password"]},
        )
        refresh = client.post(
            f"{PREFIX}/login/refresh", json={"refresh_token": player["tokens"]["refresh_token"]}
        )
        me = client.get(f"{PREFIX}/users/me", headers=player["headers"])
        return login.status_code, refresh.status_code, me.status_code

    return check


def _service_token_headers(client: TestClient, client_id: str, secret: str) -> dict[str, str]:
    response = client.post(
        "/internal/oauth/token",
        data={"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret},
    )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


@pytest.fixture
def service_headers(client: TestClient) -> dict[str, str]:
    """Processing's service token (it credits rewards)."""
    secret = client.app.state.settings.processing_client_secret  # type: ignore[attr-defined]
    return _service_token_headers(client, "processing-service", secret)


@pytest.fixture
def catalog_headers(client: TestClient) -> dict[str, str]:
    """Catalog's service token (the shop debits)."""
    secret = client.app.state.settings.catalog_client_secret  # type: ignore[attr-defined]
    return _service_token_headers(client, "catalog-service", secret)


@pytest.fixture
def start_service() -> Iterator[Callable[[dict[str, str]], str]]:
    """`start_service(env)` → base URL of a real `uvicorn --factory` process (stopped after)."""
    import os

    from quest_devtools.testing.servers import uvicorn_processes

    base_env = {
        **os.environ,
        "ENVIRONMENT": "test",
        "USER_DELETIONS_QUEUE": "",
        "USER_CREATED_QUEUE": "",
    }
    with uvicorn_processes(
        "auth_service.main:create_app", name="auth-service", ready_s=30
    ) as start:
        yield lambda env: start({**base_env, **env})
