"""Operator routes: the audit trail of catalog writes and the outbox figures."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.concurrency import run_in_threadpool

from catalog_service.api.deps import AdminClaims, RuntimeDep, get_session
from quest_common.audit import audit_router
from quest_common.outbox import OutboxOps, outbox_figures
from quest_common.security import admin_claims

router = APIRouter(prefix="/admin", tags=["admin"])
audit = audit_router(session_dependency=get_session, admin_dependency=admin_claims)


@router.get("/ops")
async def operations(_admin: AdminClaims, runtime: RuntimeDep) -> OutboxOps:
    """How far the outbox relay is behind (the same figures are on `/metrics`)."""
    return OutboxOps(outbox=await run_in_threadpool(outbox_figures, runtime.engine))
