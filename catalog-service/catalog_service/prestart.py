"""One-shot start job: `python -m catalog_service.prestart`.

Waits for the database, migrates it to head with this service's own Alembic tree, then seeds the
reference catalog (idempotent). The `QuestChanged` events the seed records stay in the outbox until
an API process's relay publishes them.
"""

from __future__ import annotations

import logging
from pathlib import Path

from alembic import command
from alembic.config import Config

from catalog_service.core.config import Settings, get_settings
from catalog_service.core.db import create_db_engine
from catalog_service.core.uow import UnitOfWork
from catalog_service.seed import seed_reference_catalog
from quest_common.db import database_check, retry_while_unreachable
from quest_common.logging import configure_logging

logger = logging.getLogger("catalog_service.prestart")

ALEMBIC_INI = Path(__file__).resolve().parents[1] / "alembic.ini"


def alembic_config(database_url: str) -> Config:
    config = Config(str(ALEMBIC_INI))
    config.attributes["database_url"] = database_url
    config.attributes["configure_logger"] = False
    return config


def migrate(database_url: str) -> None:
    command.upgrade(alembic_config(database_url), "head")


def run(settings: Settings) -> None:
    engine = create_db_engine(settings.database_url)

    def job() -> None:
        database_check(engine)
        migrate(settings.database_url)
        quest = seed_reference_catalog(uow=UnitOfWork(engine=engine))
        logger.info("catalog ready; reference quest %s is %s", quest.name, quest.quest_id)

    try:
        # The whole job is retried, not only the first connection (see retry_while_unreachable).
        retry_while_unreachable(job)
    finally:
        engine.dispose()


def main() -> None:
    settings = get_settings()
    configure_logging(settings.service_name, json_lines=settings.log_json, level=settings.log_level)
    run(settings)


if __name__ == "__main__":
    main()
