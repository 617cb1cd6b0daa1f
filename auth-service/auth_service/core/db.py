"""Engine construction and migrations (no import-time engine: the app factory builds one)."""

from sqlalchemy import Engine

from quest_common.db import make_engine
from quest_common.migrations import run_migrations as run_service_migrations
from quest_common.migrations import service_root

__all__ = ["build_engine", "make_engine", "run_migrations"]


def run_migrations(database_url: str) -> None:
    run_service_migrations(service_root(__file__), database_url)


def build_engine(database_url: str) -> Engine:
    # Login holds a connection while it verifies the password (the row lock serialises one
    # account's logins), so the pool keeps as many as the threadpool runs requests (40): a
    # connection beyond `pool_size` is closed when returned, and opening one per login under a
    # burst cost more CPU than the login's own SQL. A connection back from a request within the
    # last seconds is handed out without a ping: a round trip less per login (and relay pass).
    return make_engine(database_url, pool_size=40, max_overflow=10, ping_after_idle_s=5.0)
