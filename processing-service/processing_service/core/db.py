"""The processing database's schema: every table module loaded (Alembic, tests) and the
migrations run (prestart). Sessions come from the unit of work (`unit_of_work.py`)."""

from __future__ import annotations

from sqlmodel import SQLModel

from quest_common.migrations import run_migrations as run_service_migrations
from quest_common.migrations import service_root


def all_models() -> type[SQLModel]:
    """Import every table module so SQLModel.metadata is complete (Alembic, tests)."""
    from processing_service.catalog import cache as _q  # noqa: F401
    from processing_service.dead_letters import models as _dl  # noqa: F401
    from processing_service.deletions import models as _del  # noqa: F401
    from processing_service.events import models as _s  # noqa: F401
    from processing_service.grants import models as _g  # noqa: F401
    from processing_service.incidents import models as _i  # noqa: F401
    from processing_service.ingestion import models as _ing  # noqa: F401
    from processing_service.notifications import models as _n  # noqa: F401
    from processing_service.players import models as _pl  # noqa: F401
    from processing_service.progress import models as _p  # noqa: F401
    from processing_service.simulation import models as _sim  # noqa: F401
    from quest_common import audit as _audit  # noqa: F401

    return SQLModel


def run_migrations(database_url: str) -> None:
    """`alembic upgrade head` with this service's own Alembic tree."""
    run_service_migrations(service_root(__file__), database_url)
