"""Idempotent seeding: PUT by name, and the prestart job's reference catalog."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient

from catalog_service.core.config import Settings
from catalog_service.main import create_app
from catalog_service.prestart import run as prestart
from quest_devtools.testing.databases import scalar
from quest_devtools.testing.quests import catalog_quest


def test_put_by_name_creates_then_updates_and_repeats_are_no_ops(
    client: TestClient,
    admin_headers: dict[str, str],
    settings: Settings,
    quest_changes: Callable[..., list[dict[str, Any]]],
    unique_name: Callable[[str], str],
) -> None:
    reward_name, quest_name = unique_name("reward"), unique_name("quest")
    reward_url = f"/api/catalog/rewards/by-name/{reward_name}"
    quest_url = f"/api/catalog/quests/by-name/{quest_name}"

    first = client.put(
        reward_url, json={"reward_item": "diamond", "reward_qty": 10}, headers=admin_headers
    )
    assert first.status_code == 201
    reward_id = first.json()["reward_id"]
    quest_body = {"title": "Seeded", "streak": 3, "duplication": 2, "reward_id": reward_id}
    created = client.put(quest_url, json=quest_body, headers=admin_headers)
    assert created.status_code == 201
    quest = created.json()

    # The same seed again: same rows, nothing written.
    assert (
        client.put(
            reward_url, json={"reward_item": "diamond", "reward_qty": 10}, headers=admin_headers
        ).json()["reward_id"]
        == reward_id
    )
    again = client.put(quest_url, json=quest_body, headers=admin_headers)
    assert again.status_code == 200
    assert again.json() == quest

    # A changed seed updates in place.
    changed = client.put(quest_url, json={**quest_body, "streak": 5}, headers=admin_headers)
    assert changed.status_code == 200
    assert changed.json()["quest_id"] == quest["quest_id"]
    assert changed.json()["streak"] == 5

    assert (
        scalar(settings.database_url, "SELECT count(*) FROM quest WHERE name = :n", n=quest_name)
        == 1
    )
    assert (
        scalar(
            settings.database_url,
            "SELECT count(*) FROM reward WHERE reward_name = :n",
            n=reward_name,
        )
        == 1
    )
    events = [e["data"] for e in quest_changes(expect=3)]
    # reward created, quest created, quest updated — the repeats published nothing.
    assert [(e["change"], e["quest_id"]) for e in events] == [
        ("created", None),
        ("created", quest["quest_id"]),
        ("updated", quest["quest_id"]),
    ]


def test_put_by_name_validates_the_name_and_reward(
    client: TestClient, admin_headers: dict[str, str]
) -> None:
    bad_name = client.put(
        "/api/catalog/rewards/by-name/Bad_Name",
        json={"reward_item": "gold", "reward_qty": 1},
        headers=admin_headers,
    )
    assert bad_name.status_code == 422
    unknown_reward = client.put(
        "/api/catalog/quests/by-name/some-quest",
        json={"title": "x", "streak": 1, "reward_id": "00000000-0000-0000-0000-000000000000"},
        headers=admin_headers,
    )
    # A well-formed id that names no reward is a missing resource, as the OpenAPI says.
    assert unknown_reward.status_code == 404
    assert unknown_reward.json()["detail"].startswith("Unknown reward")
    missing = client.get("/api/catalog/quests/by-name/some-quest", headers=admin_headers)
    assert missing.status_code == 404  # nothing was written


def test_prestart_migrates_and_seeds_the_reference_catalog_once(
    make_settings: Callable[..., Settings], database_url_factory: Callable[[str], str]
) -> None:
    # An empty database: prestart must migrate it as well.
    settings = make_settings(database_url=database_url_factory("catalog"))
    prestart(settings)
    prestart(settings)
    with TestClient(create_app(settings)) as client:
        quests = client.get("/api/catalog/quests", params={"active": "true"}).json()
        rewards = client.get("/api/catalog/rewards").json()
    assert quests["count"] == 1
    assert rewards["count"] == 1
    quest, reference = quests["data"][0], catalog_quest()
    fields = (
        "name",
        "title",
        "streak",
        "duplication",
        "auto_claim",
        "streak_mode",
        "trigger",
        "is_active",
    )
    assert {k: quest[k] for k in fields} == {k: reference[k] for k in fields}
    prize = ("reward_name", "reward_item", "reward_qty")
    assert {k: quest["reward"][k] for k in prize} == {k: reference["reward"][k] for k in prize}
    # Two runs, two events (reward and quest created): the second run wrote nothing.
    assert scalar(settings.database_url, "SELECT count(*) FROM outbox_event") == 2
