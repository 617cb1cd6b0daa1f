"""Every service caps request bodies at 1 MiB by default (DESIGN §12), whatever the common
tests set for their own apps: each service's app, as its factory builds it, answers 413 one
byte past the limit and lets a body of exactly 1 MiB through to its router."""

from __future__ import annotations

import importlib

import pytest
from fastapi.testclient import TestClient

ONE_MIB = 1024 * 1024
APPS = {
    "auth": "auth_service.main",
    "catalog": "catalog_service.main",
    "processing": "processing_service.main",
}


@pytest.mark.parametrize("service", sorted(APPS))
def test_each_service_refuses_a_body_one_byte_over_one_mebibyte(
    service: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Development settings build the app (as `make client` does); production would demand
    # secrets. No lifespan runs: the cap answers before any route, database or broker.
    monkeypatch.setenv("ENVIRONMENT", "development")
    app = importlib.import_module(APPS[service]).create_app()
    client = TestClient(app)
    headers = {"content-type": "application/octet-stream"}
    path = f"/api/{service}/no-such-route"
    at_limit = client.post(path, content=b"x" * ONE_MIB, headers=headers)
    over = client.post(path, content=b"x" * (ONE_MIB + 1), headers=headers)
    assert at_limit.status_code == 404  # read whole and handed to the router
    assert over.status_code == 413
    assert over.json()["detail"] == f"Request body too large (limit {ONE_MIB} bytes)"
