"""OAuth2 clients and the standard token endpoint: admins create, list, rotate and revoke
clients; `POST /login/access-token` takes the password, client-credentials and refresh-token
grants with RFC 6749's answers; client and player tokens never cross lanes; a rotation or a
revocation voids the client's tokens (its own row here, `auth.UserAccessChanged` and the signed
snapshot for the other services)."""

import base64
import uuid
from collections.abc import Callable
from typing import Any

import jwt
from alembic import command
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlmodel import Session

import auth_service
from auth_service.core.db import build_engine
from auth_service.main import create_app
from quest_common.access import ACCESS_CHANGED, SNAPSHOT_AUDIENCE, entries_from_claims
from quest_common.events import CloudEvent
from quest_common.migrations import alembic_config, service_root
from quest_devtools.testing.databases import create_database, drop_database, sqlalchemy_url
from quest_devtools.testing.events import outbox_events, read_events
from quest_devtools.testing.plugin import BrokerNames

PREFIX = "/api/auth"
TOKEN = f"{PREFIX}/login/access-token"


def basic(client_id: str, secret: str) -> dict[str, str]:
    raw = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    return {"Authorization": f"Basic {raw}"}


def new_client(
    client: TestClient, headers: dict[str, str], scopes: list[str] | None = None
) -> dict[str, Any]:
    body = {"name": f"game-{uuid.uuid4().hex[:6]}", "scopes": scopes or ["events:write"]}
    response = client.post(f"{PREFIX}/admin/clients", json=body, headers=headers)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def client_token(client: TestClient, created: dict[str, Any], **form: str) -> Any:
    return client.post(
        TOKEN,
        data={"grant_type": "client_credentials", **form},
        headers=basic(created["client_id"], created["client_secret"]),
    )


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_admins_create_list_rotate_and_revoke_clients(
    client: TestClient, admin_headers: dict[str, str], db_session: Session
) -> None:
    created = new_client(client, admin_headers, ["events:write", "wallet:debit"])
    assert set(created) == {"client_id", "client_secret", "name", "scopes"}
    assert len(created["client_secret"]) >= 40
    listed = client.get(f"{PREFIX}/admin/clients", headers=admin_headers).json()
    mine = next(c for c in listed["data"] if c["client_id"] == created["client_id"])
    assert mine["scopes"] == ["events:write", "wallet:debit"] and mine["revoked_at"] is None
    # Never a secret in a listing, nor its hash.
    assert created["client_secret"] not in str(listed) and "secret_hash" not in str(listed)

    rotated = client.post(
        f"{PREFIX}/admin/clients/{created['client_id']}/secret", headers=admin_headers
    )
    assert rotated.status_code == 200
    new_secret = rotated.json()["client_secret"]
    assert new_secret != created["client_secret"]
    revoked = client.delete(f"{PREFIX}/admin/clients/{created['client_id']}", headers=admin_headers)
    assert revoked.status_code == 204
    again = client.delete(f"{PREFIX}/admin/clients/{created['client_id']}", headers=admin_headers)
    assert again.status_code == 204  # revoking twice changes nothing
    rotate_revoked = client.post(
        f"{PREFIX}/admin/clients/{created['client_id']}/secret", headers=admin_headers
    )
    assert rotate_revoked.status_code == 409
    unknown = client.delete(f"{PREFIX}/admin/clients/{uuid.uuid4()}", headers=admin_headers)
    assert unknown.status_code == 404

    audit = client.get(f"{PREFIX}/admin/audit", params={"limit": 50}, headers=admin_headers)
    actions = [e["action"] for e in audit.json()["data"] if e["target_id"] == created["client_id"]]
    assert actions == ["client.revoke", "client.rotate_secret", "client.create"]
    assert created["client_secret"] not in audit.text and new_secret not in audit.text


def test_bad_client_bodies_and_players_are_refused(
    client: TestClient, admin_headers: dict[str, str], player: dict[str, Any]
) -> None:
    for body in (
        {"name": "", "scopes": ["events:write"]},
        {"name": "x", "scopes": []},
        {"name": "x", "scopes": ["admin"]},
        {"name": "x", "scopes": ["events:write", "events:write"]},
        {"name": "x\x00", "scopes": ["events:write"]},
    ):
        response = client.post(f"{PREFIX}/admin/clients", json=body, headers=admin_headers)
        assert response.status_code == 422, body
    body = {"name": "x", "scopes": ["events:write"]}
    assert (
        client.post(f"{PREFIX}/admin/clients", json=body, headers=player["headers"]).status_code
        == 403
    )
    assert client.get(f"{PREFIX}/admin/clients", headers=player["headers"]).status_code == 403
    assert client.post(f"{PREFIX}/admin/clients", json=body).status_code == 401


