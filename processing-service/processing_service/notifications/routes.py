"""The SSE stream of a player's notifications."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, Header, HTTPException, Request, status
from fastapi.concurrency import run_in_threadpool
from fastapi.sse import EventSourceResponse, ServerSentEvent

from processing_service.api.deps import EngineDep, PlayerId, SettingsDep
from processing_service.notifications import service
from processing_service.notifications.hub import Hub, TooManyStreamsError
from processing_service.notifications.models import Notification
from processing_service.notifications.payloads import (
    CheckInNotice,
    LevelReachedNotice,
    QuestCompletedNotice,
    RewardCreditedNotice,
)
from processing_service.unit_of_work import UnitOfWork

router = APIRouter(tags=["notifications"])

STREAM_RETRY_AFTER_S = 30


def _sse(note: Notification) -> ServerSentEvent:
    # seq 0: a live-only note (a level reached), never stored; no id, so the browser's
    # Last-Event-ID stays at the last stored one it saw.
    return ServerSentEvent(event=note.event, data=note.data, id=str(note.seq) if note.seq else None)


def _after(last_event_id: str | None) -> int | None:
    if last_event_id and last_event_id.strip().isdigit():
        return int(last_event_id.strip())
    return None


@dataclass(frozen=True)
class StreamSlot:
    """One of the player's streams on this replica, taken before the response starts."""

    user_id: uuid.UUID
    queue: asyncio.Queue[Notification | None]


async def _stream_slot(request: Request, user_id: PlayerId) -> AsyncIterator[StreamSlot]:
    """Take the stream's place in the hub before the response starts: a request past the
    per-player limit gets its 429 here, never a 200 that ends at once. Taking it on the event
    loop makes the check and the add one step, so parallel opens cannot both pass the check.
    Given back when the request ends (a yield dependency of the request's scope exits after
    the stream is over, however it ends, even if the stream never started)."""
    hub: Hub = request.app.state.hub
    try:
        queue = hub.subscribe(str(user_id))
    except TooManyStreamsError:
        raise HTTPException(
            status.HTTP_429_TOO_MANY_REQUESTS,
            f"At most {hub.max_streams_per_player} notification streams at once",
            headers={"Retry-After": str(STREAM_RETRY_AFTER_S)},
        ) from None
    try:
        yield StreamSlot(user_id=user_id, queue=queue)
    finally:
        hub.unsubscribe(str(user_id), queue)


def _missed(
    engine: EngineDep, user_id: uuid.UUID, after: int | None, window_s: float
) -> list[Notification]:
    with UnitOfWork(engine=engine, read_only=True) as reads:
        return service.missed(
            session=reads.session, user_id=user_id, after_seq=after, window_s=window_s
        )


# The `data` of each event of the stream, by its `event` name (check_in, quest_completed,
# reward_credited): declared here so the OpenAPI document, and the web UI's generated types,
# carry the payloads.
StreamPayload = CheckInNotice | QuestCompletedNotice | RewardCreditedNotice | LevelReachedNotice


@router.get(
    "/notifications/stream",
    response_class=EventSourceResponse,
    responses={
        200: {
            "model": StreamPayload,
            "description": "Server-Sent Events; each event's `data` is one of these payloads",
        },
        429: {"description": "Too many streams open for this player"},
    },
)
async def notification_stream(
    request: Request,
    slot: Annotated[StreamSlot, Depends(_stream_slot)],
    engine: EngineDep,
    settings: SettingsDep,
    last_event_id: Annotated[str | None, Header(max_length=32)] = None,
) -> AsyncIterator[ServerSentEvent]:
    hub: Hub = request.app.state.hub
    # The slot subscribed before the replay is read, so nothing falls between the two; the
    # replayed ids are then skipped when they also arrive live.
    replayed = await run_in_threadpool(
        _missed, engine, slot.user_id, _after(last_event_id), settings.notification_replay_s
    )
    seen = {note.seq for note in replayed}
    for note in replayed:
        yield _sse(note)
    while not hub.closing:
        live = await slot.queue.get()
        if live is None:
            return
        if live.seq in seen:
            continue
        yield _sse(live)
