"""The leaderboard, the player's own ledger, admins' adjustments and services' credits."""

import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Query, status

from auth_service.api.deps import (
    SERVICE_CLIENT_REFUSALS,
    AdminUser,
    CurrentUser,
    ServiceClient,
    SessionDep,
    UowDep,
)
from auth_service.users import service as users
from auth_service.users.service import UserDeletedError, UserNotFoundError
from auth_service.wallet import service as wallet
from auth_service.wallet.models import (
    Adjustment,
    AdjustmentResult,
    Leaderboard,
    LedgerEntriesPublic,
    LedgerEntryPublic,
    WalletCredit,
    WalletCreditResult,
)
from auth_service.wallet.service import IdempotencyConflictError, InsufficientBalanceError
from quest_common.refusals import responses

router = APIRouter(tags=["wallet"])
me_router = APIRouter(tags=["users"])
admin_router = APIRouter(prefix="/admin", tags=["admin"])
# Not in the public OpenAPI document: the gateway never routes /internal (DESIGN §3, §12).
internal_router = APIRouter(prefix="/internal", tags=["internal"], include_in_schema=False)

Limit = Annotated[int, Query(ge=1, le=100)]
Offset = Annotated[int, Query(ge=0, le=1_000_000)]


@router.get("/leaderboard")
def leaderboard(
    _user: CurrentUser,
    session: SessionDep,
    item: Literal["diamond", "gold"] = "diamond",
    limit: Annotated[int, Query(ge=1, le=100)] = 10,
) -> Leaderboard:
    entries = wallet.leaderboard(session=session, item=item, limit=limit)
    return Leaderboard(data=entries, count=len(entries))


@me_router.get("/users/me/transactions")
def my_transactions(
    user: CurrentUser, session: SessionDep, limit: Limit = 20, offset: Offset = 0
) -> LedgerEntriesPublic:
    rows, count = wallet.transactions(
        session=session, user_id=user.user_id, limit=limit, offset=offset
    )
    return LedgerEntriesPublic(
        data=[LedgerEntryPublic.model_validate(row) for row in rows], count=count
    )


@admin_router.post(
    "/users/{user_id}/adjustments",
    status_code=status.HTTP_201_CREATED,
    responses=responses(UserNotFoundError, InsufficientBalanceError, UserDeletedError),
)
def adjust_balance(
    user_id: uuid.UUID, body: Adjustment, admin: AdminUser, uow: UowDep
) -> AdjustmentResult:
    return wallet.adjust(uow=uow, user_id=user_id, adjustment=body, actor=users.actor(admin))


@internal_router.post(
    "/wallet/credits",
    responses=SERVICE_CLIENT_REFUSALS | responses(UserNotFoundError, IdempotencyConflictError),
)
def credit_wallet(body: WalletCredit, _client: ServiceClient, uow: UowDep) -> WalletCreditResult:
    return wallet.credit(uow=uow, credit=body)
