"""The wallet: idempotent credits from services, ledger == balance, history, leaderboard."""

import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlmodel import Session

from auth_service.wallet.service import ledger_sum

PREFIX = "/api/auth"
CREDITS = "/internal/wallet/credits"


def _credit(user_id: str, *, key: str | None = None, qty: int = 10, item: str = "diamond") -> dict:
    return {
        "idempotency_key": key or f"test:{uuid.uuid4()}",
        "user_id": user_id,
        "item": item,
        "qty": qty,
        "reason": "quest sign-in-three-times",
    }


def _me(client: TestClient, player: dict[str, Any]) -> dict[str, Any]:
    body: dict[str, Any] = client.get(f"{PREFIX}/users/me", headers=player["headers"]).json()
    return body


def test_same_idempotency_key_credits_once(
    client: TestClient,
    player: dict[str, Any],
    service_headers: dict[str, str],
    db_session: Session,
) -> None:
    payload = _credit(player["user_id"], qty=10)
    first = client.post(CREDITS, json=payload, headers=service_headers)
    second = client.post(CREDITS, json=payload, headers=service_headers)
    assert first.status_code == second.status_code == 200
    assert first.json() == second.json()  # the retry answers exactly like the first call
    assert first.json()["balance"] == 10 and first.json()["diamond"] == 10
    rows = db_session.execute(
        text("SELECT count(*) FROM wallet_ledger WHERE idempotency_key = :k"),
        {"k": payload["idempotency_key"]},
    ).scalar_one()
    assert rows == 1
    assert _me(client, player)["diamond"] == 10
    user_id = uuid.UUID(player["user_id"])
    assert ledger_sum(session=db_session, user_id=user_id, item="diamond") == 10


def test_concurrent_credits_lose_nothing_and_balance_equals_ledger(
    client: TestClient,
    player: dict[str, Any],
    service_headers: dict[str, str],
    db_session: Session,
) -> None:
    # 30 distinct credits plus each one retried: 30 ledger rows, no lost update, no double.
    payloads = [_credit(player["user_id"], qty=i + 1, item="gold") for i in range(30)]

    def send(payload: dict[str, Any]) -> int:
        return client.post(CREDITS, json=payload, headers=service_headers).status_code

    with ThreadPoolExecutor(max_workers=16) as pool:
        statuses = list(pool.map(send, payloads + payloads))
    assert statuses == [200] * 60
    expected = sum(range(1, 31))
    me = _me(client, player)
    assert me["gold"] == expected
    user_id = uuid.UUID(player["user_id"])
    assert ledger_sum(session=db_session, user_id=user_id, item="gold") == expected
    assert me["diamond"] == ledger_sum(session=db_session, user_id=user_id, item="diamond")


def test_credit_errors(
    client: TestClient, player: dict[str, Any], service_headers: dict[str, str]
) -> None:
    unknown = client.post(CREDITS, json=_credit(str(uuid.uuid4())), headers=service_headers)
    assert unknown.status_code == 404
    payload = _credit(player["user_id"], qty=5)
    assert client.post(CREDITS, json=payload, headers=service_headers).status_code == 200
    reused = client.post(CREDITS, json={**payload, "qty": 6}, headers=service_headers)
    assert reused.status_code == 409
    for bad in (
        {**_credit(player["user_id"]), "qty": 0},
        {**_credit(player["user_id"]), "qty": -3},
        {**_credit(player["user_id"]), "item": "ruby"},
        {**_credit(player["user_id"]), "idempotency_key": ""},
        {**_credit(player["user_id"]), "user_id": "not-a-uuid"},
    ):
        assert client.post(CREDITS, json=bad, headers=service_headers).status_code == 422
    assert _me(client, player)["diamond"] == 5  # nothing half-written by the refusals


def test_transactions_newest_first_and_paginated(
    client: TestClient, player: dict[str, Any], service_headers: dict[str, str]
) -> None:
    for qty in (1, 2, 3):
        payload = _credit(player["user_id"], qty=qty)
        assert client.post(CREDITS, json=payload, headers=service_headers).status_code == 200
    url = f"{PREFIX}/users/me/transactions"
    page = client.get(url, params={"limit": 2}, headers=player["headers"]).json()
    assert page["count"] == 3
    assert [e["qty"] for e in page["data"]] == [3, 2]
    assert [e["balance_after"] for e in page["data"]] == [6, 3]
    rest = client.get(url, params={"limit": 2, "offset": 2}, headers=player["headers"]).json()
    assert [e["qty"] for e in rest["data"]] == [1]
    assert client.get(url).status_code == 401
    assert client.get(url, params={"limit": 0}, headers=player["headers"]).status_code == 422


def test_leaderboard_orders_by_balance(
    client: TestClient,
    signup: Callable[..., dict[str, Any]],
    login: Callable[..., dict[str, Any]],
    service_headers: dict[str, str],
) -> None:
    # Amounts far above anything other tests credit, so these three are the top three.
    big = 10_000_000
    users = [signup(client) for _ in range(3)]
    for rank_amount, user in zip((3, 1, 2), users, strict=True):
        for _ in range(rank_amount):
            payload = _credit(user["user_id"], qty=1_000_000)
            assert client.post(CREDITS, json=payload, headers=service_headers).status_code == 200
        payload = _credit(user["user_id"], qty=big // 1000)
        assert client.post(CREDITS, json=payload, headers=service_headers).status_code == 200
    token = login(client, users[0]["user_name"], users[0]["password"])["access_token"]
    board = client.get(
        f"{PREFIX}/leaderboard",
        params={"item": "diamond", "limit": 3},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert board.status_code == 200
    body = board.json()
    assert body["count"] == 3
    assert [e["user_id"] for e in body["data"]] == [
        users[0]["user_id"],
        users[2]["user_id"],
        users[1]["user_id"],
    ]
    assert [e["rank"] for e in body["data"]] == [1, 2, 3]
    assert body["data"][0]["balance"] == 3_010_000
    bad = client.get(
        f"{PREFIX}/leaderboard",
        params={"item": "ruby"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert bad.status_code == 422
    assert client.get(f"{PREFIX}/leaderboard").status_code == 401
