"""Property-based fuzzing of the processing API's OpenAPI schema: whatever the input, no 5xx.

Self-contained (its own database, broker names, settings and a stand-in catalog serving an
empty quest list): requests carry an admin token so the fuzzer gets past authentication into
validation and the database. Auth is down (a closed port): claims keep their grants pending.
Every operation is fuzzed with valid (positive) and invalid (negative) inputs, bounded by the
number of examples. The loop drives Hypothesis directly, as the catalog's and auth's do.
"""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from schemathesis import GenerationMode

from processing_service.core.config import Settings
from processing_service.core.db import run_migrations
from processing_service.main import create_app
from quest_devtools.testing.catalog_double import CatalogDouble
from quest_devtools.testing.fuzzing import fuzz_every_operation
from quest_devtools.testing.plugin import BrokerNames
from quest_devtools.testing.tokens import JwksServer, TestKeys

EXAMPLES_PER_OPERATION = 15


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


@pytest.fixture
def empty_catalog() -> Iterator[str]:
    catalog = CatalogDouble()  # serves an empty quest list
    yield catalog.url
    catalog.close()


@pytest.fixture
def running_app(
    database_url_factory: Callable[[str], str],
    broker_names: BrokerNames,
    amqp_url: str,
    jwks_server: JwksServer,
    empty_catalog: str,
) -> Iterator[FastAPI]:
    url = database_url_factory("processing")
    run_migrations(url)
    settings = Settings(
        environment="test",
        database_url=url,
        amqp_url=amqp_url,
        events_exchange=broker_names.exchange,
        sign_in_queue=broker_names.queue("sign-ins"),
        catalog_url=empty_catalog,
        auth_url=f"http://127.0.0.1:{_closed_port()}",
        jwks_url=jwks_server.url,
        http_timeout_s=0.5,
    )
    # Schemathesis runs the app's lifespan itself (`from_asgi`): entering it here as well would
    # start the runtime's threads twice.
    yield create_app(settings)


def test_public_openapi_lists_no_private_route(running_app: FastAPI) -> None:
    paths = TestClient(running_app).get("/api/processing/openapi.json").json()["paths"]
    assert paths
    assert not [p for p in paths if p.startswith(("/internal", "/healthz", "/readyz", "/metrics"))]


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_no_server_errors(running_app: FastAPI, test_keys: TestKeys, mode: GenerationMode) -> None:
    admin_headers = test_keys.headers(role="admin", name="admin")
    schema = schemathesis.openapi.from_asgi("/api/processing/openapi.json", running_app)
    operations, calls = fuzz_every_operation(
        schema,
        headers=admin_headers,
        mode=mode,
        examples=EXAMPLES_PER_OPERATION,
        # The SSE stream never ends by itself: fuzzing it would hang, and it takes no input.
        skip=lambda operation: operation.path.endswith("/notifications/stream"),
    )
    assert operations >= 5
    assert calls
