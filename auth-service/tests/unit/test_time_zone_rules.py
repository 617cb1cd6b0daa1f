"""Time zone names and the change interval (pure rules)."""

from datetime import UTC, datetime, timedelta

import pytest
from pydantic import BaseModel, ValidationError

from auth_service.users.timezones import TimeZoneName, check_time_zone, next_change_at

T0 = datetime(2026, 11, 30, 12, tzinfo=UTC)
WEEK = timedelta(days=7)


class Body(BaseModel):
    time_zone: TimeZoneName


@pytest.mark.parametrize(
    "name", ["UTC", "Europe/Paris", "America/Argentina/Buenos_Aires", "Etc/GMT+5", "Asia/Kolkata"]
)
def test_iana_names_are_accepted(name: str) -> None:
    assert Body(time_zone=name).time_zone == name


@pytest.mark.parametrize(
    "name", ["Mars/Olympus", "", "europe/paris", "../../etc/passwd", "Europe/Paris\x00", "x" * 65]
)
def test_unknown_or_malformed_names_are_refused(name: str) -> None:
    with pytest.raises(ValidationError):
        Body(time_zone=name)
    with pytest.raises(ValueError, match="unknown time zone"):
        check_time_zone(name)


def test_next_change_at() -> None:
    assert next_change_at(changed_at=None, interval=WEEK, now=T0) is None  # never changed
    assert next_change_at(changed_at=T0, interval=WEEK, now=T0 + timedelta(days=1)) == T0 + WEEK
    assert next_change_at(changed_at=T0, interval=WEEK, now=T0 + WEEK) is None
