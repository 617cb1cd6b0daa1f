"""Level curve routes: a public read (cached, ETag), the admin's replacement."""

from __future__ import annotations

from fastapi import Request, Response

from catalog_service.api.deps import AdminClaims, RuntimeDep, UowDep, actor_of
from catalog_service.api.reads import NOT_MODIFIED, cached_read
from catalog_service.api.resources import resource_routers
from catalog_service.levels import models, service

router, public_router = resource_routers("/levels")


# Public: the web UI draws XP bars with it, and auth revalidates its copy with If-None-Match.
@public_router.get("", response_model=models.LevelsPublic, responses=NOT_MODIFIED)
async def read_levels(request: Request, runtime: RuntimeDep) -> Response:
    """The level curve: level n starts at `thresholds[n - 1]` XP (the default until set)."""
    return await cached_read(request, runtime, lambda session: service.get_levels(session=session))


@router.put("")
def put_levels(admin: AdminClaims, uow: UowDep, body: models.LevelsUpdate) -> models.LevelsPublic:
    """Replace the curve: 0 first, then strictly increasing (422 otherwise)."""
    return service.put_levels(uow=uow, data=body, actor=actor_of(admin))
