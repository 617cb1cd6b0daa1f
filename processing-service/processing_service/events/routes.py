"""Recorded sign-in events: a player's own, and everyone's for admins."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query

from processing_service.api.deps import AdminClaims, Limit, Offset, PlayerId, SessionDep
from processing_service.events import service
from processing_service.events.schemas import EventList

router = APIRouter(tags=["events"])


@router.get("/me/events")
def my_events(
    player: PlayerId, session: SessionDep, limit: Limit = 50, offset: Offset = 0
) -> EventList:
    return service.event_list(
        session=session, user_id=player, type=None, limit=limit, offset=offset
    )


@router.get("/events")
def all_events(
    _admin: AdminClaims,
    session: SessionDep,
    user_id: uuid.UUID | None = None,
    type: Annotated[str | None, Query(max_length=64)] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> EventList:
    return service.event_list(
        session=session, user_id=user_id, type=type, limit=limit, offset=offset
    )
