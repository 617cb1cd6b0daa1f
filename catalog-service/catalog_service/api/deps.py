"""FastAPI dependencies as `Annotated` aliases."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Path, Request
from sqlmodel import Session

from catalog_service.core.models import SLUG_MAX, SLUG_PATTERN
from catalog_service.core.runtime import CatalogRuntime
from catalog_service.core.uow import UnitOfWork
from quest_common.audit import Actor
from quest_common.security import AdminClaims, TokenClaims


async def get_runtime(request: Request) -> CatalogRuntime:
    # async on purpose: a sync dependency costs a threadpool hop on every (cached) read.
    runtime: CatalogRuntime = request.app.state.runtime
    return runtime


RuntimeDep = Annotated[CatalogRuntime, Depends(get_runtime)]


async def get_uow(runtime: RuntimeDep) -> UnitOfWork:
    return runtime.new_uow()


def get_session(runtime: RuntimeDep) -> Iterator[Session]:
    # A read: nothing is committed, the unit of work rolls back on exit.
    with runtime.new_uow() as uow:
        yield uow.session


UowDep = Annotated[UnitOfWork, Depends(get_uow)]
SessionDep = Annotated[Session, Depends(get_session)]
# The `{name}` of `/…/by-name/{name}`: a slug, checked before any lookup.
SlugPath = Annotated[str, Path(min_length=1, max_length=SLUG_MAX, pattern=SLUG_PATTERN)]


def actor_of(claims: TokenClaims) -> Actor:
    """The admin behind a write, for the audit trail (the token is all the catalog knows)."""
    return Actor(id=claims.sub, name=claims.name or "")


__all__ = ["AdminClaims", "RuntimeDep", "SessionDep", "SlugPath", "UowDep", "actor_of"]
