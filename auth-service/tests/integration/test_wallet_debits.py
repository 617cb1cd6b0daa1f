"""Debits by a service (the shop): never below zero, decided inside the UPDATE; the same key
debits once and answers the same; only service tokens debit; every balance equals its ledger."""

import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlmodel import Session

from auth_service.wallet.service import ledger_sum

PREFIX = "/api/auth"
CREDITS = "/internal/wallet/credits"
DEBITS = "/internal/wallet/debits"


def _move(user_id: str, qty: int, *, key: str | None = None, item: str = "diamond") -> dict:
    return {
        "idempotency_key": key or f"test:{uuid.uuid4()}",
        "user_id": user_id,
        "item": item,
        "qty": qty,
        "reason": "Shop: Golden frame",
    }


def _fund(client: TestClient, headers: dict[str, str], user_id: str, qty: int) -> None:
    response = client.post(CREDITS, json=_move(user_id, qty), headers=headers)
    assert response.status_code == 200, response.text


def _balance(db_session: Session, user_id: str) -> int:
    """The diamond balance as stored, read afresh."""
    return int(
        db_session.execute(
            text("SELECT diamond FROM users WHERE user_id = :id"), {"id": user_id}
        ).scalar_one()
    )


def _settled(db_session: Session, user_id: str, diamonds: int) -> None:
    """The stored diamond balance is `diamonds`, and so is the sum of the player's ledger."""
    assert _balance(db_session, user_id) == diamonds
    ledger = ledger_sum(session=db_session, user_id=uuid.UUID(user_id), item="diamond")
    assert ledger == diamonds


def test_a_debit_lowers_the_balance_once_and_the_ledger_says_why(
    client: TestClient,
    player: dict[str, Any],
    catalog_headers: dict[str, str],
    db_session: Session,
) -> None:
    _fund(client, catalog_headers, player["user_id"], 7)
    payload = _move(player["user_id"], 5)
    first = client.post(DEBITS, json=payload, headers=catalog_headers)
    again = client.post(DEBITS, json=payload, headers=catalog_headers)
    assert first.status_code == again.status_code == 200, first.text
    assert first.json() == again.json()  # the same key: the same answer, debited once
    assert first.json()["balance"] == 2 and first.json()["diamond"] == 2
    _settled(db_session, player["user_id"], 2)
    newest = client.get(f"{PREFIX}/users/me/transactions", headers=player["headers"]).json()
    assert (newest["data"][0]["qty"], newest["data"][0]["reason"]) == (-5, "Shop: Golden frame")


def test_not_enough_is_a_409_that_debits_nothing(
    client: TestClient,
    player: dict[str, Any],
    catalog_headers: dict[str, str],
    db_session: Session,
) -> None:
    _fund(client, catalog_headers, player["user_id"], 4)
    refused = client.post(DEBITS, json=_move(player["user_id"], 5), headers=catalog_headers)
    assert refused.status_code == 409
    assert refused.json()["detail"] == "not enough diamonds"
    gold = client.post(
        DEBITS, json=_move(player["user_id"], 1, item="gold"), headers=catalog_headers
    )
    assert gold.json()["detail"] == "not enough gold"
    assert _balance(db_session, player["user_id"]) == 4
    rows = db_session.execute(
        text("SELECT count(*) FROM wallet_ledger WHERE user_id = :id AND qty < 0"),
        {"id": player["user_id"]},
    ).scalar_one()
    assert rows == 0


def test_parallel_debits_never_take_a_balance_below_zero(
    client: TestClient,
    player: dict[str, Any],
    catalog_headers: dict[str, str],
    db_session: Session,
) -> None:
    """30 debits of 1 at once on a balance of 10: exactly 10 succeed, the rest are 409."""
    _fund(client, catalog_headers, player["user_id"], 10)
    payloads = [_move(player["user_id"], 1) for _ in range(30)]
    with ThreadPoolExecutor(max_workers=16) as pool:
        statuses = list(
            pool.map(
                lambda p: client.post(DEBITS, json=p, headers=catalog_headers).status_code, payloads
            )
        )
    assert sorted(statuses) == [200] * 10 + [409] * 20
    _settled(db_session, player["user_id"], 0)


def test_the_same_key_in_parallel_debits_once(
    client: TestClient,
    player: dict[str, Any],
    catalog_headers: dict[str, str],
    db_session: Session,
) -> None:
    _fund(client, catalog_headers, player["user_id"], 12)
    payload = _move(player["user_id"], 5, key="redemption:one")
    with ThreadPoolExecutor(max_workers=10) as pool:
        answers = list(
            pool.map(
                lambda _: client.post(DEBITS, json=payload, headers=catalog_headers), range(10)
            )
        )
    assert {a.status_code for a in answers} == {200}
    assert {a.json()["entry_id"] for a in answers} == {answers[0].json()["entry_id"]}
    assert _balance(db_session, player["user_id"]) == 7


