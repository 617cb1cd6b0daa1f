"""Database helpers shared by the services (PostgreSQL through psycopg 3)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Engine, text
from sqlmodel import create_engine


def utcnow() -> datetime:
    return datetime.now(UTC)


def make_engine(url: str, *, pool_size: int = 10, max_overflow: int = 20) -> Engine:
    """An engine whose pool survives a database restart (pre-ping) and never waits forever."""
    return create_engine(
        url,
        pool_pre_ping=True,
        pool_size=pool_size,
        max_overflow=max_overflow,
        pool_timeout=10,
        connect_args={"connect_timeout": 5},
    )


def database_check(engine: Engine) -> None:
    """Raise when the database does not answer; used by `/readyz`."""
    with engine.connect() as connection:
        connection.execute(text("SELECT 1"))
