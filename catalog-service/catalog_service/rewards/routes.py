"""Reward routes: public reads (cached, ETag), admin writes."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Query, Request, Response, status

from catalog_service.api.deps import AdminClaims, RuntimeDep, SlugPath, UowDep, actor_of
from catalog_service.api.reads import NOT_MODIFIED, cached_read
from catalog_service.api.resources import created_response, resource_routers, upserted
from catalog_service.core.errors import ConflictError, NotFoundError
from catalog_service.rewards import models, service
from quest_common.refusals import responses

router, public_router = resource_routers("/rewards")


# Public: anyone may read the catalog (the frontend shows it before sign-in).
@public_router.get("", response_model=models.RewardsPublic, responses=NOT_MODIFIED)
async def read_rewards(
    request: Request,
    runtime: RuntimeDep,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> Response:
    return await cached_read(
        request,
        runtime,
        lambda session: service.list_rewards(session=session, limit=limit, offset=offset),
    )


@public_router.get(
    "/{reward_id}",
    response_model=models.RewardPublic,
    responses={**NOT_MODIFIED, **responses(NotFoundError)},
)
async def read_reward(request: Request, runtime: RuntimeDep, reward_id: uuid.UUID) -> Response:
    return await cached_read(
        request,
        runtime,
        lambda session: models.RewardPublic.model_validate(
            service.get_reward(session=session, reward_id=reward_id)
        ),
    )


@router.post("", status_code=status.HTTP_201_CREATED, responses=responses(ConflictError))
def create_reward(
    admin: AdminClaims, uow: UowDep, body: models.RewardCreate
) -> models.RewardPublic:
    return models.RewardPublic.model_validate(
        service.create_reward(uow=uow, data=body, actor=actor_of(admin))
    )


@router.put(
    "/by-name/{name}",
    responses={**created_response(models.RewardPublic), **responses(ConflictError)},
)
def upsert_reward(
    admin: AdminClaims, uow: UowDep, name: SlugPath, body: models.RewardUpsert, response: Response
) -> models.RewardPublic:
    """Create or update the reward with this name (idempotent: for seed scripts)."""
    return models.RewardPublic.model_validate(
        upserted(
            response, service.upsert_reward(uow=uow, name=name, data=body, actor=actor_of(admin))
        )
    )


@router.patch("/{reward_id}", responses=responses(NotFoundError, ConflictError))
def update_reward(
    admin: AdminClaims, uow: UowDep, reward_id: uuid.UUID, body: models.RewardUpdate
) -> models.RewardPublic:
    return models.RewardPublic.model_validate(
        service.update_reward(uow=uow, reward_id=reward_id, data=body, actor=actor_of(admin))
    )


@router.delete(
    "/{reward_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=responses(NotFoundError, ConflictError),
)
def delete_reward(admin: AdminClaims, uow: UowDep, reward_id: uuid.UUID) -> None:
    """409 while any quest (active or not) uses the reward."""
    service.delete_reward(uow=uow, reward_id=reward_id, actor=actor_of(admin))
