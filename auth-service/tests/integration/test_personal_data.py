"""Personal data: the export, deleting one's own account, an admin deleting an account, and the
`auth.UserDeleted` event read back from a real queue."""

import json
import uuid
from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from auth_service.main import create_app
from auth_service.tokens.models import RefreshToken
from auth_service.users.models import User, UserStatus
from auth_service.wallet.models import WalletLedger
from quest_common.events import CloudEvent
from quest_common.outbox import OutboxEvent
from quest_devtools.testing.plugin import BrokerNames

PREFIX = "/api/auth"


def deleted_events(session: Session, user_id: str) -> list[OutboxEvent]:
    session.expire_all()
    return [
        row
        for row in session.exec(
            select(OutboxEvent).where(OutboxEvent.event_type == "UserDeleted")
        ).all()
        if row.payload.get("subject") == user_id
    ]


def test_export_holds_profile_ledger_and_sessions_without_secrets(
    client: TestClient,
    player: dict[str, Any],
    admin: dict[str, Any],
) -> None:
    admin_headers = admin["headers"]
    credit = client.post(
        f"{PREFIX}/admin/users/{player['user_id']}/adjustments",
        json={"item": "diamond", "qty": 7, "reason": "welcome gift"},
        headers=admin_headers,
    )
    assert credit.status_code == 201
    response = client.get(f"{PREFIX}/users/me/export", headers=player["headers"])
    assert response.status_code == 200
    disposition = response.headers["content-disposition"]
    assert disposition.startswith("attachment;") and f"{player['user_id']}.json" in disposition
    body = response.json()
    assert body["profile"]["user_name"] == player["user_name"]
    assert body["profile"]["diamond"] == 7
    assert [(e["item"], e["qty"], e["reason"]) for e in body["ledger"]] == [
        ("diamond", 7, "welcome gift")
    ]
    assert len(body["sessions"]) == 1 and body["sessions"][0]["revoked_at"] is None
    assert [c["action"] for c in body["admin_changes"]] == ["wallet.adjust"]
    text = response.text
    assert player["tokens"]["refresh_token"] not in text
    assert "hashed_password" not in text and "token_hash" not in text
    assert client.get(f"{PREFIX}/users/me/export").status_code == 401


def test_delete_me_with_the_wrong_password_changes_nothing(
    client: TestClient, db_session: Session, player: dict[str, Any]
) -> None:
    for body in ({"password": "not-my-password"}, {}, {"password": ""}):
        response = client.request(
            "DELETE", f"{PREFIX}/users/me", json=body, headers=player["headers"]
        )
        assert response.status_code in (400, 422), body
    db_session.expire_all()
    user = db_session.get(User, uuid.UUID(player["user_id"]))
    assert user is not None
    assert user.user_name == player["user_name"] and user.deleted_at is None
    assert deleted_events(db_session, player["user_id"]) == []
    assert client.get(f"{PREFIX}/users/me", headers=player["headers"]).status_code == 200
    refreshed = client.post(
        f"{PREFIX}/login/refresh", json={"refresh_token": player["tokens"]["refresh_token"]}
    )
    assert refreshed.status_code == 200


def test_deleted_player_is_anonymised_and_locked_out_and_the_name_is_free(
    client: TestClient,
    db_session: Session,
    player: dict[str, Any],
    admin: dict[str, Any],
    access_of: Callable[..., tuple[int, int, int]],
) -> None:
    admin_headers, admin_id = admin["headers"], admin["user_id"]
    user_id = uuid.UUID(player["user_id"])
    credit = client.post(
        f"{PREFIX}/admin/users/{user_id}/adjustments",
        json={"item": "gold", "qty": 3, "reason": f"sorry {player['user_name']}"},
        headers=admin_headers,
    )
    assert credit.status_code == 201

    gone = client.request(
        "DELETE",
        f"{PREFIX}/users/me",
        json={"password": player["password"]},
        headers=player["headers"],
    )
    assert gone.status_code == 204

    # Sign-in refused (no such account), refresh 401, the access token stale: 401, not the
    # "Account is banned" 403 a banned player gets.
    assert access_of(client, player) == (400, 401, 401)
    stale = client.get(f"{PREFIX}/users/me", headers=player["headers"])
    assert stale.json() == {"detail": "User no longer exists"}

    # Admins see the account as deleted (their pages offer no actions on it).
    seen = client.get(f"{PREFIX}/users/{user_id}", headers=admin_headers).json()
    assert seen["deleted_at"] is not None and seen["user_name"].startswith("~deleted-")
    db_session.expire_all()
    user = db_session.get(User, user_id)
    assert user is not None and user.deleted_at is not None
    assert user.status == UserStatus.BANNED
    assert user.user_name.startswith("~deleted-") and player["user_name"] not in user.user_name
    assert user.gold == 3  # the balance still equals its ledger
    reasons = db_session.exec(
        select(WalletLedger.reason).where(WalletLedger.user_id == user_id)
    ).all()
    assert reasons == ["adjustment"]
    tokens = db_session.exec(select(RefreshToken).where(RefreshToken.user_id == user_id)).all()
    assert tokens and all(t.revoked_at is not None for t in tokens)
    (event,) = deleted_events(db_session, player["user_id"])
    assert event.routing_key == "auth.UserDeleted"
    # The admin's audit entry about the adjustment no longer carries the free-text reason.
    audit = client.get(f"{PREFIX}/admin/audit", params={"limit": 200}, headers=admin_headers)
    (adjusted,) = [e for e in audit.json()["data"] if e["target_id"] == str(user_id)]
    assert adjusted["actor_id"] == admin_id and "reason" not in adjusted["after"]
    # The player's own deletion is not an admin write: no audit entry of its own.
    assert [e["action"] for e in audit.json()["data"] if e["target_id"] == str(user_id)] == [
        "wallet.adjust"
    ]

    # The name is free again: a new, unrelated account may take it.
    again = client.post(
        f"{PREFIX}/signup", json={"user_name": player["user_name"], "password": "another-pass-1"}
    )
    assert again.status_code == 201 and again.json()["user_id"] != player["user_id"]


