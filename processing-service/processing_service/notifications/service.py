"""Storing notifications (the durable record an SSE client replays from) and reading them back."""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import delete, select, text
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


def store(
    *, session: Session, notes: Sequence[Notification], now: datetime | None = None
) -> list[Notification]:
    """Insert the rows in one statement; returns the notifications with their SSE id."""
    if not notes:
        return []
    encoded: dict[int, str] = {}  # payload objects shared by many notes are serialized once
    data = []
    for note in notes:
        text_value = encoded.get(id(note.data))
        if text_value is None:
            text_value = encoded[id(note.data)] = json.dumps(note.data)
        data.append(text_value)
    returned = session.execute(
        _INSERT,
        {
            "users": "{" + ",".join(n.user_id for n in notes) + "}",
            "events": pg_array([n.event for n in notes]),
            "data": pg_array(data),
            "now": now or utcnow(),
        },
    ).scalars()
    # Rows are inserted in the SELECT's order and the identity numbers them as they go, so the
    # ascending seqs belong to the notes in order (only integers come back: cheap).
    return [
        Notification(user_id=n.user_id, event=n.event, data=n.data, seq=seq)
        for seq, n in zip(sorted(returned), notes, strict=True)
    ]


def missed(
    *,
    session: Session,
    user_id: uuid.UUID,
    after_seq: int | None,
    window_s: float,
    limit: int = 500,
) -> list[Notification]:
    """After `Last-Event-ID` when given, else the last `window_s` seconds, oldest first."""
    query = select(NotificationRecord).where(col(NotificationRecord.user_id) == user_id)
    if after_seq is not None:
        query = query.where(col(NotificationRecord.seq) > after_seq)
    else:
        since = utcnow() - timedelta(seconds=window_s)
        query = query.where(col(NotificationRecord.created_at) >= since)
    rows = session.execute(query.order_by(col(NotificationRecord.seq)).limit(limit)).scalars()
    return [
        Notification(user_id=str(r.user_id), event=r.event, data=r.data, seq=int(r.seq or 0))
        for r in rows
    ]


def purge(*, session: Session, older_than_s: float) -> None:
    cutoff = utcnow() - timedelta(seconds=older_than_s)
    session.execute(delete(NotificationRecord).where(col(NotificationRecord.created_at) < cutoff))
