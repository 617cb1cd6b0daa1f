"""`catalog.QuestChanged` goes out through the outbox: read back from a real queue, and still
delivered when the broker was unreachable at the time of the change."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from catalog_service.core.config import Settings
from catalog_service.main import create_app
from quest_devtools.testing.databases import scalar
from quest_devtools.testing.plugin import amqp_target
from quest_devtools.testing.proxy import TcpProxy


def test_every_change_publishes_quest_changed(
    client: TestClient, api: Any, quest_changes: Callable[..., list[dict[str, Any]]]
) -> None:
    reward = api.reward()
    quest = api.quest(reward_id=reward["reward_id"])
    quest_url = f"/api/catalog/quests/{quest['quest_id']}"
    client.patch(quest_url, json={"streak": 7}, headers=api.headers)
    client.patch(quest_url, json={"streak": 7}, headers=api.headers)  # no change, no event
    client.delete(quest_url, headers=api.headers)
    other = api.reward()
    client.patch(
        f"/api/catalog/rewards/{other['reward_id']}", json={"reward_qty": 8}, headers=api.headers
    )
    client.delete(f"/api/catalog/rewards/{other['reward_id']}", headers=api.headers)

    events = quest_changes(expect=7, wait_seconds=10)
    assert [
        (e["data"]["change"], e["data"]["quest_id"], e["data"]["reward_id"]) for e in events
    ] == [
        ("created", None, reward["reward_id"]),
        ("created", quest["quest_id"], reward["reward_id"]),
        ("updated", quest["quest_id"], reward["reward_id"]),
        ("deleted", quest["quest_id"], reward["reward_id"]),
        ("created", None, other["reward_id"]),
        ("updated", None, other["reward_id"]),
        ("deleted", None, other["reward_id"]),
    ]
    first = events[1]
    assert first["specversion"] == "1.0"
    assert first["type"] == "QuestChanged"
    assert first["source"] == "catalog-service"
    assert first["subject"] == quest["quest_id"]
    assert first["time"].endswith("Z")
    assert len({e["id"] for e in events}) == 7


@pytest.fixture
def broker_proxy(tcp_proxy: Callable[[str, int], TcpProxy], amqp_url: str) -> TcpProxy:
    return tcp_proxy(*amqp_target(amqp_url))


@pytest.fixture
def cut_client(
    make_settings: Callable[..., Settings], broker_proxy: TcpProxy, amqp_url: str
) -> Iterator[TestClient]:
    settings = make_settings(amqp_url=broker_proxy.url_for(amqp_url))
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def _pending(database_url: str, quest_id: str) -> int:
    return int(
        scalar(
            database_url,
            "SELECT count(*) FROM outbox_event WHERE published_at IS NULL "
            "AND payload->'data'->>'quest_id' = :q",
            q=quest_id,
        )
    )


def test_a_change_made_while_the_broker_is_cut_is_delivered_later(
    cut_client: TestClient,
    broker_proxy: TcpProxy,
    admin_headers: dict[str, str],
    settings: Settings,
    quest_changes: Callable[..., list[dict[str, Any]]],
    unique_name: Callable[[str], str],
) -> None:
    broker_proxy.cut()
    reward = cut_client.put(
        f"/api/catalog/rewards/by-name/{unique_name('r')}",
        json={"reward_item": "gold", "reward_qty": 2},
        headers=admin_headers,
    )
    assert reward.status_code == 201
    created = cut_client.post(
        "/api/catalog/quests",
        json={
            "name": unique_name("q"),
            "title": "Offline",
            "streak": 1,
            "reward_id": reward.json()["reward_id"],
        },
        headers=admin_headers,
    )
    # The write succeeds with the broker gone; its event waits in the outbox.
    assert created.status_code == 201
    quest_id = created.json()["quest_id"]
    assert quest_changes(wait_seconds=1.0) == []
    assert _pending(settings.database_url, quest_id) == 1

    broker_proxy.restore()
    events = quest_changes(expect=2, wait_seconds=20)
    assert [e["data"]["change"] for e in events] == ["created", "created"]
    assert events[1]["data"]["quest_id"] == quest_id
    assert _pending(settings.database_url, quest_id) == 0
