"""The reference quest across real processes: auth, catalog, processing API + worker, Traefik."""

from __future__ import annotations

import json
import threading
import time
import uuid
from typing import Any

import httpx


def wait_for(check: Any, timeout: float = 15.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError("condition not reached in time")


class Player:
    def __init__(self, gateway: str) -> None:
        self.client = httpx.Client(base_url=gateway, timeout=10)
        self.name = f"p_{uuid.uuid4().hex[:10]}"
        self.password = "correct-horse-battery"
        response = self.client.post(
            "/api/auth/signup", json={"user_name": self.name, "password": self.password}
        )
        assert response.status_code == 201, response.text
        self.token = ""

    def login(self) -> None:
        response = self.client.post(
            "/api/auth/login/access-token", data={"username": self.name, "password": self.password}
        )
        assert response.status_code == 200, response.text
        self.token = response.json()["access_token"]

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def reference(self) -> dict[str, Any]:
        response = self.client.get("/api/processing/me/quests", headers=self.headers)
        assert response.status_code == 200, response.text
        [item] = [i for i in response.json()["data"] if i["quest"]["name"] == "sign-in-three-times"]
        return dict(item)

    def events(self) -> int:
        response = self.client.get("/api/processing/me/events", headers=self.headers)
        assert response.status_code == 200
        return int(response.json()["count"])

    def diamonds(self) -> int:
        response = self.client.get("/api/auth/users/me", headers=self.headers)
        assert response.status_code == 200
        return int(response.json()["diamond"])

    def claim(self, quest_id: str) -> httpx.Response:
        return self.client.post(f"/api/processing/me/quests/{quest_id}/claim", headers=self.headers)


def test_reference_quest_end_to_end(stack: Any) -> None:
    player = Player(stack.gateway_url)
    for _ in range(3):
        player.login()
    item = wait_for(lambda: (q := player.reference())["status"] == "claimable" and q)
    assert (item["streak"], item["completed"], item["claimable"]) == (0, 1, 1)
    quest_id = item["quest"]["quest_id"]

    first = player.claim(quest_id)
    assert first.status_code == 200, first.text
    assert first.json()["credited"] is True and first.json()["qty"] == 10
    assert player.diamonds() == 10

    for _ in range(3):
        player.login()
    wait_for(lambda: player.reference()["status"] == "claimable")
    assert player.claim(quest_id).status_code == 200
    assert player.diamonds() == 20

    for _ in range(3):
        player.login()
    wait_for(lambda: player.events() == 9)
    assert player.reference()["status"] == "done"
    assert player.claim(quest_id).status_code == 409
    assert player.diamonds() == 20


def test_parallel_claims_credit_each_earned_reward_once(stack: Any) -> None:
    player = Player(stack.gateway_url)
    for _ in range(6):
        player.login()
    item = wait_for(lambda: (q := player.reference())["claimable"] == 2 and q)
    quest_id = item["quest"]["quest_id"]
    statuses: list[int] = []

    def claim() -> None:
        statuses.append(player.claim(quest_id).status_code)

    threads = [threading.Thread(target=claim) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [200, 200] + [409] * 8
    assert player.diamonds() == 20


def test_sse_client_gets_check_in_after_a_login_through_the_gateway(stack: Any) -> None:
    player = Player(stack.gateway_url)
    player.login()
    received: list[dict[str, Any]] = []
    connected = threading.Event()

    def listen() -> None:
        with (
            httpx.Client(base_url=stack.gateway_url, timeout=10) as client,
            client.stream(
                "GET", "/api/processing/notifications/stream", headers=player.headers
            ) as response,
        ):
            assert response.status_code == 200
            connected.set()
            event = None
            for line in response.iter_lines():
                if line.startswith("event:"):
                    event = line.split(":", 1)[1].strip()
                elif line.startswith("data:") and event == "check_in":
                    data = json.loads(line.split(":", 1)[1])
                    received.append(data)
                    if data["streak"] == 2:  # the second login's (the first may be replayed)
                        return

    thread = threading.Thread(target=listen, daemon=True)
    thread.start()
    assert connected.wait(10)
    time.sleep(0.5)
    started = time.monotonic()
    player.login()
    thread.join(10)
    assert received and received[-1]["streak"] == 2
    assert received[-1]["quest_name"] == "sign-in-three-times"
    elapsed = time.monotonic() - started
    print(f"login -> SSE check_in through the gateway: {elapsed * 1000:.0f} ms")
