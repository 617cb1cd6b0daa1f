"""The known players: who auth announced (`auth.UserCreated`) or who signed in, each with the
zone of their newest event. Ingestion refuses events of a player not in this set."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from processing_service.deletions.service import drop_deleted
from processing_service.players.models import PlayerSeen

if TYPE_CHECKING:
    from processing_service.unit_of_work import ProcessingUnitOfWork


def note_players(*, uow: ProcessingUnitOfWork, seen: Sequence[PlayerSeen]) -> int:
    """Add or refresh these players (the caller commits); a deleted player is never brought
    back (tombstones checked under the deletions' shared lock). Returns how many were kept."""
    kept = drop_deleted(uow=uow, events=seen, user_of=_user_of)
    if kept:
        uow.players.note(kept)
    return len(kept)


def _user_of(seen: PlayerSeen) -> object:
    return seen.user_id
