"""The reference quest across real processes: auth, catalog, processing API + worker, Traefik."""

from __future__ import annotations

import threading
import time
from typing import Any

from quest_devtools.testing.players import Player, SseReader, wait_for


def test_reference_quest_end_to_end(stack: Any) -> None:
    player = Player.sign_up(stack.gateway_url)
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
    player = Player.sign_up(stack.gateway_url)
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
    player = Player.sign_up(stack.gateway_url)
    player.login()
    reader = SseReader(stack.gateway_url, player.headers)
    assert reader.connected.wait(10) and reader.status == 200
    time.sleep(0.5)
    started = time.monotonic()
    player.login()

    def second_check_in() -> dict[str, Any] | None:
        # The second login's check-in (the first may be replayed).
        return next(
            (d for _, e, d in reader.received if e == "check_in" and d["streak"] == 2), None
        )

    received = wait_for(second_check_in, timeout=10)
    elapsed = time.monotonic() - started
    assert received["quest_name"] == "sign-in-three-times"
    print(f"login -> SSE check_in through the gateway: {elapsed * 1000:.0f} ms")
