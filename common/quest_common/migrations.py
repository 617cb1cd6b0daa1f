"""Start-up helpers every service's prestart and Alembic tree share: wait for the database,
run `alembic upgrade head`, and the body of each `alembic/env.py`."""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, MetaData, engine_from_config, pool
from sqlalchemy.exc import OperationalError

from quest_common.db import database_check

log = logging.getLogger(__name__)


def wait_for_database(engine: Engine, *, timeout_s: float = 60.0, interval_s: float = 1.0) -> None:
    """Block until the database answers (compose starts it alongside); raise after the timeout."""
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            database_check(engine)
            return
        except OperationalError:
            if time.monotonic() > deadline:
                raise
            log.info("database not ready yet, retrying")
            time.sleep(interval_s)


def service_root(package_file: str) -> Path:
    """The folder holding a service's `alembic.ini` and `alembic/`: next to its package in a
    checkout or an editable install, else the working directory (an image's WORKDIR)."""
    for candidate in [*Path(package_file).resolve().parents[:3], Path.cwd()]:
        if (candidate / "alembic.ini").is_file():
            return candidate
    raise FileNotFoundError(f"alembic.ini not found next to {package_file} or in the cwd")


def alembic_config(root: Path, database_url: str) -> Any:
    from alembic.config import Config

    config = Config(str(root / "alembic.ini"))
    config.set_main_option("script_location", str(root / "alembic"))
    config.attributes["database_url"] = database_url
    config.attributes["configure_logger"] = False
    return config


def run_migrations(root: Path, database_url: str) -> None:
    """`alembic upgrade head` with the service's own Alembic tree."""
    from alembic import command

    command.upgrade(alembic_config(root, database_url), "head")


def run_alembic_env(context: Any, *, target_metadata: MetaData, default_url: str) -> None:
    """The body of every service's `alembic/env.py`: the URL a caller put in the config's
    attributes (prestart, tests), else the service's settings."""
    url = context.config.attributes.get("database_url") or default_url
    if context.is_offline_mode():
        context.configure(
            url=url, target_metadata=target_metadata, literal_binds=True, compare_type=True
        )
        with context.begin_transaction():
            context.run_migrations()
        return
    connectable = engine_from_config(
        {"sqlalchemy.url": url}, prefix="sqlalchemy.", poolclass=pool.NullPool
    )
    with connectable.connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata, compare_type=True)
        with context.begin_transaction():
            context.run_migrations()
    connectable.dispose()
