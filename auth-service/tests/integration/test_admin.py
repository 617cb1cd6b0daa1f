"""Admin user management: list, read, change role and status (ban)."""

import uuid
from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient

PREFIX = "/api/auth"


def test_admin_lists_and_reads_users(
    client: TestClient, admin_headers: dict[str, str], player: dict[str, Any]
) -> None:
    listing = client.get(f"{PREFIX}/users", params={"limit": 100}, headers=admin_headers)
    assert listing.status_code == 200
    body = listing.json()
    assert body["count"] >= 2 and len(body["data"]) <= 100
    one = client.get(f"{PREFIX}/users/{player['user_id']}", headers=admin_headers)
    assert one.status_code == 200 and one.json()["user_name"] == player["user_name"]
    missing = client.get(f"{PREFIX}/users/{uuid.uuid4()}", headers=admin_headers)
    assert missing.status_code == 404
    assert client.get(f"{PREFIX}/users/not-a-uuid", headers=admin_headers).status_code == 422


def test_ban_blocks_login_refresh_and_token_use(
    client: TestClient,
    admin_headers: dict[str, str],
    player: dict[str, Any],
    access_of: Callable[..., tuple[int, int, int]],
) -> None:
    url = f"{PREFIX}/users/{player['user_id']}"
    banned = client.patch(url, json={"status": 2}, headers=admin_headers)
    assert banned.status_code == 200 and banned.json()["status"] == 2
    # Sign-in refused, refresh 401 (the ban revoked the sessions), the access token refused.
    assert access_of(client, player) == (403, 401, 403)

    restored = client.patch(url, json={"status": 1}, headers=admin_headers)
    assert restored.status_code == 200
    again = client.post(
        f"{PREFIX}/login/access-token",
        data={"username": player["user_name"], "password": player["password"]},
    )
    assert again.status_code == 200


def test_promote_to_admin_takes_effect_at_once(
    client: TestClient, admin_headers: dict[str, str], player: dict[str, Any]
) -> None:
    assert client.get(f"{PREFIX}/users", headers=player["headers"]).status_code == 403
    url = f"{PREFIX}/users/{player['user_id']}"
    promoted = client.patch(url, json={"role": "admin"}, headers=admin_headers)
    assert promoted.status_code == 200 and promoted.json()["role"] == "admin"
    # The role is read from the database, so the player's current token works as admin now.
    assert client.get(f"{PREFIX}/users", headers=player["headers"]).status_code == 200


def test_admin_update_validation(
    client: TestClient, admin_headers: dict[str, str], signup: Callable[..., dict[str, Any]]
) -> None:
    user = signup(client)
    url = f"{PREFIX}/users/{user['user_id']}"
    for bad in ({"role": "god"}, {"status": 7}, {"diamond": 100}):
        assert client.patch(url, json=bad, headers=admin_headers).status_code == 422
    missing = client.patch(f"{PREFIX}/users/{uuid.uuid4()}", json={}, headers=admin_headers)
    assert missing.status_code == 404


def test_admin_searches_players_by_name_across_all_pages(
    client: TestClient, admin_headers: dict[str, str], signup: Callable[..., dict[str, Any]]
) -> None:
    marker = uuid.uuid4().hex[:8]
    names = [f"Hero_{marker}_a", f"hero_{marker}_b", f"villain_{marker}"]
    for name in names:
        created = client.post(f"{PREFIX}/signup", json={"user_name": name, "password": "pw-123456"})
        assert created.status_code == 201
    signup(client)  # someone else

    def search(q: str, **params: Any) -> dict[str, Any]:
        response = client.get(f"{PREFIX}/users", params={"q": q, **params}, headers=admin_headers)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    heroes = search(f"HERO_{marker}")  # any case
    assert [u["user_name"] for u in heroes["data"]] == names[:2] and heroes["count"] == 2
    assert search(marker)["count"] == 3
    second = search(marker, limit=1, offset=1)
    assert second["count"] == 3 and [u["user_name"] for u in second["data"]] == names[1:2]
    assert search(f"o_{marker}")["count"] == 2
    # `_` and `%` are plain characters, not wildcards: as wildcards both would match two.
    assert search(f"her__{marker}")["count"] == 0
    assert search(f"{marker}_%")["count"] == 0
    for bad in ("x" * 65, "a\x00b"):
        refused = client.get(f"{PREFIX}/users", params={"q": bad}, headers=admin_headers)
        assert refused.status_code == 422
