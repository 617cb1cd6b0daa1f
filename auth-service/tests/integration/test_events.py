"""Sign-in events: read back from a real queue bound to a unique exchange."""

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Any

from fastapi.testclient import TestClient

from auth_service.core.config import Settings
from auth_service.main import create_app
from quest_common.events import CloudEvent
from quest_devtools.testing.events import EventsApp
from quest_devtools.testing.plugin import BrokerNames

PREFIX = "/api/auth"


def test_first_login_new_user_sign_in_then_user_sign_in(
    events_app: EventsApp[Settings],
    signup: Callable[..., dict[str, Any]],
    login: Callable[..., dict[str, Any]],
) -> None:
    client = events_app.client
    user = signup(client)
    for _ in range(3):
        tokens = login(client, user["user_name"], user["password"])
    # A refresh is not a password sign-in: it emits nothing.
    refreshed = client.post(
        f"{PREFIX}/login/refresh", json={"refresh_token": tokens["refresh_token"]}
    )
    assert refreshed.status_code == 200
    events = events_app.events(3)

    assert [e["type"] for e in events] == ["NewUserSignIn", "UserSignIn", "UserSignIn"]
    assert len({e["id"] for e in events}) == 3
    for event in events:
        envelope = CloudEvent.model_validate(event)  # the shared envelope model accepts it
        assert envelope.specversion == "1.0"
        assert envelope.source == "auth-service"
        assert envelope.subject == user["user_id"]
        assert envelope.datacontenttype == "application/json"
        assert event["time"].endswith("Z") or event["time"].endswith("+00:00")
        data = envelope.data
        assert data["user_id"] == user["user_id"]
        assert data["user_name"] == user["user_name"]
        signed_in_at = datetime.fromisoformat(data["signed_in_at"].replace("Z", "+00:00"))
        assert signed_in_at == envelope.time
    times = [CloudEvent.model_validate(e).time for e in events]
    assert times == sorted(times)


def test_routing_keys_name_the_producer_and_type(
    relay_settings: Callable[..., Settings],
    broker_names: BrokerNames,
    signup: Callable[..., dict[str, Any]],
    login: Callable[..., dict[str, Any]],
) -> None:
    new_queue = broker_names.probe("new", "auth.NewUserSignIn")
    again_queue = broker_names.probe("again", "auth.UserSignIn")
    with TestClient(create_app(relay_settings())) as client:
        user = signup(client)
        login(client, user["user_name"], user["password"])
        login(client, user["user_name"], user["password"])
        first = broker_names.events(new_queue, expect=1)
        later = broker_names.events(again_queue, expect=1)
    assert [e["type"] for e in first] == ["NewUserSignIn"]
    assert [e["type"] for e in later] == ["UserSignIn"]


def test_fifty_parallel_first_logins_emit_exactly_one_new_user_sign_in(
    events_app: EventsApp[Settings], signup: Callable[..., dict[str, Any]]
) -> None:
    client = events_app.client
    user = signup(client)

    # All fifty leave the gate together, so their transactions really overlap.
    gate = threading.Barrier(50)

    def attempt(_: int) -> int:
        gate.wait(timeout=30)
        response = client.post(
            f"{PREFIX}/login/access-token",
            data={"username": user["user_name"], "password": user["password"]},
        )
        return response.status_code

    with ThreadPoolExecutor(max_workers=50) as pool:
        statuses = list(pool.map(attempt, range(50)))
    events = events_app.events(50)

    assert statuses == [200] * 50
    types = [e["type"] for e in events]
    assert len(events) == 50
    assert types.count("NewUserSignIn") == 1
    assert types.count("UserSignIn") == 49
    assert len({e["id"] for e in events}) == 50
