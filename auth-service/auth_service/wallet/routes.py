"""The player's own ledger, admins' adjustments and services' credits and debits."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, status

from auth_service.api.deps import (
    SERVICE_CLIENT_REFUSALS,
    AdminUser,
    CurrentUser,
    DebitClient,
    LevelCurveDep,
    ServiceClient,
    SessionDep,
    UowDep,
)
from auth_service.progression.models import BadgeCredit
from auth_service.users import service as users
from auth_service.users.service import UserDeletedError, UserNotFoundError
from auth_service.wallet import service as wallet
from auth_service.wallet.models import (
    Adjustment,
    AdjustmentResult,
    LedgerEntriesPublic,
    LedgerEntryPublic,
    WalletCredit,
    WalletCreditResult,
    WalletDebit,
    WalletDebitResult,
)
from auth_service.wallet.service import (
    IdempotencyConflictError,
    InsufficientBalanceError,
    NotEnoughError,
)
from quest_common.refusals import responses

me_router = APIRouter(tags=["users"])
admin_router = APIRouter(prefix="/admin", tags=["admin"])
# Game servers' lane: a client token with `wallet:debit` (DESIGN §16); a player's is refused.
client_router = APIRouter(prefix="/wallet", tags=["wallet"])
# Not in the public OpenAPI document: the gateway never routes /internal (DESIGN §3, §12).
internal_router = APIRouter(prefix="/internal", tags=["internal"], include_in_schema=False)

Limit = Annotated[int, Query(ge=1, le=100)]
Offset = Annotated[int, Query(ge=0, le=1_000_000)]


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
    user_id: uuid.UUID, body: Adjustment, admin: AdminUser, uow: UowDep, curve: LevelCurveDep
) -> AdjustmentResult:
    return wallet.adjust(
        uow=uow,
        user_id=user_id,
        adjustment=body,
        actor=users.actor(admin),
        thresholds=curve.thresholds(),
    )


@internal_router.post(
    "/wallet/credits",
    responses=SERVICE_CLIENT_REFUSALS | responses(UserNotFoundError, IdempotencyConflictError),
)
def credit_wallet(
    body: WalletCredit, _client: ServiceClient, uow: UowDep, curve: LevelCurveDep
) -> WalletCreditResult | BadgeCredit:
    """A balance item answers its ledger entry; a badge whether it was given (a badge is held
    once: another key for a badge the player holds answers `given: false`)."""
    return wallet.credit(uow=uow, credit=body, thresholds=curve.thresholds())


@internal_router.post(
    "/wallet/debits",
    responses=SERVICE_CLIENT_REFUSALS
    | responses(UserNotFoundError, UserDeletedError, NotEnoughError, IdempotencyConflictError),
)
def debit_wallet(body: WalletDebit, _client: ServiceClient, uow: UowDep) -> WalletDebitResult:
    """Take `qty` of `item` (the shop): never below zero (409 "not enough diamonds", nothing
    debited); the same key again answers the same and debits once."""
    return wallet.debit(uow=uow, debit=body)


@client_router.post(
    "/debits",
    responses=responses(
        UserNotFoundError, UserDeletedError, NotEnoughError, IdempotencyConflictError
    ),
)
def debit_wallet_as_client(
    body: WalletDebit, _client: DebitClient, uow: UowDep
) -> WalletDebitResult:
    """A game server spends a player's diamonds or gold: the same rules as the shop's debits
    (never below zero, 409 "not enough diamonds"; the same key answers the same, debits once)."""
    return wallet.debit(uow=uow, debit=body)
