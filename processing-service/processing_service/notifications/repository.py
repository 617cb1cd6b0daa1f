"""The `notification` table: the one module that writes it (the durable record an SSE client
replays from; `notifications.service.missed` reads it back)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from datetime import timedelta
from typing import Protocol

from sqlalchemy import delete, text
from sqlmodel import Session, col

from processing_service.notifications.models import Notification, NotificationRecord
from quest_common.db import pg_array, utcnow

_INSERT = text(
    """
    INSERT INTO notification (id, user_id, event, data, created_at)
    SELECT gen_random_uuid(), t.user_id, t.event, CAST(t.data AS jsonb), :now
    FROM unnest(CAST(:users AS text)::uuid[], CAST(:events AS text)::text[],
                CAST(:data AS text)::text[])
         WITH ORDINALITY AS t(user_id, event, data, ord)
    ORDER BY t.ord
    RETURNING seq
    """
)


class NotificationRepository(Protocol):
    def store(self, notes: Sequence[Notification]) -> list[Notification]:
        """Insert the notes in order; returns them with their SSE ids (increasing)."""
        ...

    def purge(self, *, older_than_s: float) -> int: ...

    def erase(self, user_id: uuid.UUID) -> int: ...


class SqlNotifications:
    def __init__(self, session: Session) -> None:
        self.session = session

    def store(self, notes: Sequence[Notification]) -> list[Notification]:
        if not notes:
            return []
        encoded: dict[int, str] = {}  # payload objects shared by many notes are serialized once
        data = []
        for note in notes:
            text_value = encoded.get(id(note.data))
            if text_value is None:
                text_value = encoded[id(note.data)] = json.dumps(note.data)
            data.append(text_value)
        returned = self.session.execute(
            _INSERT,
            {
                "users": "{" + ",".join(n.user_id for n in notes) + "}",
                "events": pg_array([n.event for n in notes]),
                "data": pg_array(data),
                "now": utcnow(),
            },
        ).scalars()
        # Rows are inserted in the SELECT's order and the identity numbers them as they go, so
        # the ascending seqs belong to the notes in order (only integers come back: cheap).
        return [
            Notification(user_id=n.user_id, event=n.event, data=n.data, seq=seq)
            for seq, n in zip(sorted(returned), notes, strict=True)
        ]

    def purge(self, *, older_than_s: float) -> int:
        cutoff = utcnow() - timedelta(seconds=older_than_s)
        result = self.session.execute(
            delete(NotificationRecord).where(col(NotificationRecord.created_at) < cutoff)
        )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]

    def erase(self, user_id: uuid.UUID) -> int:
        result = self.session.execute(
            delete(NotificationRecord).where(col(NotificationRecord.user_id) == user_id)
        )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]
