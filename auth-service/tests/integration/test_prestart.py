"""The prestart job: migrations and seeding are idempotent; the seeded accounts sign in."""

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import text

from auth_service.core.db import build_engine, run_migrations
from auth_service.core.uow import AuthUnitOfWork
from auth_service.main import create_app
from auth_service.prestart import seed

PREFIX = "/api/auth"


def test_seed_twice_creates_each_account_once(
    fresh_db_url: str, make_settings: Callable[..., Any], login: Callable[..., dict[str, Any]]
) -> None:
    settings = make_settings(
        database_url=fresh_db_url, admin_user_name="root", admin_password="root-password-1"
    )
    run_migrations(fresh_db_url)  # a second upgrade is a no-op
    engine = build_engine(fresh_db_url)
    with AuthUnitOfWork(engine) as uow:
        assert sorted(seed(uow=uow, settings=settings)) == ["root", "user"]
        assert seed(uow=uow, settings=settings) == []
        names = uow.session.execute(text("SELECT user_name, role FROM users ORDER BY 1")).all()
    engine.dispose()
    assert [tuple(row) for row in names] == [("root", "admin"), ("user", "player")]

    with TestClient(create_app(settings)) as client:
        player = login(client, "user", "password")
        admin = login(client, "root", "root-password-1")
        listing = client.get(
            f"{PREFIX}/users", headers={"Authorization": f"Bearer {admin['access_token']}"}
        )
        assert listing.status_code == 200 and listing.json()["count"] == 2
        me = client.get(
            f"{PREFIX}/users/me", headers={"Authorization": f"Bearer {player['access_token']}"}
        )
        assert me.json()["role"] == "player"


def test_ops_routes(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["checks"] == {"database": "ok"}
    assert "http_requests_total" in client.get("/metrics").text
    assert client.get(f"{PREFIX}/openapi.json").json()["info"]["title"] == "quest auth-service"


def test_prestart_module_runs_against_an_empty_database(database_url_factory: Any) -> None:
    import os
    import subprocess
    import sys

    url = database_url_factory("auth")
    env = {**os.environ, "ENVIRONMENT": "test", "DATABASE_URL": url}
    for _ in range(2):  # the second run finds everything in place
        done = subprocess.run(
            [sys.executable, "-m", "auth_service.prestart"],
            env=env,
            capture_output=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr.decode()
    engine = build_engine(url)
    with engine.connect() as connection:
        users = connection.execute(text("SELECT count(*) FROM users")).scalar_one()
        keys = connection.execute(text("SELECT count(*) FROM signing_key")).scalar_one()
    engine.dispose()
    assert (users, keys) == (2, 1)
