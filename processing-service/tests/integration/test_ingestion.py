"""Ingestion on PostgreSQL and the broker (DESIGN §14, guarantee 12 on the API's side): what a
game server's request leaves behind — messages on the worker's queue, `(client, id)` rows, the
source's figures — for each answer the route gives. Catalog is a local double serving the event
types (a real HTTP server); everything else is real."""

from __future__ import annotations

import functools
import json
import threading
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from tests.processing_helpers import declare_events_queue

from processing_service.core.config import Settings
from processing_service.deletions.service import delete_player
from processing_service.ingestion import service
from processing_service.ingestion.models import IngestEvent
from processing_service.ingestion.validation import EventTypeSpec
from processing_service.players.models import PlayerSeen
from processing_service.unit_of_work import UnitOfWork
from quest_common.broker.confirmed_batch import ConfirmedMessage
from quest_common.broker.connection import connect
from quest_common.events import INGEST_KEYS, ingest_envelope_id
from quest_common.security import client_subject
from quest_devtools.testing.catalog_double import CatalogDouble
from quest_devtools.testing.databases import scalar
from quest_devtools.testing.plugin import amqp_target
from quest_devtools.testing.proxy import TcpProxy
from quest_devtools.testing.tokens import TestKeys

EVENT_TYPES = [
    {
        "name": "match_won",
        "is_active": True,
        "built_in": False,
        "properties": {
            "score": {"type": "integer", "required": True},
            "mode": {"type": "string", "required": False},
            "ranked": {"type": "boolean", "required": False},
        },
    },
    {
        "name": "gold_spent",
        "is_active": True,
        "built_in": False,
        "properties": {"amount": {"type": "number", "required": True}},
    },
    {"name": "retired", "is_active": False, "built_in": False, "properties": {}},
    {
        "name": "sign_in",
        "is_active": True,
        "built_in": True,
        "properties": {"user_name": {"type": "string", "required": True}},
    },
]


@pytest.fixture
def catalog() -> Iterator[CatalogDouble]:
    double = CatalogDouble()
    double.event_types = EVENT_TYPES
    yield double
    double.close()


@pytest.fixture
def events_queue(settings: Settings) -> str:
    return declare_events_queue(settings, INGEST_KEYS)


@pytest.fixture
def api(
    api: Callable[..., TestClient], catalog: CatalogDouble, events_queue: str
) -> Callable[..., TestClient]:
    """The app reading event types from the catalog double, its queue declared."""
    return functools.partial(api, catalog_url=catalog.url)


def client_headers(
    keys: TestKeys, client_id: str | None = None, scope: str = "events:write"
) -> dict[str, str]:
    return keys.headers(
        sub=client_subject(client_id or uuid.uuid4()), role="client", name="game", scope=scope
    )


@pytest.fixture
def player(engine: Engine) -> uuid.UUID:
    """A player processing knows (as auth's `UserCreated` makes one)."""
    user = uuid.uuid4()
    with UnitOfWork(engine=engine) as uow:
        uow.players.note([PlayerSeen(user_id=user, time_zone="UTC", at=datetime.now(UTC))])
        uow.commit()
    return user


def event(user: uuid.UUID, **fields: Any) -> dict[str, Any]:
    return {
        "id": f"e-{uuid.uuid4().hex[:12]}",
        "type": "match_won",
        "user_id": str(user),
        "time": datetime.now(UTC).isoformat(),
        "data": {"score": 3},
        **fields,
    }


def waiting(amqp_url: str, queue: str) -> list[tuple[Any, dict[str, Any]]]:
    """Take every message waiting in the queue: (properties, decoded body)."""
    connection = connect(amqp_url, name="test-read")
    taken = []
    try:
        channel = connection.channel()
        while True:
            method, properties, body = channel.basic_get(queue=queue, auto_ack=True)
            if method is None:
                return taken
            taken.append((properties, json.loads(body)))
    finally:
        connection.close()


def recorded(engine: Engine) -> int:
    return int(scalar(engine, "SELECT count(*) FROM ingested_event"))


