"""A ban reaches another service through `auth.UserAccessChanged` (DESIGN §12), and nothing else.

A real auth process (its outbox relay publishing to this test's exchange) bans a player; a
processing app that verifies auth's tokens through auth's JWKS, and whose copy of auth's
snapshot of void tokens is unreachable, must then refuse the player's token. The snapshot never
loads and the token stays well inside its lifetime, so the only way the ban can arrive is the
event; and the refusal asserted is the revocation's own, not any other 401.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from fastapi.testclient import TestClient

from auth_service.core.db import run_migrations as migrate_auth
from processing_service.core.config import Settings as ProcessingSettings
from processing_service.core.db import run_migrations as migrate_processing
from processing_service.main import create_app as create_processing_app
from quest_devtools.testing.auth_process import AuthProcess, auth_process
from quest_devtools.testing.plugin import BrokerNames, DatabaseFactory, free_port
from quest_devtools.testing.waiting import wait_for

REVOKED = "token revoked, sign in again"


@pytest.fixture
def auth(
    database_url_factory: DatabaseFactory, broker_names: BrokerNames, amqp_url: str
) -> Iterator[AuthProcess]:
    # The relay publishes with `mandatory`: every auth event needs a queue to land in (in the
    # running system processing's queues take the sign-ins).
    broker_names.probe("auth-events", "auth.*")
    with auth_process(
        database_url=database_url_factory("auth", migrate_auth),
        amqp_url=amqp_url,
        exchange=broker_names.exchange,
        relay=True,
    ) as process:
        yield process


@pytest.fixture
def processing(
    auth: AuthProcess,
    database_url_factory: DatabaseFactory,
    broker_names: BrokerNames,
    amqp_url: str,
) -> Iterator[TestClient]:
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
        jwks_url=auth.jwks_url,
        # The snapshot that would also carry the ban cannot be had: only the event can.
        access_snapshot_url=f"{nothing_listens}/internal/access/not-before",
        http_timeout_s=1.0,
    )
    with TestClient(create_processing_app(settings)) as client:
        listener = client.app.state.access_listener  # type: ignore[attr-defined]
        assert wait_for(listener.bound.is_set, timeout=15)
        yield client


def test_a_ban_reaches_processing_by_the_access_event_alone(
    auth: AuthProcess, processing: TestClient
) -> None:
    user_id, name = auth.sign_up()
    headers = {"Authorization": f"Bearer {auth.log_in(name)}"}
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
