"""Progression across real processes through the gateway: XP credited by a quest raises the
level and each level reached is toasted on the player's stream; a badge is held once; the public
player page shows no balances; the week board gives the caller's own rank outside the top; the
ledger still equals every balance, XP included."""

from __future__ import annotations

import uuid
from typing import Any

import psycopg
from admin_setup import Studio

from quest_devtools.testing.players import Player, SseReader, wait_for


def _libpq(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


def new_reward(studio: Studio, item: str, qty: int, name: str | None = None) -> dict[str, Any]:
    return studio.reward(name or f"{item}-{uuid.uuid4().hex[:8]}", item, qty)


def new_quest(studio: Studio, reward: dict[str, Any], **fields: Any) -> dict[str, Any]:
    """A sign-in quest paying `reward` at once (deleted after the test: a sign-in quest counts
    for every player who signs in meanwhile)."""
    body = {
        "title": f"Progression {reward['reward_item']}",
        "streak": 1,
        "duplication": 1,
        "auto_claim": True,
        "reward_id": reward["reward_id"],
        **fields,
    }
    return studio.quest(f"prog-{uuid.uuid4().hex[:10]}", **body)


def _me(player: Player) -> dict[str, Any]:
    response = player.client.get("/api/auth/users/me", headers=player.headers)
    assert response.status_code == 200, response.text
    return dict(response.json())


def _quest_counted(player: Player, quest_id: str) -> bool:
    response = player.client.get("/api/processing/me/quests", headers=player.headers)
    return any(
        i["quest"]["quest_id"] == quest_id and i["completed"] >= 1 for i in response.json()["data"]
    )


def test_xp_raises_the_level_and_each_level_reached_is_toasted(stack: Any, studio: Studio) -> None:
    player = Player.sign_up(stack.gateway_url)
    player.login()
    before = _me(player)
    assert (before["xp"], before["level"], before["level_starts_at_xp"]) == (0, 1, 0)
    assert before["next_level_at_xp"] == 100
    reader = SseReader(stack.gateway_url, player.headers)
    assert reader.connected.wait(10) and reader.status == 200

    # 300 XP on the default curve (0, 100, 250, 500, ...): from level 1 past 2 to 3.
    quest = new_quest(studio, new_reward(studio, "xp", 300))
    # Processing learns of the new quest from catalog's change event: sign in until it counts.
    wait_for(
        lambda: player.login() and _quest_counted(player, quest["quest_id"]),
        timeout=30,
        interval=1.0,
    )
    me = wait_for(lambda: (m := _me(player))["xp"] == 300 and m, timeout=30)
    assert (me["level"], me["level_starts_at_xp"], me["next_level_at_xp"]) == (3, 250, 500)

    def levels() -> list[int] | None:
        got = [d["level"] for _, e, d in reader.received if e == "level_reached"]
        return got if len(got) >= 2 else None

    assert wait_for(levels, timeout=30) == [2, 3]  # one per level, none lost, in order
    credited = [d for _, e, d in reader.received if e == "reward_credited"]
    assert any(d["item"] == "xp" and d["qty"] == 300 for d in credited)


def test_a_badge_is_held_once_and_the_public_page_shows_no_balances(
    stack: Any, studio: Studio
) -> None:
    badge = new_reward(studio, "badge", 1, name=f"pioneer-{uuid.uuid4().hex[:6]}")
    # Two quests pay the same badge: both complete, the player holds it once.
    first = new_quest(studio, badge)
    second = new_quest(studio, badge, title="Another way to the same badge")
    player = Player.sign_up(stack.gateway_url)
    player.login()
    wait_for(
        lambda: (
            player.login()
            and _quest_counted(player, first["quest_id"])
            and _quest_counted(player, second["quest_id"])
        ),
        timeout=30,
        interval=1.0,
    )

    def badges() -> list[dict[str, Any]] | None:
        response = player.client.get("/api/auth/users/me/badges", headers=player.headers)
        assert response.status_code == 200, response.text
        return response.json()["data"] or None

    held = wait_for(badges, timeout=30)
    player.login()  # later sign-ins give nothing more (duplication 1, a badge once)
    wait_for(lambda: len(_grants_credited(stack, player)) >= 2, timeout=30)
    assert [b["badge"] for b in badges() or []] == [badge["reward_name"]]
    assert [b["badge"] for b in held] == [badge["reward_name"]]

    with stack.client() as anyone:
        page = anyone.get(f"/api/auth/players/{player.user_name}")
        assert page.status_code == 200, page.text
        assert set(page.json()) == {"user_name", "level", "badges", "member_since"}
        assert page.json()["badges"][0]["badge"] == badge["reward_name"]
        assert anyone.get(f"/api/auth/players/nobody-{uuid.uuid4().hex[:8]}").status_code == 404

    assert player.delete_account().status_code == 204
    with stack.client() as anyone:
        assert anyone.get(f"/api/auth/players/{player.user_name}").status_code == 404


def _grants_credited(stack: Any, player: Player) -> list[str]:
    with psycopg.connect(_libpq(stack.database_url("processing"))) as connection:
        rows = connection.execute(
            "SELECT grant_id::text FROM reward_grant WHERE user_id = %s AND status = 'credited'",
            (player.user_id,),
        ).fetchall()
    return [r[0] for r in rows]


def test_the_week_board_gives_my_rank_outside_the_top_and_ties_to_who_got_there_first(
    stack: Any, studio: Studio
) -> None:
    quest = new_quest(studio, new_reward(studio, "xp", 40))
    first, second = Player.sign_up(stack.gateway_url), Player.sign_up(stack.gateway_url)
    for player in (first, second):  # one after the other: `first` reaches 40 XP first
        player.login()
        wait_for(
            lambda p=player: p.login() and _quest_counted(p, quest["quest_id"]),
            timeout=30,
            interval=1.0,
        )
        wait_for(lambda p=player: _me(p)["xp"] == 40, timeout=30)

    def board(player: Player, **params: Any) -> Any:
        return player.client.get("/api/auth/leaderboard", params=params, headers=player.headers)

    mine = {}
    for player in (first, second):
        response = board(player, item="xp", period="week", limit=1)
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["period"] == "week" and body["resets_at"] is not None
        assert len(body["data"]) == 1
        mine[player.user_name] = body["me"]
    assert mine[first.user_name]["value"] == mine[second.user_name]["value"] == 40
    # Equal values share a medal; the one who got there first ranks ahead.
    assert mine[first.user_name]["shared_rank"] == mine[second.user_name]["shared_rank"]
    assert mine[second.user_name]["rank"] == mine[first.user_name]["rank"] + 1
    assert mine[second.user_name]["rank"] >= 2  # outside a top of 1, still told

    top = board(second, item="xp", period="week", limit=100).json()["data"]
    names = [row["user_name"] for row in top]
    if second.user_name in names:
        row = top[names.index(second.user_name)]
        assert row["you"] is True and row["rank"] == mine[second.user_name]["rank"]

    for bad in ({"item": "ruby"}, {"period": "year"}, {"item": "badge"}):
        assert board(first, **bad).status_code == 422


def test_players_with_nothing_are_on_the_board_after_everyone_with_something(stack: Any) -> None:
    player = Player.sign_up(stack.gateway_url)
    player.login()
    response = player.client.get(
        "/api/auth/leaderboard",
        params={"item": "gold", "period": "month", "limit": 100},
        headers=player.headers,
    )
    assert response.status_code == 200, response.text
    body = response.json()
    values = [row["value"] for row in body["data"]]
    assert values == sorted(values, reverse=True)
    assert body["me"]["value"] == 0
    assert body["me"]["shared_rank"] == 1 + sum(1 for v in values if v > 0)


def test_the_ledger_equals_every_balance_xp_included(stack: Any) -> None:
    player = Player.sign_up(stack.gateway_url)
    admin = stack.admin_headers()
    url = f"/api/auth/admin/users/{player.user_id}/adjustments"
    with stack.client() as client:
        given = client.post(url, json={"item": "xp", "qty": 120, "reason": "t"}, headers=admin)
        assert given.status_code == 201, given.text
        # XP is never adjusted below zero: refused whole, nothing written.
        below = client.post(url, json={"item": "xp", "qty": -121, "reason": "t"}, headers=admin)
        assert below.status_code == 409, below.text
        taken = client.post(url, json={"item": "xp", "qty": -20, "reason": "t"}, headers=admin)
        assert taken.status_code == 201, taken.text
    player.login()
    assert _me(player)["xp"] == 100 and _me(player)["level"] == 2
    # Whatever every test credited and adjusted (diamonds, gold, XP): one query over all.
    with psycopg.connect(_libpq(stack.database_url("auth"))) as connection:
        wrong = connection.execute(
            """
            SELECT u.user_name, l.item, l.total
            FROM users u JOIN (
                SELECT user_id, item, sum(qty) AS total FROM wallet_ledger GROUP BY user_id, item
            ) l ON l.user_id = u.user_id
            WHERE l.total <> CASE l.item WHEN 'diamond' THEN u.diamond
                                         WHEN 'gold' THEN u.gold
                                         WHEN 'xp' THEN u.xp END
            """
        ).fetchall()
        items = {r[0] for r in connection.execute("SELECT DISTINCT item FROM wallet_ledger")}
    assert wrong == []
    assert "xp" in items and items <= {"diamond", "gold", "xp"}
