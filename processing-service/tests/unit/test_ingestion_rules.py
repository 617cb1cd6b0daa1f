"""Ingestion's pure rules (no I/O): property types, time bounds, the whole-request check, the
token bucket, the wire envelope, and the accept path over the in-memory unit of work."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from tests.unit.conftest import FakeDatabase, FakeProcessingUnitOfWork

from processing_service.ingestion.models import IngestEvent
from processing_service.ingestion.rate_limit import TokenBuckets
from processing_service.ingestion.routes import shape_problems
from processing_service.ingestion.service import (
    IngestRefusedError,
    IngestUnavailableError,
    envelope,
    ingest,
    rejected_count,
)
from processing_service.ingestion.validation import (
    MAX_AGE,
    MAX_AHEAD,
    EventTypeSpec,
    Problem,
    PropertySpec,
    check_data,
    check_events,
    check_time,
    fits,
)
from quest_common.broker.publisher import PublishError
from quest_common.events import CloudEvent, ingest_envelope_id

NOW = datetime(2026, 3, 2, 12, tzinfo=UTC)

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=5),
    lambda inner: (
        st.lists(inner, max_size=2) | st.dictionaries(st.text(max_size=3), inner, max_size=2)
    ),
    max_leaves=4,
)


@given(json_values)
def test_a_value_fits_exactly_the_types_of_its_json_kind(value: Any) -> None:
    is_bool = isinstance(value, bool)
    is_int = isinstance(value, int) and not is_bool
    assert fits("boolean", value) is is_bool
    assert fits("integer", value) is is_int
    assert fits("number", value) is (is_int or (isinstance(value, float)))
    assert fits("string", value) is isinstance(value, str)
    assert not fits("object", value)  # not a property type


@given(st.integers())
def test_every_integer_is_a_number_but_no_boolean_is_either(value: int) -> None:
    assert fits("integer", value) and fits("number", value)
    assert not fits("integer", bool(value)) and not fits("number", bool(value))


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_a_float_is_a_number_never_an_integer(value: float) -> None:
    assert fits("number", value)
    assert not fits("integer", value)


@given(st.timedeltas(min_value=timedelta(days=-60), max_value=timedelta(days=1)))
def test_a_time_is_accepted_exactly_within_five_minutes_ahead_and_thirty_days_old(
    offset: timedelta,
) -> None:
    verdict = check_time(NOW + offset, NOW)
    if offset > MAX_AHEAD:
        assert verdict is not None and verdict[1] == "time_ahead"
    elif -offset > MAX_AGE:
        assert verdict is not None and verdict[1] == "time_too_old"
    else:
        assert verdict is None


def test_the_bounds_themselves_are_accepted() -> None:
    assert check_time(NOW + MAX_AHEAD, NOW) is None
    assert check_time(NOW - MAX_AGE, NOW) is None
    assert check_time(NOW + MAX_AHEAD + timedelta(microseconds=1), NOW) is not None
    assert check_time(NOW - MAX_AGE - timedelta(microseconds=1), NOW) is not None


MATCH = EventTypeSpec(
    name="match_won",
    properties={
        "score": PropertySpec("integer", required=True),
        "mode": PropertySpec("string"),
    },
)


def test_data_is_checked_against_its_types_properties() -> None:
    assert check_data({"score": 1}, MATCH) == []
    assert check_data({"score": 1, "mode": "duo"}, MATCH) == []
    assert [code for _, _, code in check_data({}, MATCH)] == ["missing_property"]
    assert [(name, code) for name, _, code in check_data({"score": None}, MATCH)] == [
        ("score", "wrong_type")
    ]
    assert [(name, code) for name, _, code in check_data({"score": 1, "x": 1}, MATCH)] == [
        ("x", "unknown_property")
    ]
    # Each problem once, all of them listed.
    assert len(check_data({"mode": 3, "y": 1}, MATCH)) == 3


def test_catalogs_read_of_a_type_is_what_the_rules_see() -> None:
    spec = EventTypeSpec.from_catalog(
        {
            "name": "gold_spent",
            "title": "Gold spent",
            "properties": {"amount": {"type": "number", "required": True}},
            "is_active": False,
            "built_in": False,
            "created_at": "2026-01-01T00:00:00Z",
        }
    )
    assert spec == EventTypeSpec(
        name="gold_spent", is_active=False, properties={"amount": PropertySpec("number", True)}
    )


def make_event(user: uuid.UUID, **fields: Any) -> IngestEvent:
    return IngestEvent.model_validate(
        {
            "id": f"e-{uuid.uuid4().hex[:8]}",
            "type": "match_won",
            "user_id": str(user),
            "time": NOW.isoformat(),
            "data": {"score": 1},
            **fields,
        }
    )


def test_the_whole_request_is_checked_and_every_problem_named_by_index() -> None:
    user, stranger = uuid.uuid4(), uuid.uuid4()
    events = [
        make_event(user),
        make_event(stranger, type="nope", time=(NOW + timedelta(hours=1)).isoformat()),
        make_event(user, data={}),
    ]
    problems = check_events(
        events,
        types={"match_won": MATCH},
        known_players={str(user)},
        deleted_players=set(),
        now=NOW,
    )
    assert [(p.index, p.loc, p.type) for p in problems] == [
        (1, ("type",), "unknown_type"),
        (1, ("user_id",), "unknown_player"),
        (1, ("time",), "time_ahead"),
        (2, ("data", "score"), "missing_property"),
    ]
    assert rejected_count(problems) == 2
    assert rejected_count([Problem(None, ("events",), "too many", "too_long")]) == 1


def test_pydantic_errors_are_addressed_by_event_index() -> None:
    errors = [
        {"loc": ("body", "events", 3, "user_id"), "msg": "bad uuid", "type": "uuid_parsing"},
        {"loc": ("body", "events"), "msg": "too long", "type": "too_long"},
    ]
    assert [(p.index, p.loc) for p in shape_problems(errors, single=False)] == [
        (3, ("user_id",)),
        (None, ("events",)),
    ]
    single = [{"loc": ("body", "time"), "msg": "naive", "type": "timezone_aware"}]
    assert [(p.index, p.loc) for p in shape_problems(single, single=True)] == [(0, ("time",))]


def test_a_bucket_refuses_past_its_burst_and_refills_at_its_rate() -> None:
    clock = [0.0]
    buckets = TokenBuckets(rate_per_s=10, burst=20, clock=lambda: clock[0])
    assert buckets.take("a", 20) == 0
    assert buckets.take("a", 1) == 1  # 0.1 s away: rounded up to whole seconds
    assert buckets.take("b", 5) == 0  # each client its own bucket
    clock[0] = 0.5
    assert buckets.take("a", 5) == 0
    assert buckets.take("a", 15) == 2  # 1.5 s of refill missing
    clock[0] = 100.0
    assert buckets.take("a", 20) == 0  # never more than the burst saved up
    assert buckets.take("a", 1) >= 1
    # A request larger than the burst never fits: told to wait for a full bucket.
    assert buckets.take("c", 21) >= 1
    with pytest.raises(ValueError):
        TokenBuckets(rate_per_s=0, burst=1)


@given(st.lists(st.integers(min_value=1, max_value=50), max_size=30))
def test_a_bucket_never_hands_out_more_than_burst_plus_refill(sizes: list[int]) -> None:
    clock = [0.0]
    buckets = TokenBuckets(rate_per_s=5, burst=40, clock=lambda: clock[0])
    taken = 0
    for size in sizes:
        clock[0] += 0.3
        if buckets.take("k", size) == 0:
            taken += size
    assert taken <= 40 + 5 * clock[0] + 1e-9


def test_the_envelope_is_the_ingest_contract() -> None:
    user = uuid.uuid4()
    sent = make_event(user, id="won-1", data={"score": 7})
    message = envelope("c-42", sent)
    body = json.loads(message.body)
    parsed = CloudEvent.from_json(message.body)  # a valid CloudEvent for the consumers
    assert parsed.id == message.message_id == ingest_envelope_id("c-42", "won-1")
    assert message.routing_key == message.type == body["type"] == "ingest.match_won"
    assert body["source"] == "client:c-42"
    assert body["subject"] == str(user)
    assert body["time"] == "2026-03-02T12:00:00Z"
    assert body["data"] == {"user_id": str(user), "client_event_id": "won-1", "data": {"score": 7}}


def accept(db: FakeDatabase, events: list[IngestEvent], publish: Any = None) -> Any:
    sent: list[Any] = []
    answer, _ = ingest(
        uow=FakeProcessingUnitOfWork(db),
        publish=publish or sent.extend,
        types={"match_won": MATCH},
        client_id="c1",
        events=events,
        now=NOW,
    )
    return answer, sent


def known_player(db: FakeDatabase) -> uuid.UUID:
    from processing_service.players.models import PlayerSeen

    user = uuid.uuid4()
    db.players[str(user)] = PlayerSeen(user_id=user, time_zone="UTC", at=NOW)
    return user


def test_accepting_publishes_each_new_id_once_and_records_it() -> None:
    db = FakeDatabase()
    user = known_player(db)
    a, b = make_event(user, id="a"), make_event(user, id="b")
    answer, sent = accept(db, [a, b, a])
    assert (answer.accepted, answer.duplicates) == (2, 1)
    assert [m.message_id for m in sent] == [ingest_envelope_id("c1", i) for i in ("a", "b")]
    answer, sent = accept(db, [b])
    assert (answer.accepted, answer.duplicates, sent) == (0, 1, [])
    assert set(db.ingested) == {("c1", "a"), ("c1", "b")}


def test_a_publish_failure_records_nothing_so_the_retry_publishes_again() -> None:
    db = FakeDatabase()
    user = known_player(db)
    events = [make_event(user, id="a")]

    def down(_messages: Any) -> None:
        raise PublishError("broker unavailable")

    with pytest.raises(IngestUnavailableError):
        accept(db, events, publish=down)
    assert db.ingested == {}
    answer, sent = accept(db, events)
    assert (answer.accepted, len(sent)) == (1, 1)


def test_a_refused_request_records_and_publishes_nothing() -> None:
    db = FakeDatabase()
    user = known_player(db)
    with pytest.raises(IngestRefusedError) as refused:
        accept(db, [make_event(user), make_event(uuid.uuid4())])
    assert [p.index for p in refused.value.problems] == [1]
    assert db.ingested == {}
