"""Auth's `/internal/wallet/debits`, called with a cached client-credentials service token.

Every answer is sorted into one of three outcomes, which is all the redemption saga needs:
debited; refused for good (not enough balance, unknown player: the stock goes back); or no
answer worth trusting (down, timeout, 5xx, our credentials refused: the redemption stays
pending and is tried again with the same key).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Protocol

import httpx

from quest_common.service_client import ServiceTokenClient

CLIENT_ID = "catalog-service"
# Answers that say nothing about the debit itself: try again later.
NOT_DEFINITE = {401, 403, 408, 425, 429}


@dataclass(frozen=True, slots=True)
class Debited:
    balance: int


@dataclass(frozen=True, slots=True)
class Refused:
    status: int
    detail: str


@dataclass(frozen=True, slots=True)
class NoAnswer:
    error: str


Outcome = Debited | Refused | NoAnswer


@dataclass(frozen=True, slots=True)
class Debit:
    idempotency_key: str
    user_id: uuid.UUID
    item: str
    qty: int
    reason: str


class Wallet(Protocol):
    """What the saga needs of auth: one debit, sorted into an outcome."""

    def debit(self, debit: Debit) -> Outcome: ...


def _detail(response: httpx.Response) -> str:
    try:
        detail = response.json().get("detail")
    except (ValueError, AttributeError):
        detail = None
    return str(detail)[:200] if detail else f"auth answered {response.status_code}"


def _definite(response: httpx.Response) -> bool:
    """Whether auth refused this debit for good. A 404 counts only when it names the player: a
    404 of a route auth does not serve (yet: an older auth during a deploy) says nothing."""
    status = response.status_code
    if not 400 <= status < 500 or status in NOT_DEFINITE:
        return False
    return status != 404 or _detail(response) == "User not found"


def outcome_of(response: httpx.Response) -> Outcome:
    """What auth's answer to a debit means for the redemption."""
    if response.status_code == 200:
        return Debited(balance=int(response.json()["balance"]))
    if _definite(response):
        return Refused(status=response.status_code, detail=_detail(response))
    return NoAnswer(f"auth answered {response.status_code}: {_detail(response)}")


class WalletClient(ServiceTokenClient):
    def __init__(
        self,
        *,
        auth_url: str,
        client_secret: str,
        client_id: str = CLIENT_ID,
        timeout_s: float = 3.0,
    ) -> None:
        super().__init__(
            auth_url=auth_url, client_id=client_id, client_secret=client_secret, timeout_s=timeout_s
        )

    def debit(self, debit: Debit) -> Outcome:
        payload = {
            "idempotency_key": debit.idempotency_key,
            "user_id": str(debit.user_id),
            "item": debit.item,
            "qty": debit.qty,
            "reason": debit.reason,
        }
        try:
            return outcome_of(self.post("/internal/wallet/debits", json=payload))
        except (httpx.HTTPError, ValueError, KeyError, TypeError) as exc:
            return NoAnswer(f"{type(exc).__name__}: {exc}"[:500])
