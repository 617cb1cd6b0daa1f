"""Property-based fuzzing of the processing API's OpenAPI schema: whatever the input, no 5xx.

Self-contained (its own database, broker names, settings and a stand-in catalog serving an
empty quest list): requests carry an admin token so the fuzzer gets past authentication into
validation and the database. Auth is down (a closed port): claims keep their grants pending.
Every operation is fuzzed with valid (positive) and invalid (negative) inputs, bounded by the
number of examples. The loop drives Hypothesis directly, as the catalog's and auth's do.
"""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error

from processing_service.core.config import Settings
from processing_service.core.db import run_migrations
from processing_service.main import create_app
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
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = json.dumps({"data": [], "count": 0}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


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
    admin_headers = {"Authorization": f"Bearer {test_keys.mint(role='admin', name='admin')}"}
    schema = schemathesis.openapi.from_asgi("/api/processing/openapi.json", running_app)
    operations = [result.ok() for result in schema.get_all_operations()]  # type: ignore[union-attr]
    assert len(operations) >= 5
    calls: list[int] = []

    for operation in operations:
        # The SSE stream never ends by itself: fuzzing it would hang, and it takes no input.
        if operation.path.endswith("/notifications/stream"):
            continue

        @given(case=operation.as_strategy(generation_mode=mode))
        @hypothesis_settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
            database=None,
        )
        def fuzz(case: Any) -> None:
            case.call_and_validate(headers=admin_headers, checks=[not_a_server_error])
            calls.append(1)

        try:
            fuzz()
        except Unsatisfiable:
            # An operation without parameters or body has no invalid input.
            assert mode is GenerationMode.NEGATIVE, operation.label

    assert calls
