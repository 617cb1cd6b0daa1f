"""auth.LevelReached heard by the SSE fan-out: a live `level_reached` note for that player, with
no id (it is not stored, so it must not move the browser's Last-Event-ID)."""

from __future__ import annotations

import uuid

from processing_service.notifications.routes import _sse
from processing_service.notifications.wire import from_message
from quest_common.events import make_event


def _level_event(*, source: str = "auth-service", **data: object) -> bytes:
    return make_event(source=source, type="LevelReached", subject=None, data=data).to_json()


def test_a_level_reached_becomes_a_live_note_for_that_player() -> None:
    user = str(uuid.uuid4())
    [note] = from_message(_level_event(user_id=user, level=5))
    assert (note.user_id, note.event, note.data, note.seq) == (
        user,
        "level_reached",
        {"level": 5},
        0,
    )
    frame = _sse(note)
    assert frame.event == "level_reached" and frame.id is None


def test_a_level_reached_from_anyone_but_auth_or_malformed_is_dropped() -> None:
    user = str(uuid.uuid4())
    assert from_message(_level_event(source="client:x", user_id=user, level=5)) == []
    assert from_message(_level_event(user_id=user, level="five")) == []
    assert from_message(_level_event(level=5)) == []
