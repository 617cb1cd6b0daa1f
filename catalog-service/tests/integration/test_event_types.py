"""Event types and quests on any event, over HTTP against the real database and broker: the
built-in `sign_in`, idempotent PUT by name with ETag reads, deactivation guarded by the quests
that count a type, and every refusal of a quest's filters, sum and prerequisites."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient

TYPES = "/api/catalog/event-types"
QUESTS = "/api/catalog/quests"

MATCH_PROPERTIES = {
    "mode": {"type": "string", "required": True},
    "kills": {"type": "integer", "required": False},
    "gold": {"type": "number", "required": False},
    "ranked": {"type": "boolean", "required": False},
}


def type_name() -> str:
    return f"match_won_{uuid.uuid4().hex[:8]}"


def put_type(client: TestClient, headers: dict[str, str], name: str, **fields: Any) -> Any:
    body = {"title": "Match won", "properties": MATCH_PROPERTIES, **fields}
    return client.put(f"{TYPES}/by-name/{name}", json=body, headers=headers)


def detail_of(response: Any) -> str:
    detail = response.json()["detail"]
    return detail if isinstance(detail, str) else " ".join(d["msg"] for d in detail)


def test_sign_in_is_built_in_and_read_only(client: TestClient, api: Any) -> None:
    sign_in = client.get(f"{TYPES}/by-name/sign_in")
    assert sign_in.status_code == 200
    body = sign_in.json()
    assert body["built_in"] is True and body["is_active"] is True
    assert set(body["properties"]) == {"user_name", "signed_in_at", "time_zone", "method"}
    assert body["properties"]["method"] == {"type": "string", "required": True}
    assert "sign_in" in [t["name"] for t in client.get(TYPES).json()["data"]]

    changed = put_type(client, api.headers, "sign_in")
    assert changed.status_code == 409 and "read-only" in changed.json()["detail"]
    deleted = client.delete(f"{TYPES}/by-name/sign_in", headers=api.headers)
    assert deleted.status_code == 409
    assert client.get(f"{TYPES}/by-name/sign_in").json() == body


def test_put_by_name_is_idempotent_audited_and_announced(
    client: TestClient, api: Any, quest_changes: Callable[..., list[dict[str, Any]]]
) -> None:
    name = type_name()
    created = put_type(client, api.headers, name, description="A game won")
    assert created.status_code == 201, created.text
    event_type = created.json()
    assert (event_type["name"], event_type["title"], event_type["description"]) == (
        name,
        "Match won",
        "A game won",
    )
    assert event_type["properties"]["kills"] == {"type": "integer", "required": False}
    assert event_type["is_active"] is True and event_type["built_in"] is False

    again = put_type(client, api.headers, name, description="A game won")
    assert again.status_code == 200 and again.json() == event_type
    changed = put_type(client, api.headers, name, title="Match won!")
    assert changed.status_code == 200 and changed.json()["title"] == "Match won!"

    # One event per real change (created, updated), none for the identical PUT; each names
    # the type so processing can drop what it cached of it.
    events = quest_changes(expect=2, wait_seconds=10)
    assert [(e["data"]["change"], e["data"]["event_type"]) for e in events] == [
        ("created", name),
        ("updated", name),
    ]
    assert quest_changes(wait_seconds=1) == []

    audit = client.get("/api/catalog/admin/audit", params={"limit": 50}, headers=api.headers)
    mine = [e for e in audit.json()["data"] if e["target_id"] == event_type["event_type_id"]]
    assert [e["action"] for e in mine] == ["event_type.update", "event_type.create"]
    assert (mine[0]["before"]["title"], mine[0]["after"]["title"]) == ("Match won", "Match won!")


def test_reads_carry_an_etag(client: TestClient, api: Any) -> None:
    name = type_name()
    assert put_type(client, api.headers, name).status_code == 201
    one = client.get(f"{TYPES}/by-name/{name}")
    etag = one.headers["ETag"]
    assert client.get(f"{TYPES}/by-name/{name}", headers={"If-None-Match": etag}).status_code == 304
    listed = client.get(TYPES)
    assert client.get(TYPES, headers={"If-None-Match": listed.headers["ETag"]}).status_code == 304
    put_type(client, api.headers, name, title="Renamed")
    assert client.get(f"{TYPES}/by-name/{name}", headers={"If-None-Match": etag}).status_code == 200
    assert client.get(f"{TYPES}/by-name/no_such_type").status_code == 404


def test_bad_bodies_and_players_are_refused(
    client: TestClient, api: Any, player_headers: dict[str, str]
) -> None:
    assert put_type(client, player_headers, type_name()).status_code == 403
    for path_name in ("Match", "match.won", "9lives", "a" * 65):
        assert put_type(client, api.headers, path_name).status_code == 422, path_name
    bad_properties: list[Any] = [
        {"kills": {"type": "float"}},
        {"bad name": {"type": "string"}},
        {"kills": "integer"},
        {f"p{i}": {"type": "string"} for i in range(51)},
    ]
    for properties in bad_properties:
        response = put_type(client, api.headers, type_name(), properties=properties)
        assert response.status_code == 422, properties
    assert put_type(client, api.headers, type_name(), title="").status_code == 422


def quest_on(api: Any, event_type: str, **fields: Any) -> Any:
    body = api.quest_body(event_type=event_type, **fields)
    body.pop("trigger")
    return api.client.post(QUESTS, json=body, headers=api.headers)


def test_a_quest_counts_any_event_with_filters_sum_and_prerequisites(
    client: TestClient, api: Any
) -> None:
    name = type_name()
    put_type(client, api.headers, name)
    first = api.quest()
    created = quest_on(
        api,
        name,
        where=[
            {"property": "mode", "op": "in", "value": ["duo", "squad"]},
            {"property": "kills", "op": "gte", "value": 3},
            {"property": "ranked", "op": "eq", "value": True},
        ],
        measure="sum",
        measure_property="gold",
        streak=500,
        requires=[first["name"]],
    )
    assert created.status_code == 201, created.text
    quest = created.json()
    assert (quest["event_type"], quest["trigger"], quest["measure"]) == (name, "event", "sum")
    assert quest["measure_property"] == "gold" and quest["requires"] == [first["name"]]
    assert quest["where"][1] == {"property": "kills", "op": "gte", "value": 3}
    # Reads embed the fields, and the list filters by type.
    assert client.get(f"{QUESTS}/{quest['quest_id']}").json() == quest
    listed = client.get(QUESTS, params={"event_type": name}).json()
    assert [q["quest_id"] for q in listed["data"]] == [quest["quest_id"]]
    assert quest["quest_id"] not in [
        q["quest_id"] for q in client.get(QUESTS, params={"trigger": "sign_in"}).json()["data"]
    ]
    # An old-style body still makes a sign-in quest counted one by one.
    assert (first["event_type"], first["trigger"]) == ("sign_in", "sign_in")
    assert first["measure"] == "count"
    assert (first["where"], first["requires"], first["measure_property"]) == ([], [], None)

    # Changing the type of a quest moves its trigger with it.
    moved = client.patch(
        f"{QUESTS}/{first['quest_id']}", json={"event_type": name}, headers=api.headers
    )
    assert moved.status_code == 200, moved.text
    assert (moved.json()["event_type"], moved.json()["trigger"]) == (name, "event")


def test_quest_refusals_name_the_field(client: TestClient, api: Any) -> None:
    name = type_name()
    put_type(client, api.headers, name)
    inactive = type_name()
    put_type(client, api.headers, inactive)
    client.delete(f"{TYPES}/by-name/{inactive}", headers=api.headers)
    cases: list[tuple[dict[str, Any], str]] = [
        ({"event_type": "no_such_type"}, "Unknown event type"),
        ({"event_type": inactive}, "inactive"),
        ({"where": [{"property": "deaths", "op": "eq", "value": 1}]}, "no property 'deaths'"),
        ({"where": [{"property": "kills", "op": "eq", "value": "3"}]}, "does not fit"),
        ({"where": [{"property": "mode", "op": "gt", "value": "a"}]}, "numeric"),
        ({"measure": "sum", "measure_property": "mode"}, "integer or number"),
        ({"measure": "sum"}, "needs a measure_property"),
        ({"measure": "sum", "measure_property": "gold", "streak_mode": "daily"}, "meaningless"),
        ({"measure_property": "gold"}, "measure sum only"),
        ({"requires": ["no-such-quest"]}, "unknown quest"),
        ({"trigger": "sign_in"}, "does not go with"),
    ]
    for fields, message in cases:
        body = api.quest_body(**{"event_type": name, **fields})
        if "trigger" not in fields:
            body.pop("trigger")
        response = client.post(QUESTS, json=body, headers=api.headers)
        assert response.status_code == 422, (fields, response.text)
        assert message in detail_of(response), (fields, response.text)
    assert client.get(QUESTS, params={"event_type": name}).json()["count"] == 0


def test_prerequisite_cycles_and_stranding_renames_are_refused(
    client: TestClient, api: Any
) -> None:
    first = api.quest()
    second = api.quest(requires=[first["name"]])
    third = api.quest(requires=[second["name"]])
    loop = client.patch(
        f"{QUESTS}/{first['quest_id']}", json={"requires": [third["name"]]}, headers=api.headers
    )
    assert loop.status_code == 422
    assert detail_of(loop).endswith(
        f"{first['name']} → {third['name']} → {second['name']} → {first['name']}"
    )
    itself = client.patch(
        f"{QUESTS}/{first['quest_id']}", json={"requires": [first["name"]]}, headers=api.headers
    )
    assert itself.status_code == 422
    renamed = client.patch(
        f"{QUESTS}/{first['quest_id']}", json={"name": f"{first['name']}-x"}, headers=api.headers
    )
    assert renamed.status_code == 422 and second["name"] in detail_of(renamed)
    # PUT by name is checked the same way.
    upsert = {"title": "Loop", "streak": 1, "reward_id": first["reward_id"]}
    put_loop = client.put(
        f"{QUESTS}/by-name/{first['name']}",
        json={**upsert, "requires": [second["name"]]},
        headers=api.headers,
    )
    assert put_loop.status_code == 422
    assert client.get(f"{QUESTS}/{first['quest_id']}").json()["requires"] == []


def test_a_type_in_use_cannot_be_deactivated_or_lose_what_quests_read(
    client: TestClient, api: Any
) -> None:
    name = type_name()
    put_type(client, api.headers, name)
    quest = quest_on(
        api,
        name,
        where=[{"property": "mode", "op": "eq", "value": "duo"}],
        measure="sum",
        measure_property="gold",
    ).json()

    in_use = client.delete(f"{TYPES}/by-name/{name}", headers=api.headers)
    assert in_use.status_code == 409 and quest["name"] in in_use.json()["detail"]
    without_gold = {k: v for k, v in MATCH_PROPERTIES.items() if k != "gold"}
    shrunk = put_type(client, api.headers, name, properties=without_gold)
    assert shrunk.status_code == 409 and "gold" in shrunk.json()["detail"]
    retyped = {**MATCH_PROPERTIES, "mode": {"type": "integer", "required": True}}
    assert put_type(client, api.headers, name, properties=retyped).status_code == 409
    assert client.get(f"{TYPES}/by-name/{name}").json()["properties"] == MATCH_PROPERTIES

    # Once its quest is off, the type can go; a PUT brings it back.
    client.delete(f"{QUESTS}/{quest['quest_id']}", headers=api.headers)
    gone = client.delete(f"{TYPES}/by-name/{name}", headers=api.headers)
    assert gone.status_code == 200 and gone.json()["is_active"] is False
    active = client.get(TYPES, params={"active": True}).json()["data"]
    assert name not in [t["name"] for t in active]
    reactivate = client.patch(
        f"{QUESTS}/{quest['quest_id']}", json={"is_active": True}, headers=api.headers
    )
    assert reactivate.status_code == 422 and "inactive" in detail_of(reactivate)
    back = put_type(client, api.headers, name)
    assert back.status_code == 200 and back.json()["is_active"] is True
    assert client.delete(f"{TYPES}/by-name/no_such_type", headers=api.headers).status_code == 404
