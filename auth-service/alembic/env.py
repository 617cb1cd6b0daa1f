"""Alembic environment: the URL comes from the caller or from the service settings."""

from alembic import context
from sqlmodel import SQLModel

# Every domain's tables, registered in the metadata autogenerate and the migrations compare.
import auth_service.clients.models
import auth_service.progression.models
import auth_service.signin.models
import auth_service.tokens.models
import auth_service.users.models
import auth_service.wallet.models  # noqa: F401
from auth_service.core.config import get_settings
from quest_common.audit import AuditEntry  # noqa: F401  (registers the audit table)
from quest_common.migrations import run_alembic_env
from quest_common.outbox import OutboxEvent  # noqa: F401  (registers the outbox table)

run_alembic_env(context, target_metadata=SQLModel.metadata, default_url=get_settings().database_url)
