"""The set of known players and each one's latest zone (beside the deletions' tombstones)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Column, DateTime, String
from sqlmodel import Field, SQLModel

from quest_common.db import utcnow


class Player(SQLModel, table=True):
    """A player auth announced (or who signed in). `time_zone` is the zone of the newest event
    that carried one (`zone_at` is that event's time), so a late message never brings an older
    zone back. A deletion removes the row; the tombstone keeps the player out."""

    __tablename__ = "player"

    user_id: uuid.UUID = Field(primary_key=True)
    time_zone: str = Field(sa_column=Column(String(64), nullable=False))
    zone_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    known_since: datetime = Field(
        default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False)
    )


@dataclass(frozen=True, slots=True)
class PlayerSeen:
    """What an event tells of a player: they exist, and were in this zone at this time."""

    user_id: uuid.UUID
    time_zone: str
    at: datetime


def newest_per_player(seen: Sequence[PlayerSeen]) -> list[PlayerSeen]:
    """One entry per player, its newest (a batch may name a player twice; one upsert statement
    cannot touch a row twice). Ties keep the later entry. Sorted by id: one lock order."""
    newest: dict[uuid.UUID, PlayerSeen] = {}
    for item in seen:
        kept = newest.get(item.user_id)
        if kept is None or item.at >= kept.at:
            newest[item.user_id] = item
    return [newest[u] for u in sorted(newest, key=str)]