def test_debit_refusals(
    client: TestClient,
    player: dict[str, Any],
    catalog_headers: dict[str, str],
    db_session: Session,
) -> None:
    _fund(client, catalog_headers, player["user_id"], 10)
    unknown = client.post(DEBITS, json=_move(str(uuid.uuid4()), 1), headers=catalog_headers)
    assert unknown.status_code == 404
    payload = _move(player["user_id"], 2)
    assert client.post(DEBITS, json=payload, headers=catalog_headers).status_code == 200
    reused = client.post(DEBITS, json={**payload, "qty": 3}, headers=catalog_headers)
    assert reused.status_code == 409
    for bad in (
        {**_move(player["user_id"], 1), "qty": 0},
        {**_move(player["user_id"], 1), "qty": -3},
        {**_move(player["user_id"], 1), "item": "ruby"},
        {**_move(player["user_id"], 1), "item": "xp"},  # XP is never spent
        {**_move(player["user_id"], 1), "item": "badge"},
        {**_move(player["user_id"], 1), "idempotency_key": ""},
    ):
        assert client.post(DEBITS, json=bad, headers=catalog_headers).status_code == 422
    # Only services debit: no token 401, a player's (even for themselves) 403.
    assert client.post(DEBITS, json=_move(player["user_id"], 1)).status_code == 401
    own = client.post(DEBITS, json=_move(player["user_id"], 1), headers=player["headers"])
    assert own.status_code == 403
    assert _balance(db_session, player["user_id"]) == 8


def test_the_catalog_client_needs_its_own_secret(client: TestClient) -> None:
    wrong = client.post(
        "/internal/oauth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": "catalog-service",
            "client_secret": "not-the-secret",
        },
    )
    assert wrong.status_code in (400, 401)


# Game servers' lane (DESIGN §16): `POST /api/auth/wallet/debits` with a client token that has
# `wallet:debit`, both in the token and on the client's own row.
CLIENT_DEBITS = f"{PREFIX}/wallet/debits"


def _game_client(client: TestClient, admin_headers: dict[str, str], scopes: list[str]) -> dict:
    body = {"name": f"game-{uuid.uuid4().hex[:6]}", "scopes": scopes}
    response = client.post(f"{PREFIX}/admin/clients", json=body, headers=admin_headers)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def _client_headers(client: TestClient, created: dict, **form: str) -> dict[str, str]:
    response = client.post(
        f"{PREFIX}/login/access-token",
        data={
            "grant_type": "client_credentials",
            "client_id": created["client_id"],
            "client_secret": created["client_secret"],
            **form,
        },
    )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def test_a_client_with_wallet_debit_spends_once_per_key(
    client: TestClient,
    player: dict[str, Any],
    admin_headers: dict[str, str],
    catalog_headers: dict[str, str],
    db_session: Session,
) -> None:
    _fund(client, catalog_headers, player["user_id"], 9)
    game = _client_headers(client, _game_client(client, admin_headers, ["wallet:debit"]))
    payload = _move(player["user_id"], 6)
    first = client.post(CLIENT_DEBITS, json=payload, headers=game)
    again = client.post(CLIENT_DEBITS, json=payload, headers=game)
    assert first.status_code == again.status_code == 200, first.text
    assert first.json() == again.json()
    assert first.json()["balance"] == 3
    refused = client.post(CLIENT_DEBITS, json=_move(player["user_id"], 4), headers=game)
    assert (refused.status_code, refused.json()["detail"]) == (409, "not enough diamonds")
    _settled(db_session, player["user_id"], 3)


def test_only_a_client_granted_wallet_debit_may_debit(
    client: TestClient,
    player: dict[str, Any],
    admin_headers: dict[str, str],
    catalog_headers: dict[str, str],
    db_session: Session,
) -> None:
    _fund(client, catalog_headers, player["user_id"], 5)
    events_only = _client_headers(client, _game_client(client, admin_headers, ["events:write"]))
    both = _game_client(client, admin_headers, ["events:write", "wallet:debit"])
    # A token asked with a narrower scope does less than its client may.
    narrowed = _client_headers(client, both, scope="events:write")
    for headers in (events_only, narrowed, player["headers"], admin_headers):
        response = client.post(CLIENT_DEBITS, json=_move(player["user_id"], 1), headers=headers)
        assert response.status_code == 403, response.text
    assert client.post(CLIENT_DEBITS, json=_move(player["user_id"], 1)).status_code == 401
    # A revoked client's token stops at once in auth (its row is read on every call).
    revoked = _game_client(client, admin_headers, ["wallet:debit"])
    revoked_headers = _client_headers(client, revoked)
    response = client.delete(
        f"{PREFIX}/admin/clients/{revoked['client_id']}", headers=admin_headers
    )
    assert response.status_code in (200, 204), response.text
    response = client.post(CLIENT_DEBITS, json=_move(player["user_id"], 1), headers=revoked_headers)
    assert response.status_code == 401, response.text
    assert _balance(db_session, player["user_id"]) == 5
