"""`make_engine(ping_after_idle_s=...)`: a connection idle that long is pinged (a dead one is
replaced unseen); one back from a request a moment ago is handed out as it is. Real PostgreSQL,
a database of the test's own; its backends are ended with `pg_terminate_backend`."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import OperationalError

from quest_common.db import make_engine
from quest_devtools.testing.plugin import DatabaseFactory


@pytest.fixture
def database(database_url_factory: DatabaseFactory) -> str:
    return database_url_factory("ping")


def _backend(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(connection.execute(text("SELECT pg_backend_pid()")).scalar_one())


def _terminate(url: str, pid: int) -> None:
    killer = make_engine(url)
    try:
        with killer.connect() as connection:
            connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    finally:
        killer.dispose()


@pytest.fixture
def engines(database: str) -> Iterator[list[Engine]]:
    made: list[Engine] = []
    yield made
    for engine in made:
        engine.dispose()


def test_an_idle_connection_is_pinged_and_a_dead_one_replaced(
    database: str, engines: list[Engine]
) -> None:
    engine = make_engine(database, pool_size=1, max_overflow=0, ping_after_idle_s=0.05)
    engines.append(engine)
    first = _backend(engine)
    _terminate(database, first)
    time.sleep(0.1)  # idle longer than the threshold
    assert _backend(engine) != first  # a new connection, and no error


def test_a_connection_back_a_moment_ago_is_not_pinged(database: str, engines: list[Engine]) -> None:
    engine = make_engine(database, pool_size=1, max_overflow=0, ping_after_idle_s=3600)
    engines.append(engine)
    first = _backend(engine)
    _terminate(database, first)
    # No ping: the request that meets the dead connection fails (the trade the option makes)...
    with pytest.raises(OperationalError):
        _backend(engine)
    # ...and the pool replaces it for the next one.
    assert _backend(engine) != first
