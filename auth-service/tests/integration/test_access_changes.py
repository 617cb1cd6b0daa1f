"""Authorisation is current: a demotion, a ban or a logout-everywhere voids the tokens issued
before it, in auth at once and, through `auth.UserAccessChanged` and the signed snapshot, in
every other service."""

from collections.abc import Callable
from typing import Any

import jwt
from fastapi.testclient import TestClient
from sqlmodel import Session

from quest_common.access import (
    ACCESS_CHANGED,
    SNAPSHOT_AUDIENCE,
    entries_from_claims,
    parse_access_changed,
)
from quest_common.events import CloudEvent
from quest_devtools.testing.events import outbox_events

PREFIX = "/api/auth"


def _access_events(db_session: Session, user_id: str) -> list[CloudEvent]:
    return outbox_events(db_session, ACCESS_CHANGED, subject=user_id)


def test_logout_everywhere_voids_access_and_refresh_tokens(
    client: TestClient, player: dict[str, Any], db_session: Session
) -> None:
    assert client.get(f"{PREFIX}/users/me", headers=player["headers"]).status_code == 200
    out = client.post(f"{PREFIX}/logout-everywhere", headers=player["headers"])
    assert out.status_code == 204
    assert client.get(f"{PREFIX}/users/me", headers=player["headers"]).status_code == 401
    refresh = client.post(
        f"{PREFIX}/login/refresh", json={"refresh_token": player["tokens"]["refresh_token"]}
    )
    assert refresh.status_code == 401
    (event,) = _access_events(db_session, player["user_id"])
    parsed = parse_access_changed(event.to_json())
    assert parsed is not None and parsed[0] == player["user_id"]
    assert event.data["reason"] == "logout_everywhere"
    # A new sign-in works straight away: its token is issued after the line.
    response = client.post(
        f"{PREFIX}/login/access-token",
        data={"username": player["user_name"], "password": player["password"]},
    )
    fresh = {"Authorization": f"Bearer {response.json()['access_token']}"}
    assert client.get(f"{PREFIX}/users/me", headers=fresh).status_code == 200


def test_logout_everywhere_needs_a_token(client: TestClient) -> None:
    assert client.post(f"{PREFIX}/logout-everywhere").status_code == 401


def test_demotion_voids_the_admin_tokens_and_emits_the_event(
    client: TestClient,
    admin_headers: dict[str, str],
    player: dict[str, Any],
    db_session: Session,
    login: Callable[..., dict[str, Any]],
) -> None:
    url = f"{PREFIX}/users/{player['user_id']}"
    assert client.patch(url, json={"role": "admin"}, headers=admin_headers).status_code == 200
    assert _access_events(db_session, player["user_id"]) == []  # a promotion voids nothing
    promoted = login(client, player["user_name"], player["password"])
    promoted_headers = {"Authorization": f"Bearer {promoted['access_token']}"}
    assert client.get(f"{PREFIX}/users", headers=promoted_headers).status_code == 200

    assert client.patch(url, json={"role": "player"}, headers=admin_headers).status_code == 200
    assert client.get(f"{PREFIX}/users", headers=promoted_headers).status_code == 401
    (event,) = _access_events(db_session, player["user_id"])
    assert event.data["reason"] == "role"


def test_ban_emits_the_event_once(
    client: TestClient, admin_headers: dict[str, str], player: dict[str, Any], db_session: Session
) -> None:
    url = f"{PREFIX}/users/{player['user_id']}"
    assert client.patch(url, json={"status": 2}, headers=admin_headers).status_code == 200
    assert client.patch(url, json={"status": 2}, headers=admin_headers).status_code == 200
    events = _access_events(db_session, player["user_id"])
    assert [event.data["reason"] for event in events] == ["status"]


def test_snapshot_is_signed_and_lists_recent_lines(
    client: TestClient, admin_headers: dict[str, str], player: dict[str, Any]
) -> None:
    url = f"{PREFIX}/users/{player['user_id']}"
    assert client.patch(url, json={"status": 2}, headers=admin_headers).status_code == 200
    response = client.get("/internal/access/not-before")
    assert response.status_code == 200
    token = response.json()["token"]
    header = jwt.get_unverified_header(token)
    jwks = client.get(f"{PREFIX}/.well-known/jwks.json").json()
    (key,) = [k for k in jwks["keys"] if k["kid"] == header["kid"]]
    claims = jwt.decode(
        token,
        key=jwt.PyJWK.from_dict(key).key,
        algorithms=["RS256"],
        audience=SNAPSHOT_AUDIENCE,
        issuer=client.app.state.settings.jwt_issuer,  # type: ignore[attr-defined]
    )
    entries = entries_from_claims(claims)
    assert player["user_id"] in entries
    # Nobody on the way can alter it: a changed signature does not verify.
    tampered = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    try:
        jwt.decode(
            tampered,
            key=jwt.PyJWK.from_dict(key).key,
            algorithms=["RS256"],
            audience=SNAPSHOT_AUDIENCE,
        )
    except jwt.InvalidSignatureError:
        pass
    else:
        raise AssertionError("a tampered snapshot verified")


def test_public_openapi_lists_no_internal_route(client: TestClient) -> None:
    paths = client.get(f"{PREFIX}/openapi.json").json()["paths"]
    assert paths and not [path for path in paths if path.startswith("/internal")]


def test_password_change_voids_earlier_access_tokens_and_emits_the_event(
    client: TestClient, player: dict[str, Any], db_session: Session
) -> None:
    # The "I was compromised" button: a stolen access token must stop working now, not at expiry.
    changed = client.patch(
        f"{PREFIX}/users/me/password",
        json={"current_password": player["password"], "new_password": "brand-new-pass-2"},
        headers=player["headers"],
    )
    assert changed.status_code == 204, changed.text
    assert client.get(f"{PREFIX}/users/me", headers=player["headers"]).status_code == 401
    (event,) = _access_events(db_session, player["user_id"])
    assert event.data["reason"] == "password"
    response = client.post(
        f"{PREFIX}/login/access-token",
        data={"username": player["user_name"], "password": "brand-new-pass-2"},
    )
    fresh = {"Authorization": f"Bearer {response.json()['access_token']}"}
    assert client.get(f"{PREFIX}/users/me", headers=fresh).status_code == 200


def test_a_refused_password_change_voids_nothing(
    client: TestClient, player: dict[str, Any], db_session: Session
) -> None:
    refused = client.patch(
        f"{PREFIX}/users/me/password",
        json={"current_password": "not-the-password", "new_password": "brand-new-pass-2"},
        headers=player["headers"],
    )
    assert refused.status_code == 400
    assert client.get(f"{PREFIX}/users/me", headers=player["headers"]).status_code == 200
    assert _access_events(db_session, player["user_id"]) == []
