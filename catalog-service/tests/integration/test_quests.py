"""Quests over HTTP against the real database: CRUD, embedded reward, filters, every error."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from catalog_service.core.config import Settings
from catalog_service.main import create_app

URL = "/api/catalog/quests"


def test_create_read_update_deactivate(client: TestClient, api: Any) -> None:
    reward = api.reward(reward_item="diamond", reward_qty=10)
    body = api.quest_body(
        reward_id=reward["reward_id"],
        description="Twice in a row",
        auto_claim=True,
        streak_mode="daily",
        starts_at="2030-01-01T00:00:00Z",
        ends_at="2030-02-01T00:00:00+02:00",
    )
    created = client.post(URL, json=body, headers=api.headers)
    assert created.status_code == 201, created.text
    quest = created.json()
    for field in (
        "name",
        "title",
        "description",
        "trigger",
        "streak",
        "duplication",
        "auto_claim",
        "streak_mode",
        "reward_id",
    ):
        assert quest[field] == body[field], field
    assert quest["is_active"] is True
    assert quest["starts_at"] == "2030-01-01T00:00:00Z"
    # Stored and returned in UTC.
    assert quest["ends_at"] == "2030-01-31T22:00:00Z"
    assert quest["reward"] == {
        "reward_id": reward["reward_id"],
        "reward_name": reward["reward_name"],
        "reward_item": "diamond",
        "reward_qty": 10,
    }
    quest_id = quest["quest_id"]

    fetched = client.get(f"{URL}/{quest_id}").json()
    assert fetched == quest
    assert client.get(f"{URL}/by-name/{body['name']}").json() == quest

    other_reward = api.reward(reward_item="gold", reward_qty=3)
    patched = client.patch(
        f"{URL}/{quest_id}",
        json={"streak": 4, "reward_id": other_reward["reward_id"], "ends_at": None},
        headers=api.headers,
    )
    assert patched.status_code == 200, patched.text
    assert patched.json()["streak"] == 4
    assert patched.json()["ends_at"] is None
    assert patched.json()["reward"]["reward_item"] == "gold"
    assert patched.json()["title"] == body["title"]
    assert patched.json()["updated_at"] > quest["updated_at"]

    # A change to the reward shows in the quest's embedded copy.
    client.patch(
        f"/api/catalog/rewards/{other_reward['reward_id']}",
        json={"reward_qty": 4},
        headers=api.headers,
    )
    assert client.get(f"{URL}/{quest_id}").json()["reward"]["reward_qty"] == 4

    deleted = client.delete(f"{URL}/{quest_id}", headers=api.headers)
    assert deleted.status_code == 200
    assert deleted.json()["is_active"] is False
    # Deleting deactivates: the quest is still readable and can be switched back on.
    assert client.get(f"{URL}/{quest_id}").json()["is_active"] is False
    back = client.patch(f"{URL}/{quest_id}", json={"is_active": True}, headers=api.headers)
    assert back.json()["is_active"] is True


def test_duplicate_name_is_409(client: TestClient, api: Any) -> None:
    quest = api.quest()
    again = client.post(URL, json=api.quest_body(name=quest["name"]), headers=api.headers)
    assert again.status_code == 409
    assert quest["name"] in again.json()["detail"]
    other = api.quest()
    renamed = client.patch(
        f"{URL}/{other['quest_id']}", json={"name": quest["name"]}, headers=api.headers
    )
    assert renamed.status_code == 409


def test_unknown_quest_is_404(client: TestClient, admin_headers: dict[str, str]) -> None:
    missing = uuid.uuid4()
    assert client.get(f"{URL}/{missing}").status_code == 404
    assert client.get(f"{URL}/by-name/no-such-quest-{missing.hex[:6]}").status_code == 404
    assert (
        client.patch(f"{URL}/{missing}", json={"streak": 2}, headers=admin_headers).status_code
        == 404
    )
    assert client.delete(f"{URL}/{missing}", headers=admin_headers).status_code == 404


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"streak": 0}, "streak", "greater than or equal to 1"),
        ({"duplication": 0}, "duplication", "greater than or equal to 1"),
        ({"trigger": "level_up"}, "trigger", "sign_in"),
        ({"streak_mode": "weekly"}, "streak_mode", "count"),
        ({"name": "Sign In!"}, "name", "pattern"),
        ({"name": "-leading-dash"}, "name", "pattern"),
        ({"title": ""}, "title", "at least 1"),
        ({"starts_at": "2030-01-01T00:00:00"}, "starts_at", "timezone-aware"),
        ({"ends_at": "2030-01-01T00:00:00"}, "ends_at", "timezone-aware"),
        (
            {"starts_at": "2030-02-01T00:00:00Z", "ends_at": "2030-01-01T00:00:00Z"},
            None,
            "ends_at must be after starts_at",
        ),
    ],
)
def test_create_validation_is_422_with_a_clear_message(
    client: TestClient, api: Any, fields: dict[str, Any], field: str | None, message: str
) -> None:
    body = api.quest_body(**fields)
    response = client.post(URL, json=body, headers=api.headers)
    assert response.status_code == 422, response.text
    errors = response.json()["detail"]
    assert len(errors) == 1
    if field is not None:
        assert errors[0]["loc"][-1] == field
    assert message in errors[0]["msg"]
    # Nothing half-written.
    assert client.get(f"{URL}/by-name/{body['name']}").status_code in (404, 422)


def test_an_unknown_reward_is_404_and_nothing_is_written(client: TestClient, api: Any) -> None:
    # The body matches the schema (any UUID): the reward it names is missing, which a 422 would
    # not say (and the OpenAPI document could not predict).
    body = api.quest_body(reward_id=str(uuid.uuid4()))
    response = client.post(URL, json=body, headers=api.headers)
    assert response.status_code == 404, response.text
    assert response.json()["detail"].startswith("Unknown reward")
    assert client.get(f"{URL}/by-name/{body['name']}").status_code == 404


def test_patch_validation_is_422(client: TestClient, api: Any) -> None:
    quest = api.quest(starts_at="2030-01-01T00:00:00Z", ends_at="2030-03-01T00:00:00Z")
    url = f"{URL}/{quest['quest_id']}"
    # One bound moved past the stored other one.
    moved = client.patch(url, json={"starts_at": "2030-04-01T00:00:00Z"}, headers=api.headers)
    assert moved.status_code == 422
    assert moved.json()["detail"][0]["msg"] == "ends_at must be after starts_at"
    for body in (
        {"streak": None},
        {"title": None},
        {"streak": 0},
        {"starts_at": "2030-01-01T00:00:00"},
    ):
        assert client.patch(url, json=body, headers=api.headers).status_code == 422, body
    # A well-formed id of no reward: 404, as on create.
    unknown = {"reward_id": str(uuid.uuid4())}
    assert client.patch(url, json=unknown, headers=api.headers).status_code == 404
    assert client.get(url).json() == quest


def test_triggers_are_listed(client: TestClient) -> None:
    response = client.get("/api/catalog/triggers")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    assert [t["trigger"] for t in body["data"]] == ["sign_in", "event"]
    assert all(t["description"] for t in body["data"])


@pytest.fixture
def own_client(make_settings: Callable[..., Settings], fresh_db_url: str) -> Iterator[TestClient]:
    with TestClient(create_app(make_settings(database_url=fresh_db_url))) as test_client:
        yield test_client


def test_list_filters_and_pagination(own_client: TestClient, admin_headers: dict[str, str]) -> None:
    from_api = own_client.get(URL).json()
    assert from_api == {"data": [], "count": 0}
    reward = own_client.post(
        "/api/catalog/rewards",
        json={"reward_name": "five-gold", "reward_item": "gold", "reward_qty": 5},
        headers=admin_headers,
    ).json()
    names = [f"quest-{i}" for i in range(5)]
    for name in names:
        response = own_client.put(
            f"{URL}/by-name/{name}",
            json={"title": name, "streak": 1, "reward_id": reward["reward_id"]},
            headers=admin_headers,
        )
        assert response.status_code == 201
    quest_ids = {q["name"]: q["quest_id"] for q in own_client.get(URL).json()["data"]}
    own_client.delete(f"{URL}/{quest_ids['quest-1']}", headers=admin_headers)

    everything = own_client.get(URL).json()
    assert everything["count"] == 5
    assert [q["name"] for q in everything["data"]] == names  # oldest first

    active = own_client.get(URL, params={"active": "true", "trigger": "sign_in"}).json()
    assert active["count"] == 4
    assert "quest-1" not in [q["name"] for q in active["data"]]
    assert all(q["reward"]["reward_qty"] == 5 for q in active["data"])
    inactive = own_client.get(URL, params={"active": "false"}).json()
    assert [q["name"] for q in inactive["data"]] == ["quest-1"]

    page = own_client.get(URL, params={"active": "true", "limit": 2, "offset": 2}).json()
    assert page["count"] == 4
    assert [q["name"] for q in page["data"]] == ["quest-3", "quest-4"]
    assert own_client.get(URL, params={"offset": 10}).json() == {"data": [], "count": 5}

    for bad in ({"limit": 0}, {"limit": 1001}, {"offset": -1}, {"trigger": "nope"}):
        assert own_client.get(URL, params=bad).status_code == 422, bad

    rewards = own_client.get("/api/catalog/rewards", params={"limit": 1}).json()
    assert rewards["count"] == 1
    assert rewards["data"][0]["reward_name"] == "five-gold"
