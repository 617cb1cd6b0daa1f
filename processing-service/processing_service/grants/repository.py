"""The `reward_grant` table: the one module that reads and writes it."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import and_, delete, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlmodel import Session, col

from processing_service.grants.models import Grant, GrantData


@dataclass(frozen=True, slots=True)
class DueGrant:
    """A pending grant whose delivery time has come, and how often it was tried."""

    grant: GrantData
    attempts: int


class GrantRepository(Protocol):
    def add(self, rows: Sequence[dict[str, Any]]) -> None: ...

    def lock_earned(
        self, user_id: uuid.UUID, quest_id: uuid.UUID
    ) -> list[tuple[uuid.UUID, datetime]]:
        """The player's `earned` grants of the quest (id, earned at), oldest first, locked."""
        ...

    def mark_expired(self, grant_ids: Sequence[uuid.UUID]) -> None: ...

    def take(self, grant_id: uuid.UUID, *, next_attempt_at: datetime) -> GrantData:
        """An earned grant, claimed: pending, to be delivered."""
        ...

    def lock_due(self, *, now: datetime, limit: int) -> list[DueGrant]:
        """Pending grants due by `now`, the most overdue first; rows another worker holds are
        skipped (several workers deliver at once)."""
        ...

    def retry_later(
        self, grant_id: uuid.UUID, *, attempts: int, error: str, next_attempt_at: datetime
    ) -> None: ...

    def mark_credited(self, grant_id: uuid.UUID, *, now: datetime) -> bool:
        """Pending → credited; False when it was not pending (credited already)."""
        ...

    def unclaimed(self, user_id: uuid.UUID) -> dict[uuid.UUID, list[datetime]]:
        """When each `earned` grant of the player was earned, by quest, oldest first."""
        ...

    def erase(self, user_id: uuid.UUID) -> int: ...


class SqlGrants:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, rows: Sequence[dict[str, Any]]) -> None:
        if rows:
            self.session.execute(insert(Grant).values(list(rows)))

    def lock_earned(
        self, user_id: uuid.UUID, quest_id: uuid.UUID
    ) -> list[tuple[uuid.UUID, datetime]]:
        rows = self.session.execute(
            select(col(Grant.grant_id), col(Grant.earned_at))
            .where(
                and_(
                    col(Grant.user_id) == user_id,
                    col(Grant.quest_id) == quest_id,
                    col(Grant.status) == "earned",
                )
            )
            .order_by(col(Grant.earned_at), col(Grant.grant_id))
            .with_for_update()
        ).all()
        return [(r.grant_id, r.earned_at) for r in rows]

    def mark_expired(self, grant_ids: Sequence[uuid.UUID]) -> None:
        if grant_ids:
            self.session.execute(
                update(Grant).where(col(Grant.grant_id).in_(grant_ids)).values(status="expired")
            )

    def take(self, grant_id: uuid.UUID, *, next_attempt_at: datetime) -> GrantData:
        taken = self.session.execute(
            update(Grant)
            .where(col(Grant.grant_id) == grant_id)
            .values(status="pending", next_attempt_at=next_attempt_at)
            .returning(*Grant.__table__.c)  # type: ignore[attr-defined]
        ).one()
        return GrantData.of(taken)

    def lock_due(self, *, now: datetime, limit: int) -> list[DueGrant]:
        rows = self.session.execute(
            select(Grant.__table__)  # type: ignore[attr-defined]
            .where(and_(col(Grant.status) == "pending", col(Grant.next_attempt_at) <= now))
            .order_by(col(Grant.next_attempt_at))
            .limit(limit)
            .with_for_update(skip_locked=True)
        ).all()
        return [DueGrant(GrantData.of(row), row.attempts) for row in rows]

    def retry_later(
        self, grant_id: uuid.UUID, *, attempts: int, error: str, next_attempt_at: datetime
    ) -> None:
        self.session.execute(
            update(Grant)
            .where(col(Grant.grant_id) == grant_id)
            .values(attempts=attempts, last_error=error[:500], next_attempt_at=next_attempt_at)
        )

    def mark_credited(self, grant_id: uuid.UUID, *, now: datetime) -> bool:
        flipped = self.session.execute(
            update(Grant)
            .where(and_(col(Grant.grant_id) == grant_id, col(Grant.status) == "pending"))
            .values(status="credited", credited_at=now, last_error=None)
            .returning(col(Grant.grant_id))
        ).first()
        return flipped is not None

    def unclaimed(self, user_id: uuid.UUID) -> dict[uuid.UUID, list[datetime]]:
        found: dict[uuid.UUID, list[datetime]] = {}
        for row in self.session.execute(
            select(col(Grant.quest_id), col(Grant.earned_at))
            .where(and_(col(Grant.user_id) == user_id, col(Grant.status) == "earned"))
            .order_by(col(Grant.earned_at))
        ).all():
            if row.earned_at is not None:
                found.setdefault(row.quest_id, []).append(row.earned_at)
        return found

    def erase(self, user_id: uuid.UUID) -> int:
        result = self.session.execute(delete(Grant).where(col(Grant.user_id) == user_id))
        return int(result.rowcount or 0)  # type: ignore[attr-defined]
