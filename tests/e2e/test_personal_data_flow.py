"""Personal data across real processes: a player's own deletion in auth reaches processing
through the outbox and the user-deletions queue, and erases what processing held (DESIGN §11,
guarantee 10); both exports answer before that."""

from __future__ import annotations

import uuid
from typing import Any

from quest_devtools.testing.databases import scalar
from quest_devtools.testing.players import Player, wait_for


def test_a_sign_up_alone_makes_the_player_known_to_processing(stack: Any) -> None:
    """No sign-in yet: only auth's `auth.UserCreated`, through the outbox and the players
    queue both sides declare, tells processing about the player."""
    player = Player.sign_up(stack.gateway_url)
    url = stack.database_url("processing")
    query = "SELECT count(*) FROM player WHERE user_id = :u"
    wait_for(lambda: scalar(url, query, u=uuid.UUID(player.user_id)) == 1, timeout=30)
    assert (
        scalar(
            url,
            "SELECT count(*) FROM player_event WHERE user_id = :u",
            u=uuid.UUID(player.user_id),
        )
        == 0
    )


def test_deleting_an_account_erases_it_in_processing(stack: Any) -> None:
    player = Player.sign_up(stack.gateway_url)
    player.login()
    wait_for(lambda: player.events() >= 1)

    exported = player.client.get("/api/processing/me/export", headers=player.headers)
    assert exported.status_code == 200
    assert len(exported.json()["events"]) >= 1
    # Processing knows the player, in the zone of their newest event (auth's default zone).
    assert [p["time_zone"] for p in exported.json()["player"]] == ["UTC"]
    assert player.client.get("/api/auth/users/me/export", headers=player.headers).status_code == 200

    admin = stack.admin_headers()
    events = f"/api/processing/events?user_id={player.user_id}"
    with stack.client() as client:
        assert client.get(events, headers=admin).json()["count"] >= 1
        response = player.delete_account()
        assert response.status_code == 204, response.text
        # Processing hears auth.UserDeleted and erases the player's events, progress and grants.
        wait_for(lambda: client.get(events, headers=admin).json()["count"] == 0, timeout=30)
        quests = client.get(f"/api/processing/users/{player.user_id}/quests", headers=admin).json()
        assert all(item["streak"] == 0 and item["completed"] == 0 for item in quests["data"])


def test_admins_find_a_player_by_name_and_see_the_deletion(stack: Any) -> None:
    """Through the gateway: the admin search reaches every player, a deleted account shows as
    deleted, and its leftover access token is a stale credential (401), not a ban (403)."""
    player = Player.sign_up(stack.gateway_url)
    player.login()
    admin = stack.admin_headers()
    with stack.client() as client:
        found = client.get(
            "/api/auth/users", params={"q": player.user_name.upper()}, headers=admin
        ).json()
        assert [u["user_name"] for u in found["data"]] == [player.user_name]
        assert found["data"][0]["deleted_at"] is None

        gone = player.delete_account()
        assert gone.status_code == 204, gone.text
        seen = client.get(f"/api/auth/users/{player.user_id}", headers=admin).json()
        assert seen["deleted_at"] is not None and seen["user_name"].startswith("~deleted-")
        assert client.get(
            "/api/auth/users", params={"q": player.user_name}, headers=admin
        ).json() == {"data": [], "count": 0}
        stale = client.get("/api/auth/users/me", headers=player.headers)
        assert stale.status_code == 401 and stale.json() == {"detail": "User no longer exists"}