def test_client_credentials_by_basic_or_form_give_a_scoped_token_without_refresh(
    client: TestClient, admin_headers: dict[str, str]
) -> None:
    created = new_client(client, admin_headers, ["events:write", "wallet:debit"])
    response = client_token(client, created)
    assert response.status_code == 200, response.text
    token = response.json()
    assert set(token) == {"access_token", "token_type", "expires_in", "scope"}
    assert (token["token_type"], token["scope"]) == ("bearer", "events:write wallet:debit")
    claims = jwt.decode(token["access_token"], options={"verify_signature": False})
    assert claims["sub"] == f"client:{created['client_id']}"
    assert (claims["scope"], claims["role"]) == ("events:write wallet:debit", "client")

    in_form = client.post(
        TOKEN,
        data={
            "grant_type": "client_credentials",
            "client_id": created["client_id"],
            "client_secret": created["client_secret"],
            "scope": "events:write",
        },
    )
    assert in_form.status_code == 200 and in_form.json()["scope"] == "events:write"
    me = client.get(f"{PREFIX}/clients/me", headers=bearer(in_form.json()["access_token"]))
    assert me.status_code == 200 and me.json()["client_id"] == created["client_id"]

    both = client.post(
        TOKEN,
        data={
            "grant_type": "client_credentials",
            "client_id": created["client_id"],
            "client_secret": created["client_secret"],
        },
        headers=basic(created["client_id"], created["client_secret"]),
    )
    assert both.status_code == 400 and both.json()["error"] == "invalid_request"
    wider = client_token(client, new_client(client, admin_headers), scope="wallet:debit")
    assert wider.status_code == 400 and wider.json()["error"] == "invalid_scope"


def test_bad_client_credentials_get_rfc_6749_answers(
    client: TestClient, admin_headers: dict[str, str]
) -> None:
    created = new_client(client, admin_headers)
    attempts = [
        basic(created["client_id"], "wrong"),
        basic(str(uuid.uuid4()), created["client_secret"]),
        basic("not-a-uuid", "x"),
        {"Authorization": "Basic !!!not-base64"},
        {"Authorization": f"Basic {base64.b64encode(b'no-colon').decode()}"},
    ]
    for headers in attempts:
        response = client.post(TOKEN, data={"grant_type": "client_credentials"}, headers=headers)
        assert response.status_code == 401, headers
        assert response.json()["error"] == "invalid_client"
        assert response.json()["detail"] == "Invalid client credentials"
        assert response.headers["WWW-Authenticate"].startswith("Basic")
    missing = client.post(TOKEN, data={"grant_type": "client_credentials"})
    assert missing.status_code == 401 and missing.json()["error"] == "invalid_client"
    odd = client.post(TOKEN, data={"grant_type": "authorization_code", "code": "x"})
    assert odd.status_code == 400 and odd.json()["error"] == "unsupported_grant_type"


def test_password_grant_stays_as_it_was(client: TestClient, player: dict[str, Any]) -> None:
    form = {"username": player["user_name"], "password": player["password"]}
    default = client.post(TOKEN, data=form)
    explicit = client.post(TOKEN, data={**form, "grant_type": "password"})
    for response in (default, explicit):
        assert response.status_code == 200
        assert set(response.json()) == {"access_token", "refresh_token", "token_type", "expires_in"}
    wrong = client.post(TOKEN, data={**form, "password": "not-the-password"})
    assert wrong.status_code == 400 and wrong.json()["detail"] == "Incorrect user name or password"
    assert client.post(TOKEN, data={"username": player["user_name"]}).status_code == 422


def test_refresh_token_grant_rotates_like_the_json_refresh(
    client: TestClient, player: dict[str, Any]
) -> None:
    first = player["tokens"]["refresh_token"]
    response = client.post(TOKEN, data={"grant_type": "refresh_token", "refresh_token": first})
    assert response.status_code == 200, response.text
    pair = response.json()
    assert pair["refresh_token"] != first
    assert client.get(f"{PREFIX}/users/me", headers=bearer(pair["access_token"])).status_code == 200
    # A token the service never issued (or one revoked by a logout): invalid_grant.
    unknown = client.post(TOKEN, data={"grant_type": "refresh_token", "refresh_token": "nope"})
    assert unknown.status_code == 400 and unknown.json()["error"] == "invalid_grant"
    client.post(f"{PREFIX}/logout", json={"refresh_token": pair["refresh_token"]})
    revoked = client.post(
        TOKEN, data={"grant_type": "refresh_token", "refresh_token": pair["refresh_token"]}
    )
    assert revoked.status_code == 400 and revoked.json()["error"] == "invalid_grant"
    missing = client.post(TOKEN, data={"grant_type": "refresh_token"})
    assert missing.status_code == 400 and missing.json()["error"] == "invalid_request"