def test_an_accepted_batch_lands_on_the_workers_queue_as_the_contract_says(
    api: Callable[..., TestClient],
    test_keys: TestKeys,
    player: uuid.UUID,
    engine: Engine,
    amqp_url: str,
    events_queue: str,
) -> None:
    client_id = str(uuid.uuid4())
    at = datetime.now(UTC).replace(microsecond=123456) - timedelta(hours=1)
    local = at.astimezone(timezone(timedelta(hours=2))).isoformat()  # sent with an offset
    sent = [
        event(player, id="won-1", time=local, data={"score": 3, "mode": "duo", "ranked": True}),
        # An integer is a valid number.
        event(player, id="gold-1", type="gold_spent", data={"amount": 5}),
        event(player, id="gold-2", type="gold_spent", data={"amount": 2.5}),
    ]
    response = api().post(
        "/api/processing/events/batch",
        json={"events": sent},
        headers=client_headers(test_keys, client_id),
    )
    assert response.status_code == 202, response.text
    assert response.json() == {"accepted": 3, "duplicates": 0}
    messages = waiting(amqp_url, events_queue)
    assert len(messages) == 3
    by_id = {body["data"]["client_event_id"]: (props, body) for props, body in messages}
    props, body = by_id["won-1"]
    envelope_id = ingest_envelope_id(client_id, "won-1")
    assert body == {
        "specversion": "1.0",
        "id": envelope_id,
        "source": f"client:{client_id}",
        "type": "ingest.match_won",
        "subject": str(player),
        "time": at.astimezone(UTC).isoformat().replace("+00:00", "Z"),
        "datacontenttype": "application/json",
        "data": {
            "user_id": str(player),
            "client_event_id": "won-1",
            "data": {"score": 3, "mode": "duo", "ranked": True},
        },
    }
    assert props.message_id == envelope_id
    assert props.delivery_mode == 2  # persistent
    assert props.type == "ingest.match_won"
    assert by_id["gold-1"][1]["type"] == "ingest.gold_spent"
    assert by_id["gold-1"][1]["data"]["data"] == {"amount": 5}
    assert recorded(engine) == 3


def test_the_same_ids_again_are_duplicates_across_requests_and_inside_one(
    api: Callable[..., TestClient],
    test_keys: TestKeys,
    player: uuid.UUID,
    engine: Engine,
    amqp_url: str,
    events_queue: str,
) -> None:
    client = api()
    client_id = str(uuid.uuid4())
    headers = client_headers(test_keys, client_id)
    a, b = event(player, id="a"), event(player, id="b")
    first = client.post("/api/processing/events/batch", json={"events": [a, b, a]}, headers=headers)
    assert first.json() == {"accepted": 2, "duplicates": 1}, first.text
    again = client.post("/api/processing/events/batch", json={"events": [b, a]}, headers=headers)
    assert again.status_code == 202
    assert again.json() == {"accepted": 0, "duplicates": 2}
    single = client.post("/api/processing/events", json=a, headers=headers)
    assert single.json() == {"accepted": 0, "duplicates": 1}
    # Another client's "a" is its own event.
    other = client.post("/api/processing/events", json=a, headers=client_headers(test_keys))
    assert other.json() == {"accepted": 1, "duplicates": 0}
    assert sorted(
        body["data"]["client_event_id"] for _, body in waiting(amqp_url, events_queue)
    ) == [
        "a",
        "a",
        "b",
    ]
    assert recorded(engine) == 3


