"""Reading back the notifications an SSE client missed (stored by `notifications.repository`)."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlmodel import Session, col

from processing_service.notifications.models import Notification, NotificationRecord
from quest_common.db import utcnow

if TYPE_CHECKING:
    from processing_service.unit_of_work import UnitOfWorkFactory


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


def purge(*, uow_factory: UnitOfWorkFactory, older_than_s: float) -> int:
    """Delete the notifications older than the retention (a client replays a minute at most)."""
    with uow_factory() as uow:
        purged = uow.notifications.purge(older_than_s=older_than_s)
        uow.commit()
    return purged
