"""Operator tools in the catalog: every admin write is audited, refused writes are not, and the
outbox figures are served to admins and on `/metrics`."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from catalog_service.core.config import Settings
from catalog_service.main import create_app
from quest_devtools.testing.admin_routes import admin_write_routes
from quest_devtools.testing.tokens import TestKeys

PREFIX = "/api/catalog"


@pytest.fixture
def fresh_client(make_settings: Callable[..., Settings], fresh_db_url: str) -> Iterator[TestClient]:
    """A catalog of its own, so every audit row in it is this test's."""
    with TestClient(create_app(make_settings(database_url=fresh_db_url))) as client:
        yield client


@pytest.fixture
def admin(test_keys: TestKeys) -> dict[str, Any]:
    admin_id = str(uuid.uuid4())
    token = test_keys.mint(sub=admin_id, role="admin", name="grace")
    return {"id": admin_id, "headers": {"Authorization": f"Bearer {token}"}}


def audit(client: TestClient, admin: dict[str, Any]) -> dict[str, Any]:
    response = client.get(f"{PREFIX}/admin/audit", params={"limit": 200}, headers=admin["headers"])
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_every_admin_write_route_writes_exactly_one_audit_row(
    fresh_client: TestClient, admin: dict[str, Any], player_headers: dict[str, str]
) -> None:
    client, headers = fresh_client, admin["headers"]
    state: dict[str, str] = {}

    def create_reward() -> Any:
        response = client.post(
            f"{PREFIX}/rewards",
            json={"reward_name": "gold-five", "reward_item": "gold", "reward_qty": 5},
            headers=headers,
        )
        state["reward_id"] = response.json().get("reward_id", "")
        return response

    def create_quest() -> Any:
        body = {"name": "twice", "title": "Twice", "streak": 2, "reward_id": state["reward_id"]}
        response = client.post(f"{PREFIX}/quests", json=body, headers=headers)
        state["quest_id"] = response.json().get("quest_id", "")
        return response

    def put_reward() -> Any:
        body = {"reward_item": "diamond", "reward_qty": 1}
        response = client.put(f"{PREFIX}/rewards/by-name/spare", json=body, headers=headers)
        state["spare_id"] = response.json().get("reward_id", "")
        return response

    def create_offer() -> Any:
        body = {"name": "frame", "title": "Frame", "price_item": "gold", "price_qty": 3}
        response = client.post(f"{PREFIX}/offers", json=body, headers=headers)
        state["offer_id"] = response.json().get("offer_id", "")
        return response

    # Order matters: the quest needs the reward, the spare reward is deleted at the end.
    calls: dict[str, Callable[[], Any]] = {
        "POST /api/catalog/rewards": create_reward,
        "PATCH /api/catalog/rewards/{reward_id}": lambda: client.patch(
            f"{PREFIX}/rewards/{state['reward_id']}", json={"reward_qty": 6}, headers=headers
        ),
        "PUT /api/catalog/rewards/by-name/{name}": put_reward,
        "POST /api/catalog/quests": create_quest,
        "PATCH /api/catalog/quests/{quest_id}": lambda: client.patch(
            f"{PREFIX}/quests/{state['quest_id']}", json={"streak": 3}, headers=headers
        ),
        "PUT /api/catalog/quests/by-name/{name}": lambda: client.put(
            f"{PREFIX}/quests/by-name/seeded",
            json={"title": "Seeded", "streak": 1, "reward_id": state["reward_id"]},
            headers=headers,
        ),
        "DELETE /api/catalog/quests/{quest_id}": lambda: client.delete(
            f"{PREFIX}/quests/{state['quest_id']}", headers=headers
        ),
        "DELETE /api/catalog/rewards/{reward_id}": lambda: client.delete(
            f"{PREFIX}/rewards/{state['spare_id']}", headers=headers
        ),
        "POST /api/catalog/offers": create_offer,
        "PATCH /api/catalog/offers/{offer_id}": lambda: client.patch(
            f"{PREFIX}/offers/{state['offer_id']}", json={"stock": 4}, headers=headers
        ),
        "PUT /api/catalog/offers/by-name/{name}": lambda: client.put(
            f"{PREFIX}/offers/by-name/seeded-offer",
            json={"title": "Seeded", "price_item": "diamond", "price_qty": 1},
            headers=headers,
        ),
        "DELETE /api/catalog/offers/{offer_id}": lambda: client.delete(
            f"{PREFIX}/offers/{state['offer_id']}", headers=headers
        ),
        "PUT /api/catalog/levels": lambda: client.put(
            f"{PREFIX}/levels", json={"thresholds": [0, 50, 120]}, headers=headers
        ),
        "PUT /api/catalog/event-types/by-name/{name}": lambda: client.put(
            f"{PREFIX}/event-types/by-name/match_won",
            json={"title": "Match won", "properties": {"kills": {"type": "integer"}}},
            headers=headers,
        ),
        "DELETE /api/catalog/event-types/by-name/{name}": lambda: client.delete(
            f"{PREFIX}/event-types/by-name/match_won", headers=headers
        ),
    }
    # A new admin write route must be added here, with its audit entry.
    found = admin_write_routes(client, player_headers, path_values={"name": "some-name"})
    assert found == set(calls)

    for route, call in calls.items():
        before = audit(client, admin)["count"]
        response = call()
        assert response.status_code < 300, (route, response.text)
        after = audit(client, admin)
        assert after["count"] == before + 1, route
        newest = after["data"][0]
        assert (newest["actor_id"], newest["actor_name"]) == (admin["id"], "grace")

    entries = list(reversed(audit(client, admin)["data"]))
    assert [e["action"] for e in entries] == [
        "reward.create",
        "reward.update",
        "reward.create",
        "quest.create",
        "quest.update",
        "quest.create",
        "quest.deactivate",
        "reward.delete",
        "offer.create",
        "offer.update",
        "offer.create",
        "offer.delete",
        "levels.update",
        "event_type.create",
        "event_type.deactivate",
    ]
    reward_update = entries[1]
    assert (reward_update["before"]["reward_qty"], reward_update["after"]["reward_qty"]) == (5, 6)
    assert reward_update["target_type"] == "reward"
    assert reward_update["target_id"] == state["reward_id"]
    assert entries[0]["before"] is None and entries[7]["after"] is None
    offer_update = entries[9]
    assert (offer_update["before"]["stock"], offer_update["after"]["stock"]) == (None, 4)
    assert entries[11]["target_id"] == state["offer_id"] and entries[11]["after"] is None
    for deactivated in (entries[6], entries[-1]):
        assert (deactivated["before"]["is_active"], deactivated["after"]["is_active"]) == (
            True,
            False,
        )


