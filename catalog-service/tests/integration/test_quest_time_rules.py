"""Quest time rules (reset, grace_days, cooldown_s, claim_within_s) over HTTP: stored, read
back, defaulted, and contradictions refused on every write path with nothing changed."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

URL = "/api/catalog/quests"

TIME_FIELDS = ("reset", "grace_days", "cooldown_s", "claim_within_s")


def _field_error(response: Any, field: str) -> str:
    assert response.status_code == 422, response.text
    detail = response.json()["detail"]
    assert [e["loc"] for e in detail] == [["body", field]], detail
    message: str = detail[0]["msg"]
    return message


def test_defaults_keep_todays_behaviour(client: TestClient, api: Any) -> None:
    quest = api.quest()
    assert {f: quest[f] for f in TIME_FIELDS} == {
        "reset": "none",
        "grace_days": 0,
        "cooldown_s": 0,
        "claim_within_s": None,
    }


def test_time_rules_are_stored_and_read_back(client: TestClient, api: Any) -> None:
    fields = {"streak_mode": "daily", "reset": "weekly", "grace_days": 2, "cooldown_s": 3600}
    quest = api.quest(**fields, claim_within_s=172_800)
    for read in (
        client.get(f"{URL}/{quest['quest_id']}").json(),
        client.get(f"{URL}/by-name/{quest['name']}").json(),
        next(q for q in client.get(URL).json()["data"] if q["quest_id"] == quest["quest_id"]),
    ):
        assert {f: read[f] for f in (*TIME_FIELDS, "streak_mode")} == {
            **fields,
            "claim_within_s": 172_800,
        }

    patched = client.patch(
        f"{URL}/{quest['quest_id']}", json={"claim_within_s": None}, headers=api.headers
    )
    assert patched.status_code == 200, patched.text
    assert patched.json()["claim_within_s"] is None


def test_post_refuses_contradictions(client: TestClient, api: Any) -> None:
    before = client.get(URL).json()["count"]
    body = api.quest_body(streak_mode="daily", reset="daily")
    assert "meaningless" in _field_error(client.post(URL, json=body, headers=api.headers), "reset")
    body = api.quest_body(streak_mode="count", grace_days=1)
    message = _field_error(client.post(URL, json=body, headers=api.headers), "grace_days")
    assert "streak_mode daily" in message
    assert client.get(URL).json()["count"] == before


def test_patch_validates_the_merged_result(client: TestClient, api: Any) -> None:
    quest = api.quest(streak_mode="daily", grace_days=2)
    url = f"{URL}/{quest['quest_id']}"
    # Each change alone is fine on paper; against the stored row it is a contradiction.
    to_count = client.patch(url, json={"streak_mode": "count"}, headers=api.headers)
    _field_error(to_count, "grace_days")
    _field_error(client.patch(url, json={"reset": "daily"}, headers=api.headers), "reset")
    assert client.get(url).json() == quest  # nothing changed

    both = client.patch(url, json={"streak_mode": "count", "grace_days": 0}, headers=api.headers)
    assert both.status_code == 200, both.text
    assert (both.json()["streak_mode"], both.json()["grace_days"]) == ("count", 0)
    daily_reset = client.patch(url, json={"reset": "daily"}, headers=api.headers)
    assert daily_reset.status_code == 200 and daily_reset.json()["reset"] == "daily"


def test_put_by_name_refuses_contradictions_on_create_and_replace(
    client: TestClient, api: Any, unique_name: Any
) -> None:
    name = unique_name("quest")
    url = f"{URL}/by-name/{name}"
    body = api.quest_body(streak_mode="daily", reset="daily")
    del body["name"]
    _field_error(client.put(url, json=body, headers=api.headers), "reset")
    assert client.get(url).status_code == 404

    body.update(reset="weekly", grace_days=3)
    created = client.put(url, json=body, headers=api.headers)
    assert created.status_code == 201, created.text
    body.update(streak_mode="count")
    _field_error(client.put(url, json=body, headers=api.headers), "grace_days")
    assert client.get(url).json() == created.json()
