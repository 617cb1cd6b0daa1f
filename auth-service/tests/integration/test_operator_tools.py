"""Operator tools in auth: the audit trail, balance adjustments, operations figures."""

import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, func, select

from auth_service.core.uow import AuthUnitOfWork
from auth_service.main import create_app
from auth_service.users.models import Role, User
from auth_service.users.service import create_user
from auth_service.wallet import service as wallet
from auth_service.wallet.models import WalletLedger
from quest_common.audit import AuditEntry
from quest_devtools.testing.admin_routes import admin_write_routes

PREFIX = "/api/auth"


def audit_rows(session: Session, actor_id: str) -> list[AuditEntry]:
    session.expire_all()
    return list(
        session.exec(
            select(AuditEntry).where(AuditEntry.actor_id == actor_id).order_by(col(AuditEntry.at))
        ).all()
    )


def adjust(client: TestClient, admin: dict[str, Any], user_id: str, **body: Any) -> Any:
    return client.post(
        f"{PREFIX}/admin/users/{user_id}/adjustments",
        json={"item": "gold", "reason": "support ticket 12", **body},
        headers=admin["headers"],
    )


def balance_and_ledger(session: Session, user_id: str, item: str) -> tuple[int, int]:
    session.expire_all()
    user = session.get(User, uuid.UUID(user_id))
    assert user is not None
    total = wallet.ledger_sum(session=session, user_id=uuid.UUID(user_id), item=item)
    return getattr(user, item), total


# --- every admin write is audited ------------------------------------------------------------


# Player routes that void the caller's own access token: probing them would make every later
# probe a 401. They are not admin routes (they act on the caller only). /internal is for
# services, not admins: only the public routes are probed.
ENDS_OWN_SESSION = {f"{PREFIX}/logout-everywhere"}


def test_every_admin_write_route_writes_exactly_one_audit_row(
    client: TestClient,
    db_session: Session,
    admin: dict[str, Any],
    player: dict[str, Any],
    signup: Callable[..., dict[str, Any]],
) -> None:
    target = signup(client)
    doomed = signup(client)
    game: dict[str, str] = {}

    def create_client() -> Any:
        body = {"name": "arena", "scopes": ["events:write"]}
        response = client.post(f"{PREFIX}/admin/clients", json=body, headers=admin["headers"])
        game["client_id"] = response.json().get("client_id", "")
        return response

    calls: dict[str, Callable[[], Any]] = {
        f"PATCH {PREFIX}/users/{{user_id}}": lambda: client.patch(
            f"{PREFIX}/users/{target['user_id']}", json={"status": 2}, headers=admin["headers"]
        ),
        f"POST {PREFIX}/admin/users/{{user_id}}/adjustments": lambda: adjust(
            client, admin, target["user_id"], qty=5
        ),
        f"DELETE {PREFIX}/users/{{user_id}}": lambda: client.delete(
            f"{PREFIX}/users/{doomed['user_id']}", headers=admin["headers"]
        ),
        f"POST {PREFIX}/admin/clients": create_client,
        f"POST {PREFIX}/admin/clients/{{client_id}}/secret": lambda: client.post(
            f"{PREFIX}/admin/clients/{game['client_id']}/secret", headers=admin["headers"]
        ),
        f"DELETE {PREFIX}/admin/clients/{{client_id}}": lambda: client.delete(
            f"{PREFIX}/admin/clients/{game['client_id']}", headers=admin["headers"]
        ),
    }
    # A new admin write route must be added here, with its audit entry.
    found = admin_write_routes(client, player["headers"], under=PREFIX, skip=ENDS_OWN_SESSION)
    assert found == set(calls)

    for route, call in calls.items():
        before = len(audit_rows(db_session, admin["user_id"]))
        response = call()
        assert response.status_code < 300, (route, response.text)
        rows = audit_rows(db_session, admin["user_id"])
        assert len(rows) == before + 1, route
        assert rows[-1].actor_id == admin["user_id"]
        target_type = "client" if "/clients" in route else "user"
        assert rows[-1].after is not None and rows[-1].target_type == target_type

    listing = client.get(f"{PREFIX}/admin/audit", params={"limit": 200}, headers=admin["headers"])
    assert listing.status_code == 200
    mine = [e for e in listing.json()["data"] if e["actor_id"] == admin["user_id"]]
    assert [e["action"] for e in mine] == [
        "client.revoke",
        "client.rotate_secret",
        "client.create",
        "user.delete",
        "wallet.adjust",
        "user.update",
    ]
    ban = mine[-1]
    assert (ban["before"]["status"], ban["after"]["status"]) == (0, 2)
    assert "user_name" not in ban["after"] and "hashed_password" not in ban["after"]
    assert client.get(f"{PREFIX}/admin/audit", headers=player["headers"]).status_code == 403


