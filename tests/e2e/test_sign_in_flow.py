"""The product's main path through the gateway: sign-ins count, the reward is claimed and
credited, and the browser's SSE stream tells about it as it happens."""

from __future__ import annotations

import json
import threading
import time
from typing import Any

import httpx

from quest_devtools.testing.players import REFERENCE_QUEST


def _reference_progress(stack: Any, headers: dict[str, str]) -> dict[str, Any] | None:
    with stack.client() as client:
        response = client.get("/api/processing/me/quests", headers=headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["count"] == len(body["data"])
    for item in body["data"]:
        if item["quest"]["name"] == REFERENCE_QUEST:
            result: dict[str, Any] = item
            return result
    return None


def _wait_for(stack: Any, headers: dict[str, str], **expected: Any) -> dict[str, Any]:
    """Sign-ins are counted asynchronously (outbox → broker → worker): poll until they are."""
    deadline = time.monotonic() + 60
    last: dict[str, Any] | None = None
    while time.monotonic() < deadline:
        last = _reference_progress(stack, headers)
        if last is not None and all(last[k] == v for k, v in expected.items()):
            return last
        time.sleep(0.3)
    raise AssertionError(f"progress never reached {expected}; last seen {last}")


def test_three_sign_ins_earn_a_claimable_reward_credited_once(stack: Any) -> None:
    player = stack.new_player()  # first sign-in
    headers = player.headers
    first = _wait_for(stack, headers, streak=1)
    assert first["status"] == "in_progress" and first["target"] == 3
    assert first["quest"]["reward"]["reward_item"] == "diamond"

    for _ in range(2):
        headers = {
            "Authorization": "Bearer "
            + stack.log_in(player.user_name, player.password)["access_token"]
        }
    earned = _wait_for(stack, headers, completed=1)
    assert earned["claimable"] == 1 and earned["status"] == "claimable"
    assert earned["streak"] == 0

    quest_id = earned["quest"]["quest_id"]
    with stack.client() as client:
        claim = client.post(f"/api/processing/me/quests/{quest_id}/claim", headers=headers)
        assert claim.status_code == 200, claim.text
        body = claim.json()
        assert (body["item"], body["qty"], body["credited"]) == ("diamond", 10, True)
        assert body["progress"]["claimable"] == 0
        # Nothing left to claim: a second click is refused, not credited twice.
        again = client.post(f"/api/processing/me/quests/{quest_id}/claim", headers=headers)
        assert again.status_code == 409
        me = client.get("/api/auth/users/me", headers=headers).json()
    assert me["diamond"] == 10


def test_check_in_arrives_on_the_sse_stream_through_the_gateway(stack: Any) -> None:
    player = stack.new_player()
    _wait_for(stack, player.headers, streak=1)
    events: list[tuple[str, dict[str, Any]]] = []
    connected = threading.Event()
    done = threading.Event()

    def listen() -> None:
        event_name = ""
        with httpx.stream(
            "GET",
            stack.gateway_url + "/api/processing/notifications/stream",
            headers=player.headers,
            timeout=httpx.Timeout(10, read=60),
        ) as response:
            assert response.status_code == 200
            connected.set()
            for line in response.iter_lines():
                if line.startswith("event:"):
                    event_name = line.removeprefix("event:").strip()
                elif line.startswith("data:") and event_name == "check_in":
                    events.append((event_name, json.loads(line.removeprefix("data:"))))
                    if any(e[1]["streak"] == 2 for e in events):
                        done.set()
                        return

    listener = threading.Thread(target=listen, daemon=True)
    listener.start()
    assert connected.wait(timeout=30), "the stream did not open"
    stack.log_in(player.user_name, player.password)
    assert done.wait(timeout=60), f"no check_in with streak 2 on the stream; got {events}"
    latest = next(data for _, data in events if data["streak"] == 2)
    assert latest["quest_name"] == REFERENCE_QUEST
    assert latest["target"] == 3 and latest["status"] == "in_progress"
