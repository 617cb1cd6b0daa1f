"""Database helpers shared by the services (PostgreSQL through psycopg 3)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TypeVar

import psycopg
from sqlalchemy import Engine, text
from sqlalchemy.exc import OperationalError
from sqlmodel import create_engine
from tenacity import (
    before_sleep_log,
    retry,
    retry_if_exception_type,
    stop_after_delay,
    wait_fixed,
)

logger = logging.getLogger(__name__)
T = TypeVar("T")


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


def retry_while_unreachable(
    step: Callable[[], T], *, timeout_s: float = 120.0, wait_s: float = 1.0
) -> T:
    """Run `step` (a whole migrate-and-seed job) again while the database cannot be reached.

    The waiting must cover the whole job, not only the first connection: PostgreSQL's container
    answers during its init scripts, then restarts once, cutting a migration that started too
    early. Safe because each step is idempotent (Alembic runs each migration in a transaction,
    seeds create-if-missing).
    """
    retrying = retry(
        retry=retry_if_exception_type((OperationalError, psycopg.OperationalError)),
        stop=stop_after_delay(timeout_s),
        wait=wait_fixed(wait_s),
        before_sleep=before_sleep_log(logger, logging.WARNING),
        reraise=True,
    )
    return retrying(step)()
