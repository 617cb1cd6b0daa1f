"""Fuzz the auth OpenAPI with every schemathesis check on: whatever it sends, a real server never
answers with a 5xx, and what it answers is what the document says (see
quest_devtools.testing.fuzzing)."""

import os
import subprocess
import time
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import CHECKS

from auth_service.core.config import Settings
from auth_service.core.db import build_engine
from auth_service.core.uow import AuthUnitOfWork
from auth_service.main import create_app
from auth_service.users.models import Role
from auth_service.users.service import create_user
from quest_devtools.testing.fuzzing import EXTRA_PARAMETERS, with_credentials
from quest_devtools.testing.plugin import free_port
from quest_devtools.testing.servers import uvicorn_argv

PREFIX = "/api/auth"

# The schema comes from the app itself (building the app opens no connection); the requests go
# to a real server on a throwaway database (fixture below). The lazy `from_fixture` loader does
# not work with pytest 9, hence this split.
schema = schemathesis.openapi.from_dict(create_app(Settings(environment="test")).openapi())
schema.config.generation.allow_extra_parameters = EXTRA_PARAMETERS
schema.config.generation.allow_x00 = False  # as in fuzz_every_operation, for the same reason


@pytest.fixture(scope="module")
def fuzz_target(auth_db_url: str, amqp_url: str) -> Iterator[dict[str, Any]]:
    port = free_port()
    process = subprocess.Popen(
        uvicorn_argv("auth_service.main:create_app", port=port),
        env={
            **os.environ,
            "ENVIRONMENT": "test",
            "DATABASE_URL": auth_db_url,
            "AMQP_URL": amqp_url,
            "RUN_OUTBOX_RELAY": "false",
            # Thousands of failed logins come from one address here; that is the fuzzer.
            "THROTTLE_ADDRESS_FREE_FAILURES": "1000000",
            "THROTTLE_ADDRESS_MAX_FAILURES_PER_HOUR": "10000000",
        },
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            assert process.poll() is None, "auth-service exited during start-up"
            try:
                if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "auth-service did not become ready"
            time.sleep(0.1)
        admin_name = f"fuzz_admin_{uuid.uuid4().hex[:8]}"
        engine = build_engine(auth_db_url)
        with AuthUnitOfWork(engine) as uow:
            create_user(uow=uow, user_name=admin_name, password="fuzz-pw-1", role=Role.ADMIN)
        engine.dispose()
        admin = httpx.post(
            f"{base}{PREFIX}/login/access-token",
            data={"username": admin_name, "password": "fuzz-pw-1"},
        ).json()["access_token"]
        service = httpx.post(
            f"{base}/internal/oauth/token",
            data={
                "grant_type": "client_credentials",
                "client_id": "processing-service",
                "client_secret": Settings(environment="test").processing_client_secret,
            },
        ).json()["access_token"]
        yield {"base": base, "admin": admin, "service": service}
    finally:
        process.terminate()
        process.wait(15)


@schema.parametrize()
@settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_server_errors(case: Any, fuzz_target: dict[str, Any]) -> None:
    # Authenticated as an admin (or the processing service on /internal) so the fuzzer gets past
    # the auth checks and reaches the handlers; the refusals are tested elsewhere.
    token = fuzz_target["service"] if case.path.startswith("/internal") else fuzz_target["admin"]
    headers = with_credentials(case, {"Authorization": f"Bearer {token}"})
    case.call_and_validate(base_url=fuzz_target["base"], headers=headers, checks=CHECKS.get_all())
