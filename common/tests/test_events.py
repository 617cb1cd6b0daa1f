from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st
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


@given(
    time=st.datetimes(
        min_value=datetime(2000, 1, 1),
        max_value=datetime(2100, 1, 1),
        timezones=st.just(UTC),
    ),
    subject=st.none() | st.text(min_size=1, max_size=20),
    data=st.dictionaries(st.text(max_size=8), st.integers() | st.text(max_size=8), max_size=4),
)
def test_a_stored_envelope_is_what_the_model_stores(
    time: datetime, subject: str | None, data: dict[str, object]
) -> None:
    from quest_common.events import stored_envelope, stored_event

    built = stored_envelope(
        source="auth-service", type="UserSignIn", subject=subject, data=data, time=time
    )
    model = stored_event(
        make_event(
            source="auth-service",
            type="UserSignIn",
            subject=subject,
            data=data,
            time=time,
            event_id=built["id"],
        )
    )
    assert list(built.items()) == list(model.items())  # the same values, in the same order
