"""The bounds of an incident window and of moving its end (pure rules)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from processing_service.incidents.service import (
    END_NOW_TOLERANCE,
    IncidentBounds,
    IncidentOverError,
    IncidentWindowRefusedError,
    check_new_end,
    check_window,
)

NOW = datetime(2026, 12, 5, 9, tzinfo=UTC)
BOUNDS = IncidentBounds(max_length=timedelta(days=7), max_ahead=timedelta(days=90))
instants = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2030, 1, 1), timezones=st.just(UTC)
)


def test_forever_is_refused() -> None:
    with pytest.raises(IncidentWindowRefusedError, match="at most 7 days"):
        check_window(
            starts_at=datetime(1, 1, 1, tzinfo=UTC),
            ends_at=datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC),
            now=NOW,
            bounds=BOUNDS,
        )


@given(starts_at=instants, ends_at=instants)
def test_a_declared_window_is_inside_the_bounds_or_refused(
    starts_at: datetime, ends_at: datetime
) -> None:
    inside = (
        starts_at < ends_at
        and ends_at - starts_at <= BOUNDS.max_length
        and ends_at - NOW <= BOUNDS.max_ahead
    )
    try:
        check_window(starts_at=starts_at, ends_at=ends_at, now=NOW, bounds=BOUNDS)
    except IncidentWindowRefusedError:
        assert not inside
    else:
        assert inside


@given(
    starts_at=instants,
    length=st.timedeltas(min_value=timedelta(seconds=1), max_value=timedelta(days=20_000)),
    new_end=instants,
)
def test_an_end_moves_only_while_running_never_before_its_start_past_or_beyond_the_bounds(
    starts_at: datetime, length: timedelta, new_end: datetime
) -> None:
    ends_at = starts_at + length  # declared before the bounds existed, perhaps
    try:
        check_new_end(starts_at=starts_at, ends_at=ends_at, new_end=new_end, now=NOW, bounds=BOUNDS)
    except IncidentOverError:
        assert ends_at <= NOW
    except IncidentWindowRefusedError:
        assert (
            new_end <= starts_at
            or new_end < NOW - END_NOW_TOLERANCE
            or (
                new_end > ends_at
                and (new_end - starts_at > BOUNDS.max_length or new_end - NOW > BOUNDS.max_ahead)
            )
        )
    else:
        assert ends_at > NOW and starts_at < new_end and new_end >= NOW - END_NOW_TOLERANCE
        # Shorter, or longer but within the bounds.
        assert new_end <= ends_at or (
            new_end - starts_at <= BOUNDS.max_length and new_end - NOW <= BOUNDS.max_ahead
        )


def test_ending_now_an_incident_declared_forever_is_allowed() -> None:
    check_new_end(
        starts_at=datetime(1, 1, 1, tzinfo=UTC),
        ends_at=datetime(9999, 12, 31, tzinfo=UTC),
        new_end=NOW,
        now=NOW,
        bounds=BOUNDS,
    )
