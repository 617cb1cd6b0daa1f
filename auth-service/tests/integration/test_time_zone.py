"""Player time zones and resumed sessions (DESIGN §10) against the real database and broker:
the zone at sign-up and on /users/me, the once-a-week change, and sign-in events carrying
`time_zone` and `method` — a resumed session being a sign-in once the last one is 30 min old."""

import json
import threading
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import text

from auth_service.core.config import Settings
from auth_service.core.db import build_engine
from quest_devtools.testing.events import EventsApp

PREFIX = "/api/auth"


def _sql(url: str, statement: str, **params: object) -> Any:
    engine = build_engine(url)
    try:
        with engine.begin() as connection:
            result = connection.execute(text(statement), params)
            return result.first() if result.returns_rows else None
    finally:
        engine.dispose()


def _age_last_sign_in(url: str, user_id: str, minutes: float) -> None:
    """Make the player's last sign-in `minutes` old (instead of waiting for it)."""
    _sql(
        url,
        "UPDATE users SET last_sign_in_at = now() - make_interval(secs => :s) WHERE user_id = :id",
        s=minutes * 60,
        id=uuid.UUID(user_id),
    )


def _signup(client: TestClient, **fields: Any) -> dict[str, Any]:
    body = {"user_name": f"tz_{uuid.uuid4().hex[:12]}", "password": "correct-horse-1", **fields}
    response = client.post(f"{PREFIX}/signup", json=body)
    assert response.status_code == 201, response.text
    return {**response.json(), "password": body["password"]}


def _due_for_a_resume(
    events_app: EventsApp[Settings], login: Callable[..., dict[str, Any]], *, sessions: int
) -> list[dict[str, Any]]:
    """A new player signed in `sessions` times (their sign-in events read), whose last sign-in
    is then 45 minutes old: the token pair of each session."""
    user = _signup(events_app.client)
    pairs = [login(events_app.client, user["user_name"], user["password"]) for _ in range(sessions)]
    assert len(events_app.events(expect=sessions)) == sessions
    _age_last_sign_in(events_app.db_url, user["user_id"], minutes=45)
    return pairs


