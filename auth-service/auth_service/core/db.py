"""Engine construction and migrations (no import-time engine: the app factory builds one)."""

from sqlalchemy import Engine

from quest_common import migrations
from quest_common.db import make_engine

__all__ = ["build_engine", "make_engine", "run_migrations"]


def run_migrations(database_url: str) -> None:
    migrations.run_migrations(migrations.service_root(__file__), database_url)


def build_engine(database_url: str) -> Engine:
    # Login holds a connection while it verifies the password (the row lock serialises one
    # account's logins), so the pool matches the threadpool rather than the default 5.
    return make_engine(database_url, pool_size=20, max_overflow=30)
