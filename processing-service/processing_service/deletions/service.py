"""Deleted players: erase what processing holds about them, keep a tombstone, and keep them out.

Races. A sign-in batch checks the tombstones and inserts in one transaction; a deletion inserts
the tombstone and deletes in another. Without a lock a batch that checked before the deletion
committed could insert after it. So every sign-in batch holds a *shared* advisory lock for its
transaction and a deletion an *exclusive* one: a deletion waits for the batches in flight, and a
later batch waits for the deletion, then sees its tombstone. Deletions are rare; the shared lock
costs a batch one statement.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import text
from sqlalchemy.dialects.postgresql import insert
from sqlmodel import Session

from processing_service.deletions.models import UserTombstone
from quest_common.db import utcnow

if TYPE_CHECKING:
    from processing_service.unit_of_work import UnitOfWork

# Any constant: the advisory lock that orders sign-in batches against deletions.
DELETION_LOCK = 0x51_0D_E1

_ERASE = [
    "DELETE FROM sign_in_event WHERE user_id = :user",
    "DELETE FROM quest_progress WHERE user_id = :user",
    "DELETE FROM reward_grant WHERE user_id = :user",
    "DELETE FROM notification WHERE user_id = :user",
]


def delete_player(*, uow: UnitOfWork, user_id: uuid.UUID, deleted_at: datetime | None) -> int:
    """Tombstone the player and erase their events, progress, grants and notifications (the
    caller commits). Returns how many rows were erased; running it twice erases nothing more."""
    session = uow.session
    session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": DELETION_LOCK})
    session.execute(
        insert(UserTombstone)
        .values(user_id=user_id, deleted_at=deleted_at or utcnow())
        .on_conflict_do_nothing(index_elements=["user_id"])
    )
    erased = 0
    for statement in _ERASE:
        erased += int(session.execute(text(statement), {"user": user_id}).rowcount or 0)  # type: ignore[attr-defined]
    return erased


T = TypeVar("T")


def drop_deleted(*, session: Session, events: Sequence[T], user_of: Any) -> list[T]:
    """The events whose player is not deleted; holds the shared lock for the transaction."""
    session.execute(text("SELECT pg_advisory_xact_lock_shared(:key)"), {"key": DELETION_LOCK})
    users = sorted({str(user_of(e)) for e in events})
    if not users:
        return list(events)
    deleted = set(
        session.execute(
            text(
                "SELECT user_id::text FROM user_tombstone "
                "WHERE user_id = ANY(CAST(:users AS uuid[]))"
            ),
            {"users": users},
        ).scalars()
    )
    if not deleted:
        return list(events)
    return [e for e in events if str(user_of(e)) not in deleted]


def is_deleted(*, session: Session, user_id: uuid.UUID) -> bool:
    return session.get(UserTombstone, user_id) is not None
