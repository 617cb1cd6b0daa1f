"""The shop across real processes, through the gateway: a redemption debits auth's wallet exactly
once and never oversells (guarantee 13) — under parallel players, a key retried in parallel,
a balance too small, and auth cut in the middle of the saga (the catalog reaches auth's wallet
through a TcpProxy; see `cuttable_stack`)."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx

from quest_devtools.testing.databases import scalar
from quest_devtools.testing.players import Player, wait_for

# The settlement job retries with a backoff capped at 30 s: one settles within about that long
# after auth answers again (the contract says a minute).
SETTLED_WITHIN_S = 75


def new_offer(stack: Any, admin: dict[str, str], **fields: Any) -> dict[str, Any]:
    suffix = uuid.uuid4().hex[:8]
    body = {
        "name": f"offer-{suffix}",
        "title": f"Golden frame {suffix}",
        "price_item": "diamond",
        "price_qty": 5,
        **fields,
    }
    response = httpx.post(
        f"{stack.gateway_url}/api/catalog/offers", json=body, headers=admin, timeout=10
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


def rich_player(stack: Any, admin: dict[str, str], diamonds: int) -> Player:
    player = Player.sign_up(stack.gateway_url)
    player.login()
    if diamonds:
        response = httpx.post(
            f"{stack.gateway_url}/api/auth/admin/users/{player.user_id}/adjustments",
            json={"item": "diamond", "qty": diamonds, "reason": "shop test"},
            headers=admin,
            timeout=10,
        )
        assert response.status_code == 201, response.text
    return player


def redeem(player: Player, offer_id: str, key: str | None = None) -> httpx.Response:
    return player.client.post(
        f"/api/catalog/offers/{offer_id}/redeem",
        headers={**player.headers, "Idempotency-Key": key or uuid.uuid4().hex},
    )


def stock_of(stack: Any, offer_id: str) -> int | None:
    stock: int | None = httpx.get(
        f"{stack.gateway_url}/api/catalog/offers/{offer_id}", timeout=10
    ).json()["stock"]
    return stock


def shop_debits(stack: Any, title: str) -> int:
    return int(
        scalar(
            stack.e2e.database_url("auth"),
            "SELECT count(*) FROM wallet_ledger WHERE reason = :reason AND qty < 0",
            reason=f"Shop: {title}",
        )
    )


def balances_off_their_ledger(stack: Any) -> int:
    """How many players' balances differ from the sum of their ledger (must be 0)."""
    return int(
        scalar(
            stack.e2e.database_url("auth"),
            "SELECT count(*) FROM users u WHERE u.diamond <> (SELECT coalesce(sum(l.qty), 0)"
            " FROM wallet_ledger l WHERE l.user_id = u.user_id AND l.item = 'diamond')"
            " OR u.gold <> (SELECT coalesce(sum(l.qty), 0) FROM wallet_ledger l"
            " WHERE l.user_id = u.user_id AND l.item = 'gold')",
        )
    )


def test_a_redemption_debits_once_and_the_ledger_names_the_offer(cuttable_stack: Any) -> None:
    admin = cuttable_stack.e2e.admin_headers()
    offer = new_offer(cuttable_stack, admin, stock=3)
    player = rich_player(cuttable_stack, admin, diamonds=7)

    done = redeem(player, offer["offer_id"], key="first")
    assert done.status_code == 201, done.text
    body = done.json()
    assert body["status"] == "done" and body["code"]
    assert body["price"] == {"item": "diamond", "qty": 5}
    # The same key again: the same answer, nothing debited twice.
    again = redeem(player, offer["offer_id"], key="first")
    assert again.status_code == 201
    assert (again.json()["redemption_id"], again.json()["code"]) == (
        body["redemption_id"],
        body["code"],
    )
    assert player.diamonds() == 2
    newest = player.ledger()[0]
    assert (newest["qty"], newest["reason"]) == (-5, f"Shop: {offer['title']}")
    assert stock_of(cuttable_stack, offer["offer_id"]) == 2
    mine = player.client.get("/api/catalog/me/redemptions", headers=player.headers).json()
    assert [(r["redemption_id"], r["code"]) for r in mine["data"]] == [
        (body["redemption_id"], body["code"])
    ]
    assert balances_off_their_ledger(cuttable_stack) == 0


def test_not_enough_balance_is_a_409_that_debits_nothing_and_gives_the_stock_back(
    cuttable_stack: Any,
) -> None:
    admin = cuttable_stack.e2e.admin_headers()
    offer = new_offer(cuttable_stack, admin, stock=1)
    player = rich_player(cuttable_stack, admin, diamonds=4)

    refused = redeem(player, offer["offer_id"], key="short")
    assert refused.status_code == 409, refused.text
    assert refused.json()["detail"] == "not enough diamonds"
    assert player.diamonds() == 4
    assert shop_debits(cuttable_stack, offer["title"]) == 0
    assert stock_of(cuttable_stack, offer["offer_id"]) == 1
    # The same key again: the same refusal.
    assert redeem(player, offer["offer_id"], key="short").json()["detail"] == "not enough diamonds"
    # The unit it gave back is there for someone who can pay.
    assert redeem(rich_player(cuttable_stack, admin, 5), offer["offer_id"]).status_code == 201