def test_failed_admin_writes_write_no_audit_row(
    client: TestClient,
    db_session: Session,
    admin: dict[str, Any],
    signup: Callable[..., dict[str, Any]],
) -> None:
    user = signup(client)
    refused = [
        client.patch(f"{PREFIX}/users/{uuid.uuid4()}", json={"role": "admin"}, **admin_kw(admin)),
        client.patch(f"{PREFIX}/users/{user['user_id']}", json={"role": "god"}, **admin_kw(admin)),
        adjust(client, admin, user["user_id"], qty=-1),  # below zero
        adjust(client, admin, str(uuid.uuid4()), qty=1),
        adjust(client, admin, user["user_id"], qty=0),
        client.delete(f"{PREFIX}/users/{uuid.uuid4()}", **admin_kw(admin)),
    ]
    assert [r.status_code for r in refused] == [404, 422, 409, 404, 422, 404]
    # A change to nothing is not a change either.
    same = client.patch(f"{PREFIX}/users/{user['user_id']}", json={}, **admin_kw(admin))
    assert same.status_code == 200
    assert audit_rows(db_session, admin["user_id"]) == []


def admin_kw(admin: dict[str, Any]) -> dict[str, Any]:
    return {"headers": admin["headers"]}


# --- adjustments -----------------------------------------------------------------------------


def test_adjustments_keep_balance_equal_to_ledger_and_never_below_zero(
    client: TestClient,
    db_session: Session,
    admin: dict[str, Any],
    player: dict[str, Any],
) -> None:
    user_id = player["user_id"]
    credited = adjust(client, admin, user_id, qty=10, reason="goodwill after outage")
    assert credited.status_code == 201, credited.text
    assert credited.json()["balance"] == 10 and credited.json()["gold"] == 10
    debited = adjust(client, admin, user_id, qty=-4, reason="duplicate grant")
    assert debited.status_code == 201 and debited.json()["balance"] == 6

    refused = adjust(client, admin, user_id, qty=-7)
    assert refused.status_code == 409
    assert "below 0" in refused.json()["detail"] and "6" in refused.json()["detail"]
    assert balance_and_ledger(db_session, user_id, "gold") == (6, 6)

    entries = client.get(f"{PREFIX}/users/me/transactions", headers=player["headers"]).json()
    assert [(e["qty"], e["reason"]) for e in entries["data"]] == [
        (-4, "duplicate grant"),
        (10, "goodwill after outage"),
    ]
    db_session.expire_all()
    actors = db_session.exec(
        select(WalletLedger.actor_id).where(WalletLedger.user_id == uuid.UUID(user_id))
    ).all()
    assert {str(a) for a in actors} == {admin["user_id"]}


@pytest.mark.parametrize(
    "body",
    [
        {"item": "gold", "qty": 0, "reason": "x"},
        {"item": "gold", "qty": 1, "reason": ""},
        {"item": "gold", "qty": 1, "reason": "   "},
        {"item": "gold", "qty": 1, "reason": "r" * 201},
        {"item": "gold", "qty": 1},
        {"item": "silver", "qty": 1, "reason": "x"},
        {"item": "gold", "qty": 1.5, "reason": "x"},
        {"item": "gold", "qty": 10_000_000, "reason": "x"},
    ],
)
def test_adjustment_validation(
    client: TestClient, admin: dict[str, Any], player: dict[str, Any], body: dict[str, Any]
) -> None:
    response = client.post(
        f"{PREFIX}/admin/users/{player['user_id']}/adjustments",
        json=body,
        headers=admin["headers"],
    )
    assert response.status_code == 422
    assert client.get(f"{PREFIX}/users/me", headers=player["headers"]).json()["gold"] == 0


