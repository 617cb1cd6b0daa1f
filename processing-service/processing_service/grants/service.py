"""Deliver grants to auth's wallet: the grant id is the idempotency key, so retries credit once."""

from __future__ import annotations

import logging
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import Engine, and_, select, update
from sqlmodel import Session, col

from processing_service.grants.models import Grant
from processing_service.notifications import payloads
from processing_service.progress.service import PendingNotification, store_notifications
from quest_common.db import utcnow

log = logging.getLogger(__name__)


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
            "reason": grant.reason,
        }
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


@dataclass(frozen=True, slots=True)
class GrantData:
    grant_id: uuid.UUID
    user_id: uuid.UUID
    quest_id: uuid.UUID
    quest_title: str
    item: str
    qty: int
    reason: str

    @classmethod
    def of(cls, row: Any) -> GrantData:
        return cls(
            row.grant_id, row.user_id, row.quest_id, row.quest_title, row.item, row.qty, row.reason
        )


def mark_credited(*, session: Session, grant: GrantData) -> list[dict[str, Any]]:
    """Flip pending → credited once; the one that flips it stores the notification."""
    flipped = session.execute(
        update(Grant)
        .where(and_(Grant.grant_id == grant.grant_id, Grant.status == "pending"))  # type: ignore[arg-type]
        .values(status="credited", credited_at=utcnow(), last_error=None)
        .returning(col(Grant.grant_id))
    ).first()
    if flipped is None:
        return []
    note = PendingNotification(
        grant.user_id,
        payloads.REWARD_CREDITED,
        payloads.reward_credited(
            quest_id=str(grant.quest_id),
            title=grant.quest_title,
            grant_id=str(grant.grant_id),
            item=grant.item,
            qty=grant.qty,
        ),
    )
    return store_notifications(session=session, notes=[note], now=utcnow())


def deliver(*, engine: Engine, auth: AuthClient, grant: GrantData) -> list[dict[str, Any]] | None:
    """Credit one grant now. Returns the notifications to publish, or None when auth failed."""
    try:
        auth.credit(grant=grant)
    except AuthUnavailableError as exc:
        log.warning("grant %s not credited yet: %s", grant.grant_id, exc)
        return None
    with Session(engine) as session:
        notes = mark_credited(session=session, grant=grant)
        session.commit()
    return notes


def backoff(attempts: int, *, max_s: float) -> float:
    """Capped exponential backoff for grant delivery retries: 1, 2, 4, … seconds."""
    return float(min(2 ** max(attempts - 1, 0), max_s))


def deliver_due(
    *, engine: Engine, auth: AuthClient, limit: int = 50, max_backoff_s: float = 60.0
) -> tuple[int, list[dict[str, Any]]]:
    """Deliver pending grants whose time has come. Safe with several workers (SKIP LOCKED).

    Returns (credited count, notifications to publish).
    """
    credited, notes = 0, []
    with Session(engine) as session:
        rows = session.execute(
            select(Grant.__table__)  # type: ignore[attr-defined]
            .where(and_(Grant.status == "pending", Grant.next_attempt_at <= utcnow()))  # type: ignore[arg-type]
            .order_by(col(Grant.next_attempt_at))
            .limit(limit)
            .with_for_update(skip_locked=True)
        ).all()
        for row in rows:
            grant = GrantData.of(row)
            try:
                auth.credit(grant=grant)
            except AuthUnavailableError as exc:
                delay = backoff(row.attempts + 1, max_s=max_backoff_s)
                session.execute(
                    update(Grant)
                    .where(Grant.grant_id == grant.grant_id)  # type: ignore[arg-type]
                    .values(
                        attempts=row.attempts + 1,
                        last_error=str(exc)[:500],
                        next_attempt_at=utcnow() + timedelta(seconds=delay),
                    )
                )
                # Auth is most likely down for all of them: stop this round, retry later.
                break
            notes.extend(mark_credited(session=session, grant=grant))
            credited += 1
        session.commit()
    return credited, notes