def test_refused_and_empty_writes_write_no_audit_row(
    fresh_client: TestClient, admin: dict[str, Any]
) -> None:
    client, headers = fresh_client, admin["headers"]
    body = {"reward_name": "only-one", "reward_item": "gold", "reward_qty": 5}
    assert client.post(f"{PREFIX}/rewards", json=body, headers=headers).status_code == 201
    reward_id = client.get(f"{PREFIX}/rewards").json()["data"][0]["reward_id"]
    quest = {"name": "q", "title": "Q", "streak": 1, "reward_id": reward_id}
    assert client.post(f"{PREFIX}/quests", json=quest, headers=headers).status_code == 201
    count = audit(client, admin)["count"]
    assert count == 2

    refused = [
        client.post(f"{PREFIX}/rewards", json=body, headers=headers),  # duplicate name
        client.patch(f"{PREFIX}/rewards/{uuid.uuid4()}", json={"reward_qty": 2}, headers=headers),
        client.delete(f"{PREFIX}/rewards/{reward_id}", headers=headers),  # used by a quest
        client.post(f"{PREFIX}/quests", json={**quest, "name": "r", "streak": 0}, headers=headers),
        client.post(
            f"{PREFIX}/quests", json={**quest, "reward_id": str(uuid.uuid4())}, headers=headers
        ),
    ]
    assert [r.status_code for r in refused] == [409, 404, 409, 422, 404]
    # Writing the same values again changes nothing, so it records nothing either.
    unchanged = client.put(
        f"{PREFIX}/rewards/by-name/only-one",
        json={"reward_item": "gold", "reward_qty": 5},
        headers=headers,
    )
    assert unchanged.status_code == 200
    assert audit(client, admin)["count"] == count


def test_audit_and_ops_are_for_admins(client: TestClient, player_headers: dict[str, str]) -> None:
    for path in ("/admin/audit", "/admin/ops"):
        assert client.get(f"{PREFIX}{path}").status_code == 401
        assert client.get(f"{PREFIX}{path}", headers=player_headers).status_code == 403


def test_ops_reports_the_outbox_backlog(
    make_settings: Callable[..., Settings], fresh_db_url: str, admin: dict[str, Any]
) -> None:
    # Without a relay, each write's QuestChanged stays in the outbox.
    settings = make_settings(database_url=fresh_db_url, run_outbox_relay=False)
    with TestClient(create_app(settings)) as client:
        empty = client.get(f"{PREFIX}/admin/ops", headers=admin["headers"])
        assert empty.status_code == 200
        assert empty.json() == {"outbox": {"backlog": 0, "oldest_unsent_age_s": 0.0}}
        for qty in (1, 2):
            client.put(
                f"{PREFIX}/rewards/by-name/backlog",
                json={"reward_item": "gold", "reward_qty": qty},
                headers=admin["headers"],
            )
        outbox = client.get(f"{PREFIX}/admin/ops", headers=admin["headers"]).json()["outbox"]
        assert outbox["backlog"] == 2
        assert 0 <= outbox["oldest_unsent_age_s"] < 120
        metrics = client.get("/metrics").text
        assert "outbox_backlog 2.0" in metrics
        assert "outbox_oldest_unsent_age_seconds" in metrics
