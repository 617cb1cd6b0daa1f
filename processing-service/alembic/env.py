"""Alembic environment: the URL comes from the caller or from the service settings."""

from alembic import context

from processing_service.core.config import get_settings
from processing_service.core.db import all_models
from quest_common.migrations import run_alembic_env

run_alembic_env(
    context, target_metadata=all_models().metadata, default_url=get_settings().database_url
)
