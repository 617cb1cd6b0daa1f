"""The catalog's settings: production refuses a placeholder client secret for auth's wallet."""

from __future__ import annotations

import pytest

from catalog_service.core.config import Settings


def test_production_refuses_a_placeholder_catalog_client_secret() -> None:
    with pytest.raises(ValueError, match="CATALOG_CLIENT_SECRET"):
        Settings(_env_file=None, environment="production")  # type: ignore[call-arg]
    with pytest.raises(ValueError, match="CATALOG_CLIENT_SECRET"):
        Settings(_env_file=None, environment="production", catalog_client_secret="changeme")  # type: ignore[call-arg]
    real = Settings(  # type: ignore[call-arg]
        _env_file=None, environment="production", catalog_client_secret="a-real-catalog-secret"
    )
    assert real.catalog_client_secret == "a-real-catalog-secret"
    # Development keeps its default, so `make dev` needs nothing set.
    assert Settings(_env_file=None, environment="development").catalog_client_secret  # type: ignore[call-arg]
