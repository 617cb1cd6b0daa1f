"""Admin: operator incidents (a local day overlapping one never breaks a daily streak)."""

from __future__ import annotations

import uuid
from datetime import timedelta

from fastapi import APIRouter, status

from processing_service.api.deps import (
    AdminClaims,
    PageDep,
    SessionDep,
    SettingsDep,
    UowFactoryDep,
    actor_of,
)
from processing_service.core.config import Settings
from processing_service.incidents import service
from processing_service.incidents.schemas import (
    IncidentCreate,
    IncidentEnd,
    IncidentPublic,
    IncidentsPublic,
)

router = APIRouter(prefix="/admin/incidents", tags=["incidents"])


@router.get("")
def list_incidents(_admin: AdminClaims, session: SessionDep, page: PageDep) -> IncidentsPublic:
    rows, count = service.list_incidents(session=session, limit=page.limit, offset=page.offset)
    return IncidentsPublic(data=[IncidentPublic.model_validate(r) for r in rows], count=count)


def _bounds(settings: Settings) -> service.IncidentBounds:
    return service.IncidentBounds(
        max_length=timedelta(seconds=settings.incident_max_length_s),
        max_ahead=timedelta(seconds=settings.incident_max_ahead_s),
    )


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    responses={422: {"description": "Bad window: backwards, too long or too far ahead"}},
)
def declare_incident(
    body: IncidentCreate, admin: AdminClaims, uow_factory: UowFactoryDep, settings: SettingsDep
) -> IncidentPublic:
    incident = service.declare(
        uow_factory=uow_factory,
        starts_at=body.starts_at,
        ends_at=body.ends_at,
        reason=body.reason,
        actor=actor_of(admin),
        bounds=_bounds(settings),
    )
    return IncidentPublic.model_validate(incident)


@router.patch(
    "/{incident_id}",
    responses={
        404: {"description": "No such incident"},
        409: {"description": "Already over"},
        422: {"description": "Before its start, in the past, or past the bounds"},
    },
)
def end_incident(
    incident_id: uuid.UUID,
    body: IncidentEnd,
    admin: AdminClaims,
    uow_factory: UowFactoryDep,
    settings: SettingsDep,
) -> IncidentPublic:
    """Move an incident's end: `ends_at` now ends a running incident now."""
    incident = service.end(
        uow_factory=uow_factory,
        incident_id=incident_id,
        ends_at=body.ends_at,
        actor=actor_of(admin),
        bounds=_bounds(settings),
    )
    return IncidentPublic.model_validate(incident)


@router.delete(
    "/{incident_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses={404: {"description": "No such incident"}, 409: {"description": "Already started"}},
)
def withdraw_incident(
    incident_id: uuid.UUID, admin: AdminClaims, uow_factory: UowFactoryDep
) -> None:
    service.withdraw(uow_factory=uow_factory, incident_id=incident_id, actor=actor_of(admin))
