"""Recorded sign-in events: a player's own, and everyone's for admins."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query

from processing_service.api.deps import AdminClaims, CurrentClaims, Limit, Offset, SessionDep
from processing_service.api.routes.quests import _player
from processing_service.api.schemas import EventList, EventPublic
from processing_service.signins import service

router = APIRouter()


def _events(
    session: SessionDep, *, user_id: uuid.UUID | None, type: str | None, limit: int, offset: int
) -> EventList:
    rows, count = service.list_events(
        session=session, user_id=user_id, type=type, limit=limit, offset=offset
    )
    # The recorded event as it is, but for its user id as text and its time under the
    # envelope's name.
    data = [
        EventPublic.model_validate(
            {**r.model_dump(), "user_id": str(r.user_id), "time": r.occurred_at}
        )
        for r in rows
    ]
    return EventList(data=data, count=count)


@router.get("/me/events")
def my_events(
    claims: CurrentClaims, session: SessionDep, limit: Limit = 50, offset: Offset = 0
) -> EventList:
    return _events(session, user_id=_player(claims.sub), type=None, limit=limit, offset=offset)


@router.get("/events")
def all_events(
    _admin: AdminClaims,
    session: SessionDep,
    user_id: uuid.UUID | None = None,
    type: Annotated[str | None, Query(max_length=64)] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> EventList:
    return _events(session, user_id=user_id, type=type, limit=limit, offset=offset)
