"""Outages and shutdowns across real processes: auth cut during a claim, catalog stopped, a quest
created in catalog while the worker runs, SSE replay after Last-Event-ID, SIGTERM of the API
under an open stream, and the quest loader reading every page of catalog's list."""

from __future__ import annotations

import json
import signal
import threading
import time
import uuid
from typing import Any

import httpx
from sqlalchemy import Engine

from processing_service.catalog.cache import QuestCache

REFERENCE = "sign-in-three-times"


def wait_for(check: Any, timeout: float = 20.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError("condition not reached in time")


class Player:
    def __init__(self, gateway: str) -> None:
        self.gateway = gateway
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

    def quests(self) -> dict[str, dict[str, Any]]:
        response = self.client.get("/api/processing/me/quests", headers=self.headers)
        assert response.status_code == 200, response.text
        return {item["quest"]["name"]: item for item in response.json()["data"]}

    def events(self) -> int:
        response = self.client.get("/api/processing/me/events", headers=self.headers)
        assert response.status_code == 200, response.text
        return int(response.json()["count"])

    def diamonds(self) -> int:
        response = self.client.get("/api/auth/users/me", headers=self.headers)
        assert response.status_code == 200, response.text
        return int(response.json()["diamond"])

    def ledger(self) -> list[dict[str, Any]]:
        response = self.client.get("/api/auth/users/me/transactions", headers=self.headers)
        assert response.status_code == 200, response.text
        return list(response.json()["data"])

    def claim(self, quest_id: str) -> httpx.Response:
        return self.client.post(f"/api/processing/me/quests/{quest_id}/claim", headers=self.headers)


class SseReader:
    """Reads a player's SSE stream in a thread: (id, event, data) in arrival order."""

    def __init__(self, gateway: str, headers: dict[str, str]) -> None:
        self.gateway = gateway
        self.headers = headers
        self.received: list[tuple[int, str, dict[str, Any]]] = []
        self.connected = threading.Event()
        self.ended = threading.Event()
        self.status = 0
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        try:
            with (
                httpx.Client(base_url=self.gateway, timeout=httpx.Timeout(10, read=30)) as client,
                client.stream(
                    "GET", "/api/processing/notifications/stream", headers=self.headers
                ) as response,
            ):
                self.status = response.status_code
                self.connected.set()
                fields: dict[str, str] = {}
                for line in response.iter_lines():
                    if not line:  # a blank line ends one message, whatever its field order
                        if "data" in fields:
                            self.received.append(
                                (int(fields["id"]), fields["event"], json.loads(fields["data"]))
                            )
                        fields = {}
                    elif not line.startswith(":") and ":" in line:
                        key, value = line.split(":", 1)
                        fields[key] = value.strip()
        except httpx.HTTPError:
            pass  # the server went away: that is what one test checks
        finally:
            self.connected.set()
            self.ended.set()


def admin_headers(stack: Any) -> dict[str, str]:
    config = stack.stack.config
    response = httpx.post(
        f"{stack.gateway_url}/api/auth/login/access-token",
        data={"username": config.admin_user_name, "password": config.admin_password},
        timeout=10,
    )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def create_quest(stack: Any, headers: dict[str, str], **fields: Any) -> dict[str, Any]:
    suffix = uuid.uuid4().hex[:8]
    reward = httpx.post(
        f"{stack.gateway_url}/api/catalog/rewards",
        json={"reward_name": f"r-{suffix}", "reward_item": "gold", "reward_qty": 5},
        headers=headers,
        timeout=10,
    )
    assert reward.status_code == 201, reward.text
    body = {
        "name": f"q-{suffix}",
        "title": "Sign in twice",
        "streak": 2,
        "duplication": 1,
        "reward_id": reward.json()["reward_id"],
        **fields,
    }
    quest = httpx.post(
        f"{stack.gateway_url}/api/catalog/quests", json=body, headers=headers, timeout=10
    )
    assert quest.status_code == 201, quest.text
    return dict(quest.json())


def test_a_claim_while_auth_is_cut_is_accepted_and_credited_once_after(
    cuttable_stack: Any,
) -> None:
    player = Player(cuttable_stack.gateway_url)
    for _ in range(3):
        player.login()
    item = wait_for(lambda: (q := player.quests()[REFERENCE])["claimable"] == 1 and q)
    cuttable_stack.auth.cut()
    try:
        response = player.claim(item["quest"]["quest_id"])
        assert response.status_code == 202, response.text
        assert response.json()["credited"] is False
        grant_id = response.json()["grant_id"]
        assert player.diamonds() == 0  # the player reaches auth directly: nothing yet
        assert player.claim(item["quest"]["quest_id"]).status_code == 409  # claimed once
    finally:
        cuttable_stack.auth.restore()
    # The worker's delivery loop retries with backoff until auth accepts.
    wait_for(lambda: player.diamonds() == 10, timeout=90)
    # Later rounds (and the API's own first attempt, if it half-arrived) must not credit again.
    time.sleep(3)
    assert player.diamonds() == 10
    entries = player.ledger()
    assert [(e["item"], e["qty"], e["balance_after"]) for e in entries] == [("diamond", 10, 10)]
    assert grant_id  # the idempotency key auth saw on every attempt


def test_progress_advances_with_catalog_stopped_even_after_a_worker_restart(
    cuttable_stack: Any,
) -> None:
    stack = cuttable_stack.stack
    player = Player(cuttable_stack.gateway_url)
    player.login()
    wait_for(lambda: player.quests()[REFERENCE]["streak"] == 1)
    stack.stop_component("catalog")
    try:
        # A restarted worker cannot read catalog at all: it counts with its local copy.
        assert stack.stop_component("worker") == 0
        stack.start_component("worker")
        player.login()
        wait_for(lambda: player.events() == 2)
        assert player.quests()[REFERENCE]["streak"] == 2
    finally:
        stack.start_component("catalog")


def test_a_quest_created_in_catalog_counts_without_a_restart(cuttable_stack: Any) -> None:
    player = Player(cuttable_stack.gateway_url)
    player.login()
    wait_for(lambda: player.events() == 1)
    quest = create_quest(cuttable_stack, admin_headers(cuttable_stack))
    # catalog publishes QuestChanged; the worker drops its cached definitions and reads again.
    wait_for(lambda: quest["name"] in player.quests())
    player.login()
    wait_for(lambda: player.events() == 2)
    new = player.quests()[quest["name"]]
    assert (new["streak"], new["target"]) == (1, 2)
    assert player.quests()[REFERENCE]["streak"] == 2


def test_the_loader_reads_every_page_of_catalog(cuttable_stack: Any, engine: Engine) -> None:
    headers = admin_headers(cuttable_stack)
    for _ in range(3):
        create_quest(cuttable_stack, headers)
    listed = httpx.get(
        f"{cuttable_stack.stack.service_url('catalog')}/api/catalog/quests",
        params={"active": "true", "trigger": "sign_in"},
        timeout=10,
    ).json()
    assert listed["count"] >= 4
    cache = QuestCache(
        engine=engine, catalog_url=cuttable_stack.stack.service_url("catalog"), page_size=2
    )
    try:
        names = sorted(q["name"] for q in cache.quests())
    finally:
        cache.close()
    assert names == sorted(q["name"] for q in listed["data"])


def test_sse_replays_exactly_what_was_missed_after_last_event_id(stack: Any) -> None:
    player = Player(stack.gateway_url)
    player.login()
    first = SseReader(stack.gateway_url, player.headers)
    wait_for(lambda: any(e == "check_in" for _, e, _ in first.received))
    seen = [r for r in first.received if r[2].get("quest_name") == REFERENCE]
    last_id = max(i for i, _, _ in first.received)
    assert [(e, d["streak"]) for _, e, d in seen] == [("check_in", 1)]
    player.login()
    player.login()  # the third sign-in completes the quest
    wait_for(lambda: player.events() == 3)
    headers = {**player.headers, "Last-Event-ID": str(last_id)}
    again = SseReader(stack.gateway_url, headers)
    wait_for(lambda: any(e == "quest_completed" for _, e, _ in again.received))
    replayed = list(again.received)
    ids = [i for i, _, _ in replayed]
    assert ids == sorted(set(ids)) and min(ids) > last_id
    assert [
        (event, data.get("streak"), data["completed"])
        for _, event, data in replayed
        if data.get("quest_name") == REFERENCE
    ] == [("check_in", 2, 0), ("check_in", 0, 1), ("quest_completed", None, 1)]


def test_sigterm_of_the_api_with_an_open_stream_exits_cleanly(cuttable_stack: Any) -> None:
    stack = cuttable_stack.stack
    player = Player(cuttable_stack.gateway_url)
    player.login()
    reader = SseReader(cuttable_stack.gateway_url, player.headers)
    assert reader.connected.wait(10) and reader.status == 200
    try:
        # uvicorn re-raises the signal once it has shut down cleanly, hence -SIGTERM.
        assert stack.stop_component("processing", sig=signal.SIGTERM) == -signal.SIGTERM
        assert reader.ended.wait(10)  # the stream was ended, not left hanging
        log = stack.log_path("processing").read_text()
        assert "Application shutdown complete" in log
        assert "timeout graceful shutdown exceeded" not in log  # streams did not hold it up
    finally:
        stack.start_component("processing")
    # The restarted API serves again.
    assert player.quests()[REFERENCE]["streak"] == 1
