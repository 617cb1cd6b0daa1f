"""Database engine. Nothing is created at import time: the app factory builds the engine from its
settings, so tests can point it at a throwaway database."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, text
from sqlmodel import Session, SQLModel

# Every table must be imported so `SQLModel.metadata` (Alembic's target) knows them all.
from catalog_service.core.changes import CatalogState
from catalog_service.event_types.models import EventType
from catalog_service.levels.models import LevelCurve
from catalog_service.quests.models import Quest
from catalog_service.rewards.models import Reward
from catalog_service.shop.models import Offer, Redemption
from quest_common.audit import AuditEntry
from quest_common.db import libpq_url, make_engine
from quest_common.outbox import OutboxEvent

TABLES = (
    CatalogState,
    EventType,
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


# Any fixed number, the same in every process: the key of the lock below.
_QUEST_LINKS_LOCK = 7_261_001


def lock_quest_links(session: Session) -> None:
    """Serialise the writes that check links between rows (a quest's prerequisites, its event
    type being active) until the transaction ends. Without it two writers could each check
    against the other's old state: quests A → B and B → A written at once would both pass the
    cycle check, and a quest could be created on a type being deactivated at that moment."""
    session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _QUEST_LINKS_LOCK})
