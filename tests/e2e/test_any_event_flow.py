"""Any event through the gateway (DESIGN §14): a game server's client sends a type of its own;
a filtered count quest auto-claims its reward, a sum quest chained to it waits for it (locked),
then counts and carries the excess; a batch with one bad event is refused whole; the same batch
again counts nothing."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from quest_devtools.testing.players import Player, wait_for

TOKEN_PATH = "/api/auth/login/access-token"
BATCH_PATH = "/api/processing/events/batch"


class Studio:
    """What an admin sets up for one test (an event type, rewards, quests, a client) and takes
    down after it: the stack is shared."""

    def __init__(self, stack: Any) -> None:
        self.stack = stack
        self.admin = stack.admin_headers()
        self.http = stack.client()
        self.quest_ids: list[str] = []
        self.event_type = f"match_{uuid.uuid4().hex[:8]}"

    def put(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        response = self.http.put(path, json=body, headers=self.admin)
        assert response.status_code in (200, 201), response.text
        return dict(response.json())

    def define_type(self) -> None:
        self.put(
            f"/api/catalog/event-types/by-name/{self.event_type}",
            {
                "title": "Match won",
                "description": "A player won a match",
                "properties": {
                    "map": {"type": "string", "required": True},
                    "gold": {"type": "number", "required": False},
                },
            },
        )

    def quest(self, name: str, reward: tuple[str, int], **fields: Any) -> dict[str, Any]:
        item, qty = reward
        made = self.put(
            f"/api/catalog/rewards/by-name/{name}-reward",
            {"reward_item": item, "reward_qty": qty},
        )
        quest = self.put(
            f"/api/catalog/quests/by-name/{name}",
            {"event_type": self.event_type, "reward_id": made["reward_id"], **fields},
        )
        self.quest_ids.append(quest["quest_id"])
        return quest

    def client_token(self) -> str:
        created = self.http.post(
            "/api/auth/admin/clients",
            json={"name": f"game-{uuid.uuid4().hex[:6]}", "scopes": ["events:write"]},
            headers=self.admin,
        )
        assert created.status_code == 201, created.text
        body = created.json()
        token = self.http.post(
            TOKEN_PATH,
            data={"grant_type": "client_credentials"},
            auth=(body["client_id"], body["client_secret"]),
        )
        assert token.status_code == 200, token.text
        return str(token.json()["access_token"])

    def close(self) -> None:
        for quest_id in self.quest_ids:
            self.http.delete(f"/api/catalog/quests/{quest_id}", headers=self.admin)
        self.http.delete(f"/api/catalog/event-types/by-name/{self.event_type}", headers=self.admin)
        self.http.close()


@pytest.fixture
def studio(stack: Any) -> Iterator[Studio]:
    made = Studio(stack)
    try:
        yield made
    finally:
        made.close()


def event(
    event_id: str, event_type: str, player: Player, at: datetime, **data: Any
) -> dict[str, Any]:
    return {
        "id": event_id,
        "type": event_type,
        "user_id": player.user_id,
        "time": at.isoformat(),
        "data": data,
    }


def send(http: httpx.Client, token: str, events: list[dict[str, Any]]) -> httpx.Response:
    return http.post(
        BATCH_PATH, json={"events": events}, headers={"Authorization": f"Bearer {token}"}
    )


def test_filters_sums_chains_and_whole_batch_refusal_through_the_gateway(
    stack: Any, studio: Studio
) -> None:
    studio.define_type()
    suffix = uuid.uuid4().hex[:6]
    desert = studio.quest(
        f"desert-{suffix}",
        ("diamond", 5),
        title="Win twice in the desert",
        streak=2,
        duplication=1,
        auto_claim=True,
        where=[{"property": "map", "op": "eq", "value": "desert"}],
    )
    hoard = studio.quest(
        f"hoard-{suffix}",
        ("gold", 7),
        title="Hoard 100 gold",
        streak=100,
        duplication=3,
        measure="sum",
        measure_property="gold",
        requires=[desert["name"]],
    )
    token = studio.client_token()
    player = stack.new_player()
    diamonds_before = player.diamonds()
    at = datetime.now(UTC) - timedelta(minutes=5)

    # Processing learns of the player from auth's `UserCreated`: until then the player is
    # unknown and the event refused. The warm-up event matches no filter.
    warm_up = [event("w0", studio.event_type, player, at, map="nowhere")]
    deadline = time.monotonic() + 15
    while (response := send(studio.http, token, warm_up)).status_code == 422:
        assert time.monotonic() < deadline, response.text
        time.sleep(0.2)
    assert response.status_code == 202, response.text

    cards = player.quests()
    assert cards[hoard["name"]]["locked_by"] == [
        {"name": desert["name"], "title": "Win twice in the desert"}
    ]

    batch = [
        event("e1", studio.event_type, player, at + timedelta(seconds=1), map="city", gold=500),
        event("e2", studio.event_type, player, at + timedelta(seconds=2), map="desert", gold=60),
        event("e3", studio.event_type, player, at + timedelta(seconds=3), map="desert", gold=70),
        event("e4", studio.event_type, player, at + timedelta(seconds=4), map="city", gold=50),
    ]
    # One bad event refuses the whole batch, naming it; nothing of it is counted.
    bad = [*batch[:1], event("e9", "no_such_type", player, at), *batch[1:]]
    refused = send(studio.http, token, bad)
    assert refused.status_code == 422, refused.text
    assert [p["index"] for p in refused.json()["detail"]] == [1]

    accepted = send(studio.http, token, batch)
    assert accepted.status_code == 202, accepted.text
    assert accepted.json() == {"accepted": 4, "duplicates": 0}

    def settled() -> bool:
        cards = player.quests()
        return cards[hoard["name"]]["completed"] == 1 and cards[desert["name"]]["completed"] == 1

    wait_for(settled, timeout=20)
    cards = player.quests()
    # e1 did not pass the filter, e2 and e3 completed the desert quest (auto-claimed); e3 was
    # the completing event, so it already counts for the hoard: 70 + 50 = 120 → one completion,
    # 20 carried; e2 came while the hoard was still locked.
    assert cards[desert["name"]]["claimed"] == 1
    assert (cards[hoard["name"]]["streak"], cards[hoard["name"]]["claimable"]) == (20, 1)
    assert cards[hoard["name"]]["locked_by"] == []
    wait_for(lambda: player.diamonds() == diamonds_before + 5, timeout=20)

    # The client's retry of the same batch counts nothing.
    again = send(studio.http, token, batch)
    assert again.status_code == 202 and again.json() == {"accepted": 0, "duplicates": 4}
    time.sleep(1)
    assert player.quests()[hoard["name"]]["streak"] == 20
    assert player.diamonds() == diamonds_before + 5

    # The trace tells each event's verdict in the quest's terms.
    trace = player.client.get(
        f"/api/processing/me/quests/{hoard['quest_id']}/trace", headers=player.headers
    ).json()
    assert [e["verdict"] for e in trace["events"]] == [
        "locked",
        "locked",
        "locked",
        "counted",
        "counted",
    ]
