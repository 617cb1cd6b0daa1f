"""Grants: rewards earned and owed, credited to auth's wallet.

The grant id is the ledger's idempotency key, so a retried credit is credited once.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol

from processing_service.grants.auth_client import AuthUnavailableError
from processing_service.grants.models import GrantData, GrantStatus
from processing_service.notifications import payloads
from processing_service.notifications.models import Notification
from quest_common.db import utcnow

if TYPE_CHECKING:
    from processing_service.unit_of_work import ProcessingUnitOfWork, UnitOfWorkFactory

log = logging.getLogger(__name__)


class Crediting(Protocol):
    """Auth's wallet as grant delivery sees it (`grants.auth_client.AuthClient`)."""

    def credit(self, *, grant: GrantData) -> dict[str, Any]:
        """Credit the grant once (its id is the idempotency key); AuthUnavailableError when
        auth did not accept it."""
        ...


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


def mark_credited(*, uow: ProcessingUnitOfWork, grant: GrantData) -> bool:
    """Flip pending → credited once; the one that flips it tells the player."""
    if not uow.grants.mark_credited(grant.grant_id, now=utcnow()):
        return False
    credited = payloads.RewardCreditedNotice(
        quest_id=str(grant.quest_id),
        title=grant.quest_title,
        grant_id=str(grant.grant_id),
        item=grant.item,  # type: ignore[arg-type]  # checked by the model
        qty=grant.qty,
    )
    uow.notify(
        [Notification(str(grant.user_id), payloads.REWARD_CREDITED, payloads.data(credited))]
    )
    return True


def deliver(*, uow_factory: UnitOfWorkFactory, auth: Crediting, grant: GrantData) -> bool:
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


@dataclass(frozen=True, slots=True)
class DeliveryRound:
    """What one round of `deliver_due` did."""

    credited: int = 0
    # Every grant due was looked at: none is left for now (else run another round at once).
    drained: bool = True


def deliver_due(
    *,
    uow_factory: UnitOfWorkFactory,
    auth: Crediting,
    limit: int = 50,
    max_backoff_s: float = 60.0,
) -> DeliveryRound:
    """Deliver pending grants whose time has come (safe with several workers: SKIP LOCKED)."""
    credited = 0
    with uow_factory() as uow:
        now = utcnow()
        due = uow.grants.lock_due(now=now, limit=limit)
        # A deleted player's grants are not delivered: their rows went with the deletion, and
        # one claimed in the moment before it is erased here.
        deleted = uow.tombstones.deleted_among(str(d.grant.user_id) for d in due)
        for user in deleted:
            uow.grants.erase(uuid.UUID(user))
        stopped = False
        for item in due:
            grant = item.grant
            if str(grant.user_id) in deleted:
                continue
            try:
                auth.credit(grant=grant)
            except AuthUnavailableError as exc:
                attempts = item.attempts + 1
                uow.grants.retry_later(
                    grant.grant_id,
                    attempts=attempts,
                    error=str(exc),
                    next_attempt_at=utcnow()
                    + timedelta(seconds=backoff(attempts, max_s=max_backoff_s)),
                )
                # Auth is most likely down for all of them: stop this round, retry later.
                stopped = True
                break
            mark_credited(uow=uow, grant=grant)
            credited += 1
        uow.commit()
    return DeliveryRound(credited=credited, drained=stopped or len(due) < limit)


def deliver_all_due(
    *, uow_factory: UnitOfWorkFactory, auth: Crediting, max_backoff_s: float = 60.0
) -> int:
    """Rounds of `deliver_due` until one drains what was due; returns how many were credited."""
    credited = 0
    while True:
        delivered = deliver_due(uow_factory=uow_factory, auth=auth, max_backoff_s=max_backoff_s)
        credited += delivered.credited
        if delivered.drained:
            return credited
