"""Property-based fuzzing of the catalog's OpenAPI schema: whatever the input, no 5xx.

Requests carry an admin token so the fuzzer gets past authentication into validation and the
database. Every operation is fuzzed with valid (positive) and invalid (negative) inputs, bounded
by the number of examples (well under a minute in total).

The loop drives Hypothesis directly rather than through `schemathesis.pytest`: its lazy fixture
loader does not work with the pytest this repository uses.
"""

from __future__ import annotations

from collections.abc import Iterator
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

from catalog_service.core.config import Settings
from catalog_service.main import create_app

EXAMPLES_PER_OPERATION = 20


@pytest.fixture
def running_app(settings: Settings) -> Iterator[FastAPI]:
    app = create_app(settings)
    # Run the lifespan (version listener, outbox relay) around the fuzzing session.
    with TestClient(app):
        yield app


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_no_server_errors(
    running_app: FastAPI, admin_headers: dict[str, str], mode: GenerationMode
) -> None:
    schema = schemathesis.openapi.from_asgi("/api/catalog/openapi.json", running_app)
    operations = [result.ok() for result in schema.get_all_operations()]  # type: ignore[union-attr]
    assert len(operations) >= 12  # every route is in the schema
    calls: list[int] = []

    for operation in operations:

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
            # An operation without parameters or body (GET /triggers) has no invalid input.
            assert mode is GenerationMode.NEGATIVE, operation.label

    assert len(calls) >= len(operations) - 1
