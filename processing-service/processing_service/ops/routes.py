"""Admin: the operations figures (DESIGN §11)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.concurrency import run_in_threadpool

from processing_service.api.deps import AdminClaims, RuntimeDep
from processing_service.ops.service import ProcessingOps

router = APIRouter(prefix="/admin", tags=["admin"])


@router.get("/ops")
async def operations(_admin: AdminClaims, runtime: RuntimeDep) -> ProcessingOps:
    """The sign-in queue, dead letters, pending grants, worker lag, minted (also on `/metrics`),
    and each event source's figures of the day."""
    return await run_in_threadpool(runtime.ops_figures)
