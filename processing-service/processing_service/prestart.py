"""One-shot start-up job: wait for the database, migrate. `python -m processing_service.prestart`

Nothing to seed: quest definitions come from catalog, progress from sign-ins.
"""

from __future__ import annotations

import logging

from processing_service.core.config import get_settings
from processing_service.core.db import run_migrations
from quest_common.db import make_engine
from quest_common.logging import configure_logging
from quest_common.migrations import wait_for_database

log = logging.getLogger("processing_service.prestart")


def main() -> None:
    settings = get_settings()
    configure_logging(settings.service_name, json_lines=settings.log_json)
    engine = make_engine(settings.database_url)
    wait_for_database(engine)
    engine.dispose()
    run_migrations(settings.database_url)
    log.info("processing prestart done")


if __name__ == "__main__":
    main()
