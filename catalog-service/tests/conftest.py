"""Catalog test fixtures: a migrated throwaway database, a real JWKS server, the app with its
background threads (version listener, outbox relay) against the real PostgreSQL and RabbitMQ."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from catalog_service.core.config import Settings
from catalog_service.main import create_app
from catalog_service.prestart import migrate
from quest_devtools.devstack import free_port
from quest_devtools.testing.plugin import BrokerNames, service_databases
from quest_devtools.testing.tokens import JwksServer, TestKeys

catalog_db_url, fresh_db_url = service_databases("catalog", migrate)


@pytest.fixture
def make_settings(
    catalog_db_url: str, amqp_url: str, broker_names: BrokerNames, jwks_server: JwksServer
) -> Callable[..., Settings]:
    def make(**overrides: Any) -> Settings:
        values: dict[str, Any] = {
            "environment": "test",
            "database_url": catalog_db_url,
            "amqp_url": amqp_url,
            "events_exchange": broker_names.exchange,
            "jwks_url": jwks_server.url,
            "version_resync_seconds": 1.0,
            # No auth in these tests: a closed port, never whatever else listens on auth's
            # usual one. Redemptions that pass the catalog's checks stay pending.
            "auth_url": f"http://127.0.0.1:{free_port()}",
            "auth_timeout_seconds": 1.0,
            **overrides,
        }
        return Settings(_env_file=None, **values)  # type: ignore[call-arg]

    return make


@pytest.fixture
def settings(make_settings: Callable[..., Settings]) -> Settings:
    return make_settings()


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    # The context manager runs the lifespan: version listener and outbox relay threads.
    with TestClient(create_app(settings)) as test_client:
        yield test_client


@pytest.fixture
def quest_changes(broker_names: BrokerNames) -> Callable[..., list[dict[str, Any]]]:
    """`quest_changes(**options)` → the `catalog.QuestChanged` events published to the test's
    exchange since the fixture was set up (and not read yet), decoded; options as for
    `drain_queue`."""
    queue = broker_names.probe("quest-changes", "catalog.QuestChanged")

    def read(**options: Any) -> list[dict[str, Any]]:
        return [json.loads(body) for body in broker_names.drain(queue, **options)]

    return read


@pytest.fixture
def admin_headers(test_keys: TestKeys) -> dict[str, str]:
    return test_keys.headers(role="admin", name="admin")


@pytest.fixture
def player_headers(test_keys: TestKeys) -> dict[str, str]:
    return test_keys.headers(role="player")


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


class CatalogApi:
    """Small helpers that build test data through the HTTP API, with unique names."""

    def __init__(self, client: TestClient, headers: dict[str, str]) -> None:
        self.client = client
        self.headers = headers

    def reward(self, **fields: Any) -> dict[str, Any]:
        body = {"reward_name": unique("reward"), "reward_item": "gold", "reward_qty": 5, **fields}
        response = self.client.post("/api/catalog/rewards", json=body, headers=self.headers)
        assert response.status_code == 201, response.text
        result: dict[str, Any] = response.json()
        return result

    def quest_body(self, **fields: Any) -> dict[str, Any]:
        if "reward_id" not in fields:
            fields["reward_id"] = self.reward()["reward_id"]
        return {
            "name": unique("quest"),
            "title": "Sign in twice",
            "trigger": "sign_in",
            "streak": 2,
            "duplication": 1,
            "auto_claim": False,
            "streak_mode": "count",
            **fields,
        }

    def quest(self, **fields: Any) -> dict[str, Any]:
        response = self.client.post(
            "/api/catalog/quests", json=self.quest_body(**fields), headers=self.headers
        )
        assert response.status_code == 201, response.text
        result: dict[str, Any] = response.json()
        return result


@pytest.fixture
def api(client: TestClient, admin_headers: dict[str, str]) -> CatalogApi:
    return CatalogApi(client, admin_headers)


@pytest.fixture
def unique_name() -> Callable[[str], str]:
    return unique
