"""The `player_event` table: the one module that writes it (reads for other domains go through
`processing_service.views`)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from sqlalchemy import delete, select, text
from sqlmodel import Session, col

from processing_service.events.models import RecordedEvent
from processing_service.progress.rules import PlayerEvent
from quest_common.db import pg_array, utcnow

_INSERT_EVENTS = text(
    """
    INSERT INTO player_event (event_id, user_id, user_name, type, event_type, data, source,
                              time_zone, occurred_at, recorded_at)
    SELECT t.id, t.user_id, t.name, t.type, t.event_type, t.data, t.source, t.zone, t.at, :now
    FROM unnest(CAST(:ids AS text)::text[], CAST(:users AS text)::uuid[],
                CAST(:names AS text)::text[], CAST(:types AS text)::text[],
                CAST(:event_types AS text)::text[], CAST(:data AS text)::jsonb[],
                CAST(:sources AS text)::text[], CAST(:zones AS text)::text[],
                CAST(:times AS text)::timestamptz[])
         WITH ORDINALITY AS t(id, user_id, name, type, event_type, data, source, zone, at, ord)
    ORDER BY t.ord
    ON CONFLICT (event_id) DO NOTHING
    RETURNING event_id
    """
)


def _json(data: Mapping[str, Any]) -> str:
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False) if data else "{}"


class EventRepository(Protocol):
    def record(self, events: Sequence[PlayerEvent]) -> set[str]:
        """Insert the events in the order given; the ids inserted (not seen before)."""
        ...

    def latest_zone(self, user_id: uuid.UUID) -> str | None:
        """The zone the player's latest recorded sign-in carried (None: no sign-in yet)."""
        ...

    def erase(self, user_id: uuid.UUID) -> int: ...


class SqlEvents:
    def __init__(self, session: Session) -> None:
        self.session = session

    def record(self, events: Sequence[PlayerEvent]) -> set[str]:
        # Bulk statements pass arrays through unnest(): one constant SQL text whatever the batch.
        inserted = self.session.execute(
            _INSERT_EVENTS,
            {
                "ids": pg_array([e.event_id for e in events]),
                "users": "{" + ",".join([str(e.user_id) for e in events]) + "}",
                "names": pg_array([e.user_name[:64] for e in events]),
                "types": pg_array([(e.envelope_type or e.type)[:128] for e in events]),
                "event_types": pg_array([e.type[:64] for e in events]),
                "data": pg_array([_json(e.data) for e in events]),
                "sources": pg_array([e.source[:256] for e in events]),
                "zones": pg_array([e.time_zone for e in events]),
                "times": pg_array([e.time for e in events]),
                "now": utcnow(),
            },
        )
        return set(inserted.scalars())

    def latest_zone(self, user_id: uuid.UUID) -> str | None:
        zone = self.session.execute(
            select(col(RecordedEvent.time_zone))
            .where(col(RecordedEvent.user_id) == user_id)
            .order_by(col(RecordedEvent.seq).desc())
            .limit(1)
        ).scalar()
        return str(zone) if zone is not None else None

    def erase(self, user_id: uuid.UUID) -> int:
        result = self.session.execute(
            delete(RecordedEvent).where(col(RecordedEvent.user_id) == user_id)
        )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]