def test_players_cannot_adjust(client: TestClient, player: dict[str, Any]) -> None:
    response = client.post(
        f"{PREFIX}/admin/users/{player['user_id']}/adjustments",
        json={"item": "gold", "qty": 100, "reason": "me"},
        headers=player["headers"],
    )
    assert response.status_code == 403


def test_concurrent_debits_never_take_a_balance_below_zero(
    client: TestClient,
    db_session: Session,
    admin: dict[str, Any],
    signup: Callable[..., dict[str, Any]],
) -> None:
    user_id = signup(client)["user_id"]
    assert adjust(client, admin, user_id, item="diamond", qty=50).status_code == 201

    def debit(_: int) -> int:
        return int(adjust(client, admin, user_id, item="diamond", qty=-3).status_code)

    with ThreadPoolExecutor(max_workers=12) as pool:
        statuses = list(pool.map(debit, range(30)))
    assert statuses.count(201) == 16  # 16 * 3 = 48 <= 50 < 17 * 3
    assert statuses.count(409) == 14
    assert balance_and_ledger(db_session, user_id, "diamond") == (2, 2)


@pytest.mark.parametrize("seed", range(3))
def test_mixed_concurrent_adjustments_keep_balance_equal_to_ledger(
    client: TestClient,
    db_session: Session,
    admin: dict[str, Any],
    signup: Callable[..., dict[str, Any]],
    seed: int,
) -> None:
    user_id = signup(client)["user_id"]
    amounts = [(-1) ** (i + seed) * (1 + (i * 7 + seed) % 5) for i in range(24)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(
            pool.map(lambda q: adjust(client, admin, user_id, qty=q).status_code, amounts)
        )
    assert set(statuses) <= {201, 409}
    balance, total = balance_and_ledger(db_session, user_id, "gold")
    assert balance == total >= 0
    db_session.expire_all()
    rows = db_session.exec(
        select(func.count())
        .select_from(WalletLedger)
        .where(WalletLedger.user_id == uuid.UUID(user_id))
    ).one()
    assert rows == statuses.count(201)


# --- operations figures ----------------------------------------------------------------------


@pytest.fixture
def fresh_client(make_settings: Callable[..., Any], fresh_db_url: str) -> Iterator[TestClient]:
    with TestClient(create_app(make_settings(database_url=fresh_db_url))) as test_client:
        yield test_client


def test_ops_reports_the_outbox_backlog(
    fresh_client: TestClient,
    fresh_db_url: str,
    login: Callable[..., dict[str, Any]],
    signup: Callable[..., dict[str, Any]],
) -> None:
    from auth_service.core.db import build_engine

    engine = build_engine(fresh_db_url)
    with AuthUnitOfWork(engine) as uow:
        create_user(uow=uow, user_name="ops_admin", password="admin-pass-123", role=Role.ADMIN)
    engine.dispose()
    # The relay does not run here: each account's announcement (auth.UserCreated) and each
    # sign-in's event stay in the outbox.
    token = login(fresh_client, "ops_admin", "admin-pass-123")["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    player = signup(fresh_client)
    login(fresh_client, player["user_name"], player["password"])

    ops = fresh_client.get(f"{PREFIX}/admin/ops", headers=headers)
    assert ops.status_code == 200
    outbox = ops.json()["outbox"]
    assert outbox["backlog"] == 4
    assert 0 <= outbox["oldest_unsent_age_s"] < 120

    metrics = fresh_client.get("/metrics").text
    assert "outbox_backlog 4.0" in metrics
    assert "outbox_oldest_unsent_age_seconds" in metrics

    player_token = login(fresh_client, player["user_name"], player["password"])["access_token"]
    refused = fresh_client.get(
        f"{PREFIX}/admin/ops", headers={"Authorization": f"Bearer {player_token}"}
    )
    assert refused.status_code == 403
