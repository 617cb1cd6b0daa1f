"""A real auth-service process, for tests of another service that need auth itself: its tokens
(checked through its JWKS), its bans (published by its outbox relay) or its wallet (credited
through `/internal`)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
from sqlalchemy import create_engine, text

from quest_devtools.testing.servers import uvicorn_processes

PASSWORD = "correct-horse-1"  # noqa: S105


class AuthProcess:
    def __init__(self, url: str, database_url: str) -> None:
        self.url = url
        self.database_url = database_url

    @property
    def jwks_url(self) -> str:
        return f"{self.url}/api/auth/.well-known/jwks.json"

    def log_in(self, user_name: str, password: str = PASSWORD) -> str:
        """An access token (asserts the sign-in succeeded)."""
        response = httpx.post(
            f"{self.url}/api/auth/login/access-token",
            data={"username": user_name, "password": password},
        )
        assert response.status_code == 200, response.text
        token: str = response.json()["access_token"]
        return token

    def sign_up(self) -> tuple[str, str]:
        """A new player through the public API: (user id, user name); password `PASSWORD`."""
        name = f"p_{uuid.uuid4().hex[:12]}"
        response = httpx.post(
            f"{self.url}/api/auth/signup", json={"user_name": name, "password": PASSWORD}
        )
        assert response.status_code == 201, response.text
        return response.json()["user_id"], name

    def admin_token(self) -> str:
        """A token of a new admin (made in auth's database: no route makes the first admin)."""
        from auth_service.core.db import build_engine
        from auth_service.core.uow import AuthUnitOfWork
        from auth_service.users.models import Role
        from auth_service.users.service import create_user

        name = f"admin_{uuid.uuid4().hex[:10]}"
        engine = build_engine(self.database_url)
        try:
            with AuthUnitOfWork(engine) as uow:
                create_user(uow=uow, user_name=name, password=PASSWORD, role=Role.ADMIN)
        finally:
            engine.dispose()
        return self.log_in(name)

    def ledger(self, user_id: str) -> list[tuple[str, str, int]]:
        """The user's wallet ledger: (idempotency key, item, qty), oldest first."""
        engine = create_engine(self.database_url)
        try:
            with engine.connect() as connection:
                rows = connection.execute(
                    text(
                        "SELECT idempotency_key, item, qty FROM wallet_ledger"
                        " WHERE user_id = :u ORDER BY created_at"
                    ),
                    {"u": uuid.UUID(user_id)},
                ).all()
        finally:
            engine.dispose()
        return [(key, item, int(qty)) for key, item, qty in rows]


@contextmanager
def auth_process(
    *, database_url: str, amqp_url: str, exchange: str, relay: bool = False
) -> Iterator[AuthProcess]:
    """auth-service under uvicorn on a free port, on a migrated `database_url`, publishing (when
    `relay`) to `exchange`; stopped after."""
    env = {
        **os.environ,
        "ENVIRONMENT": "test",
        "DATABASE_URL": database_url,
        "AMQP_URL": amqp_url,
        "EVENTS_EXCHANGE": exchange,
        "RUN_OUTBOX_RELAY": "true" if relay else "false",
        "USER_DELETIONS_QUEUE": "",
        "PASSWORD_HASH_PROCESSES": "0",
    }
    with uvicorn_processes(
        "auth_service.main:create_app", name="auth-service", ready_s=30
    ) as start:
        yield AuthProcess(start(env), database_url)