def test_each_problem_is_refused_naming_its_event_and_nothing_is_accepted(
    api: Callable[..., TestClient],
    test_keys: TestKeys,
    player: uuid.UUID,
    engine: Engine,
    amqp_url: str,
    events_queue: str,
) -> None:
    deleted = uuid.uuid4()
    with UnitOfWork(engine=engine) as uow:
        uow.players.note([PlayerSeen(user_id=deleted, time_zone="UTC", at=datetime.now(UTC))])
        delete_player(uow=uow, user_id=deleted, deleted_at=None)
        uow.commit()
    now = datetime.now(UTC)
    # (the bad event's fields, its expected loc, its expected code)
    cases: list[tuple[dict[str, Any], list[Any], str]] = [
        ({"type": "chest_opened"}, ["type"], "unknown_type"),
        ({"type": "retired", "data": {}}, ["type"], "inactive_type"),
        ({"type": "sign_in", "data": {"user_name": "x"}}, ["type"], "built_in_type"),
        ({"data": {}}, ["data", "score"], "missing_property"),
        ({"data": {"score": "3"}}, ["data", "score"], "wrong_type"),
        ({"data": {"score": 2.5}}, ["data", "score"], "wrong_type"),
        ({"data": {"score": True}}, ["data", "score"], "wrong_type"),
        ({"type": "gold_spent", "data": {"amount": False}}, ["data", "amount"], "wrong_type"),
        ({"data": {"score": 1, "scroe": 2}}, ["data", "scroe"], "unknown_property"),
        ({"user_id": str(uuid.uuid4())}, ["user_id"], "unknown_player"),
        ({"user_id": str(deleted)}, ["user_id"], "deleted_player"),
        ({"time": (now + timedelta(minutes=6)).isoformat()}, ["time"], "time_ahead"),
        ({"time": (now - timedelta(days=31)).isoformat()}, ["time"], "time_too_old"),
        ({"id": "x" * 129}, ["id"], "string_too_long"),
        ({"id": ""}, ["id"], "string_too_short"),
        ({"user_id": "not-a-uuid"}, ["user_id"], "uuid_parsing"),
        ({"time": "2026-01-01T10:00:00"}, ["time"], "timezone_aware"),
        ({"time": 1767261600}, ["time"], "value_error"),
        ({"data": [1]}, ["data"], "dict_type"),
        ({"extra": 1}, ["extra"], "extra_forbidden"),
    ]
    client = api()
    headers = client_headers(test_keys)
    for fields, loc, code in cases:
        bad = event(player, **fields)
        response = client.post(
            "/api/processing/events/batch",
            json={"events": [event(player), bad, event(player)]},
            headers=headers,
        )
        assert response.status_code == 422, (fields, response.text)
        problems = response.json()["detail"]
        assert [(p["index"], p["loc"], p["type"]) for p in problems] == [(1, loc, code)], fields
        assert problems[0]["msg"]
        # The single route: the same problem, at index 0.
        alone = client.post("/api/processing/events", json=bad, headers=headers)
        assert alone.status_code == 422, (fields, alone.text)
        assert [(p["index"], p["loc"]) for p in alone.json()["detail"]] == [(0, loc)], fields
    missing = event(player)
    del missing["user_id"]
    response = client.post(
        "/api/processing/events/batch", json={"events": [missing]}, headers=headers
    )
    assert [(p["index"], p["loc"], p["type"]) for p in response.json()["detail"]] == [
        (0, ["user_id"], "missing")
    ]
    # Problems of several events are all listed; the request's own has no index.
    several = client.post(
        "/api/processing/events/batch",
        json={"events": [event(player, type="nope"), event(player, data={})]},
        headers=headers,
    )
    assert [p["index"] for p in several.json()["detail"]] == [0, 1]
    for body in ({"events": []}, {"events": [event(player)] * 501}):
        whole = client.post("/api/processing/events/batch", json=body, headers=headers)
        assert whole.status_code == 422
        assert [(p["index"], p["loc"]) for p in whole.json()["detail"]] == [(None, ["events"])]
    assert waiting(amqp_url, events_queue) == []
    assert recorded(engine) == 0


