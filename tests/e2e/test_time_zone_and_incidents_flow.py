"""Two part-two contracts through the gateway and real processes (DESIGN §10): a player's time
zone (validated, changed at most once a week) and operator incidents (declared, listed,
withdrawn while they have not started, every write audited)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from quest_devtools.testing.players import Player


def test_a_player_changes_their_time_zone_at_most_once_a_week(stack: Any) -> None:
    player = Player.sign_up(stack.gateway_url)
    player.login()

    def zone() -> str:
        response = player.client.get("/api/auth/users/me", headers=player.headers)
        assert response.status_code == 200, response.text
        return str(response.json()["time_zone"])

    assert zone() == "UTC"  # the default

    unknown = player.client.patch(
        "/api/auth/users/me", json={"time_zone": "Mars/Olympus"}, headers=player.headers
    )
    assert unknown.status_code == 422, unknown.text
    assert zone() == "UTC"  # a refused change writes nothing

    # Westward, the first change is free (an eastward one would wait a week from sign-up).
    changed = player.client.patch(
        "/api/auth/users/me", json={"time_zone": "America/New_York"}, headers=player.headers
    )
    assert changed.status_code == 200, changed.text
    assert zone() == "America/New_York"

    too_soon = player.client.patch(
        "/api/auth/users/me", json={"time_zone": "Asia/Tokyo"}, headers=player.headers
    )
    assert too_soon.status_code == 409, too_soon.text
    next_change_at = datetime.fromisoformat(too_soon.json()["next_change_at"])
    assert timedelta(days=6, hours=23) < next_change_at - datetime.now(UTC) <= timedelta(days=7)
    assert zone() == "America/New_York"


def test_an_admin_declares_and_withdraws_an_incident(stack: Any) -> None:
    admin = stack.admin_headers()
    player = Player.sign_up(stack.gateway_url)
    player.login()
    start = datetime.now(UTC) + timedelta(days=30)
    body = {
        "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(hours=2)).isoformat(),
        "reason": "broker upgrade",
    }
    with stack.client() as client:
        refused = client.post("/api/processing/admin/incidents", json=body, headers=player.headers)
        assert refused.status_code == 403, refused.text
        backwards = {**body, "ends_at": (start - timedelta(hours=1)).isoformat()}
        bad = client.post("/api/processing/admin/incidents", json=backwards, headers=admin)
        assert bad.status_code == 422, bad.text

        declared = client.post("/api/processing/admin/incidents", json=body, headers=admin)
        assert declared.status_code == 201, declared.text
        incident_id = declared.json()["incident_id"]
        listed = client.get("/api/processing/admin/incidents", headers=admin).json()
        assert incident_id in {i["incident_id"] for i in listed["data"]}

        started = {
            "starts_at": (datetime.now(UTC) - timedelta(hours=1)).isoformat(),
            "ends_at": (datetime.now(UTC) + timedelta(hours=1)).isoformat(),
            "reason": "login outage",
        }
        ongoing = client.post("/api/processing/admin/incidents", json=started, headers=admin)
        assert ongoing.status_code == 201, ongoing.text
        history = client.delete(
            f"/api/processing/admin/incidents/{ongoing.json()['incident_id']}", headers=admin
        )
        assert history.status_code == 409, history.text  # a started incident is history

        withdrawn = client.delete(f"/api/processing/admin/incidents/{incident_id}", headers=admin)
        assert withdrawn.status_code == 204, withdrawn.text
        again = client.delete(f"/api/processing/admin/incidents/{incident_id}", headers=admin)
        assert again.status_code == 404, again.text

        audit = client.get("/api/processing/admin/audit", params={"limit": 200}, headers=admin)
        assert audit.status_code == 200, audit.text
        mine = [e for e in audit.json()["data"] if e["target_id"] == incident_id]
        assert sorted(e["action"] for e in mine) == ["incident.declare", "incident.withdraw"]
