"""Any event through the gateway (DESIGN §14): a game server's client sends a type of its own;
a filtered count quest auto-claims its reward, a sum quest chained to it waits for it (locked),
then counts and carries the excess; a batch with one bad event is refused whole; the same batch
again counts nothing."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from admin_setup import Studio

from quest_devtools.testing.players import Player, wait_for

BATCH_PATH = "/api/processing/events/batch"
MATCH = {"map": {"type": "string", "required": True}, "gold": {"type": "number", "required": False}}


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
    event_type = f"match_{uuid.uuid4().hex[:8]}"
    studio.event_type(event_type, MATCH, description="A player won a match")
    suffix = uuid.uuid4().hex[:6]
    desert = studio.quest(
        f"desert-{suffix}",
        event_type=event_type,
        reward_id=studio.reward(f"desert-{suffix}-reward", "diamond", 5)["reward_id"],
        title="Win twice in the desert",
        streak=2,
        duplication=1,
        auto_claim=True,
        where=[{"property": "map", "op": "eq", "value": "desert"}],
    )
    hoard = studio.quest(
        f"hoard-{suffix}",
        event_type=event_type,
        reward_id=studio.reward(f"hoard-{suffix}-reward", "gold", 7)["reward_id"],
        title="Hoard 100 gold",
        streak=100,
        duplication=3,
        measure="sum",
        measure_property="gold",
        requires=[desert["name"]],
    )
    token = studio.events_token()
    player = stack.new_player()
    diamonds_before = player.diamonds()
    at = datetime.now(UTC) - timedelta(minutes=5)

    # Processing learns of the player from auth's `UserCreated`: until then the player is
    # unknown and the event refused. The warm-up event matches no filter.
    warm_up = [event("w0", event_type, player, at, map="nowhere")]
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
        event("e1", event_type, player, at + timedelta(seconds=1), map="city", gold=500),
        event("e2", event_type, player, at + timedelta(seconds=2), map="desert", gold=60),
        event("e3", event_type, player, at + timedelta(seconds=3), map="desert", gold=70),
        event("e4", event_type, player, at + timedelta(seconds=4), map="city", gold=50),
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
