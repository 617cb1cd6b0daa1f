"""Which answers of auth release a redemption's stock, and which leave it pending to retry."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from catalog_service.shop.wallet import (
    Debit,
    Debited,
    NoAnswer,
    Refused,
    WalletClient,
    outcome_of,
)
from quest_devtools.devstack import free_port


def answer(status: int, body: Any) -> httpx.Response:
    return httpx.Response(status, json=body)


def test_a_debit_is_done() -> None:
    assert outcome_of(answer(200, {"balance": 2, "diamond": 2})) == Debited(balance=2)


@pytest.mark.parametrize(
    ("status", "detail"),
    [
        (409, "not enough diamonds"),
        (404, "User not found"),
        (409, "User is deleted"),
        (422, [{"msg": "bad"}]),
    ],
)
def test_a_refusal_for_good_releases(status: int, detail: Any) -> None:
    outcome = outcome_of(answer(status, {"detail": detail}))
    assert isinstance(outcome, Refused) and outcome.status == status


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (404, {"detail": "Not Found"}),  # a route this auth does not serve: says nothing
        (401, {"detail": "token expired"}),
        (403, {"detail": "Service credentials required"}),
        (429, {"detail": "slow down"}),
        (500, {"detail": "boom"}),
        (502, "Bad Gateway"),
        (503, {}),
    ],
)
def test_no_answer_worth_trusting_keeps_it_pending(status: int, body: Any) -> None:
    assert isinstance(outcome_of(answer(status, body)), NoAnswer)


def test_an_unreachable_auth_is_no_answer() -> None:
    # A port just found free: nothing listens, the connection is refused at once.
    wallet = WalletClient(
        auth_url=f"http://127.0.0.1:{free_port()}", client_secret="x", timeout_s=0.5
    )
    try:
        outcome = wallet.debit(Debit("k", uuid.uuid4(), "diamond", 1, "Shop: x"))
    finally:
        wallet.close()
    assert isinstance(outcome, NoAnswer)
