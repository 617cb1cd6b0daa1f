"""The SSE stream of a player's notifications."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Header, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.sse import EventSourceResponse, ServerSentEvent

from processing_service.api.deps import CurrentClaims, EngineDep, SettingsDep
from processing_service.api.routes.quests import _player
from processing_service.notifications import service
from processing_service.notifications.hub import Hub, Note

router = APIRouter()


def _sse(note: Note) -> ServerSentEvent:
    return ServerSentEvent(event=note.event, data=note.data, id=str(note.seq))


def _after(last_event_id: str | None) -> int | None:
    if last_event_id and last_event_id.strip().isdigit():
        return int(last_event_id.strip())
    return None


@router.get("/notifications/stream", response_class=EventSourceResponse)
async def notification_stream(
    request: Request,
    claims: CurrentClaims,
    engine: EngineDep,
    settings: SettingsDep,
    last_event_id: Annotated[str | None, Header(max_length=32)] = None,
) -> AsyncIterator[ServerSentEvent]:
    user_id = _player(claims.sub)
    hub: Hub = request.app.state.hub
    # Subscribe before reading the replay, so nothing falls between the two; the replayed ids
    # are then skipped when they also arrive live.
    queue = hub.subscribe(str(user_id))
    try:
        replayed = await run_in_threadpool(
            service.replay,
            engine=engine,
            user_id=uuid.UUID(str(user_id)),
            after_seq=_after(last_event_id),
            window_s=settings.notification_replay_s,
        )
        seen = {note.seq for note in replayed}
        for note in replayed:
            yield _sse(note)
        while not hub.closing:
            live = await queue.get()
            if live is None:
                return
            if live.seq in seen:
                continue
            yield _sse(live)
    finally:
        hub.unsubscribe(str(user_id), queue)
