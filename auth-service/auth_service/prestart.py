"""One-shot start-up job: wait for the database, migrate, seed (idempotent), ensure a key.

python -m auth_service.prestart
"""

import logging

from auth_service.core.config import Settings, get_settings
from auth_service.core.db import build_engine, run_migrations
from auth_service.core.uow import AuthUnitOfWork
from auth_service.tokens.keys import ensure_active_key
from auth_service.users import service as users
from auth_service.users.models import Role
from quest_common.db import retry_while_unreachable
from quest_common.logging import configure_logging
from quest_common.migrations import wait_for_database

logger = logging.getLogger("auth_service.prestart")

DEMO_PLAYER = ("user", "password")


def seed(*, uow: AuthUnitOfWork, settings: Settings) -> list[str]:
    created: list[str] = []
    if settings.seed_demo_player and users.ensure_user(
        uow=uow, user_name=DEMO_PLAYER[0], password=DEMO_PLAYER[1], role=Role.PLAYER
    ):
        created.append(DEMO_PLAYER[0])
    if users.ensure_user(
        uow=uow,
        user_name=settings.admin_user_name,
        password=settings.admin_password,
        role=Role.ADMIN,
    ):
        created.append(settings.admin_user_name)
    return created


def main() -> None:
    settings = get_settings()
    configure_logging(settings.service_name, json_lines=settings.log_json)
    engine = build_engine(settings.database_url)

    def job() -> list[str]:
        wait_for_database(engine)
        run_migrations(settings.database_url)
        with AuthUnitOfWork(engine) as uow:
            created = seed(uow=uow, settings=settings)
            ensure_active_key(uow=uow, passphrase=settings.signing_key_passphrase)
        return created

    try:
        created = retry_while_unreachable(job)
    finally:
        engine.dispose()
    logger.info("auth prestart done; seeded: %s", ", ".join(created) or "nothing new")


if __name__ == "__main__":
    main()
