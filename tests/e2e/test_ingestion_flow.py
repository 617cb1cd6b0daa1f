"""A game server sends events through the gateway (DESIGN §14): a client-credentials token, a
batch with one bad event refused naming its index, the good batch accepted, and the same batch
again counted as duplicates."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime
from typing import Any

import admin_setup
import httpx

BATCH_PATH = "/api/processing/events/batch"


SCORE = {
    "score": {"type": "integer", "required": True},
    "mode": {"type": "string", "required": False},
}


def wait_until_ingestion_knows(
    stack: Any, token: str, event_type: str, user_id: str, within: float = 30.0
) -> None:
    """Until processing knows the player (auth's `UserCreated`, through the outbox and the
    worker) and the new event type (its cache revalidates every few seconds): probed with an
    event missing its required property, which is refused whatever happens, so nothing is
    accepted here."""
    probe = {
        "events": [
            {
                "id": "probe",
                "type": event_type,
                "user_id": user_id,
                "time": datetime.now(UTC).isoformat(),
                "data": {},
            }
        ]
    }
    deadline = time.monotonic() + within
    with stack.client(headers={"Authorization": f"Bearer {token}"}) as client:
        while True:
            response = client.post(BATCH_PATH, json=probe)
            assert response.status_code == 422, response.text
            codes = {p["type"] for p in response.json()["detail"]}
            if codes == {"missing_property"}:
                return
            assert time.monotonic() < deadline, f"processing still says {codes}"
            time.sleep(0.25)


def test_a_game_server_sends_a_batch_through_the_gateway(stack: Any) -> None:
    admin = stack.admin_headers()
    event_type = f"match_won_{uuid.uuid4().hex[:8]}"
    with stack.client() as http:
        admin_setup.event_type(http, admin, event_type, SCORE)
        token = admin_setup.events_token(http, admin)
    player = stack.sign_up()
    wait_until_ingestion_knows(stack, token, event_type, player.user_id)
    now = datetime.now(UTC).isoformat()
    good = [
        {
            "id": f"m-{n}-{uuid.uuid4().hex[:8]}",
            "type": event_type,
            "user_id": player.user_id,
            "time": now,
            "data": {"score": n, "mode": "duo"},
        }
        for n in range(3)
    ]
    bad = {**good[1], "data": {"score": "three"}}
    with stack.client(headers={"Authorization": f"Bearer {token}"}) as client:
        refused = client.post(BATCH_PATH, json={"events": [good[0], bad, good[2]]})
        assert refused.status_code == 422, refused.text
        assert [(p["index"], p["loc"], p["type"]) for p in refused.json()["detail"]] == [
            (1, ["data", "score"], "wrong_type")
        ]
        accepted = client.post(BATCH_PATH, json={"events": good})
        assert accepted.status_code == 202, accepted.text
        assert accepted.json() == {"accepted": 3, "duplicates": 0}
        again = client.post(BATCH_PATH, json={"events": good})
        assert again.status_code == 202, again.text
        assert again.json() == {"accepted": 0, "duplicates": 3}
        # A player's token cannot send events.
        player_token = player.login()["access_token"]
        as_player = httpx.post(
            f"{stack.gateway_url}{BATCH_PATH}",
            json={"events": good},
            headers={"Authorization": f"Bearer {player_token}"},
        )
        assert as_player.status_code == 403
