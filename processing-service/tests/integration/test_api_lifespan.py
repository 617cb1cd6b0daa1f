"""The API's lifespan owns its broker listeners: they start with it and end with it."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from processing_service.core.config import Settings
from processing_service.main import create_app
from quest_devtools.testing.threads import broadcast_listeners


def test_the_listeners_live_and_end_with_the_apps_lifespan(settings: Settings) -> None:
    before = broadcast_listeners()
    app = create_app(settings)
    with TestClient(app):
        started = broadcast_listeners() - before
        assert sorted(t.name for t in started) == [
            "access-changes",
            "catalog-listener",
            "sse-fanout",
        ]
        # A second lifespan over the same app while this one runs (a harness that runs the
        # lifespan itself, as schemathesis' `from_asgi` does) is refused before it starts
        # anything: its access listener would be one the first lifespan's end does not stop.
        with pytest.raises(RuntimeError, match="running already"), TestClient(app):
            pass
        assert broadcast_listeners() - before == started
    # The lifespan's end waits for them: none is left, not even closing.
    assert broadcast_listeners() - before == set()
