"""Auth's `/internal/wallet/debits`, called with a cached client-credentials service token.

Every answer is sorted into one of three outcomes, which is all the redemption saga needs:
debited; refused for good (not enough balance, unknown player: the stock goes back); or no
answer worth trusting (down, timeout, 5xx, our credentials refused: the redemption stays
pending and is tried again with the same key).
"""

from __future__ import annotations

import threading
import time
import uuid
from dataclasses import dataclass
from typing import Protocol

import httpx

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


class WalletClient:
    def __init__(
        self,
        *,
        auth_url: str,
        client_secret: str,
        client_id: str = CLIENT_ID,
        timeout_s: float = 3.0,
    ) -> None:
        self.auth_url = auth_url.rstrip("/")
        self.client_id = client_id
        self.client_secret = client_secret
        self._client = httpx.Client(timeout=timeout_s)
        self._lock = threading.Lock()
        self._token: str | None = None
        self._token_expires = 0.0

    def close(self) -> None:
        self._client.close()

    def _service_token(self) -> str:
        with self._lock:
            if self._token and time.monotonic() < self._token_expires:
                return self._token
            response = self._client.post(
                f"{self.auth_url}/internal/oauth/token",
                data={
                    "grant_type": "client_credentials",
                    "client_id": self.client_id,
                    "client_secret": self.client_secret,
                },
            )
            response.raise_for_status()
            body = response.json()
            self._token = str(body["access_token"])
            # Renewed 30 s before it expires, so a token never runs out in flight.
            self._token_expires = time.monotonic() + max(int(body.get("expires_in", 300)) - 30, 5)
            return self._token

    def debit(self, debit: Debit) -> Outcome:
        payload = {
            "idempotency_key": debit.idempotency_key,
            "user_id": str(debit.user_id),
            "item": debit.item,
            "qty": debit.qty,
            "reason": debit.reason,
        }
        try:
            for attempt in range(2):
                response = self._client.post(
                    f"{self.auth_url}/internal/wallet/debits",
                    json=payload,
                    headers={"Authorization": f"Bearer {self._service_token()}"},
                )
                if response.status_code == 401 and attempt == 0:
                    self._token = None  # expired or rotated key: fetch a fresh token once
                    continue
                break
            return outcome_of(response)
        except (httpx.HTTPError, ValueError, KeyError, TypeError) as exc:
            return NoAnswer(f"{type(exc).__name__}: {exc}"[:500])
