"""Admin: operator incidents (a local day overlapping one never breaks a daily streak)."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, status

from processing_service.api.deps import (
    AdminClaims,
    PageDep,
    SessionDep,
    UowFactoryDep,
    actor_of,
)
from processing_service.incidents import service
from processing_service.incidents.schemas import IncidentCreate, IncidentPublic, IncidentsPublic

router = APIRouter(prefix="/admin/incidents", tags=["incidents"])


@router.get("")
def list_incidents(_admin: AdminClaims, session: SessionDep, page: PageDep) -> IncidentsPublic:
    rows, count = service.list_incidents(session=session, limit=page.limit, offset=page.offset)
    return IncidentsPublic(data=[IncidentPublic.model_validate(r) for r in rows], count=count)


@router.post("", status_code=status.HTTP_201_CREATED)
def declare_incident(
    body: IncidentCreate, admin: AdminClaims, uow_factory: UowFactoryDep
) -> IncidentPublic:
    incident = service.declare(
        uow_factory=uow_factory,
        starts_at=body.starts_at,
        ends_at=body.ends_at,
        reason=body.reason,
        actor=actor_of(admin),
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
