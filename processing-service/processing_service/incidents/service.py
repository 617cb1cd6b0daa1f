"""Declare, list, end and withdraw incidents, and the windows the worker hands to the rules.

An incident is bounded (`IncidentBounds`: its longest length, and how far ahead of now it may
end), so no declaration can switch streak breaks off for good; an admin ends a running one
early by moving its end (`end`), never before its start or its past.

Each write owns its transaction (a unit of work from `uow_factory`); the cached windows are
dropped once the commit succeeded. The worker reads the windows through a short cache: an
incident is declared a few times a year, a batch runs many times a second.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from http import HTTPStatus
from typing import TYPE_CHECKING

from sqlalchemy import func
from sqlmodel import Session, col, select

from processing_service.incidents.models import Incident
from processing_service.progress.rules import IncidentWindow
from quest_common import audit
from quest_common.db import utcnow
from quest_common.refusals import ClientError

if TYPE_CHECKING:
    from processing_service.unit_of_work import SqlUnitOfWorkFactory

WINDOWS_TTL_S = 5.0


class IncidentNotFoundError(
    ClientError, LookupError, status=HTTPStatus.NOT_FOUND, detail="Incident not found"
):
    pass


class IncidentStartedError(
    ClientError,
    status=HTTPStatus.CONFLICT,
    detail="The incident has started: it can no longer be withdrawn",
):
    """An incident that has started is history: players' streaks may already rest on it."""