def test_a_hundred_players_at_once_on_a_stock_of_ten(cuttable_stack: Any) -> None:
    """Guarantee 13: exactly 10 done, 10 debits, 90 told "out of stock"."""
    admin = cuttable_stack.e2e.admin_headers()
    offer = new_offer(cuttable_stack, admin, stock=10)
    with ThreadPoolExecutor(max_workers=8) as pool:
        players = list(pool.map(lambda _: rich_player(cuttable_stack, admin, 5), range(100)))
    with ThreadPoolExecutor(max_workers=50) as pool:
        answers = list(pool.map(lambda p: redeem(p, offer["offer_id"]), players))
    statuses = sorted(a.status_code for a in answers)
    assert statuses == [201] * 10 + [409] * 90, statuses
    assert {a.json()["detail"] for a in answers if a.status_code == 409} == {"out of stock"}
    assert stock_of(cuttable_stack, offer["offer_id"]) == 0
    assert shop_debits(cuttable_stack, offer["title"]) == 10
    done = scalar(
        cuttable_stack.e2e.database_url("catalog"),
        "SELECT count(*) FROM redemption WHERE offer_id = :id AND status = 'done'",
        id=offer["offer_id"],
    )
    assert done == 10
    assert sum(p.diamonds() for p in players) == 90 * 5
    assert balances_off_their_ledger(cuttable_stack) == 0


def test_the_same_key_twenty_times_at_once_is_one_redemption(cuttable_stack: Any) -> None:
    admin = cuttable_stack.e2e.admin_headers()
    offer = new_offer(cuttable_stack, admin, stock=5)
    player = rich_player(cuttable_stack, admin, diamonds=50)
    with ThreadPoolExecutor(max_workers=20) as pool:
        answers = list(pool.map(lambda _: redeem(player, offer["offer_id"], "dup"), range(20)))
    assert {a.status_code for a in answers} == {201}
    assert len({a.json()["redemption_id"] for a in answers}) == 1
    assert player.diamonds() == 45
    assert shop_debits(cuttable_stack, offer["title"]) == 1
    assert stock_of(cuttable_stack, offer["offer_id"]) == 4


def test_auth_cut_mid_saga_leaves_it_pending_then_done_or_released(cuttable_stack: Any) -> None:
    admin = cuttable_stack.e2e.admin_headers()
    offer = new_offer(cuttable_stack, admin, stock=5)
    payer = rich_player(cuttable_stack, admin, diamonds=5)
    broke = rich_player(cuttable_stack, admin, diamonds=1)

    cuttable_stack.auth.cut()
    try:
        paid = redeem(payer, offer["offer_id"], key="while-cut")
        short = redeem(broke, offer["offer_id"])
        assert (paid.status_code, short.status_code) == (202, 202), (paid.text, short.text)
        assert paid.json()["status"] == "pending" and paid.json()["code"] is None
        # Reserved while auth is away: nobody can oversell meanwhile.
        assert stock_of(cuttable_stack, offer["offer_id"]) == 3
        # A retry while auth is still away is the same pending redemption.
        retried = redeem(payer, offer["offer_id"], key="while-cut")
        assert retried.status_code == 202
        assert retried.json()["redemption_id"] == paid.json()["redemption_id"]
    finally:
        cuttable_stack.auth.restore()

    def mine(player: Player) -> dict[str, Any]:
        data = player.client.get("/api/catalog/me/redemptions", headers=player.headers).json()
        return dict(data["data"][0])

    settled = wait_for(
        lambda: (r := mine(payer))["status"] == "done" and r, timeout=SETTLED_WITHIN_S
    )
    assert settled["code"]
    released = wait_for(
        lambda: (r := mine(broke))["status"] == "released" and r, timeout=SETTLED_WITHIN_S
    )
    assert released["refusal"] == "not enough diamonds"
    assert (payer.diamonds(), broke.diamonds()) == (0, 1)
    assert stock_of(cuttable_stack, offer["offer_id"]) == 4
    assert shop_debits(cuttable_stack, offer["title"]) == 1
    # The player's retry after the outage gets the settled answer.
    after = redeem(payer, offer["offer_id"], key="while-cut")
    assert (after.status_code, after.json()["code"]) == (201, settled["code"])
    assert balances_off_their_ledger(cuttable_stack) == 0


def test_a_player_token_cannot_debit(cuttable_stack: Any) -> None:
    """Only services debit: auth refuses a player's token on its debit route."""
    player = Player.sign_up(cuttable_stack.gateway_url)
    player.login()
    body = {
        "idempotency_key": uuid.uuid4().hex,
        "user_id": player.user_id,
        "item": "diamond",
        "qty": 1,
        "reason": "theft",
    }
    direct = httpx.post(
        f"{cuttable_stack.e2e.auth_url}/internal/wallet/debits",
        json=body,
        headers=player.headers,
        timeout=10,
    )
    assert direct.status_code == 403
