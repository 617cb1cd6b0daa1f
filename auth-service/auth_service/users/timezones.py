"""Player time zones: which names are valid, and how often a player may change theirs (pure).

Processing counts a player's days in the zone their sign-in events carry (DESIGN §10). A zone
that could be changed at will would let a player mint extra days by hopping around the globe,
so a change is allowed at most once per interval (7 days by default), and the interval starts
at sign-up. The first change after sign-up is free only westward (see `next_change_at`).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import lru_cache
from importlib import resources
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, StringConstraints, WithJsonSchema

DEFAULT_TIME_ZONE = "UTC"
MAX_NAME_LENGTH = 64


@lru_cache(maxsize=1)
def known_time_zones() -> frozenset[str]:
    """The names a player may choose: the `tzdata` package's list, never the host's files.

    The host's list (`zoneinfo.available_timezones`) adds what its /usr/share/zoneinfo happens
    to hold (`localtime` is whatever zone that host is set to), so the same name could mean a
    different day on another host. Of the package's names only `UTC` and `Area/Location` ones
    (`Etc/GMT+5` included) are kept: `Factory` is a placeholder with no offset, and
    `EST5EDT`-style names are POSIX rules kept for compatibility, not places."""
    listed = resources.files("tzdata").joinpath("zones").read_text(encoding="utf-8").split()
    return frozenset(name for name in listed if name == DEFAULT_TIME_ZONE or "/" in name)


def check_time_zone(name: str) -> str:
    if name not in known_time_zones():
        raise ValueError("unknown time zone: use an IANA name such as Europe/Paris or UTC")
    return name


# Bounded before the lookup, so an oversized or odd value is refused without a lookup. The
# schema lists the names, so the OpenAPI document refuses exactly what the validator refuses.
TimeZoneName = Annotated[
    str,
    StringConstraints(min_length=1, max_length=MAX_NAME_LENGTH, pattern=r"^[A-Za-z0-9_+\-/]+$"),
    AfterValidator(check_time_zone),
    WithJsonSchema(
        {
            "type": "string",
            "enum": sorted(known_time_zones()),
            "description": "An IANA time zone name, such as Europe/Paris",
        }
    ),
]


def is_westward(*, old: str, new: str, at: datetime) -> bool:
    """True when `new`'s UTC offset at `at` is not ahead of `old`'s: the local date at `at` stays
    or goes back, never forward."""
    try:
        old_zone = ZoneInfo(old)
    except (ZoneInfoNotFoundError, ValueError):
        # A name stored before the list was narrowed, which this host cannot load: leaving it
        # is a correction, not a hop.
        return True
    # An aware datetime in a ZoneInfo always has an offset; `or` only satisfies the types.
    old_offset = at.astimezone(old_zone).utcoffset() or timedelta(0)
    new_offset = at.astimezone(ZoneInfo(new)).utcoffset() or timedelta(0)
    return new_offset <= old_offset


def next_change_at(
    *,
    changed_at: datetime | None,
    signed_up_at: datetime,
    interval: timedelta,
    now: datetime,
    westward: bool,
) -> datetime | None:
    """When the player may change their zone again: None when they may now.

    The interval runs from the last change, or from sign-up when there was none, so no zone
    (the one chosen at sign-up included) is left sooner than `interval` after it was taken. The
    one exception is a first change westward: it only makes the local date stay or go back, so
    it cannot mint a day (processing never counts a date before the last counted one), and a
    browser that reported the wrong zone can be corrected at once. A free change eastward
    would: signed up in Pago Pago (UTC-11) and moved to Kiritimati (UTC+14), a player is a
    calendar day ahead and checks in twice within seconds."""
    if changed_at is None and westward:
        return None
    allowed = (changed_at or signed_up_at) + interval
    return allowed if now < allowed else None
