"""The ingestion domain's tables: `ingested_event` (accepted `(client, id)` pairs) and
`ingest_source_day` (each source's daily figures)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Protocol

from sqlalchemy import delete, text
from sqlalchemy.dialects.postgresql import insert
from sqlmodel import Session, col

from processing_service.ingestion.models import IngestedEvent, SourceFigures


class IngestedEventRepository(Protocol):
    def claim(self, rows: Sequence[Mapping[str, object]]) -> set[str]:
        """Insert the rows (`IngestedEvent` columns) whose `(client_id, event_id)` is new;
        returns the event ids inserted. A pair another transaction inserted but has not
        committed yet waits for it: then it is a duplicate, or new if that one rolled back."""
        ...

    def erase(self, user_id: uuid.UUID) -> int: ...


class SqlIngestedEvents:
    def __init__(self, session: Session) -> None:
        self.session = session

    def claim(self, rows: Sequence[Mapping[str, object]]) -> set[str]:
        if not rows:
            return set()
        # One order for every request (by id): two requests sharing ids lock the rows in the
        # same order, so they wait for each other rather than deadlock.
        ordered = sorted(rows, key=lambda row: str(row["event_id"]))
        statement = (
            insert(IngestedEvent)
            .values(list(ordered))
            .on_conflict_do_nothing(index_elements=["client_id", "event_id"])
            .returning(col(IngestedEvent.event_id))
        )
        return {str(event_id) for event_id in self.session.execute(statement).scalars()}

    def erase(self, user_id: uuid.UUID) -> int:
        result = self.session.execute(
            delete(IngestedEvent).where(col(IngestedEvent.user_id) == user_id)
        )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]


# Adds a request's figures to its source's row of the day. `events` is merged per type (the sum
# of both maps); `last_seen_at` only moves forward.
_COUNT = text(
    """
    INSERT INTO ingest_source_day AS s (client_id, day, events, rejected, last_seen_at)
    VALUES (:client_id, :day, CAST(:events AS jsonb), :rejected, :at)
    ON CONFLICT (client_id, day) DO UPDATE SET
        events = (
            SELECT coalesce(jsonb_object_agg(key, total), '{}'::jsonb)
            FROM (
                SELECT key, sum(value::bigint) AS total
                FROM (
                    SELECT key, value FROM jsonb_each_text(s.events)
                    UNION ALL
                    SELECT key, value FROM jsonb_each_text(EXCLUDED.events)
                ) AS both_maps
                GROUP BY key
            ) AS sums
        ),
        rejected = s.rejected + EXCLUDED.rejected,
        last_seen_at = greatest(s.last_seen_at, EXCLUDED.last_seen_at)
    """
)

# Each source's newest row since a day: today's figures, or zeros and its last sighting.
_SOURCES = text(
    """
    SELECT DISTINCT ON (client_id) client_id, day, events, rejected, last_seen_at
    FROM ingest_source_day
    WHERE day >= :since
    ORDER BY client_id, day DESC
    """
)


class SqlSourceFigures:
    """The per-source counters (written outside the events' transaction: one short upsert per
    request, so a source's busy row is never held while its events wait for the broker)."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def add(
        self,
        *,
        client_id: str,
        day: date,
        events: Mapping[str, int],
        rejected: int,
        at: datetime,
    ) -> None:
        self.session.execute(
            _COUNT,
            {
                "client_id": client_id,
                "day": day,
                "events": json.dumps(dict(events)),
                "rejected": rejected,
                "at": at,
            },
        )

    def sources(self, *, since: date, today: date) -> list[SourceFigures]:
        return [
            SourceFigures(
                client_id=row.client_id,
                events_today={str(k): int(v) for k, v in row.events.items()}
                if row.day == today
                else {},
                last_seen_at=row.last_seen_at,
                rejected_today=int(row.rejected) if row.day == today else 0,
            )
            for row in self.session.execute(_SOURCES, {"since": since})
        ]