def _bearer(tokens: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {tokens['access_token']}"}


# --- the zone on the user --------------------------------------------------------------------


def test_signup_takes_a_zone_and_me_returns_it(
    client: TestClient, login: Callable[..., dict[str, Any]]
) -> None:
    paris = _signup(client, time_zone="Europe/Paris")
    assert paris["time_zone"] == "Europe/Paris"
    me = client.get(
        f"{PREFIX}/users/me", headers=_bearer(login(client, paris["user_name"], paris["password"]))
    )
    assert me.json()["time_zone"] == "Europe/Paris"
    assert _signup(client)["time_zone"] == "UTC"  # the default


def test_unknown_zone_is_422_and_nothing_is_written(
    client: TestClient, player: dict[str, Any]
) -> None:
    name = f"tz_{uuid.uuid4().hex[:12]}"
    refused = client.post(
        f"{PREFIX}/signup",
        json={"user_name": name, "password": "correct-horse-1", "time_zone": "Mars/Olympus"},
    )
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["loc"] == ["body", "time_zone"]
    assert "Mars/Olympus" not in json.dumps(refused.json()["detail"][0]["msg"])
    login = client.post(
        f"{PREFIX}/login/access-token", data={"username": name, "password": "correct-horse-1"}
    )
    assert login.status_code == 400  # no such user was created

    patched = client.patch(
        f"{PREFIX}/users/me", json={"time_zone": "Mars/Olympus"}, headers=player["headers"]
    )
    assert patched.status_code == 422
    me = client.get(f"{PREFIX}/users/me", headers=player["headers"]).json()
    assert me["time_zone"] == "UTC"
    # The refused attempt did not use up the (westward, so free) first change either.
    ok = client.patch(
        f"{PREFIX}/users/me", json={"time_zone": "America/Chicago"}, headers=player["headers"]
    )
    assert ok.status_code == 200 and ok.json()["time_zone"] == "America/Chicago"


def test_host_only_and_legacy_zone_names_are_422_on_sign_up_and_patch(
    client: TestClient, player: dict[str, Any]
) -> None:
    # `localtime` is whatever the host is set to: a player's day would depend on the replica.
    for name in ("localtime", "Factory", "EST5EDT"):
        body = {"user_name": f"tz_{uuid.uuid4().hex[:12]}", "password": "correct-horse-1"}
        refused = client.post(f"{PREFIX}/signup", json={**body, "time_zone": name})
        assert refused.status_code == 422, (name, refused.text)
        patched = client.patch(
            f"{PREFIX}/users/me", json={"time_zone": name}, headers=player["headers"]
        )
        assert patched.status_code == 422, (name, patched.text)
    assert client.get(f"{PREFIX}/users/me", headers=player["headers"]).json()["time_zone"] == "UTC"


def test_the_free_first_change_gains_no_day(
    client: TestClient, login: Callable[..., dict[str, Any]]
) -> None:
    # Pago Pago (UTC-11) → Kiritimati (UTC+14) right after sign-up would put the player a
    # calendar day ahead: two daily check-ins seconds apart. Eastward, the week runs from sign-up.
    user = _signup(client, time_zone="Pacific/Pago_Pago")
    headers = _bearer(login(client, user["user_name"], user["password"]))
    url = f"{PREFIX}/users/me"
    east = client.patch(url, json={"time_zone": "Pacific/Kiritimati"}, headers=headers)
    assert east.status_code == 409, east.text
    signed_up = datetime.fromisoformat(user["created_at"].replace("Z", "+00:00"))
    next_change = datetime.fromisoformat(east.json()["next_change_at"].replace("Z", "+00:00"))
    assert next_change == signed_up + timedelta(days=7)
    assert client.get(url, headers=headers).json()["time_zone"] == "Pacific/Pago_Pago"

    # The other way round is a free correction: the local date goes back, nothing to gain.
    other = _signup(client, time_zone="Pacific/Kiritimati")
    other_headers = _bearer(login(client, other["user_name"], other["password"]))
    west = client.patch(url, json={"time_zone": "Pacific/Pago_Pago"}, headers=other_headers)
    assert west.status_code == 200, west.text
    # ... and it starts the interval: going back east waits a week.
    back = client.patch(url, json={"time_zone": "Pacific/Kiritimati"}, headers=other_headers)
    assert back.status_code == 409


def test_zone_changes_at_most_once_every_seven_days(
    client: TestClient, auth_db_url: str, login: Callable[..., dict[str, Any]]
) -> None:
    # Set at sign-up: that is not a change, so the first change after it is allowed.
    user = _signup(client, time_zone="Europe/London")
    headers = _bearer(login(client, user["user_name"], user["password"]))
    url = f"{PREFIX}/users/me"
    first = client.patch(url, json={"time_zone": "America/New_York"}, headers=headers)
    assert first.status_code == 200, first.text
    assert first.json()["time_zone"] == "America/New_York"
    changed_at = _sql(
        auth_db_url,
        "SELECT time_zone_changed_at FROM users WHERE user_id = :id",
        id=uuid.UUID(user["user_id"]),
    )[0]

    again = client.patch(url, json={"time_zone": "Pacific/Kiritimati"}, headers=headers)
    assert again.status_code == 409
    body = again.json()
    assert set(body) == {"detail", "next_change_at"}
    next_change = datetime.fromisoformat(body["next_change_at"].replace("Z", "+00:00"))
    assert next_change == changed_at + timedelta(days=7)
    assert client.get(url, headers=headers).json()["time_zone"] == "America/New_York"

    # The same zone again is no change: fine at any time, and it does not restart the wait.
    same = client.patch(url, json={"time_zone": "America/New_York"}, headers=headers)
    assert same.status_code == 200
    assert client.patch(url, json={}, headers=headers).status_code == 200

    # A week later the next change goes through.
    _sql(
        auth_db_url,
        "UPDATE users SET time_zone_changed_at = time_zone_changed_at - interval '7 days' "
        "WHERE user_id = :id",
        id=uuid.UUID(user["user_id"]),
    )
    later = client.patch(url, json={"time_zone": "Pacific/Kiritimati"}, headers=headers)
    assert later.status_code == 200 and later.json()["time_zone"] == "Pacific/Kiritimati"


def test_patch_me_refuses_unknown_fields_and_needs_a_token(
    client: TestClient, player: dict[str, Any]
) -> None:
    url = f"{PREFIX}/users/me"
    assert client.patch(url, json={"time_zone": "UTC"}).status_code == 401
    refused = client.patch(url, json={"role": "admin"}, headers=player["headers"])
    assert refused.status_code == 422
    assert client.get(url, headers=player["headers"]).json()["role"] == "player"


# --- sign-in events carry the zone and the method; resumed sessions ----------------------------


def test_sign_in_events_carry_time_zone_and_method(
    events_app: EventsApp[Settings], login: Callable[..., dict[str, Any]]
) -> None:
    client = events_app.client
    user = _signup(client, time_zone="Australia/Lord_Howe")
    tokens = login(client, user["user_name"], user["password"])
    changed = client.patch(
        f"{PREFIX}/users/me", json={"time_zone": "Europe/Paris"}, headers=_bearer(tokens)
    )
    assert changed.status_code == 200
    login(client, user["user_name"], user["password"])
    events = events_app.events(expect=2)

    assert [e["type"] for e in events] == ["NewUserSignIn", "UserSignIn"]
    assert [e["data"]["time_zone"] for e in events] == ["Australia/Lord_Howe", "Europe/Paris"]
    assert [e["data"]["method"] for e in events] == ["password", "password"]
    # Additive: the fields consumers already read are all still there.
    assert {"user_id", "user_name", "signed_in_at"} <= set(events[0]["data"])


def test_resumed_session_is_a_sign_in_once_the_last_is_thirty_minutes_old(
    events_app: EventsApp[Settings], login: Callable[..., dict[str, Any]]
) -> None:
    fresh_db_url = events_app.db_url
    assert events_app.settings.resume_sign_in_after_s == 1800
    client = events_app.client
    user = _signup(client, time_zone="America/New_York")
    tokens = login(client, user["user_name"], user["password"])
    assert [e["type"] for e in events_app.events(expect=1)] == ["NewUserSignIn"]
    refresh = f"{PREFIX}/login/refresh"

    # Within 30 minutes of the password sign-in: a resume emits nothing.
    _age_last_sign_in(fresh_db_url, user["user_id"], minutes=29)
    within = client.post(refresh, json={"refresh_token": tokens["refresh_token"], "resume": True})
    assert within.status_code == 200, within.text
    assert events_app.events(expect=0) == []

    # 31 minutes: a plain refresh is still no sign-in ...
    _age_last_sign_in(fresh_db_url, user["user_id"], minutes=31)
    plain = client.post(refresh, json={"refresh_token": within.json()["refresh_token"]})
    assert plain.status_code == 200
    assert events_app.events(expect=0) == []
    # ... a resume is, with the refresh token from the cookie (as the web UI sends it).
    resumed = client.post(refresh, json={"resume": True})
    assert resumed.status_code == 200, resumed.text
    events = events_app.events(expect=1)
    # And right after, the next resume is within 30 minutes of that one.
    again = client.post(refresh, json={"resume": True})
    assert again.status_code == 200
    assert events_app.events(expect=0) == []

    assert [e["type"] for e in events] == ["UserSignIn"]
    data = events[0]["data"]
    assert (data["method"], data["time_zone"], data["user_id"]) == (
        "resume",
        "America/New_York",
        user["user_id"],
    )
    assert events[0]["subject"] == user["user_id"]
    last = _sql(
        fresh_db_url,
        "SELECT last_sign_in_at FROM users WHERE user_id = :id",
        id=uuid.UUID(user["user_id"]),
    )[0]
    signed_in_at = datetime.fromisoformat(data["signed_in_at"].replace("Z", "+00:00"))
    assert last == signed_in_at  # the resume is the last sign-in now


def test_parallel_resumes_of_one_player_emit_one_sign_in(
    events_app: EventsApp[Settings], login: Callable[..., dict[str, Any]]
) -> None:
    client = events_app.client
    # Five devices, five sessions (token families).
    sessions = _due_for_a_resume(events_app, login, sessions=5)
    gate = threading.Barrier(5)

    def resume(tokens: dict[str, Any]) -> int:
        gate.wait(timeout=30)
        response = client.post(
            f"{PREFIX}/login/refresh",
            json={"refresh_token": tokens["refresh_token"], "resume": True},
        )
        return response.status_code

    with ThreadPoolExecutor(max_workers=5) as pool:
        statuses = list(pool.map(resume, sessions))
    events = events_app.events(expect=1)

    assert statuses == [200] * 5
    assert [(e["type"], e["data"]["method"]) for e in events] == [("UserSignIn", "resume")]


def test_a_refused_refresh_never_emits_a_resume(
    events_app: EventsApp[Settings], login: Callable[..., dict[str, Any]]
) -> None:
    client = events_app.client
    [tokens] = _due_for_a_resume(events_app, login, sessions=1)
    client.cookies.clear()
    bad = client.post(
        f"{PREFIX}/login/refresh", json={"refresh_token": "not-a-token", "resume": True}
    )
    assert bad.status_code == 401
    refused = client.post(
        f"{PREFIX}/login/refresh",
        json={"refresh_token": tokens["refresh_token"], "resume": "yes please"},
    )
    assert refused.status_code == 422
    assert events_app.events(expect=0) == []
