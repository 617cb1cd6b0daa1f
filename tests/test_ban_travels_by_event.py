"""A ban reaches another service through `auth.UserAccessChanged` (DESIGN §12), and nothing else.

A real auth process (its outbox relay publishing to this test's exchange) bans a player; a
processing app that verifies auth's tokens through auth's JWKS, and whose copy of auth's
snapshot of void tokens is unreachable, must then refuse the player's token. The snapshot never
loads and the token stays well inside its lifetime, so the only way the ban can arrive is the
event; and the refusal asserted is the revocation's own, not any other 401.
"""

from __future__ import annotations

import os
import subprocess
import uuid
from collections.abc import Iterator

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from auth_service.core.db import build_engine
from auth_service.core.db import run_migrations as migrate_auth
from auth_service.models import Role
from auth_service.users import create_user
from processing_service.core.config import Settings as ProcessingSettings
from processing_service.main import create_app as create_processing_app
from quest_devtools.testing.plugin import BrokerNames, DatabaseFactory, free_port
from quest_devtools.testing.servers import uvicorn_argv
from quest_devtools.testing.waiting import wait_for

REVOKED = "token revoked, sign in again"
ADMIN_PASSWORD = "admin-pass-123"  # noqa: S105


class Auth:
    """A real auth-service process on a database of its own."""

    def __init__(self, url: str, database_url: str) -> None:
        self.url = url
        self.database_url = database_url

    def log_in(self, user_name: str, password: str) -> str:
        response = httpx.post(
            f"{self.url}/api/auth/login/access-token",
            data={"username": user_name, "password": password},
        )
        assert response.status_code == 200, response.text
        token: str = response.json()["access_token"]
        return token

    def sign_up(self) -> tuple[str, str, str]:
        """A new player: (user id, user name, access token)."""
        name, password = f"p_{uuid.uuid4().hex[:12]}", "correct-horse-1"
        response = httpx.post(
            f"{self.url}/api/auth/signup", json={"user_name": name, "password": password}
        )
        assert response.status_code == 201, response.text
        return response.json()["user_id"], name, self.log_in(name, password)

    def admin_token(self) -> str:
        name = f"admin_{uuid.uuid4().hex[:10]}"
        engine = build_engine(self.database_url)
        try:
            with Session(engine) as session:
                create_user(session=session, user_name=name, password=ADMIN_PASSWORD, role=Role.ADMIN)
        finally:
            engine.dispose()
        return self.log_in(name, ADMIN_PASSWORD)


@pytest.fixture
def auth(
    database_url_factory: DatabaseFactory, broker_names: BrokerNames, amqp_url: str
) -> Iterator[Auth]:
    database_url = database_url_factory("auth", migrate_auth)
    # The relay publishes with `mandatory`: every auth event needs a queue to land in (in the
    # running system processing's queues take the sign-ins).
    broker_names.probe("auth-events", "auth.*")
    port = free_port()
    env = {
        **os.environ,
        "ENVIRONMENT": "test",
        "DATABASE_URL": database_url,
        "AMQP_URL": amqp_url,
        "EVENTS_EXCHANGE": broker_names.exchange,
        "RUN_OUTBOX_RELAY": "true",
        "USER_DELETIONS_QUEUE": "",
        "PASSWORD_HASH_PROCESSES": "0",
    }
    process = subprocess.Popen(uvicorn_argv("auth_service.main:create_app", port=port), env=env)
    url = f"http://127.0.0.1:{port}"

    def ready() -> bool:
        assert process.poll() is None, "auth-service exited during start-up"
        try:
            return httpx.get(f"{url}/readyz", timeout=1).status_code == 200
        except httpx.HTTPError:
            return False

    try:
        wait_for(ready, timeout=30, interval=0.1)
        yield Auth(url, database_url)
    finally:
        process.terminate()
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture
def processing(
    auth: Auth,
    database_url_factory: DatabaseFactory,
    broker_names: BrokerNames,
    amqp_url: str,
) -> Iterator[TestClient]:
    from processing_service.core.db import run_migrations as migrate_processing

    nothing_listens = f"http://127.0.0.1:{free_port()}"
    settings = ProcessingSettings(
        environment="test",
        database_url=database_url_factory("processing", migrate_processing),
        amqp_url=amqp_url,
        events_exchange=broker_names.exchange,
        sign_in_queue=broker_names.queue("sign-ins"),
        user_deletions_queue=broker_names.queue("user-deletions"),
        catalog_url=nothing_listens,
        auth_url=auth.url,
        jwks_url=f"{auth.url}/api/auth/.well-known/jwks.json",
        # The snapshot that would also carry the ban cannot be had: only the event can.
        access_snapshot_url=f"{nothing_listens}/internal/access/not-before",
        http_timeout_s=1.0,
    )
    with TestClient(create_processing_app(settings)) as client:
        assert wait_for(client.app.state.access_listener.bound.is_set, timeout=15)  # type: ignore[attr-defined]
        yield client


def test_a_ban_reaches_processing_by_the_access_event_alone(
    auth: Auth, processing: TestClient
) -> None:
    user_id, _name, token = auth.sign_up()
    headers = {"Authorization": f"Bearer {token}"}
    revocations = processing.app.state.access_revocations  # type: ignore[attr-defined]

    def my_events() -> httpx.Response:
        return processing.get("/api/processing/me/events", headers=headers)

    assert my_events().status_code == 200  # auth's token is good here
    banned = httpx.patch(
        f"{auth.url}/api/auth/users/{user_id}",
        json={"status": 2},
        headers={"Authorization": f"Bearer {auth.admin_token()}"},
    )
    assert banned.status_code == 200, banned.text

    def refusal() -> tuple[int, object] | None:
        response = my_events()
        return None if response.status_code == 200 else (response.status_code, response.json())

    assert wait_for(refusal, timeout=20) == (401, {"detail": REVOKED})
    assert revocations.not_before(user_id) is not None
    assert not revocations.loaded.is_set()  # the snapshot never came: the event did it
