"""Progression in the catalog against the real database: XP and badge rewards, the badge rules,
the level curve (default, strictly increasing, ETag, admin only, audited)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from quest_common.progression import DEFAULT_LEVEL_THRESHOLDS

LEVELS = "/api/catalog/levels"
REWARDS = "/api/catalog/rewards"
QUESTS = "/api/catalog/quests"


def test_xp_and_badge_rewards_are_accepted(client: TestClient, api: Any) -> None:
    xp = api.reward(reward_item="xp", reward_qty=150)
    badge = api.reward(reward_item="badge", reward_qty=1)
    assert (xp["reward_item"], xp["reward_qty"]) == ("xp", 150)
    assert client.get(f"{REWARDS}/{badge['reward_id']}").json()["reward_item"] == "badge"
    quest = api.quest(reward_id=badge["reward_id"], duplication=1)
    assert quest["reward"]["reward_item"] == "badge"


@pytest.mark.parametrize("qty", [0, -5])
def test_negative_or_zero_xp_is_422(client: TestClient, api: Any, qty: int) -> None:
    body = {"reward_name": "xp-minus", "reward_item": "xp", "reward_qty": qty}
    response = client.post(REWARDS, json=body, headers=api.headers)
    assert response.status_code == 422
    listed = client.get(REWARDS, params={"limit": 1000}).json()["data"]
    assert all(r["reward_name"] != "xp-minus" for r in listed)


def test_a_badge_reward_gives_one_badge(client: TestClient, api: Any) -> None:
    body = {"reward_name": "two-badges", "reward_item": "badge", "reward_qty": 2}
    refused = client.post(REWARDS, json=body, headers=api.headers)
    assert refused.status_code == 422
    assert "reward_qty must be 1" in refused.text
    gold = api.reward(reward_item="gold", reward_qty=3)
    patched = client.patch(
        f"{REWARDS}/{gold['reward_id']}", json={"reward_item": "badge"}, headers=api.headers
    )
    assert patched.status_code == 422
    assert client.get(f"{REWARDS}/{gold['reward_id']}").json()["reward_item"] == "gold"


def test_a_badge_quest_that_repeats_is_422_and_nothing_is_written(
    client: TestClient, api: Any, unique_name: Callable[[str], str]
) -> None:
    badge = api.reward(reward_item="badge", reward_qty=1)
    name = unique_name("badge-twice")
    created = client.post(
        QUESTS,
        json=api.quest_body(name=name, reward_id=badge["reward_id"], duplication=2),
        headers=api.headers,
    )
    assert created.status_code == 422
    assert "duplication must be 1" in created.text
    assert client.get(f"{QUESTS}/by-name/{name}").status_code == 404

    resetting = client.put(
        f"{QUESTS}/by-name/{name}",
        json={
            k: v
            for k, v in api.quest_body(reward_id=badge["reward_id"], reset="daily").items()
            if k != "name"
        },
        headers=api.headers,
    )
    assert resetting.status_code == 422
    assert client.get(f"{QUESTS}/by-name/{name}").status_code == 404

    quest = api.quest(reward_id=badge["reward_id"])
    patched = client.patch(
        f"{QUESTS}/{quest['quest_id']}", json={"duplication": 3}, headers=api.headers
    )
    assert patched.status_code == 422
    assert client.get(f"{QUESTS}/{quest['quest_id']}").json()["duplication"] == 1


def test_a_reward_paid_by_a_repeating_quest_cannot_become_a_badge(
    client: TestClient, api: Any
) -> None:
    gold = api.reward(reward_item="gold", reward_qty=1)
    quest = api.quest(reward_id=gold["reward_id"], duplication=2)
    patched = client.patch(
        f"{REWARDS}/{gold['reward_id']}", json={"reward_item": "badge"}, headers=api.headers
    )
    assert patched.status_code == 422
    assert quest["name"] in patched.json()["detail"][0]["msg"]
    assert client.get(f"{REWARDS}/{gold['reward_id']}").json()["reward_item"] == "gold"


def test_the_default_curve_is_there_from_the_start_with_an_etag(client: TestClient) -> None:
    response = client.get(LEVELS)
    assert response.status_code == 200
    assert response.json()["thresholds"] == list(DEFAULT_LEVEL_THRESHOLDS)
    assert response.json()["levels"] == len(DEFAULT_LEVEL_THRESHOLDS)
    etag = response.headers["etag"]
    assert client.get(LEVELS, headers={"If-None-Match": etag}).status_code == 304


def test_an_admin_replaces_the_curve_and_the_etag_moves(
    client: TestClient, admin_headers: dict[str, str], player_headers: dict[str, str]
) -> None:
    before = client.get(LEVELS)
    curve = [0, 10, 30, 60]
    assert client.put(LEVELS, json={"thresholds": curve}, headers=player_headers).status_code == 403
    assert client.put(LEVELS, json={"thresholds": curve}).status_code == 401
    put = client.put(LEVELS, json={"thresholds": curve}, headers=admin_headers)
    assert put.status_code == 200, put.text
    assert put.json()["thresholds"] == curve
    after = client.get(LEVELS, headers={"If-None-Match": before.headers["etag"]})
    assert after.status_code == 200
    assert after.json()["thresholds"] == curve
    audit = client.get("/api/catalog/admin/audit", headers=admin_headers).json()["data"]
    entry = next(e for e in audit if e["action"] == "levels.update")
    assert entry["after"]["thresholds"] == curve
    # Put back for the other tests sharing this database.
    client.put(LEVELS, json={"thresholds": list(DEFAULT_LEVEL_THRESHOLDS)}, headers=admin_headers)


@pytest.mark.parametrize(
    "thresholds",
    [
        [],
        [0, 100, 100],
        [0, 100, 50],
        [10, 20],
        [0, -1],
        [0, 1.5],
        [0, "100"],
        "0,100",
        [0, 10**13],
    ],
)
def test_a_curve_that_is_not_strictly_increasing_from_zero_is_422(
    client: TestClient, admin_headers: dict[str, str], thresholds: Any
) -> None:
    before = client.get(LEVELS).json()["thresholds"]
    response = client.put(LEVELS, json={"thresholds": thresholds}, headers=admin_headers)
    assert response.status_code == 422, response.text
    assert "detail" in response.json()
    assert client.get(LEVELS).json()["thresholds"] == before


def test_a_level_change_sends_no_quest_changed(
    client: TestClient,
    admin_headers: dict[str, str],
    quest_changes: Callable[..., list[dict[str, Any]]],
) -> None:
    client.put(LEVELS, json={"thresholds": [0, 5, 15]}, headers=admin_headers)
    client.put(LEVELS, json={"thresholds": list(DEFAULT_LEVEL_THRESHOLDS)}, headers=admin_headers)
    assert quest_changes(wait_seconds=2.0) == []
