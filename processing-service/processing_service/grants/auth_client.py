"""Auth's `/internal` wallet, called with a cached client-credentials service token."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import httpx

from quest_common.service_client import ServiceTokenClient

if TYPE_CHECKING:
    from processing_service.grants.models import GrantData


class AuthUnavailableError(Exception):
    """Auth did not accept the credit (down, timeout, or an error answer)."""


class AuthClient(ServiceTokenClient):
    """Credits rewards through auth's `/internal` wallet."""

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
            response = self.post("/internal/wallet/credits", json=payload)
            response.raise_for_status()
            result: dict[str, Any] = response.json()
            return result
        except (httpx.HTTPError, ValueError, KeyError) as exc:
            raise AuthUnavailableError(f"{type(exc).__name__}: {exc}") from exc
