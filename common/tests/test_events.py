from datetime import UTC, datetime, timedelta, timezone

import pytest
from pydantic import ValidationError

from quest_common.events import CloudEvent, EventType, make_event, rfc3339, routing_key


def test_envelope_round_trips_and_is_cloudevents_1_0() -> None:
    event = make_event(
        source="auth-service", type=EventType.USER_SIGN_IN, subject="u1", data={"user_id": "u1"}
    )
    parsed = CloudEvent.from_json(event.to_json())
    assert parsed == event
    assert parsed.specversion == "1.0"
    assert parsed.datacontenttype == "application/json"
    assert parsed.time.tzinfo is not None


def test_unknown_fields_are_ignored() -> None:
    body = make_event(source="s", type="T", subject=None, data={}).model_dump(mode="json")
    body["traceparent"] = "00-abc"
    body["extension"] = {"x": 1}
    assert CloudEvent.model_validate(body).type == "T"


def test_naive_time_is_refused_and_other_zones_become_utc() -> None:
    with pytest.raises(ValidationError):
        CloudEvent(id="1", source="s", type="T", time=datetime(2026, 1, 1))
    plus2 = datetime(2026, 1, 1, 1, 0, tzinfo=timezone(timedelta(hours=2)))
    event = CloudEvent(id="1", source="s", type="T", time=plus2)
    assert event.time == datetime(2025, 12, 31, 23, 0, tzinfo=UTC)
    assert rfc3339(event.time) == "2025-12-31T23:00:00Z"


def test_wrong_specversion_is_refused() -> None:
    with pytest.raises(ValidationError):
        CloudEvent(specversion="0.3", id="1", source="s", type="T", time=datetime.now(UTC))


def test_routing_key() -> None:
    assert routing_key("auth", EventType.NEW_USER_SIGN_IN) == "auth.NewUserSignIn"