class IncidentWindowRefusedError(ClientError, status=HTTPStatus.UNPROCESSABLE_ENTITY):
    """An incident window out of bounds: the detail says which bound."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class IncidentOverError(
    ClientError,
    status=HTTPStatus.CONFLICT,
    detail="The incident is over: its end can no longer be moved",
):
    """An incident that has ended is history, like one that has started."""


# What "now" may lag behind the server's clock when an admin ends an incident now (the
# browser's clock sends it).
END_NOW_TOLERANCE = timedelta(minutes=1)


@dataclass(frozen=True, slots=True)
class IncidentBounds:
    """The longest incident, and how far ahead of now one may end (settings)."""

    max_length: timedelta
    max_ahead: timedelta


def check_window(
    *, starts_at: datetime, ends_at: datetime, now: datetime, bounds: IncidentBounds
) -> None:
    """Raise IncidentWindowRefusedError unless [starts_at, ends_at) is a window an admin may
    declare: it ends after it starts, lasts at most `max_length`, ends at most `max_ahead`
    from now. Without these one incident ("0001-01-01 … 9999-12-31") would stop every daily
    streak from ever breaking again."""
    if ends_at <= starts_at:
        raise IncidentWindowRefusedError("ends_at must be after starts_at")
    if ends_at - starts_at > bounds.max_length:
        raise IncidentWindowRefusedError(f"an incident lasts at most {_days(bounds.max_length)}")
    if ends_at - now > bounds.max_ahead:
        raise IncidentWindowRefusedError(
            f"an incident ends at most {_days(bounds.max_ahead)} from now"
        )


def check_new_end(
    *,
    starts_at: datetime,
    ends_at: datetime,
    new_end: datetime,
    now: datetime,
    bounds: IncidentBounds,
) -> None:
    """Raise unless an incident [starts_at, ends_at) may end at `new_end` instead: not once it
    is over (IncidentOverError), not before its start or in the past (players' streaks may
    already rest on it), not past the bounds. Ending earlier than the bounds is always fine:
    that is how an admin ends an incident declared before the bounds existed."""
    if ends_at <= now:
        raise IncidentOverError(ends_at.isoformat())
    if new_end <= starts_at:
        raise IncidentWindowRefusedError("ends_at must be after starts_at")
    if new_end < now - END_NOW_TOLERANCE:
        raise IncidentWindowRefusedError("ends_at must not be in the past")
    if new_end > ends_at:
        check_window(starts_at=starts_at, ends_at=new_end, now=now, bounds=bounds)


def _days(span: timedelta) -> str:
    days = span / timedelta(days=1)
    if days == int(days):
        return f"{int(days)} day{'s' if days != 1 else ''}"
    return f"{span.total_seconds():.0f} s"


def _snapshot(incident: Incident) -> dict[str, object]:
    return {
        "incident_id": str(incident.incident_id),
        "starts_at": incident.starts_at.isoformat(),
        "ends_at": incident.ends_at.isoformat(),
        "reason": incident.reason,
    }


def _record(
    session: Session,
    incident: Incident,
    *,
    actor: audit.Actor,
    action: str,
    before: dict[str, object] | None = None,
) -> None:
    """The audit entry of a declaration (the incident is its `after`), a withdrawal (its
    `before`: the row is deleted) or an end moved (`before` given, the incident as `after`)."""
    snapshot = _snapshot(incident)
    if action == "incident.withdraw":
        before, after = snapshot, None
    else:
        after = snapshot
    audit.record(
        session,
        actor=actor,
        action=action,
        target_id=incident.incident_id,
        before=before,
        after=after,
    )


def declare(
    *,
    uow_factory: SqlUnitOfWorkFactory,
    starts_at: datetime,
    ends_at: datetime,
    reason: str,
    actor: audit.Actor,
    bounds: IncidentBounds,
    now: datetime | None = None,
) -> Incident:
    check_window(starts_at=starts_at, ends_at=ends_at, now=now or utcnow(), bounds=bounds)
    incident = Incident(
        starts_at=starts_at, ends_at=ends_at, reason=reason, declared_by=actor.id[:128]
    )
    with uow_factory() as uow:
        uow.session.add(incident)
        uow.session.flush()  # the id, for the audit entry written in the same transaction
        _record(uow.session, incident, actor=actor, action="incident.declare")
        uow.after_commit(forget_windows)
        uow.commit()
    return incident


def list_incidents(*, session: Session, limit: int, offset: int) -> tuple[Sequence[Incident], int]:
    """Newest first (by when they start), with the total count."""
    rows = session.exec(
        select(Incident)
        .order_by(col(Incident.starts_at).desc(), col(Incident.created_at).desc())
        .limit(limit)
        .offset(offset)
    ).all()
    count = session.exec(select(func.count()).select_from(Incident)).one()
    return rows, int(count)


def end(
    *,
    uow_factory: SqlUnitOfWorkFactory,
    incident_id: uuid.UUID,
    ends_at: datetime,
    actor: audit.Actor,
    bounds: IncidentBounds,
    now: datetime | None = None,
) -> Incident:
    """Move an incident's end (to now, to end a running one), audited in the same transaction.
    The row is locked, so two admins ending it at once are judged one after the other."""
    with uow_factory() as uow:
        incident = uow.session.get(Incident, incident_id, with_for_update=True)
        if incident is None:
            raise IncidentNotFoundError(incident_id)
        check_new_end(
            starts_at=incident.starts_at,
            ends_at=incident.ends_at,
            new_end=ends_at,
            now=now or utcnow(),
            bounds=bounds,
        )
        before = _snapshot(incident)
        incident.ends_at = ends_at
        uow.session.add(incident)
        uow.session.flush()
        _record(uow.session, incident, actor=actor, action="incident.end", before=before)
        uow.after_commit(forget_windows)
        uow.commit()
    return incident


def withdraw(
    *,
    uow_factory: SqlUnitOfWorkFactory,
    incident_id: uuid.UUID,
    actor: audit.Actor,
    now: datetime | None = None,
) -> None:
    """Delete an incident that has not started; raises IncidentStartedError otherwise."""
    with uow_factory() as uow:
        incident = uow.session.get(Incident, incident_id, with_for_update=True)
        if incident is None:
            raise IncidentNotFoundError(incident_id)
        if incident.starts_at <= (now or utcnow()):
            raise IncidentStartedError(incident_id)
        _record(uow.session, incident, actor=actor, action="incident.withdraw")
        uow.session.delete(incident)
        uow.after_commit(forget_windows)
        uow.commit()


_lock = threading.Lock()
_windows: dict[str, tuple[float, tuple[IncidentWindow, ...]]] = {}


def forget_windows() -> None:
    with _lock:
        _windows.clear()


def windows(*, session: Session) -> tuple[IncidentWindow, ...]:
    """Every incident window (cached for a few seconds per database)."""
    key = str(session.get_bind().engine.url)
    with _lock:
        cached = _windows.get(key)
        if cached is not None and time.monotonic() - cached[0] < WINDOWS_TTL_S:
            return cached[1]
    rows = session.exec(
        select(Incident.starts_at, Incident.ends_at).order_by(col(Incident.starts_at))
    ).all()
    found = tuple(IncidentWindow(starts_at=starts, ends_at=ends) for starts, ends in rows)
    with _lock:
        _windows[key] = (time.monotonic(), found)
    return found
