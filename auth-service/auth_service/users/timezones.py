"""Player time zones: which names are valid, and how often a player may change theirs (pure).

Processing counts a player's days in the zone their sign-in events carry (DESIGN §10). A zone
that could be changed at will would let a player mint extra days by hopping around the globe,
so a change is allowed at most once per interval (7 days by default). Setting the zone at
sign-up is not a change: the first change after sign-up is always allowed, so a player whose
browser reported the wrong zone can correct it at once.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import lru_cache
from typing import Annotated
from zoneinfo import available_timezones

from pydantic import AfterValidator, StringConstraints

DEFAULT_TIME_ZONE = "UTC"
MAX_NAME_LENGTH = 64


@lru_cache(maxsize=1)
def known_time_zones() -> frozenset[str]:
    """Every IANA name this machine can load (from the `tzdata` package, or the system's)."""
    return frozenset(available_timezones())


def check_time_zone(name: str) -> str:
    if name not in known_time_zones():
        raise ValueError("unknown time zone: use an IANA name such as Europe/Paris or UTC")
    return name


# Bounded before the lookup, so an oversized or odd value is refused without touching zoneinfo.
TimeZoneName = Annotated[
    str,
    StringConstraints(min_length=1, max_length=MAX_NAME_LENGTH, pattern=r"^[A-Za-z0-9_+\-/]+$"),
    AfterValidator(check_time_zone),
]


def next_change_at(
    *, changed_at: datetime | None, interval: timedelta, now: datetime
) -> datetime | None:
    """When the player may change their zone again: None when they may now."""
    if changed_at is None:
        return None
    allowed = changed_at + interval
    return allowed if now < allowed else None
