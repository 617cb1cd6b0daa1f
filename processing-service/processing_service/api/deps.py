"""Dependencies shared by the routes: the app's engine, caches and clients, as Annotated aliases."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import Engine
from sqlmodel import Session

from processing_service.core.config import Settings
from processing_service.grants.service import AuthClient
from processing_service.catalog.cache import QuestCache
from quest_common.security import AdminClaims, CurrentClaims


def get_engine(request: Request) -> Engine:
    engine: Engine = request.app.state.engine
    return engine


def get_session(engine: Annotated[Engine, Depends(get_engine)]) -> Iterator[Session]:
    with Session(engine) as session:
        yield session


def get_app_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_cache(request: Request) -> QuestCache:
    cache: QuestCache = request.app.state.quest_cache
    return cache


def get_auth(request: Request) -> AuthClient:
    auth: AuthClient = request.app.state.auth_client
    return auth


EngineDep = Annotated[Engine, Depends(get_engine)]
SessionDep = Annotated[Session, Depends(get_session)]
SettingsDep = Annotated[Settings, Depends(get_app_settings)]
CacheDep = Annotated[QuestCache, Depends(get_cache)]
AuthDep = Annotated[AuthClient, Depends(get_auth)]

__all__ = [
    "AdminClaims",
    "AuthDep",
    "CacheDep",
    "CurrentClaims",
    "EngineDep",
    "SessionDep",
    "SettingsDep",
]
