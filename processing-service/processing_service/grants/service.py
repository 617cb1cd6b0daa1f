"""Grants: rewards earned and owed, credited to auth's wallet.

The grant id is the ledger's idempotency key, so a retried credit is credited once.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import and_, exists, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlmodel import col

from processing_service.deletions.models import UserTombstone
from processing_service.grants.auth_client import AuthClient, AuthUnavailableError
from processing_service.grants.models import Grant, GrantStatus
from processing_service.notifications import payloads
from processing_service.notifications.models import Notification
from processing_service.unit_of_work import UnitOfWork, UnitOfWorkFactory
from quest_common.db import utcnow

log = logging.getLogger(__name__)

LEDGER_REASON_MAX = 255  # auth's ledger reason column


@dataclass(frozen=True, slots=True)
class GrantData:
    grant_id: uuid.UUID
    user_id: uuid.UUID
    quest_id: uuid.UUID
    quest_title: str
    item: str
    qty: int
    reason: str
    badge: str | None = None

    @classmethod
    def of(cls, row: Any) -> GrantData:
        return cls(
            row.grant_id,
            row.user_id,
            row.quest_id,
            row.quest_title,
            row.item,
            row.qty,
            row.reason,
            row.badge,
        )

    @property
    def ledger_reason(self) -> str:
        """What the player's wallet history says: the quest by its title, in words
        ("Quest: Sign in three times"); the reason code when the title is unknown."""
        return f"Quest: {self.quest_title}"[:LEDGER_REASON_MAX] if self.quest_title else self.reason


class RewardingQuest(Protocol):
    """What a grant takes from the quest it rewards (a `progress.rules.QuestRule`)."""

    @property
    def quest_id(self) -> uuid.UUID: ...
    @property
    def title(self) -> str: ...
    @property
    def reward_item(self) -> str: ...
    @property
    def reward_qty(self) -> int: ...
    @property
    def reward_name(self) -> str: ...


def grant_row(
    *,
    user_id: uuid.UUID,
    quest: RewardingQuest,
    reason: str,
    now: datetime,
    next_attempt_at: datetime | None = None,
    earned_at: datetime | None = None,
    status: GrantStatus = "pending",
) -> dict[str, Any]:
    """A new grant's column values: the quest's reward, owed to the player. Every row has the
    same keys, as one bulk insert needs."""
    return {
        "grant_id": uuid.uuid4(),
        "user_id": user_id,
        "quest_id": quest.quest_id,
        "quest_title": quest.title[:200],
        "item": quest.reward_item,
        "qty": quest.reward_qty,
        "badge": quest.reward_name[:64] if quest.reward_item == "badge" else None,
        "reason": reason,
        "status": status,
        "attempts": 0,
        "created_at": now,
        "next_attempt_at": next_attempt_at or now,
        "earned_at": earned_at,
    }


def add_grants(*, uow: UnitOfWork, rows: list[dict[str, Any]]) -> None:
    if rows:
        uow.session.execute(insert(Grant).values(rows))


def mark_credited(*, uow: UnitOfWork, grant: GrantData) -> bool:
    """Flip pending → credited once; the one that flips it tells the player."""
    flipped = uow.session.execute(
        update(Grant)
        .where(and_(col(Grant.grant_id) == grant.grant_id, col(Grant.status) == "pending"))
        .values(status="credited", credited_at=utcnow(), last_error=None)
        .returning(col(Grant.grant_id))
    ).first()
    if flipped is None:
        return False
    data = payloads.reward_credited(
        quest_id=str(grant.quest_id),
        title=grant.quest_title,
        grant_id=str(grant.grant_id),
        item=grant.item,
        qty=grant.qty,
    )
    uow.notify([Notification(str(grant.user_id), payloads.REWARD_CREDITED, data)])
    return True


def deliver(*, uow_factory: UnitOfWorkFactory, auth: AuthClient, grant: GrantData) -> bool:
    """Credit one grant now; False when auth failed (the delivery loop retries it later)."""
    try:
        auth.credit(grant=grant)
    except AuthUnavailableError as exc:
        log.warning("grant %s not credited yet: %s", grant.grant_id, exc)
        return False
    with uow_factory() as uow:
        mark_credited(uow=uow, grant=grant)
        uow.commit()
    return True


def backoff(attempts: int, *, max_s: float) -> float:
    """Capped exponential backoff for grant delivery retries: 1, 2, 4, … seconds."""
    return float(min(2 ** max(attempts - 1, 0), max_s))


def deliver_due(
    *,
    uow_factory: UnitOfWorkFactory,
    auth: AuthClient,
    limit: int = 50,
    max_backoff_s: float = 60.0,
) -> int:
    """Deliver pending grants whose time has come (safe with several workers: SKIP LOCKED).

    Returns how many were credited."""
    credited = 0
    with uow_factory() as uow:
        rows = uow.session.execute(
            select(Grant.__table__)  # type: ignore[attr-defined]
            .where(
                and_(
                    col(Grant.status) == "pending",
                    col(Grant.next_attempt_at) <= utcnow(),
                    # A deleted player's grants are not delivered (their rows go with the
                    # deletion; this covers a grant claimed in the moment before it).
                    ~exists().where(col(UserTombstone.user_id) == col(Grant.user_id)),
                )
            )
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
                uow.session.execute(
                    update(Grant)
                    .where(col(Grant.grant_id) == grant.grant_id)
                    .values(
                        attempts=row.attempts + 1,
                        last_error=str(exc)[:500],
                        next_attempt_at=utcnow() + timedelta(seconds=delay),
                    )
                )
                # Auth is most likely down for all of them: stop this round, retry later.
                break
            mark_credited(uow=uow, grant=grant)
            credited += 1
        uow.commit()
    return credited
