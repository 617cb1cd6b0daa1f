"""Database engine. Nothing is created at import time: the app factory builds the engine from its
settings, so tests can point it at a throwaway database."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine
from sqlmodel import SQLModel

# Every table must be imported so `SQLModel.metadata` (Alembic's target) knows them all.
from catalog_service.core.changes import CatalogState
from catalog_service.levels.models import LevelCurve
from catalog_service.quests.models import Quest
from catalog_service.rewards.models import Reward
from catalog_service.shop.models import Offer, Redemption
from quest_common.audit import AuditEntry
from quest_common.db import libpq_url, make_engine
from quest_common.outbox import OutboxEvent

TABLES = (
    CatalogState,
    Quest,
    Reward,
    LevelCurve,
    Offer,
    Redemption,
    OutboxEvent,
    AuditEntry,
)
metadata = SQLModel.metadata


def create_db_engine(database_url: str) -> Engine:
    return make_engine(database_url)


def libpq_dsn(engine: Engine) -> str:
    """The engine's URL for plain psycopg (the LISTEN connection), without SQLAlchemy's dialect."""
    return libpq_url(engine.url.render_as_string(hide_password=False))


def row_values(row: SQLModel) -> dict[str, Any]:
    """A table row's column values as loaded (enum columns hold their plain string), without
    going through pydantic serialization of the table model."""
    return {column.key: getattr(row, column.key) for column in row.__table__.columns}  # type: ignore[attr-defined]
