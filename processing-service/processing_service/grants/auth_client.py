"""Auth's `/internal` wallet, called with a cached client-credentials service token."""

from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING, Any

import httpx

if TYPE_CHECKING:
    from processing_service.grants.models import GrantData


class AuthUnavailableError(Exception):
    """Auth did not accept the credit (down, timeout, or an error answer)."""


class AuthClient:
    """Calls auth's `/internal` routes with a cached client-credentials service token."""

    def __init__(
        self, *, auth_url: str, client_id: str, client_secret: str, timeout_s: float = 3.0
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
            self._token_expires = time.monotonic() + max(int(body.get("expires_in", 300)) - 30, 5)
            return self._token

    def credit(self, *, grant: GrantData) -> dict[str, Any]:
        payload = {
            "idempotency_key": str(grant.grant_id),
            "user_id": str(grant.user_id),
            "item": grant.item,
            "qty": grant.qty,
            "reason": grant.ledger_reason,
        }
        if grant.badge is not None:
            payload["badge"] = grant.badge
        try:
            for attempt in range(2):
                response = self._client.post(
                    f"{self.auth_url}/internal/wallet/credits",
                    json=payload,
                    headers={"Authorization": f"Bearer {self._service_token()}"},
                )
                if response.status_code == 401 and attempt == 0:
                    self._token = None  # expired or rotated key: fetch a fresh token once
                    continue
                response.raise_for_status()
                result: dict[str, Any] = response.json()
                return result
        except (httpx.HTTPError, ValueError, KeyError) as exc:
            raise AuthUnavailableError(f"{type(exc).__name__}: {exc}") from exc
        raise AuthUnavailableError("auth refused the service token")
