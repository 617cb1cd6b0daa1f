"""Reading stored notifications back (the SSE replay)."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import Engine, select
from sqlmodel import Session, col

from processing_service.notifications.hub import Note
from processing_service.notifications.models import Notification
from quest_common.db import utcnow


def replay(
    *,
    engine: Engine,
    user_id: uuid.UUID,
    after_seq: int | None,
    window_s: float,
    limit: int = 500,
) -> list[Note]:
    """After `Last-Event-ID` when given, else the last `window_s` seconds, oldest first."""
    query = select(Notification).where(col(Notification.user_id) == user_id)
    if after_seq is not None:
        query = query.where(col(Notification.seq) > after_seq)
    else:
        query = query.where(col(Notification.created_at) >= utcnow() - timedelta(seconds=window_s))
    query = query.order_by(Notification.seq).limit(limit)  # type: ignore[arg-type]
    with Session(engine) as session:
        rows = session.execute(query).scalars().all()
    return [
        Note(seq=int(r.seq or 0), user_id=str(r.user_id), event=r.event, data=r.data) for r in rows
    ]
