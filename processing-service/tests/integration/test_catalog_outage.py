"""The player's quest list while catalog is unreachable: the last known definitions when there
are any (DESIGN §7.4), a 503 to retry — never a 500 — when this replica has none yet."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from quest_devtools.testing.catalog_double import CatalogDouble
from quest_devtools.testing.proxy import TcpProxy
from quest_devtools.testing.tokens import TestKeys


@pytest.fixture
def player_headers(test_keys: TestKeys) -> dict[str, str]:
    return test_keys.headers(sub=str(uuid.uuid4()))


def test_no_catalog_and_no_local_copy_is_a_503_to_retry(
    api: Callable[..., TestClient], player_headers: dict[str, str]
) -> None:
    client = api()  # the settings' catalog URL is a closed port
    for _ in range(2):  # and again: the failed read left nothing half-set behind
        response = client.get("/api/processing/me/quests", headers=player_headers)
        assert response.status_code == 503, response.text
        assert response.json() == {"detail": "quest catalog unavailable, try again shortly"}
        assert int(response.headers["Retry-After"]) > 0


def test_no_catalog_but_a_local_copy_serves_the_last_known_quests(
    api: Callable[..., TestClient],
    player_headers: dict[str, str],
    store_quests: Callable[..., list[dict[str, Any]]],
    sign_in: Any,
) -> None:
    (quest,) = store_quests(sign_in.quest())
    response = api().get("/api/processing/me/quests", headers=player_headers)
    assert response.status_code == 200, response.text
    assert [q["quest"]["name"] for q in response.json()["data"]] == [quest["name"]]


def test_catalog_cut_after_a_first_read_keeps_serving_what_was_read(
    api: Callable[..., TestClient],
    player_headers: dict[str, str],
    tcp_proxy: Callable[[str, int], TcpProxy],
    sign_in: Any,
) -> None:
    quest = sign_in.quest()
    catalog = CatalogDouble()
    catalog.quests = [quest]
    try:
        proxy = tcp_proxy("127.0.0.1", catalog.port)
        client = api(catalog_url=f"http://127.0.0.1:{proxy.port}", quest_cache_ttl_s=0.0)
        first = client.get("/api/processing/me/quests", headers=player_headers)
        assert first.status_code == 200, first.text
        proxy.cut()
        # Every request is due for revalidation (TTL 0) and catalog does not answer.
        again = client.get("/api/processing/me/quests", headers=player_headers)
        assert again.status_code == 200, again.text
        assert [q["quest"]["name"] for q in again.json()["data"]] == [quest["name"]]
    finally:
        catalog.close()
