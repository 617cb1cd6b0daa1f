"""Property-based fuzzing of the catalog's OpenAPI schema: whatever the input, no 5xx.

Requests carry an admin token so the fuzzer gets past authentication into validation and the
database. Every operation is fuzzed with valid (positive) and invalid (negative) inputs, bounded
by the number of examples (well under a minute in total).
"""

from __future__ import annotations

import pytest
import schemathesis
from fastapi import FastAPI
from schemathesis import GenerationMode

from catalog_service.core.config import Settings
from catalog_service.main import create_app
from quest_devtools.testing.fuzzing import fuzz_every_operation

EXAMPLES_PER_OPERATION = 20


@pytest.fixture
def running_app(settings: Settings) -> FastAPI:
    # Schemathesis runs the app's lifespan itself (`from_asgi`, ended by its pytest plugin after
    # the test): entering it here as well would run two lifespans over one app at once.
    return create_app(settings)


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_no_server_errors(
    running_app: FastAPI, admin_headers: dict[str, str], mode: GenerationMode
) -> None:
    schema = schemathesis.openapi.from_asgi("/api/catalog/openapi.json", running_app)
    operations, calls = fuzz_every_operation(
        schema, headers=admin_headers, mode=mode, examples=EXAMPLES_PER_OPERATION
    )
    assert operations >= 12  # every route is in the schema
    # Only GET /triggers (no parameters, no body) has no invalid input.
    assert calls >= operations - 1