def test_only_a_client_token_with_events_write_may_send(
    api: Callable[..., TestClient],
    test_keys: TestKeys,
    player: uuid.UUID,
    engine: Engine,
    amqp_url: str,
    events_queue: str,
) -> None:
    client = api()
    body = {"events": [event(player)]}
    for headers in (
        test_keys.headers(sub=str(player)),  # a player
        test_keys.headers(sub=str(uuid.uuid4()), role="admin"),  # an admin
        client_headers(test_keys, scope="wallet:debit"),  # a client without the scope
    ):
        for path, json_body in (("/events/batch", body), ("/events", body["events"][0])):
            response = client.post(f"/api/processing{path}", json=json_body, headers=headers)
            assert response.status_code == 403, response.text
    assert client.post("/api/processing/events/batch", json=body).status_code == 401
    # And a client token is refused on the people's routes.
    refused = client.get("/api/processing/me/quests", headers=client_headers(test_keys))
    assert refused.status_code == 403
    assert waiting(amqp_url, events_queue) == []
    assert recorded(engine) == 0


def test_over_the_rate_a_client_gets_429_with_retry_after_and_nothing_is_recorded(
    api: Callable[..., TestClient],
    test_keys: TestKeys,
    player: uuid.UUID,
    engine: Engine,
    amqp_url: str,
    events_queue: str,
) -> None:
    client = api(ingest_rate_per_s=0.5, ingest_burst=3)
    headers = client_headers(test_keys)
    ok = client.post(
        "/api/processing/events/batch",
        json={"events": [event(player), event(player)]},
        headers=headers,
    )
    assert ok.status_code == 202
    over = client.post(
        "/api/processing/events/batch",
        json={"events": [event(player), event(player)]},
        headers=headers,
    )
    assert over.status_code == 429, over.text
    assert int(over.headers["Retry-After"]) >= 1
    # Another client has a bucket of its own.
    other = client.post(
        "/api/processing/events", json=event(player), headers=client_headers(test_keys)
    )
    assert other.status_code == 202
    assert recorded(engine) == 3
    assert len(waiting(amqp_url, events_queue)) == 3


def test_broker_unreachable_is_a_503_that_records_nothing_and_the_retry_succeeds(
    api: Callable[..., TestClient],
    test_keys: TestKeys,
    player: uuid.UUID,
    engine: Engine,
    amqp_url: str,
    events_queue: str,
    tcp_proxy: Callable[[str, int], TcpProxy],
) -> None:
    proxy = tcp_proxy(*amqp_target(amqp_url))
    client = api(amqp_url=proxy.url_for(amqp_url), ingest_confirm_timeout_s=2.0)
    headers = client_headers(test_keys)
    warm = client.post("/api/processing/events", json=event(player), headers=headers)
    assert warm.status_code == 202  # the publishers hold a connection now
    waiting(amqp_url, events_queue)
    batch = {"events": [event(player), event(player)]}
    proxy.cut()
    for _ in range(2):  # on a connection the cut broke, and with no connection at all
        refused = client.post("/api/processing/events/batch", json=batch, headers=headers)
        assert refused.status_code == 503, refused.text
        assert int(refused.headers["Retry-After"]) >= 1
    assert recorded(engine) == 1
    proxy.restore()
    retried = client.post("/api/processing/events/batch", json=batch, headers=headers)
    assert retried.status_code == 202, retried.text
    assert retried.json() == {"accepted": 2, "duplicates": 0}
    assert recorded(engine) == 3
    assert {b["data"]["client_event_id"] for _, b in waiting(amqp_url, events_queue)} == {
        e["id"] for e in batch["events"]
    }


def test_a_body_over_one_mebibyte_is_a_413(
    api: Callable[..., TestClient], test_keys: TestKeys, player: uuid.UUID, engine: Engine
) -> None:
    padding = "x" * (1024 * 1024)
    response = api().post(
        "/api/processing/events/batch",
        json={"events": [event(player, data={"mode": padding, "score": 1})]},
        headers=client_headers(test_keys),
    )
    assert response.status_code == 413
    assert recorded(engine) == 0


def test_catalog_never_read_is_a_503(
    api: Callable[..., TestClient], test_keys: TestKeys, player: uuid.UUID, engine: Engine
) -> None:
    response = api(catalog_url="http://127.0.0.1:9").post(
        "/api/processing/events", json=event(player), headers=client_headers(test_keys)
    )
    assert response.status_code == 503, response.text
    assert "event types" in response.json()["detail"]
    assert int(response.headers["Retry-After"]) >= 1
    assert recorded(engine) == 0


