"""Time zone names and the change interval (pure rules)."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

from auth_service.users.timezones import (
    TimeZoneName,
    check_time_zone,
    is_westward,
    known_time_zones,
    next_change_at,
)

T0 = datetime(2026, 11, 30, 12, tzinfo=UTC)
SIGNED_UP = T0 - timedelta(hours=1)
WEEK = timedelta(days=7)
ZONES = sorted(known_time_zones())


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


# `localtime` is a host file (whatever zone that host is set to), `Factory` a placeholder with no
# offset of its own, `EST5EDT`-style names POSIX rules kept for compatibility: a player's day
# would depend on the host, or on no place at all.
@pytest.mark.parametrize("name", ["localtime", "Factory", "EST5EDT", "PST8PDT", "posixrules"])
def test_host_files_and_legacy_names_are_refused(name: str) -> None:
    with pytest.raises(ValidationError):
        Body(time_zone=name)


def test_the_names_come_from_the_tzdata_package_and_the_schema_lists_them() -> None:
    assert "localtime" not in known_time_zones()
    assert {"UTC", "Pacific/Pago_Pago", "Pacific/Kiritimati"} <= known_time_zones()
    # What the OpenAPI document says is exactly what the validator accepts.
    schema = Body.model_json_schema()["properties"]["time_zone"]
    assert schema["enum"] == sorted(known_time_zones())


def test_next_change_at_after_a_change() -> None:
    day = timedelta(days=1)
    assert (
        next_change_at(
            changed_at=T0, signed_up_at=SIGNED_UP, interval=WEEK, now=T0 + day, westward=True
        )
        == T0 + WEEK
    )
    assert (
        next_change_at(
            changed_at=T0, signed_up_at=SIGNED_UP, interval=WEEK, now=T0 + WEEK, westward=False
        )
        is None
    )


def test_the_first_change_is_free_westward_only() -> None:
    # Westward the local date can only stay or go back: nothing to gain, so a wrong zone from
    # the browser is corrected at once. Eastward waits for the week that started at sign-up.
    assert (
        next_change_at(
            changed_at=None, signed_up_at=SIGNED_UP, interval=WEEK, now=T0, westward=True
        )
        is None
    )
    assert (
        next_change_at(
            changed_at=None, signed_up_at=SIGNED_UP, interval=WEEK, now=T0, westward=False
        )
        == SIGNED_UP + WEEK
    )
    assert (
        next_change_at(
            changed_at=None,
            signed_up_at=SIGNED_UP,
            interval=WEEK,
            now=SIGNED_UP + WEEK,
            westward=False,
        )
        is None
    )


def test_pago_pago_to_kiritimati_is_eastward() -> None:
    # 25 hours apart: the same instant is "yesterday" in Pago Pago, "tomorrow" in Kiritimati.
    assert not is_westward(old="Pacific/Pago_Pago", new="Pacific/Kiritimati", at=T0)
    assert is_westward(old="Pacific/Kiritimati", new="Pacific/Pago_Pago", at=T0)
    assert is_westward(old="Europe/Paris", new="Europe/Paris", at=T0)


@given(
    old=st.sampled_from(ZONES),
    new=st.sampled_from(ZONES),
    at=st.datetimes(
        min_value=datetime(2000, 1, 1), max_value=datetime(2040, 1, 1), timezones=st.just(UTC)
    ),
)
def test_a_free_change_never_brings_a_later_local_date(old: str, new: str, at: datetime) -> None:
    # Processing counts a local date at most once and never one before the last counted: a
    # change gains a day only when it makes the local date jump forward.
    if is_westward(old=old, new=new, at=at):
        assert at.astimezone(ZoneInfo(new)).date() <= at.astimezone(ZoneInfo(old)).date()
