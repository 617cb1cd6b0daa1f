"""This API replica's SSE clients, by player, fed by the notifications it hears from the broker.

The broker side (one exclusive, auto-delete queue per replica bound to `processing.#` and to
`auth.LevelReached`, relayed live) is a
`quest_common.broker.BroadcastListener` wired in the API entry point; it hands each message's
notifications to the asyncio loop, where the streams of that player wait.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict

from processing_service.notifications.models import Notification
from processing_service.notifications.wire import from_message

# Per player and replica: enough for a few tabs and devices, not enough to exhaust the replica.
MAX_STREAMS_PER_PLAYER = 5


class TooManyStreamsError(Exception):
    """The player already holds MAX_STREAMS_PER_PLAYER streams on this replica."""


class Hub:
    def __init__(self, *, max_streams_per_player: int = MAX_STREAMS_PER_PLAYER) -> None:
        self.max_streams_per_player = max_streams_per_player
        self._clients: dict[str, set[asyncio.Queue[Notification | None]]] = defaultdict(set)
        self.loop: asyncio.AbstractEventLoop | None = None
        self.closing = False

    def subscribe(self, user_id: str) -> asyncio.Queue[Notification | None]:
        """Called on the event loop, so the check and the add cannot interleave."""
        if len(self._clients.get(user_id, ())) >= self.max_streams_per_player:
            raise TooManyStreamsError(user_id)
        queue: asyncio.Queue[Notification | None] = asyncio.Queue(maxsize=1000)
        self._clients[user_id].add(queue)
        return queue

    def unsubscribe(self, user_id: str, queue: asyncio.Queue[Notification | None]) -> None:
        clients = self._clients.get(user_id)
        if clients is not None:
            clients.discard(queue)
            if not clients:
                del self._clients[user_id]

    def dispatch_all(self, notes: list[Notification]) -> None:
        # Most of a batch's notes are for players not connected to this replica.
        for note in notes:
            for queue in list(self._clients.get(note.user_id, ())):
                if not queue.full():  # a stuck client replays what it missed when it reconnects
                    queue.put_nowait(note)

    def on_message(self, _routing_key: str, body: bytes) -> None:
        """From the listener's thread: decode there, dispatch on the loop."""
        notes = from_message(body)
        loop = self.loop
        if notes and loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(self.dispatch_all, notes)

    def close_all(self) -> None:
        """End every stream (SIGTERM): clients reconnect to another replica with Last-Event-ID."""
        self.closing = True
        for clients in list(self._clients.values()):
            for queue in list(clients):
                queue.put_nowait(None)

    def stream_count(self, user_id: str) -> int:
        return len(self._clients.get(user_id, ()))
