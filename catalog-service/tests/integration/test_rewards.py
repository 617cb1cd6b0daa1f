"""Rewards over HTTP against the real database: CRUD and every error status."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient

URL = "/api/catalog/rewards"


def test_create_read_update_delete(
    client: TestClient, admin_headers: dict[str, str], unique_name: Callable[[str], str]
) -> None:
    name = unique_name("gold")
    created = client.post(
        URL,
        json={"reward_name": name, "reward_item": "gold", "reward_qty": 7},
        headers=admin_headers,
    )
    assert created.status_code == 201, created.text
    reward = created.json()
    assert reward["reward_name"] == name
    assert (reward["reward_item"], reward["reward_qty"]) == ("gold", 7)
    reward_id = reward["reward_id"]

    fetched = client.get(f"{URL}/{reward_id}")
    assert fetched.status_code == 200
    assert fetched.json()["reward_qty"] == 7

    patched = client.patch(f"{URL}/{reward_id}", json={"reward_qty": 9}, headers=admin_headers)
    assert patched.status_code == 200, patched.text
    assert patched.json()["reward_qty"] == 9
    assert patched.json()["reward_name"] == name
    assert client.get(f"{URL}/{reward_id}").json()["reward_qty"] == 9

    listed = client.get(URL, params={"limit": 1000}).json()
    assert reward_id in {r["reward_id"] for r in listed["data"]}
    assert listed["count"] >= 1

    deleted = client.delete(f"{URL}/{reward_id}", headers=admin_headers)
    assert deleted.status_code == 204
    assert client.get(f"{URL}/{reward_id}").status_code == 404


def test_duplicate_name_is_409(client: TestClient, api: Any) -> None:
    reward = api.reward()
    again = client.post(
        URL,
        json={"reward_name": reward["reward_name"], "reward_item": "diamond", "reward_qty": 1},
        headers=api.headers,
    )
    assert again.status_code == 409
    assert reward["reward_name"] in again.json()["detail"]

    other = api.reward()
    renamed = client.patch(
        f"{URL}/{other['reward_id']}",
        json={"reward_name": reward["reward_name"]},
        headers=api.headers,
    )
    assert renamed.status_code == 409


def test_delete_reward_in_use_is_409_even_for_inactive_quests(client: TestClient, api: Any) -> None:
    reward = api.reward()
    quest = api.quest(reward_id=reward["reward_id"])
    in_use = client.delete(f"{URL}/{reward['reward_id']}", headers=api.headers)
    assert in_use.status_code == 409
    assert "used by 1 quest" in in_use.json()["detail"]

    client.delete(f"/api/catalog/quests/{quest['quest_id']}", headers=api.headers)
    assert client.delete(f"{URL}/{reward['reward_id']}", headers=api.headers).status_code == 409
    assert client.get(f"{URL}/{reward['reward_id']}").status_code == 200


def test_unknown_reward_is_404(client: TestClient, admin_headers: dict[str, str]) -> None:
    missing = uuid.uuid4()
    assert client.get(f"{URL}/{missing}").status_code == 404
    assert client.get(f"{URL}/{missing}").json() == {"detail": "Reward not found"}
    assert (
        client.patch(f"{URL}/{missing}", json={"reward_qty": 2}, headers=admin_headers).status_code
        == 404
    )
    assert client.delete(f"{URL}/{missing}", headers=admin_headers).status_code == 404


def test_validation_errors_are_422_with_the_field(
    client: TestClient, admin_headers: dict[str, str], unique_name: Callable[[str], str]
) -> None:
    cases: list[tuple[dict[str, Any], str]] = [
        ({"reward_name": unique_name("r"), "reward_item": "gold", "reward_qty": 0}, "reward_qty"),
        (
            {"reward_name": unique_name("r"), "reward_item": "silver", "reward_qty": 1},
            "reward_item",
        ),
        ({"reward_name": "Not A Slug", "reward_item": "gold", "reward_qty": 1}, "reward_name"),
        ({"reward_item": "gold", "reward_qty": 1}, "reward_name"),
    ]
    for body, field in cases:
        response = client.post(URL, json=body, headers=admin_headers)
        assert response.status_code == 422, body
        assert [e["loc"][-1] for e in response.json()["detail"]] == [field]

    reward_id = client.post(
        URL,
        json={"reward_name": unique_name("r"), "reward_item": "gold", "reward_qty": 1},
        headers=admin_headers,
    ).json()["reward_id"]
    # Leaving a field out keeps it; sending null for it is an error, not a NOT NULL crash.
    nulled = client.patch(f"{URL}/{reward_id}", json={"reward_qty": None}, headers=admin_headers)
    assert nulled.status_code == 422
    assert client.get(f"{URL}/{reward_id}").json()["reward_qty"] == 1
