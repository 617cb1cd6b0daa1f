"""Quest and trigger routes: public reads (cached, ETag), admin writes."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response, status

from catalog_service.api.deps import AdminClaims, RuntimeDep, SlugPath, UowDep, actor_of
from catalog_service.api.reads import NOT_MODIFIED, cached_read
from catalog_service.api.resources import created_response, resource_routers, upserted
from catalog_service.core.errors import ConflictError, NotFoundError
from catalog_service.quests import models, service
from quest_common.refusals import responses

router, public_router = resource_routers("/quests")
triggers_router = APIRouter(prefix="/triggers", tags=["quests"])

MAX_PAGE = 1000


# Public: anyone may read the catalog; processing loads its definitions from here.
@triggers_router.get("", response_model=models.TriggersPublic, responses=NOT_MODIFIED)
async def read_triggers(request: Request, runtime: RuntimeDep) -> Response:
    return await cached_read(request, runtime, lambda _: service.list_triggers())


@public_router.get("", response_model=models.QuestsPublic, responses=NOT_MODIFIED)
async def read_quests(
    request: Request,
    runtime: RuntimeDep,
    active: Annotated[bool | None, Query(description="Only (in)active quests")] = None,
    trigger: models.Trigger | None = None,
    event_type: Annotated[
        str | None,
        Query(
            max_length=models.EVENT_TYPE_NAME_MAX,
            pattern=models.EVENT_TYPE_NAME_PATTERN,
            description="Only quests counting this event type",
        ),
    ] = None,
    # Default = maximum: a reader that does not page (processing loading its definitions) gets
    # every quest; `count` tells a paging reader whether there is more.
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = MAX_PAGE,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> Response:
    """Quests with their reward embedded, oldest first; `count` is the total matching."""
    return await cached_read(
        request,
        runtime,
        lambda session: service.list_quests(
            session=session,
            active=active,
            trigger=trigger,
            event_type=event_type,
            limit=limit,
            offset=offset,
        ),
    )


@public_router.get(
    "/by-name/{name}",
    response_model=models.QuestPublic,
    responses={**NOT_MODIFIED, **responses(NotFoundError)},
)
async def read_quest_by_name(request: Request, runtime: RuntimeDep, name: SlugPath) -> Response:
    return await cached_read(
        request,
        runtime,
        lambda session: service.get_quest_by_name(session=session, name=name),
    )


@public_router.get(
    "/{quest_id}",
    response_model=models.QuestPublic,
    responses={**NOT_MODIFIED, **responses(NotFoundError)},
)
async def read_quest(request: Request, runtime: RuntimeDep, quest_id: uuid.UUID) -> Response:
    return await cached_read(
        request,
        runtime,
        lambda session: service.get_quest(session=session, quest_id=quest_id),
    )


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    responses=responses(NotFoundError, ConflictError),
)
def create_quest(admin: AdminClaims, uow: UowDep, body: models.QuestCreate) -> models.QuestPublic:
    return service.create_quest(uow=uow, data=body, actor=actor_of(admin))


@router.put(
    "/by-name/{name}",
    responses={
        **created_response(models.QuestPublic),
        **responses(NotFoundError, ConflictError),
    },
)
def upsert_quest(
    admin: AdminClaims, uow: UowDep, name: SlugPath, body: models.QuestUpsert, response: Response
) -> models.QuestPublic:
    """Create or replace the quest with this name (idempotent: for seed scripts)."""
    return upserted(
        response, service.upsert_quest(uow=uow, name=name, data=body, actor=actor_of(admin))
    )


@router.patch("/{quest_id}", responses=responses(NotFoundError, ConflictError))
def update_quest(
    admin: AdminClaims, uow: UowDep, quest_id: uuid.UUID, body: models.QuestUpdate
) -> models.QuestPublic:
    return service.update_quest(uow=uow, quest_id=quest_id, data=body, actor=actor_of(admin))


@router.delete("/{quest_id}", responses=responses(NotFoundError))
def deactivate_quest(admin: AdminClaims, uow: UowDep, quest_id: uuid.UUID) -> models.QuestPublic:
    """Deactivates the quest (players' progress history is kept); returns it."""
    return service.deactivate_quest(uow=uow, quest_id=quest_id, actor=actor_of(admin))