def test_client_and_player_tokens_never_cross_lanes(
    client: TestClient, admin_headers: dict[str, str], player: dict[str, Any]
) -> None:
    token = client_token(client, new_client(client, admin_headers)).json()["access_token"]
    for method, path in (
        ("GET", "/users/me"),
        ("GET", "/users/me/transactions"),
        ("GET", "/admin/clients"),
        ("GET", "/admin/audit"),
        ("POST", "/logout-everywhere"),
    ):
        response = client.request(method, f"{PREFIX}{path}", headers=bearer(token))
        assert response.status_code == 403, (path, response.text)
    refused = client.get(f"{PREFIX}/clients/me", headers=player["headers"])
    assert refused.status_code == 403
    assert client.get(f"{PREFIX}/clients/me", headers=admin_headers).status_code == 403


def test_rotation_and_revocation_void_the_client_everywhere(
    client: TestClient,
    admin_headers: dict[str, str],
    db_session: Session,
    service_headers: dict[str, str],
) -> None:
    created = new_client(client, admin_headers)
    subject = f"client:{created['client_id']}"
    old = client_token(client, created).json()["access_token"]
    assert client.get(f"{PREFIX}/clients/me", headers=bearer(old)).status_code == 200

    rotated = client.post(
        f"{PREFIX}/admin/clients/{created['client_id']}/secret", headers=admin_headers
    ).json()
    assert client_token(client, created).status_code == 401  # the old secret, void at once
    assert client.get(f"{PREFIX}/clients/me", headers=bearer(old)).status_code == 401
    new = client_token(client, rotated).json()["access_token"]
    assert client.get(f"{PREFIX}/clients/me", headers=bearer(new)).status_code == 200

    client.delete(f"{PREFIX}/admin/clients/{created['client_id']}", headers=admin_headers)
    assert client_token(client, rotated).status_code == 401
    assert client.get(f"{PREFIX}/clients/me", headers=bearer(new)).status_code == 401

    # The other services hear it by the subject of the client's tokens.
    events = outbox_events(db_session, ACCESS_CHANGED, subject=subject)
    assert [e.data["reason"] for e in events] == ["client_rotated", "client_revoked"]
    assert all(e.data["user_id"] == subject for e in events)
    snapshot = client.get("/internal/access/not-before", headers=service_headers).json()["token"]
    claims = jwt.decode(snapshot, options={"verify_signature": False}, audience=SNAPSHOT_AUDIENCE)
    assert subject in entries_from_claims(claims)


def test_sign_up_announces_the_player_into_the_queue_the_relay_keeps(
    relay_settings: Callable[..., Any],
    broker_names: BrokerNames,
    amqp_url: str,
    signup: Callable[..., dict[str, Any]],
) -> None:
    # The relay declares the queue itself: the announcement waits there for processing.
    players = broker_names.queue("players")
    with TestClient(create_app(relay_settings(user_created_queue=players))) as client:
        user = signup(client)
        created = read_events(amqp_url, players, expect=1)
    assert len(created) == 1 and created[0]["type"] == "UserCreated"
    assert created[0]["data"] == {
        "user_id": user["user_id"],
        "user_name": user["user_name"],
        "time_zone": "UTC",
    }
    assert created[0]["subject"] == user["user_id"]


def test_the_migration_announces_every_existing_account_once(pg_admin_url: str) -> None:
    name = create_database(pg_admin_url, prefix="auth_backfill")
    url = sqlalchemy_url(pg_admin_url, name)
    config = alembic_config(service_root(auth_service.__file__), url)
    try:
        command.upgrade(config, "a0104_audit")
        engine = build_engine(url)
        with engine.begin() as connection:
            for user_name, zone, deleted in (
                ("alice", "Europe/Paris", False),
                ("bob", "UTC", False),
                ("gone", "UTC", True),
            ):
                connection.execute(
                    text(
                        "INSERT INTO users (user_id, user_name, hashed_password, status, role, "
                        "diamond, gold, created_at, updated_at, time_zone, deleted_at) VALUES "
                        "(gen_random_uuid(), :name, 'x', 1, 'player', 0, 0, "
                        "'2026-01-02T03:04:05Z', now(), :zone, "
                        "CASE WHEN :deleted THEN now() END)"
                    ),
                    {"name": user_name, "zone": zone, "deleted": deleted},
                )
        command.upgrade(config, "head")
        with engine.connect() as connection:
            rows = connection.execute(
                text("SELECT routing_key, payload FROM outbox_event ORDER BY payload->>'subject'")
            ).all()
            users = dict(connection.execute(text("SELECT user_name, user_id FROM users")).all())
        engine.dispose()
        events = [CloudEvent.model_validate(payload) for _, payload in rows]
        assert {key for key, _ in rows} == {"auth.UserCreated"}
        # The live accounts, once each, as sign-up announces them (deleted ones left out).
        assert sorted((e.data["user_name"], e.data["time_zone"]) for e in events) == [
            ("alice", "Europe/Paris"),
            ("bob", "UTC"),
        ]
        for event in events:
            assert event.type == "UserCreated" and event.source == "auth-service"
            assert event.subject == event.data["user_id"] == str(users[event.data["user_name"]])
            assert event.time.isoformat() == "2026-01-02T03:04:05+00:00"
    finally:
        drop_database(pg_admin_url, name)
