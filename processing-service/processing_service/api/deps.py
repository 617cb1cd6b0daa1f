"""Dependencies shared by the routes: the app's engine, caches and clients, as Annotated aliases."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, HTTPException, Query, Request, status
from sqlalchemy import Engine
from sqlmodel import Session

from processing_service.bootstrap import Ingestion, Runtime
from processing_service.catalog.cache import QuestCache
from processing_service.core.config import Settings
from processing_service.unit_of_work import SqlUnitOfWorkFactory, UnitOfWork
from quest_common.audit import Actor
from quest_common.security import AdminClaims, CurrentClaims, TokenClaims


def get_engine(request: Request) -> Engine:
    engine: Engine = request.app.state.engine
    return engine


def get_reads(engine: Annotated[Engine, Depends(get_engine)]) -> Iterator[UnitOfWork]:
    """A read-only unit of work: a route that only reads can never write."""
    with UnitOfWork(engine=engine, read_only=True) as reads:
        yield reads


def get_session(reads: Annotated[UnitOfWork, Depends(get_reads)]) -> Session:
    """The session of the request's read-only unit of work."""
    return reads.session


def get_app_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


def get_ingestion(request: Request) -> Ingestion:
    ingestion: Ingestion = request.app.state.ingestion
    return ingestion


def get_uow_factory(request: Request) -> SqlUnitOfWorkFactory:
    """Units of work for the service functions that write (each owns its transaction)."""
    return get_runtime(request).uow


def get_cache(request: Request) -> QuestCache:
    return get_runtime(request).cache


def player_id(claims: CurrentClaims) -> uuid.UUID:
    """The player behind the token: a service token (no user id) is refused."""
    try:
        return uuid.UUID(claims.sub)
    except ValueError as exc:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "Not a player token") from exc


def actor_of(claims: TokenClaims) -> Actor:
    """The admin behind a write, for the audit trail (the token is all processing knows)."""
    return Actor(id=claims.sub, name=claims.name or "")


EngineDep = Annotated[Engine, Depends(get_engine)]
SessionDep = Annotated[Session, Depends(get_session)]
ReadsDep = Annotated[UnitOfWork, Depends(get_reads)]
PlayerId = Annotated[uuid.UUID, Depends(player_id)]
SettingsDep = Annotated[Settings, Depends(get_app_settings)]
CacheDep = Annotated[QuestCache, Depends(get_cache)]
RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
UowFactoryDep = Annotated[SqlUnitOfWorkFactory, Depends(get_uow_factory)]
IngestionDep = Annotated[Ingestion, Depends(get_ingestion)]

# Paging of the lists (`{data, count}`): at most 500 rows a page.
Limit = Annotated[int, Query(ge=1, le=500)]
Offset = Annotated[int, Query(ge=0, le=1_000_000)]


@dataclass(frozen=True)
class Page:
    limit: int
    offset: int


def page_params(limit: Limit = 50, offset: Offset = 0) -> Page:
    """The `limit` and `offset` query parameters of a list, 50 rows from the first by default."""
    return Page(limit=limit, offset=offset)


PageDep = Annotated[Page, Depends(page_params)]

__all__ = [
    "AdminClaims",
    "CacheDep",
    "CurrentClaims",
    "EngineDep",
    "IngestionDep",
    "Limit",
    "Offset",
    "Page",
    "PageDep",
    "PlayerId",
    "ReadsDep",
    "RuntimeDep",
    "SessionDep",
    "SettingsDep",
    "UowFactoryDep",
    "actor_of",
]