def test_the_operations_page_shows_each_sources_figures_of_the_day(
    api: Callable[..., TestClient], test_keys: TestKeys, player: uuid.UUID
) -> None:
    client = api()
    client_id = str(uuid.uuid4())
    headers = client_headers(test_keys, client_id)
    sent = [event(player), event(player), event(player, type="gold_spent", data={"amount": 1})]
    client.post("/api/processing/events/batch", json={"events": sent}, headers=headers)
    client.post("/api/processing/events/batch", json={"events": sent[:1]}, headers=headers)
    bad = [event(player, type="nope"), event(player, data={}), event(player)]
    assert (
        client.post("/api/processing/events/batch", json={"events": bad}, headers=headers)
    ).status_code == 422
    assert client.post("/api/processing/events", json={}, headers=headers).status_code == 422
    ops = client.get(
        "/api/processing/admin/ops",
        headers=test_keys.headers(sub=str(uuid.uuid4()), role="admin"),
    )
    assert ops.status_code == 200, ops.text
    [source] = [s for s in ops.json()["sources"] if s["client_id"] == client_id]
    # Duplicates are not events of the day; refused ones count once each.
    assert source["events_today"] == {"match_won": 2, "gold_spent": 1}
    assert source["rejected_today"] == 3
    seen = datetime.fromisoformat(source["last_seen_at"])
    assert datetime.now(UTC) - seen < timedelta(minutes=1)


def test_a_parallel_retry_waits_for_the_first_and_is_then_a_duplicate(
    engine: Engine, player: uuid.UUID
) -> None:
    """Two requests with the same (client, id): the second waits on the first's row until it
    commits, then counts it a duplicate; only the first publishes."""
    types = {"match_won": EventTypeSpec.from_catalog(EVENT_TYPES[0])}
    events = [IngestEvent.model_validate(event(player, id="same"))]
    holding, release = threading.Event(), threading.Event()
    published: list[list[ConfirmedMessage]] = []

    def slow_publish(messages: Any) -> None:
        published.append(list(messages))
        holding.set()
        assert release.wait(10)

    def run(publish: Any) -> tuple[Any, Any]:
        return service.ingest(
            uow=UnitOfWork(engine=engine),
            publish=publish,
            types=types,
            client_id="c1",
            events=events,
            now=datetime.now(UTC),
        )

    answers: dict[str, Any] = {}
    first = threading.Thread(target=lambda: answers.setdefault("first", run(slow_publish)[0]))
    first.start()
    assert holding.wait(10)
    second = threading.Thread(target=lambda: answers.setdefault("second", run(published.append)[0]))
    second.start()
    second.join(0.5)
    assert second.is_alive()  # waiting on the first's row
    release.set()
    first.join(10)
    second.join(10)
    assert answers["first"].model_dump() == {"accepted": 1, "duplicates": 0}
    assert answers["second"].model_dump() == {"accepted": 0, "duplicates": 1}
    assert [len(batch) for batch in published] == [1]  # nothing new: nothing published


def test_a_deleted_players_ingested_events_are_erased_and_exported_before(
    engine: Engine, player: uuid.UUID
) -> None:
    from processing_service import views

    types = {"match_won": EventTypeSpec.from_catalog(EVENT_TYPES[0])}
    service.ingest(
        uow=UnitOfWork(engine=engine),
        publish=lambda _messages: None,
        types=types,
        client_id="c1",
        events=[IngestEvent.model_validate(event(player, id="kept"))],
        now=datetime.now(UTC),
    )
    with UnitOfWork(engine=engine, read_only=True) as reads:
        exported = views.player_data(session=reads.session, user_id=player)
    assert [(e["client_id"], e["event_id"]) for e in exported["ingested_events"]] == [
        ("c1", "kept")
    ]
    with UnitOfWork(engine=engine) as uow:
        delete_player(uow=uow, user_id=player, deleted_at=None)
        uow.commit()
    assert recorded(engine) == 0
