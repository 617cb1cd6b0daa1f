"""The `player` table: the known players and their latest zone."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from typing import Protocol

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert
from sqlmodel import Session, col

from processing_service.players.models import Player, PlayerSeen, newest_per_player
from quest_common.db import rows_of_users


class PlayerRepository(Protocol):
    def note(self, seen: Sequence[PlayerSeen]) -> None:
        """Add the players not known yet; keep for each the zone of its newest event."""
        ...

    def known_among(self, user_ids: Iterable[str]) -> set[str]:
        """The ids (canonical text) among these that are known players."""
        ...

    def zone_of(self, user_id: uuid.UUID) -> str | None: ...

    def zones_of(self, user_ids: Iterable[str]) -> dict[str, str]:
        """The latest zone of each known player among these (canonical text ids)."""
        ...

    def erase(self, user_id: uuid.UUID) -> int: ...


class SqlPlayers:
    def __init__(self, session: Session) -> None:
        self.session = session

    def note(self, seen: Sequence[PlayerSeen]) -> None:
        rows = [
            {"user_id": s.user_id, "time_zone": s.time_zone, "zone_at": s.at, "known_since": s.at}
            for s in newest_per_player(seen)
        ]
        if not rows:
            return
        stmt = insert(Player).values(rows)
        self.session.execute(
            stmt.on_conflict_do_update(
                index_elements=["user_id"],
                set_={"time_zone": stmt.excluded.time_zone, "zone_at": stmt.excluded.zone_at},
                # An older event (late, redelivered) never replaces a newer zone.
                where=col(Player.zone_at) < stmt.excluded.zone_at,
            )
        )

    def known_among(self, user_ids: Iterable[str]) -> set[str]:
        rows = rows_of_users(self.session, "SELECT user_id::text FROM player", user_ids)
        return {str(user) for (user,) in rows}

    def zone_of(self, user_id: uuid.UUID) -> str | None:
        return self.session.execute(
            select(col(Player.time_zone)).where(col(Player.user_id) == user_id)
        ).scalar_one_or_none()

    def zones_of(self, user_ids: Iterable[str]) -> dict[str, str]:
        select_from = "SELECT user_id::text, time_zone FROM player"
        return {str(u): str(zone) for u, zone in rows_of_users(self.session, select_from, user_ids)}

    def erase(self, user_id: uuid.UUID) -> int:
        result = self.session.execute(delete(Player).where(col(Player.user_id) == user_id))
        return int(result.rowcount or 0)  # type: ignore[attr-defined]
