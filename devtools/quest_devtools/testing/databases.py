"""Throwaway PostgreSQL databases, created for a test run and dropped after it."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from concurrent.futures import Future
from typing import Any

import psycopg
from psycopg import sql
from sqlalchemy import Engine, create_engine, text

from quest_common.db import sqlalchemy_url as _sqlalchemy_url


def sqlalchemy_url(admin_url: str, database: str) -> str:
    """`postgresql://postgres@host:5432/postgres` → `postgresql+psycopg://postgres@host:5432/<db>`."""
    return _sqlalchemy_url(admin_url, database=database)


def create_database(admin_url: str, prefix: str = "test") -> str:
    name = f"{prefix}_{uuid.uuid4().hex[:10]}".lower()
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return name


def drop_database(admin_url: str, name: str) -> None:
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


def scalar(database: Engine | str, statement: str, **params: object) -> Any:
    """The one value `statement` selects (a count, mostly), read from an engine or a database
    URL (an engine of its own for the read, disposed after)."""
    engine = create_engine(database) if isinstance(database, str) else database
    try:
        with engine.connect() as connection:
            return connection.execute(text(statement), params).scalar_one()
    finally:
        if isinstance(database, str):
            engine.dispose()


def lock_waiters(database: Engine | str) -> int:
    """How many sessions of this database are waiting, right now, for a lock another holds: a
    race test holds a lock, starts its contenders, and lets go once they all wait on it."""
    return int(
        scalar(
            database,
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE datname = current_database() AND wait_event_type = 'Lock'",
        )
    )


def all_waiting(database: Engine | str, contenders: Sequence[Future[Any]], count: int) -> bool:
    """True once `count` sessions wait on a lock, or once one of the contenders has finished
    already (it never reached the lock: its answer, asserted next, says why)."""
    return any(c.done() for c in contenders) or lock_waiters(database) >= count
