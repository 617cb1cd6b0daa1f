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
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, TypeVar

from quest_common.db import utcnow

if TYPE_CHECKING:
    from processing_service.unit_of_work import ProcessingUnitOfWork


def delete_player(
    *, uow: ProcessingUnitOfWork, user_id: uuid.UUID, deleted_at: datetime | None
) -> int:
    """Tombstone the player and erase them from the known players, and their events (recorded
    and ingested), progress, grants and notifications (the caller commits). Returns how many
    rows were erased; running it twice erases nothing more."""
    uow.tombstones.hold_exclusive()
    uow.tombstones.add(user_id, deleted_at=deleted_at or utcnow())
    return (
        uow.players.erase(user_id)
        + uow.events.erase(user_id)
        + uow.progress.erase(user_id)
        + uow.grants.erase(user_id)
        + uow.notifications.erase(user_id)
        + uow.ingested.erase(user_id)
    )


T = TypeVar("T")


def drop_deleted(
    *, uow: ProcessingUnitOfWork, events: Sequence[T], user_of: Callable[[T], object]
) -> list[T]:
    """The events whose player is not deleted; holds the shared lock for the transaction."""
    uow.tombstones.hold_shared()
    deleted = uow.tombstones.deleted_among(str(user_of(e)) for e in events)
    if not deleted:
        return list(events)
    return [e for e in events if str(user_of(e)) not in deleted]
