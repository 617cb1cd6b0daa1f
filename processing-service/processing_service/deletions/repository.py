"""The `user_tombstone` table, and the advisory lock that orders sign-in batches against
deletions (see `deletions.service`)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Protocol

from sqlalchemy import text
from sqlalchemy.dialects.postgresql import insert
from sqlmodel import Session

from processing_service.deletions.models import UserTombstone
from quest_common.db import rows_of_users

# Any constant: the advisory lock that orders sign-in batches against deletions.
DELETION_LOCK = 0x51_0D_E1


class TombstoneRepository(Protocol):
    def hold_shared(self) -> None:
        """Until the transaction ends, no deletion runs (many batches may hold this at once)."""
        ...

    def hold_exclusive(self) -> None:
        """Until the transaction ends, nothing else holds the lock (waits for those that do)."""
        ...

    def add(self, user_id: uuid.UUID, *, deleted_at: datetime) -> None: ...

    def deleted_among(self, user_ids: Iterable[str]) -> set[str]:
        """The ids (canonical text) among these whose player is deleted."""
        ...


class SqlTombstones:
    def __init__(self, session: Session) -> None:
        self.session = session

    def hold_shared(self) -> None:
        self.session.execute(
            text("SELECT pg_advisory_xact_lock_shared(:key)"), {"key": DELETION_LOCK}
        )

    def hold_exclusive(self) -> None:
        self.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": DELETION_LOCK})

    def add(self, user_id: uuid.UUID, *, deleted_at: datetime) -> None:
        self.session.execute(
            insert(UserTombstone)
            .values(user_id=user_id, deleted_at=deleted_at)
            .on_conflict_do_nothing(index_elements=["user_id"])
        )

    def deleted_among(self, user_ids: Iterable[str]) -> set[str]:
        rows = rows_of_users(self.session, "SELECT user_id::text FROM user_tombstone", user_ids)
        return {str(user) for (user,) in rows}
