"""Message formats without a broker: sign-in parsing (fast and full paths) and the published
notifications (single events and NotificationBatch) read back by the SSE fan-out."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta, timezone

import pytest

from processing_service.events.parsing import InvalidMessageError, parse_event
from processing_service.notifications.models import Notification as Note
from processing_service.notifications.wire import SINGLE_EVENTS_MAX, to_messages
from processing_service.notifications.wire import from_message as notes_from_event
from quest_common.events import make_event


def player_event(**overrides: object) -> dict[str, object]:
    user = str(uuid.uuid4())
    event = json.loads(
        make_event(
            source="auth-service",
            type="UserSignIn",
            subject=user,
            data={"user_id": user, "user_name": "player"},
        ).to_json()
    )
    event.update(overrides)
    return dict(event)


def test_a_sign_in_parses_to_the_same_values_as_the_cloud_event_model() -> None:
    raw = player_event(time="2025-03-01T10:00:00+02:00")
    parsed = parse_event(json.dumps(raw).encode())
    assert parsed is not None
    assert parsed.event_id == raw["id"]
    assert str(parsed.user_id) == raw["subject"]
    assert parsed.time == datetime(2025, 3, 1, 8, 0, tzinfo=UTC)
    assert parsed.time.tzinfo == UTC
    assert (parsed.envelope_type, parsed.type, parsed.user_name, parsed.source) == (
        "UserSignIn",
        "sign_in",
        "player",
        "auth-service",
    )


def test_a_z_suffixed_time_and_a_subject_only_user_are_accepted() -> None:
    raw = player_event(time="2025-03-01T10:00:00Z")
    raw["data"] = {}
    parsed = parse_event(json.dumps(raw).encode())
    assert parsed is not None
    assert str(parsed.user_id) == raw["subject"]
    assert parsed.time == datetime(2025, 3, 1, 10, tzinfo=timezone(timedelta(0)))


def test_other_event_types_are_skipped() -> None:
    assert parse_event(json.dumps(player_event(type="QuestChanged")).encode()) is None


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        json.dumps({"type": "UserSignIn"}).encode(),
        json.dumps(player_event(time="2025-03-01T10:00:00")).encode(),  # naive time
        json.dumps(player_event(subject="nobody", data={"user_id": "nobody"})).encode(),
        json.dumps(player_event(specversion="0.3")).encode(),
        json.dumps(player_event(id="")).encode(),
    ],
)
def test_invalid_messages_are_rejected_with_a_reason(body: bytes) -> None:
    with pytest.raises(InvalidMessageError):
        parse_event(body)


def notes(count: int) -> list[Note]:
    user = str(uuid.uuid4())
    return [
        Note(
            seq=i + 1,
            user_id=user,
            event="quest_completed" if i % 3 == 2 else "check_in",
            data={"quest_id": "q", "streak": i},
        )
        for i in range(count)
    ]


@pytest.mark.parametrize("count", [1, SINGLE_EVENTS_MAX, SINGLE_EVENTS_MAX + 1, 2500])
def test_published_notifications_read_back_in_order(count: int) -> None:
    sent = notes(count)
    messages = to_messages(sent)
    if count <= SINGLE_EVENTS_MAX:
        assert len(messages) == count
        assert {m.routing_key for m in messages} <= {
            "processing.QuestProgressed",
            "processing.QuestCompleted",
        }
    else:
        assert len(messages) == -(-count // 1000)
        assert {m.routing_key for m in messages} == {"processing.NotificationBatch"}
    received = [note for m in messages for note in notes_from_event(m.body)]
    assert received == sent


def test_a_single_event_is_a_cloud_event_for_other_consumers() -> None:
    [message] = to_messages(notes(1))
    key, body, event_type = message.routing_key, message.body, message.type
    event = json.loads(body)
    assert key == "processing.QuestProgressed" and event_type == "QuestProgressed"
    assert event["specversion"] == "1.0" and event["source"] == "processing-service"
    assert event["data"]["notification_id"] == 1 and event["subject"] == event["data"]["user_id"]
