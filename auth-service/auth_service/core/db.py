"""Engine construction and migrations (no import-time engine: the app factory builds one)."""

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine

from quest_common.db import make_engine

__all__ = ["alembic_config", "make_engine", "run_migrations"]


def service_root() -> Path:
    """The folder holding `alembic.ini` and `alembic/`: next to the package in a checkout or an
    editable install, else the working directory (an image that copies them to its WORKDIR)."""
    for candidate in (Path(__file__).resolve().parents[2], Path.cwd(), Path.cwd() / "auth-service"):
        if (candidate / "alembic.ini").is_file():
            return candidate
    raise FileNotFoundError("auth-service's alembic.ini not found next to the package or in cwd")


def alembic_config(database_url: str) -> Config:
    root = service_root()
    config = Config(str(root / "alembic.ini"))
    config.set_main_option("script_location", str(root / "alembic"))
    config.attributes["database_url"] = database_url
    return config


def run_migrations(database_url: str) -> None:
    command.upgrade(alembic_config(database_url), "head")


def build_engine(database_url: str) -> Engine:
    # Login holds a connection while it verifies the password (the row lock serialises one
    # account's logins), so the pool keeps as many as the threadpool runs requests (40): a
    # connection beyond `pool_size` is closed when returned, and opening one per login under a
    # burst cost more CPU than the login's own SQL.
    return make_engine(database_url, pool_size=40, max_overflow=10)
