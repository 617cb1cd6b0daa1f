"""The read side: the one module that reads across domains' tables.

Each table belongs to one domain, which alone writes it (its `repository.py`). What needs rows
of several domains at once — a player's trace, their data export, the operations figures, a
simulation's window of recorded events — reads them here, and only reads.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from pydantic_core import to_jsonable_python
from sqlalchemy import func, select, text
from sqlmodel import Session, col

from processing_service.dead_letters.models import DeadLetter
from processing_service.events.models import RecordedEvent
from processing_service.grants.models import Grant

# --- a player's trace ------------------------------------------------------------------------


def recorded_events(*, session: Session, user_id: uuid.UUID) -> Sequence[RecordedEvent]:
    """The player's recorded events (every type) in the order the worker applied them (`seq`)."""
    return (
        session.execute(
            select(RecordedEvent)
            .where(col(RecordedEvent.user_id) == user_id)
            .order_by(col(RecordedEvent.seq))
        )
        .scalars()
        .all()
    )


def quest_grants(
    *, session: Session, user_id: uuid.UUID, quest_id: uuid.UUID
) -> list[dict[str, Any]]:
    """The player's grants of one quest, oldest first, as plain values."""
    rows = (
        session.execute(
            select(Grant)
            .where(col(Grant.user_id) == user_id, col(Grant.quest_id) == quest_id)
            .order_by(col(Grant.created_at))
        )
        .scalars()
        .all()
    )
    return [g.model_dump() for g in rows]


# --- a player's data export ------------------------------------------------------------------

_EXPORT = {
    # The player as processing knows them: their latest zone, and since when.
    "player": "SELECT time_zone, zone_at, known_since FROM player WHERE user_id = :user",
    "events": "SELECT event_id, type, event_type, data, source, user_name, time_zone, "
    "occurred_at, recorded_at "
    "FROM player_event WHERE user_id = :user ORDER BY seq",
    "progress": "SELECT quest_id, streak, completed, claimed, last_day, updated_at "
    "FROM quest_progress WHERE user_id = :user ORDER BY quest_id",
    "grants": "SELECT grant_id, quest_id, quest_title, item, qty, reason, status, attempts, "
    "created_at, credited_at FROM reward_grant WHERE user_id = :user ORDER BY created_at",
    "notifications": "SELECT seq, event, data, created_at "
    "FROM notification WHERE user_id = :user ORDER BY seq",
    # What game servers sent about the player and the platform accepted (DESIGN §14).
    "ingested_events": "SELECT client_id, event_id, type, accepted_at "
    "FROM ingested_event WHERE user_id = :user ORDER BY accepted_at, event_id",
}


def player_data(*, session: Session, user_id: uuid.UUID) -> dict[str, list[Any]]:
    """Every row held about the player, table by table, as JSON values."""
    return {
        name: [
            to_jsonable_python(dict(row))
            for row in session.execute(text(query), {"user": user_id}).mappings().all()
        ]
        for name, query in _EXPORT.items()
    }


# --- operations figures ----------------------------------------------------------------------

_MINTED = text(
    """
    SELECT item,
           coalesce(sum(qty) FILTER (WHERE credited_at >= :hour), 0) AS last_hour,
           coalesce(sum(qty), 0) AS last_day
    FROM reward_grant
    WHERE credited_at >= :day AND status = 'credited'
    GROUP BY item
    """
)


@dataclass(frozen=True, slots=True)
class StoredFigures:
    """What the operations page reads from the database."""

    dead_letters: int
    grants_pending: int
    newest_sign_in_at: datetime | None
    # item → (last hour, last day)
    minted: dict[str, tuple[int, int]]


def stored_figures(*, session: Session, now: datetime) -> StoredFigures:
    dead = session.execute(
        select(func.count()).select_from(DeadLetter).where(col(DeadLetter.replayed_at).is_(None))
    ).scalar_one()
    pending = session.execute(
        select(func.count()).select_from(Grant).where(col(Grant.status) == "pending")
    ).scalar_one()
    newest = session.execute(
        select(col(RecordedEvent.occurred_at)).order_by(col(RecordedEvent.seq).desc()).limit(1)
    ).scalar()
    minted = {
        str(item): (int(hour), int(day))
        for item, hour, day in session.execute(
            _MINTED, {"hour": now - timedelta(hours=1), "day": now - timedelta(days=1)}
        )
    }
    return StoredFigures(
        dead_letters=int(dead),
        grants_pending=int(pending),
        newest_sign_in_at=newest,
        minted=minted,
    )


# --- a simulation's window -------------------------------------------------------------------


def _window(since: datetime, until: datetime | None, event_type: str) -> tuple[str, dict[str, Any]]:
    """The WHERE clause (psycopg `%(name)s` placeholders) and its parameters."""
    where = "occurred_at >= %(since)s AND event_type = %(event_type)s"
    params: dict[str, Any] = {"since": since, "event_type": event_type}
    if until is not None:
        where += " AND occurred_at < %(until)s"
        params["until"] = until
    return where, params


def event_window(
    since: datetime, until: datetime | None, event_type: str, *, with_data: bool = True
) -> tuple[str, dict[str, Any]]:
    """The window's recorded events of one type by player, in the order the worker applied them
    (`seq`: its consumption order, chronological per player), as driver-level SQL for a
    server-side cursor: rows of (player, time, event type, zone it was dated in, properties).
    Without `with_data` the properties read as NULL: decoding them costs as much as the rest of
    the row, and a quest without filters or a sum never looks at them."""
    where, params = _window(since, until, event_type)
    data = "data" if with_data else "NULL"
    return (
        f"SELECT user_id::text, occurred_at, event_type, time_zone, {data} "  # noqa: S608
        f"FROM player_event WHERE {where} ORDER BY user_id, seq",
        params,
    )


def event_window_count(
    since: datetime, until: datetime | None, event_type: str
) -> tuple[str, dict[str, Any]]:
    where, params = _window(since, until, event_type)
    return f"SELECT count(*) FROM player_event WHERE {where}", params  # noqa: S608
