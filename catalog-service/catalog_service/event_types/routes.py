"""Event type routes: public reads (cached, ETag), admin writes by name."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query, Request, Response

from catalog_service.api.deps import AdminClaims, RuntimeDep, UowDep, actor_of
from catalog_service.api.reads import NOT_MODIFIED, cached_read
from catalog_service.api.resources import created_response, resource_routers, upserted
from catalog_service.core.errors import ConflictError, NotFoundError
from catalog_service.event_types import models, service
from quest_common.refusals import responses

router, public_router = resource_routers("/event-types")

MAX_PAGE = 1000

EventTypePath = Annotated[
    str,
    Path(
        min_length=1,
        max_length=models.EVENT_TYPE_NAME_MAX,
        pattern=models.EVENT_TYPE_NAME_PATTERN,
        description="Lowercase letters, digits and underscores, starting with a letter.",
    ),
]


# Public: ingestion (processing) and the quest form read the types and their properties.
@public_router.get("", response_model=models.EventTypesPublic, responses=NOT_MODIFIED)
async def read_event_types(
    request: Request,
    runtime: RuntimeDep,
    active: Annotated[bool | None, Query(description="Only (in)active types")] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = MAX_PAGE,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> Response:
    """Event types by name; `count` is the total matching."""
    return await cached_read(
        request,
        runtime,
        lambda session: service.list_event_types(
            session=session, active=active, limit=limit, offset=offset
        ),
    )


@public_router.get(
    "/by-name/{name}",
    response_model=models.EventTypePublic,
    responses={**NOT_MODIFIED, **responses(NotFoundError)},
)
async def read_event_type(request: Request, runtime: RuntimeDep, name: EventTypePath) -> Response:
    return await cached_read(
        request, runtime, lambda session: service.get_event_type(session=session, name=name)
    )


@router.put(
    "/by-name/{name}",
    responses={**created_response(models.EventTypePublic), **responses(ConflictError)},
)
def upsert_event_type(
    admin: AdminClaims,
    uow: UowDep,
    name: EventTypePath,
    body: models.EventTypeUpsert,
    response: Response,
) -> models.EventTypePublic:
    """Create or replace the event type with this name, active (idempotent). 409 for the
    built-in `sign_in`, and when an active quest's filters or sum would no longer fit."""
    return upserted(
        response,
        service.upsert_event_type(uow=uow, name=name, data=body, actor=actor_of(admin)),
    )


@router.delete("/by-name/{name}", responses=responses(NotFoundError, ConflictError))
def deactivate_event_type(
    admin: AdminClaims, uow: UowDep, name: EventTypePath
) -> models.EventTypePublic:
    """Deactivates the type (409 while an active quest counts it, and for `sign_in`)."""
    return service.deactivate_event_type(uow=uow, name=name, actor=actor_of(admin))
