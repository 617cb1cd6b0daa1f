"""Everything processing holds about one player, as JSON (DESIGN §11, personal data)."""

from __future__ import annotations

import uuid
from typing import Any

from pydantic_core import to_jsonable_python
from sqlalchemy import text
from sqlmodel import Session

from quest_common.db import utcnow

_TABLES = {
    "events": "SELECT event_id, type, source, user_name, occurred_at, recorded_at "
    "FROM sign_in_event WHERE user_id = :user ORDER BY seq",
    "progress": "SELECT quest_id, streak, completed, claimed, last_day, updated_at "
    "FROM quest_progress WHERE user_id = :user ORDER BY quest_id",
    "grants": "SELECT grant_id, quest_id, quest_title, item, qty, reason, status, attempts, "
    "created_at, credited_at FROM reward_grant WHERE user_id = :user ORDER BY created_at",
    "notifications": "SELECT seq, event, data, created_at "
    "FROM notification WHERE user_id = :user ORDER BY seq",
}


def export_player(*, session: Session, user_id: uuid.UUID) -> dict[str, Any]:
    document: dict[str, Any] = {
        "service": "processing",
        "user_id": str(user_id),
        "exported_at": utcnow().isoformat(),
    }
    for name, query in _TABLES.items():
        rows = session.execute(text(query), {"user": user_id}).mappings().all()
        document[name] = [to_jsonable_python(dict(row)) for row in rows]
    return document
