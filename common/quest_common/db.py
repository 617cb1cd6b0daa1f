"""Database helpers shared by the services (PostgreSQL through psycopg 3)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, date, datetime
from typing import Any, TypeVar

import psycopg
from sqlalchemy import Engine, event, text
from sqlalchemy.exc import DisconnectionError, OperationalError
from sqlmodel import Session, create_engine
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


def make_engine(
    url: str,
    *,
    pool_size: int = 10,
    max_overflow: int = 20,
    ping_after_idle_s: float | None = None,
) -> Engine:
    """An engine whose pool survives a database restart (pre-ping) and never waits forever:
    bounded connect and pool waits, and TCP keepalives plus a user timeout so that a query on a
    connection whose server vanished without a word (a host gone, a cut network) fails within
    seconds instead of hanging its request.

    `ping_after_idle_s`: ping only a connection that sat in the pool at least that long, not
    every one handed out (a round trip per checkout, on a hot path the costliest statement of
    the request). A connection lost while in use fails its one request, and SQLAlchemy then
    drops every connection the pool held before it, so a restart costs the requests in flight."""
    engine = create_engine(
        url,
        pool_pre_ping=ping_after_idle_s is None,
        pool_size=pool_size,
        max_overflow=max_overflow,
        pool_timeout=10,
        connect_args={
            "connect_timeout": 5,
            "keepalives": 1,
            "keepalives_idle": 5,
            "keepalives_interval": 2,
            "keepalives_count": 3,
            "tcp_user_timeout": 15_000,
        },
    )
    if ping_after_idle_s is not None:
        _ping_after_idle(engine, ping_after_idle_s)
    return engine


def _ping_after_idle(engine: Engine, idle_s: float) -> None:
    @event.listens_for(engine, "checkin")
    def returned(_dbapi_connection: object, record: Any) -> None:
        record.info["returned_at"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def handed_out(dbapi_connection: Any, record: Any, _proxy: object) -> None:
        returned_at = record.info.get("returned_at")
        if returned_at is None or time.monotonic() - returned_at < idle_s:
            return  # new, or back in the pool a moment ago: known to work
        try:
            with dbapi_connection.cursor() as cursor:
                cursor.execute("SELECT 1")
            dbapi_connection.rollback()
        except psycopg.Error as exc:
            # The pool drops this connection and hands out another (as pre-ping does).
            raise DisconnectionError(str(exc)) from exc


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


def pg_array(values: Sequence[object]) -> str:
    """A PostgreSQL array literal for `CAST(:x AS text)::<type>[]` bulk statements: psycopg's
    per-element array dumping costs more than the query."""
    quoted: dict[object, str] = {}  # names, types, sources repeat: quote each distinct value once
    parts = []
    for value in values:
        text_value = quoted.get(value)
        if text_value is None:
            text_value = quoted[value] = _quote(value)
        parts.append(text_value)
    return "{" + ",".join(parts) + "}"


def _quote(value: object) -> str:
    if value is None:
        return "NULL"
    text_value = value.isoformat() if isinstance(value, datetime | date) else str(value)
    return '"' + text_value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def pg_plain_array(values: Sequence[object]) -> str:
    """An array literal of UUIDs or integers: their text needs neither quotes nor escapes."""
    return "{" + ",".join(map(str, values)) + "}"


def rows_of_users(
    session: Session, select_from: str, user_ids: Iterable[str]
) -> list[tuple[Any, ...]]:
    """`select_from` (a "SELECT ... FROM <table>" of a table keyed by `user_id`) for these users
    (canonical text ids), in one round trip; nothing is asked when there are none."""
    users = sorted(set(user_ids))
    if not users:
        return []
    where = " WHERE user_id = ANY(CAST(:users AS uuid[]))"
    return [tuple(row) for row in session.execute(text(select_from + where), {"users": users})]


def sqlalchemy_url(url: str, *, database: str | None = None) -> str:
    """The one database URL rewrite: SQLAlchemy's psycopg 3 form of `url` (plain `postgresql://`
    accepted), on another database of the same server when `database` is given."""
    scheme, sep, rest = url.partition("://")
    if not sep or not scheme.startswith("postgres"):
        raise ValueError(f"not a database URL: {url!r}")
    if database is not None:
        rest = rest.rpartition("/")[0] + "/" + database
    return f"postgresql+psycopg://{rest}"


def libpq_url(url: str) -> str:
    """`psycopg.connect()` wants plain `postgresql://`, not SQLAlchemy's `+psycopg` form."""
    return "postgresql://" + url.partition("://")[2]
