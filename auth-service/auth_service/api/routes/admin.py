"""Operator routes: the audit trail, operations figures, balance adjustments."""

import uuid

from fastapi import APIRouter, Request, status

from auth_service import users, wallet
from auth_service.api.deps import AdminUser, SessionDep, get_admin_user, get_db
from auth_service.models import Adjustment, AdjustmentResult
from auth_service.users import UserDeletedError, UserNotFoundError
from auth_service.wallet import InsufficientBalanceError
from quest_common.audit import audit_router
from quest_common.outbox import OutboxOps, outbox_figures
from quest_common.refusals import responses

router = APIRouter(prefix="/admin", tags=["admin"])
audit = audit_router(session_dependency=get_db, admin_dependency=get_admin_user)


@router.get("/ops")
def operations(_admin: AdminUser, request: Request) -> OutboxOps:
    """How far the outbox relay is behind (the same figures are on `/metrics`)."""
    return OutboxOps(outbox=outbox_figures(request.app.state.engine))


@router.post(
    "/users/{user_id}/adjustments",
    status_code=status.HTTP_201_CREATED,
    responses=responses(UserNotFoundError, InsufficientBalanceError, UserDeletedError),
)
def adjust_balance(
    user_id: uuid.UUID, body: Adjustment, admin: AdminUser, session: SessionDep
) -> AdjustmentResult:
    return wallet.adjust(
        session=session, user_id=user_id, adjustment=body, actor=users.actor(admin)
    )