def test_admin_deletes_an_account_once(
    client: TestClient,
    db_session: Session,
    signup: Callable[..., dict[str, Any]],
    login: Callable[..., dict[str, Any]],
    admin: dict[str, Any],
) -> None:
    admin_headers, admin_id = admin["headers"], admin["user_id"]
    user = signup(client)
    tokens = login(client, user["user_name"], user["password"])
    url = f"{PREFIX}/users/{user['user_id']}"
    player_headers = {"Authorization": f"Bearer {tokens['access_token']}"}
    assert client.delete(url, headers=player_headers).status_code == 403
    assert client.delete(url, headers=admin_headers).status_code == 204
    again = client.delete(url, headers=admin_headers)
    assert again.status_code == 409
    assert client.patch(url, json={"status": 1}, headers=admin_headers).status_code == 409
    adjust = client.post(
        f"{PREFIX}/admin/users/{user['user_id']}/adjustments",
        json={"item": "gold", "qty": 1, "reason": "x"},
        headers=admin_headers,
    )
    assert adjust.status_code == 409

    db_session.expire_all()
    from quest_common.audit import AuditEntry

    entries = db_session.exec(
        select(AuditEntry).where(col(AuditEntry.target_id) == user["user_id"])
    ).all()
    assert [(e.action, e.actor_id) for e in entries] == [("user.delete", admin_id)]
    assert len(deleted_events(db_session, user["user_id"])) == 1
    refused = client.post(
        f"{PREFIX}/login/access-token",
        data={"username": user["user_name"], "password": user["password"]},
    )
    assert refused.status_code == 400


def test_user_deleted_event_reaches_the_broker_without_holding_back_sign_ins(
    relay_settings: Callable[..., Any],
    broker_names: BrokerNames,
    signup: Callable[..., dict[str, Any]],
    login: Callable[..., dict[str, Any]],
) -> None:
    # Like processing today: a queue for the sign-ins only. The deletions queue is declared by
    # auth's relay itself, so the deletion is routable and the sign-ins after it go out too.
    sign_ins = broker_names.probe("sign-ins", "auth.NewUserSignIn", "auth.UserSignIn")
    deletions = broker_names.queue("user-deletions")
    settings = relay_settings(user_deletions_queue=deletions)
    with TestClient(create_app(settings)) as client:
        user = signup(client)
        tokens = login(client, user["user_name"], user["password"])
        response = client.request(
            "DELETE",
            f"{PREFIX}/users/me",
            json={"password": user["password"]},
            headers={"Authorization": f"Bearer {tokens['access_token']}"},
        )
        assert response.status_code == 204
        refused = client.post(
            f"{PREFIX}/login/access-token",
            data={"username": user["user_name"], "password": user["password"]},
        )
        assert refused.status_code == 400
        later = signup(client)
        login(client, later["user_name"], later["password"])
        signed_in = broker_names.drain(sign_ins, wait_seconds=10, expect=2, idle_seconds=1.0)
        deleted = broker_names.drain(deletions, wait_seconds=10, expect=1, idle_seconds=1.0)

    # The refused sign-in of the deleted player emitted nothing; the later player's went out.
    assert [json.loads(b)["subject"] for b in signed_in] == [user["user_id"], later["user_id"]]
    assert len(deleted) == 1
    event = CloudEvent.from_json(deleted[0])
    raw = json.loads(deleted[0])
    assert (event.specversion, event.source, event.type) == ("1.0", "auth-service", "UserDeleted")
    assert event.subject == user["user_id"]
    assert raw["data"]["user_id"] == user["user_id"]
    assert raw["data"]["initiated_by"] == "self"
    assert raw["data"]["deleted_at"].endswith("Z")
    assert user["user_name"] not in deleted[0].decode()  # the event names nobody
