"""One-shot start-up job: wait for the database, migrate. `python -m processing_service.prestart`

Nothing to seed: quest definitions come from catalog, progress from sign-ins.
"""

from __future__ import annotations

import logging
import time

from sqlalchemy.exc import OperationalError

from processing_service.core.config import get_settings
from processing_service.core.db import create_db_engine, run_migrations
from quest_common.db import database_check
from quest_common.logging import configure_logging

log = logging.getLogger("processing_service.prestart")


def main() -> None:
    settings = get_settings()
    configure_logging(settings.service_name, json_lines=settings.log_json)
    engine = create_db_engine(settings)
    deadline = time.monotonic() + 60
    while True:
        try:
            database_check(engine)
            break
        except OperationalError:
            if time.monotonic() > deadline:
                raise
            log.info("database not ready yet, retrying")
            time.sleep(1)
    engine.dispose()
    run_migrations(settings.database_url)
    log.info("processing prestart done")


if __name__ == "__main__":
    main()
