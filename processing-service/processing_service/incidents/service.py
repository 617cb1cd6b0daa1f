"""Declare, list and withdraw incidents, and the windows the worker hands to the rules.

Each write owns its transaction (a unit of work from `uow_factory`); the cached windows are
dropped once the commit succeeded. The worker reads the windows through a short cache: an
incident is declared a few times a year, a batch runs many times a second.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Sequence
from datetime import datetime
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


def _snapshot(incident: Incident) -> dict[str, object]:
    return {
        "incident_id": str(incident.incident_id),
        "starts_at": incident.starts_at.isoformat(),
        "ends_at": incident.ends_at.isoformat(),
        "reason": incident.reason,
    }


def _record(session: Session, incident: Incident, *, actor: audit.Actor, action: str) -> None:
    """The audit entry of a declaration (the incident is its `after`) or of a withdrawal (its
    `before`: the row is deleted)."""
    snapshot = _snapshot(incident)
    declared = action == "incident.declare"
    audit.record(
        session,
        actor=actor,
        action=action,
        target_id=incident.incident_id,
        before=None if declared else snapshot,
        after=snapshot if declared else None,
    )


def declare(
    *,
    uow_factory: SqlUnitOfWorkFactory,
    starts_at: datetime,
    ends_at: datetime,
    reason: str,
    actor: audit.Actor,
) -> Incident:
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
