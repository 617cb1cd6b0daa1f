"""A player of the running stack, driven through the gateway as the web UI would: the one player
helper of the whole-stack tests (and their SSE reader)."""

from __future__ import annotations

import json
import secrets
import threading
import uuid
from dataclasses import dataclass, field
from typing import Any

import httpx

from quest_devtools.testing.quests import REFERENCE_QUEST
from quest_devtools.testing.waiting import wait_for

__all__ = ["REFERENCE_QUEST", "Player", "SseReader", "wait_for"]


@dataclass
class Player:
    gateway_url: str
    user_name: str
    password: str
    user_id: str = ""
    access_token: str = ""
    client: httpx.Client = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.client = httpx.Client(base_url=self.gateway_url, timeout=15)

    @classmethod
    def sign_up(
        cls, gateway_url: str, user_name: str | None = None, password: str | None = None
    ) -> Player:
        """A new player: signed up, not signed in yet (no token)."""
        player = cls(
            gateway_url,
            user_name or f"p_{uuid.uuid4().hex[:12]}",
            password or secrets.token_urlsafe(12),
        )
        response = player.client.post(
            "/api/auth/signup", json={"user_name": player.user_name, "password": player.password}
        )
        assert response.status_code == 201, response.text
        player.user_id = str(response.json()["user_id"])
        return player

    def login(self) -> dict[str, Any]:
        """A password sign-in (emits a sign-in event); keeps and returns the token pair."""
        response = self.client.post(
            "/api/auth/login/access-token",
            data={"username": self.user_name, "password": self.password},
        )
        assert response.status_code == 200, response.text
        tokens: dict[str, Any] = response.json()
        self.access_token = str(tokens["access_token"])
        return tokens

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.access_token}"}

    def _get(self, path: str) -> Any:
        response = self.client.get(path, headers=self.headers)
        assert response.status_code == 200, response.text
        return response.json()

    def quests(self) -> dict[str, dict[str, Any]]:
        """This player's quest list, by quest name."""
        return {i["quest"]["name"]: i for i in self._get("/api/processing/me/quests")["data"]}

    def reference(self) -> dict[str, Any]:
        return self.quests()[REFERENCE_QUEST]

    def events(self) -> int:
        return int(self._get("/api/processing/me/events")["count"])

    def diamonds(self) -> int:
        return int(self._get("/api/auth/users/me")["diamond"])

    def ledger(self) -> list[dict[str, Any]]:
        return list(self._get("/api/auth/users/me/transactions")["data"])

    def delete_account(self) -> httpx.Response:
        """The player deletes their own account, confirming with their password."""
        return self.client.request(
            "DELETE", "/api/auth/users/me", json={"password": self.password}, headers=self.headers
        )

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
                                (
                                    # 0: a live-only frame (level_reached) carries no id.
                                    int(fields.get("id") or 0),
                                    fields["event"],
                                    json.loads(fields["data"]),
                                )
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
