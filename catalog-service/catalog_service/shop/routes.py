"""Shop routes: public offer reads (ETag), admin offer writes and redemption listing, and a
player's redemptions."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Header, HTTPException, Query, Request, Response, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from catalog_service.api.deps import (
    AdminClaims,
    RuntimeDep,
    SessionDep,
    SlugPath,
    UowDep,
    actor_of,
)
from catalog_service.api.reads import NOT_MODIFIED, uncached_read
from catalog_service.api.resources import created_response, resource_routers, upserted
from catalog_service.core.errors import ConflictError, InvalidError, NotFoundError
from catalog_service.shop import models, service
from quest_common.refusals import responses
from quest_common.security import CurrentClaims

router, public_router = resource_routers("/offers")
# A signed-in player's own redemptions: `api/main.py` puts the token check on it.
player_router = APIRouter(tags=["offers"])
admin_router = APIRouter(prefix="/admin", tags=["admin"])

KEY_MAX = 200
PENDING: dict[int | str, dict[str, Any]] = {
    status.HTTP_202_ACCEPTED: {
        "model": models.RedemptionPublic,
        "description": "Stock reserved; auth did not answer yet, the debit is retried",
    },
    status.HTTP_400_BAD_REQUEST: {"description": "No Idempotency-Key header"},
}


def _player_id(claims: CurrentClaims) -> uuid.UUID:
    try:
        return uuid.UUID(claims.sub)
    except ValueError as exc:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "A player's token is required") from exc


# Public: anyone may see what the shop offers (with the stock left).
@public_router.get("", response_model=models.OffersPublic, responses=NOT_MODIFIED)
async def read_offers(
    request: Request,
    runtime: RuntimeDep,
    active: Annotated[bool | None, Query(description="Only (in)active offers")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> Response:
    return await uncached_read(
        request,
        runtime,
        lambda session: service.list_offers(
            session=session, active=active, limit=limit, offset=offset
        ),
    )


@public_router.get(
    "/{offer_id}",
    response_model=models.OfferPublic,
    responses={**NOT_MODIFIED, **responses(NotFoundError)},
)
async def read_offer(request: Request, runtime: RuntimeDep, offer_id: uuid.UUID) -> Response:
    return await uncached_read(
        request,
        runtime,
        lambda session: models.OfferPublic.model_validate(
            service.get_offer(session=session, offer_id=offer_id)
        ),
    )


@router.post("", status_code=status.HTTP_201_CREATED, responses=responses(ConflictError))
def create_offer(admin: AdminClaims, uow: UowDep, body: models.OfferCreate) -> models.OfferPublic:
    return models.OfferPublic.model_validate(
        service.create_offer(uow=uow, data=body, actor=actor_of(admin))
    )


@router.put(
    "/by-name/{name}",
    responses={**created_response(models.OfferPublic), **responses(ConflictError)},
)
def upsert_offer(
    admin: AdminClaims, uow: UowDep, name: SlugPath, body: models.OfferUpsert, response: Response
) -> models.OfferPublic:
    """Create or update the offer with this name (idempotent: for seed scripts)."""
    return models.OfferPublic.model_validate(
        upserted(
            response, service.upsert_offer(uow=uow, name=name, data=body, actor=actor_of(admin))
        )
    )


@router.patch("/{offer_id}", responses=responses(NotFoundError, ConflictError))
def update_offer(
    admin: AdminClaims, uow: UowDep, offer_id: uuid.UUID, body: models.OfferUpdate
) -> models.OfferPublic:
    return models.OfferPublic.model_validate(
        service.update_offer(uow=uow, offer_id=offer_id, data=body, actor=actor_of(admin))
    )


@router.delete(
    "/{offer_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=responses(NotFoundError, ConflictError),
)
def delete_offer(admin: AdminClaims, uow: UowDep, offer_id: uuid.UUID) -> None:
    """409 while a redemption of the offer is pending; finished ones keep their copy of it."""
    service.delete_offer(uow=uow, offer_id=offer_id, actor=actor_of(admin))


@player_router.post(
    "/offers/{offer_id}/redeem",
    status_code=status.HTTP_201_CREATED,
    response_model=models.RedemptionPublic,
    responses=PENDING | responses(NotFoundError, ConflictError, InvalidError),
)
async def redeem_offer(
    claims: CurrentClaims,
    runtime: RuntimeDep,
    offer_id: uuid.UUID,
    idempotency_key: Annotated[
        str | None,
        Header(
            max_length=KEY_MAX,
            description="Any unique string per purchase (a UUID): the same key again gets the "
            "same answer, debited once.",
        ),
    ] = None,
) -> Response | models.RedemptionPublic:
    """Buy the offer: 201 done with a code; 202 pending while auth is away (settled within a
    minute of its return); 409 with the reason when it cannot be bought."""
    if not idempotency_key or not idempotency_key.strip():
        raise HTTPException(status.HTTP_400_BAD_REQUEST, "Idempotency-Key header is required")
    user_id = _player_id(claims)
    settings = runtime.settings
    result = await run_in_threadpool(
        lambda: service.redeem(
            uow_factory=runtime.new_uow,
            wallet=runtime.wallet,
            user_id=user_id,
            offer_id=offer_id,
            key=idempotency_key,
            max_backoff_s=settings.redemption_max_backoff_seconds,
        )
    )
    if result.status == models.RedemptionStatus.pending:
        return JSONResponse(result.model_dump(mode="json"), status_code=status.HTTP_202_ACCEPTED)
    return result


@player_router.get("/me/redemptions")
def read_my_redemptions(
    claims: CurrentClaims,
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> models.RedemptionsPublic:
    """The player's redemptions, newest first, with their codes."""
    return service.player_redemptions(
        session=session, user_id=_player_id(claims), limit=limit, offset=offset
    )


@admin_router.get("/redemptions")
def read_redemptions(
    _admin: AdminClaims,
    session: SessionDep,
    redemption_status: Annotated[models.RedemptionStatus | None, Query(alias="status")] = None,
    user_id: uuid.UUID | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> models.RedemptionsAdmin:
    """Every redemption, newest first; pending ones show their delivery attempts."""
    return service.all_redemptions(
        session=session, status=redemption_status, user_id=user_id, limit=limit, offset=offset
    )
