"""The wallet: idempotent credits from services, ledger == balance, history (the boards:
test_progression)."""

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlmodel import Session

from auth_service.wallet.service import ledger_sum
from quest_devtools.testing.databases import all_waiting
from quest_devtools.testing.waiting import wait_for

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


def test_twenty_credits_with_one_key_at_once_credit_once(
    client: TestClient,
    player: dict[str, Any],
    service_headers: dict[str, str],
    db_session: Session,
    auth_db_url: str,
) -> None:
    """The retries of one credit arriving together, none of them seeing another's commit: only
    the ledger's unique key can keep them to one. The player's row is held locked while they
    start, so each has looked the key up (and found nothing) before any of them writes."""
    contenders = 20
    payload = _credit(player["user_id"], qty=7)
    gate = threading.Barrier(contenders)

    def send(_: int) -> tuple[int, dict[str, Any]]:
        gate.wait(timeout=30)
        response = client.post(CREDITS, json=payload, headers=service_headers)
        return response.status_code, response.json()

    holder = db_session.connection()
    holder.execute(
        text("SELECT 1 FROM users WHERE user_id = :u FOR UPDATE"), {"u": player["user_id"]}
    )
    with ThreadPoolExecutor(max_workers=contenders) as pool:
        answers = [pool.submit(send, i) for i in range(contenders)]
        try:
            wait_for(lambda: all_waiting(auth_db_url, answers, contenders), timeout=60)
        finally:
            db_session.rollback()  # let them all go at once
        results = [answer.result() for answer in answers]

    assert [status for status, _ in results] == [200] * contenders
    assert all(body == results[0][1] for _, body in results), "every retry answers the same"
    rows = db_session.execute(
        text("SELECT count(*) FROM wallet_ledger WHERE idempotency_key = :k"),
        {"k": payload["idempotency_key"]},
    ).scalar_one()
    assert rows == 1
    user_id = uuid.UUID(player["user_id"])
    diamond = _me(client, player)["diamond"]
    assert diamond == 7 == results[0][1]["diamond"]
    assert diamond == ledger_sum(session=db_session, user_id=user_id, item="diamond")


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
