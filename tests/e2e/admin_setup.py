"""What an admin sets up through the gateway before a test plays: event types, rewards, quests,
and an OAuth2 client with its client-credentials token. Every call asserts it was accepted, so a
setup that went wrong fails where it went wrong, not later as a count that never moves.

The functions take an httpx client on the gateway and the admin's headers; `Studio` holds both
for one test and takes its quests and event types down after it (the stack is shared, and a live
quest counts for every player meanwhile).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

import httpx

TOKEN_PATH = "/api/auth/login/access-token"
# A game server's event type of the simplest kind: one required integer.
HIT = {"n": {"type": "integer", "required": True}}


def put(http: httpx.Client, admin: dict[str, str], path: str, body: dict[str, Any]) -> Any:
    """A create-or-replace by name; the stored row."""
    response = http.put(path, json=body, headers=admin)
    assert response.status_code in (200, 201), response.text
    return response.json()


def event_type(
    http: httpx.Client,
    admin: dict[str, str],
    name: str,
    properties: dict[str, dict[str, Any]],
    title: str = "Match won",
    **fields: Any,
) -> dict[str, Any]:
    body = {"title": title, "properties": properties, **fields}
    return dict(put(http, admin, f"/api/catalog/event-types/by-name/{name}", body))


def reward(
    http: httpx.Client, admin: dict[str, str], name: str, item: str, qty: int
) -> dict[str, Any]:
    body = {"reward_item": item, "reward_qty": qty}
    return dict(put(http, admin, f"/api/catalog/rewards/by-name/{name}", body))


def quest(http: httpx.Client, admin: dict[str, str], name: str, **fields: Any) -> dict[str, Any]:
    return dict(put(http, admin, f"/api/catalog/quests/by-name/{name}", fields))


def new_client(
    http: httpx.Client, admin: dict[str, str], scopes: Sequence[str] = ("events:write",)
) -> dict[str, Any]:
    """A new OAuth2 client (a game server); its id and its secret, shown this once."""
    response = http.post(
        "/api/auth/admin/clients",
        json={"name": f"game-{uuid.uuid4().hex[:6]}", "scopes": list(scopes)},
        headers=admin,
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


def client_token(http: httpx.Client, created: dict[str, Any]) -> str:
    """The client's access token (client credentials in HTTP Basic, as OAuth2 libraries do)."""
    response = http.post(
        TOKEN_PATH,
        data={"grant_type": "client_credentials"},
        auth=(created["client_id"], created["client_secret"]),
    )
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])


def events_token(http: httpx.Client, admin: dict[str, str]) -> str:
    """The token of a new client that may send events."""
    return client_token(http, new_client(http, admin))


class Studio:
    """An admin's session for one test; `close()` deletes the quests and event types it made."""

    def __init__(self, stack: Any) -> None:
        self.admin: dict[str, str] = stack.admin_headers()
        self.http: httpx.Client = stack.client()
        self.quest_ids: list[str] = []
        self.event_types: list[str] = []

    def event_type(
        self, name: str, properties: dict[str, dict[str, Any]], **fields: Any
    ) -> dict[str, Any]:
        made = event_type(self.http, self.admin, name, properties, **fields)
        self.event_types.append(name)
        return made

    def reward(self, name: str, item: str, qty: int) -> dict[str, Any]:
        return reward(self.http, self.admin, name, item, qty)

    def quest(self, name: str, **fields: Any) -> dict[str, Any]:
        made = quest(self.http, self.admin, name, **fields)
        self.quest_ids.append(made["quest_id"])
        return made

    def events_token(self) -> str:
        return events_token(self.http, self.admin)

    def close(self) -> None:
        for quest_id in self.quest_ids:
            self.http.delete(f"/api/catalog/quests/{quest_id}", headers=self.admin)
        for name in self.event_types:
            self.http.delete(f"/api/catalog/event-types/by-name/{name}", headers=self.admin)
        self.http.close()
