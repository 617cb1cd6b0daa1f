"""Player time through the gateway and real processes: a daily quest with a reset shows when
its period ends in the player's own zone (DESIGN §10)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from quest_devtools.testing.players import Player, wait_for

KIRITIMATI = "Pacific/Kiritimati"


def put_quest(stack: Any, admin: dict[str, str], **fields: Any) -> dict[str, Any]:
    """Create a quest paying the reference quest's reward; returns the catalog's read."""
    with stack.client() as client:
        quests = client.get("/api/catalog/quests", params={"limit": 100}).json()
        reward_id = next(q for q in quests["data"] if q["name"] == "sign-in-three-times")[
            "reward_id"
        ]
        name = f"time-{uuid.uuid4().hex[:10]}"
        body = {"title": "Daily check-in", "streak": 3, "duplication": 1, "reward_id": reward_id}
        response = client.put(
            f"/api/catalog/quests/by-name/{name}", json={**body, **fields}, headers=admin
        )
        assert response.status_code in (200, 201), response.text
        return dict(response.json())


def sign_up_in(stack: Any, zone: str) -> Player:
    player = Player(stack.gateway_url, f"p_{uuid.uuid4().hex[:12]}", "a-long-password-1")
    response = httpx.post(
        f"{stack.gateway_url}/api/auth/signup",
        json={"user_name": player.user_name, "password": player.password, "time_zone": zone},
        timeout=15,
    )
    assert response.status_code == 201, response.text
    assert response.json()["time_zone"] == zone
    player.user_id = str(response.json()["user_id"])
    return player


def test_a_daily_reset_quest_ends_its_period_at_the_players_local_midnight(stack: Any) -> None:
    quest = put_quest(stack, stack.admin_headers(), reset="daily", streak_mode="count")
    player = sign_up_in(stack, KIRITIMATI)
    player.login()

    def item() -> dict[str, Any] | None:
        response = player.client.get("/api/processing/me/quests", headers=player.headers)
        assert response.status_code == 200, response.text
        found = [i for i in response.json()["data"] if i["quest"]["quest_id"] == quest["quest_id"]]
        return found[0] if found and found[0]["streak"] == 1 else None

    progress = wait_for(item)
    now = datetime.now(UTC)
    local = now.astimezone(ZoneInfo(KIRITIMATI))
    midnight = datetime.combine(
        local.date() + timedelta(days=1), datetime.min.time(), ZoneInfo(KIRITIMATI)
    )
    assert progress["time_zone"] == KIRITIMATI
    assert progress["quest"]["reset"] == "daily"
    assert datetime.fromisoformat(progress["period_ends_at"]) == midnight
    assert progress["counted_today"] is True
    assert progress["next_count_at"] is None  # count mode, no cooldown: the next one counts
    assert progress["expiring"] == [] and progress["expired"] == 0
