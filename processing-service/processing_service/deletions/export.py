"""Everything processing holds about one player, as JSON (DESIGN §11, personal data)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlmodel import Session

from processing_service import views
from quest_common.db import utcnow


def export_player(*, session: Session, user_id: uuid.UUID) -> dict[str, Any]:
    return {
        "service": "processing",
        "user_id": str(user_id),
        "exported_at": utcnow().isoformat(),
        **views.player_data(session=session, user_id=user_id),
    }
