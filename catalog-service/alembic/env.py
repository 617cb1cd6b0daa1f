"""Alembic environment: migrates the database named by DATABASE_URL (or the URL a caller put in
the config's attributes, as `prestart` and the tests do)."""

from __future__ import annotations

from alembic import context

from catalog_service.core.config import Settings
from catalog_service.core.db import metadata
from quest_common.migrations import run_alembic_env

run_alembic_env(context, target_metadata=metadata, default_url=Settings().database_url)
