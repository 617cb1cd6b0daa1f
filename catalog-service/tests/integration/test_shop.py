"""The shop in the catalog alone: offers (admin writes, public reads with ETag) and every refusal
of a redemption that the catalog decides before auth is asked. Auth is unreachable here (a
closed port): a redemption that passes the catalog's checks stays pending with its unit of
stock reserved, which is what the refusals after it (out of stock, limit reached) count on.
The debit itself, with a real auth, is tested end to end (tests/e2e/test_shop_flow.py)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from catalog_service.core.config import Settings
from catalog_service.main import create_app
from quest_devtools.testing.databases import scalar
from quest_devtools.testing.tokens import TestKeys

PREFIX = "/api/catalog"


@pytest.fixture
def shop(make_settings: Callable[..., Settings]) -> Iterator[TestClient]:
    """The catalog with auth away (see `make_settings`), and no settlement job: pending
    redemptions stay pending."""
    settings = make_settings(run_redemption_job=False)
    with TestClient(create_app(settings)) as client:
        yield client


def offer(client: TestClient, admin: dict[str, str], **fields: Any) -> dict[str, Any]:
    body = {
        "name": f"offer-{uuid.uuid4().hex[:10]}",
        "title": "Golden frame",
        "price_item": "diamond",
        "price_qty": 5,
        **fields,
    }
    response = client.post(f"{PREFIX}/offers", json=body, headers=admin)
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


class Shopper:
    def __init__(self, client: TestClient, keys: TestKeys) -> None:
        self.client = client
        self.user_id = str(uuid.uuid4())
        self.headers = keys.headers(sub=self.user_id, role="player")

    def redeem(self, offer_id: str, key: str | None = None) -> Any:
        headers = dict(self.headers)
        headers["Idempotency-Key"] = key or uuid.uuid4().hex
        return self.client.post(f"{PREFIX}/offers/{offer_id}/redeem", headers=headers)

    def redemptions(self) -> list[dict[str, Any]]:
        response = self.client.get(f"{PREFIX}/me/redemptions", headers=self.headers)
        assert response.status_code == 200, response.text
        data: list[dict[str, Any]] = response.json()["data"]
        return data


@pytest.fixture
def shopper(shop: TestClient, test_keys: TestKeys) -> Callable[[], Shopper]:
    return lambda: Shopper(shop, test_keys)


def stock_of(client: TestClient, offer_id: str) -> int | None:
    stock: int | None = client.get(f"{PREFIX}/offers/{offer_id}").json()["stock"]
    return stock


# --- offers ----------------------------------------------------------------------------------


def test_an_admin_creates_updates_and_deletes_an_offer(
    shop: TestClient, admin_headers: dict[str, str]
) -> None:
    created = offer(shop, admin_headers, stock=3, per_player_limit=1, description="A frame")
    assert (created["stock"], created["per_player_limit"], created["is_active"]) == (3, 1, True)
    url = f"{PREFIX}/offers/{created['offer_id']}"
    patched = shop.patch(url, json={"price_qty": 7, "stock": None}, headers=admin_headers)
    assert patched.status_code == 200, patched.text
    assert (patched.json()["price_qty"], patched.json()["stock"]) == (7, None)
    assert shop.get(url).json()["price_qty"] == 7
    listed = shop.get(f"{PREFIX}/offers", params={"limit": 1000}).json()["data"]
    assert created["offer_id"] in {o["offer_id"] for o in listed}
    assert shop.delete(url, headers=admin_headers).status_code == 204
    assert shop.get(url).status_code == 404


def test_put_by_name_creates_then_updates_idempotently(
    shop: TestClient, admin_headers: dict[str, str]
) -> None:
    name = f"seeded-{uuid.uuid4().hex[:8]}"
    body = {"title": "Seeded", "price_item": "gold", "price_qty": 3, "stock": 10}
    first = shop.put(f"{PREFIX}/offers/by-name/{name}", json=body, headers=admin_headers)
    again = shop.put(f"{PREFIX}/offers/by-name/{name}", json=body, headers=admin_headers)
    changed = shop.put(
        f"{PREFIX}/offers/by-name/{name}", json={**body, "price_qty": 4}, headers=admin_headers
    )
    assert (first.status_code, again.status_code, changed.status_code) == (201, 200, 200)
    assert first.json()["offer_id"] == again.json()["offer_id"] == changed.json()["offer_id"]
    assert changed.json()["price_qty"] == 4


@pytest.mark.parametrize(
    "fields",
    [
        {"price_qty": -1},
        {"price_qty": 0},
        {"stock": -1},
        {"per_player_limit": 0},
        {"price_item": "silver"},
        {"starts_at": "2030-01-02T00:00:00Z", "ends_at": "2030-01-01T00:00:00Z"},
        {"starts_at": "2030-01-01T00:00:00"},  # naive: which zone?
        {"title": "nul\u0000"},
    ],
)
def test_bad_offers_are_refused_with_422_and_nothing_written(
    shop: TestClient, admin_headers: dict[str, str], fields: dict[str, Any]
) -> None:
    name = f"bad-{uuid.uuid4().hex[:8]}"
    body = {"name": name, "title": "Bad", "price_item": "diamond", "price_qty": 5, **fields}
    response = shop.post(f"{PREFIX}/offers", json=body, headers=admin_headers)
    assert response.status_code == 422, response.text
    names = {o["name"] for o in shop.get(f"{PREFIX}/offers", params={"limit": 1000}).json()["data"]}
    assert name not in names


def test_a_patch_below_zero_or_across_the_window_is_refused(
    shop: TestClient, admin_headers: dict[str, str]
) -> None:
    created = offer(shop, admin_headers, stock=2, ends_at="2030-01-01T00:00:00Z")
    url = f"{PREFIX}/offers/{created['offer_id']}"
    assert shop.patch(url, json={"stock": -3}, headers=admin_headers).status_code == 422
    assert shop.patch(url, json={"price_qty": -3}, headers=admin_headers).status_code == 422
    # One bound against the stored other.
    late = shop.patch(url, json={"starts_at": "2031-01-01T00:00:00Z"}, headers=admin_headers)
    assert late.status_code == 422, late.text
    assert shop.get(url).json()["stock"] == 2


def test_offer_writes_are_for_admins(
    shop: TestClient, admin_headers: dict[str, str], player_headers: dict[str, str]
) -> None:
    created = offer(shop, admin_headers)
    body = {"name": "mine", "title": "Mine", "price_item": "diamond", "price_qty": 1}
    assert shop.post(f"{PREFIX}/offers", json=body, headers=player_headers).status_code == 403
    url = f"{PREFIX}/offers/{created['offer_id']}"
    assert shop.patch(url, json={"price_qty": 1}, headers=player_headers).status_code == 403
    assert shop.delete(url, headers=player_headers).status_code == 403
    assert shop.get(f"{PREFIX}/admin/redemptions", headers=player_headers).status_code == 403


def test_offer_reads_carry_an_etag_that_follows_the_stock(
    shop: TestClient, admin_headers: dict[str, str], shopper: Callable[[], Shopper]
) -> None:
    created = offer(shop, admin_headers, stock=5)
    url = f"{PREFIX}/offers/{created['offer_id']}"
    for path in (url, f"{PREFIX}/offers"):
        first = shop.get(path)
        etag = first.headers["etag"]
        assert shop.get(path, headers={"If-None-Match": etag}).status_code == 304
    before = shop.get(url).headers["etag"]
    assert shopper().redeem(created["offer_id"]).status_code == 202
    after = shop.get(url, headers={"If-None-Match": before})
    assert after.status_code == 200
    assert after.json()["stock"] == 4


# --- redemptions the catalog refuses ----------------------------------------------------------


def test_a_redemption_needs_an_idempotency_key(
    shop: TestClient, admin_headers: dict[str, str], shopper: Callable[[], Shopper]
) -> None:
    created = offer(shop, admin_headers, stock=1)
    player = shopper()
    url = f"{PREFIX}/offers/{created['offer_id']}/redeem"
    missing = shop.post(url, headers=player.headers)
    assert missing.status_code == 400
    assert "Idempotency-Key" in missing.json()["detail"]
    blank = shop.post(url, headers={**player.headers, "Idempotency-Key": " "})
    assert blank.status_code == 400
    assert stock_of(shop, created["offer_id"]) == 1
    assert shop.post(url, headers={"Idempotency-Key": "k"}).status_code == 401


def test_auth_away_leaves_the_redemption_pending_with_its_stock_reserved(
    shop: TestClient, admin_headers: dict[str, str], shopper: Callable[[], Shopper]
) -> None:
    created = offer(shop, admin_headers, stock=3, title="Golden frame")
    player = shopper()
    response = player.redeem(created["offer_id"], key="same-key")
    assert response.status_code == 202, response.text
    body = response.json()
    assert body["status"] == "pending" and body["code"] is None
    assert body["offer"]["title"] == "Golden frame"
    assert body["price"] == {"item": "diamond", "qty": 5}
    assert stock_of(shop, created["offer_id"]) == 2
    # The same key again: the same redemption, no second unit taken.
    again = player.redeem(created["offer_id"], key="same-key")
    assert again.status_code == 202
    assert again.json()["redemption_id"] == body["redemption_id"]
    assert stock_of(shop, created["offer_id"]) == 2
    assert [r["redemption_id"] for r in player.redemptions()] == [body["redemption_id"]]
    # Another player's list does not show it.
    assert shopper().redemptions() == []
    listed = shop.get(
        f"{PREFIX}/admin/redemptions",
        params={"status": "pending", "user_id": player.user_id},
        headers=admin_headers,
    ).json()
    assert listed["count"] == 1
    # Each request tried the debit once more, as a retry by the player should.
    assert listed["data"][0]["attempts"] == 2 and listed["data"][0]["last_error"]


def test_the_same_key_for_another_offer_is_a_422(
    shop: TestClient, admin_headers: dict[str, str], shopper: Callable[[], Shopper]
) -> None:
    first, second = offer(shop, admin_headers, stock=2), offer(shop, admin_headers, stock=2)
    player = shopper()
    assert player.redeem(first["offer_id"], key="k1").status_code == 202
    reused = player.redeem(second["offer_id"], key="k1")
    assert reused.status_code == 422, reused.text
    assert stock_of(shop, second["offer_id"]) == 2
    # Keys are per player: another player's "k1" is theirs.
    assert shopper().redeem(second["offer_id"], key="k1").status_code == 202


def test_out_of_stock_is_a_409_and_takes_nothing(
    shop: TestClient, admin_headers: dict[str, str], shopper: Callable[[], Shopper]
) -> None:
    created = offer(shop, admin_headers, stock=1)
    assert shopper().redeem(created["offer_id"]).status_code == 202
    late = shopper()
    refused = late.redeem(created["offer_id"])
    assert refused.status_code == 409
    assert refused.json()["detail"] == "out of stock"
    assert stock_of(shop, created["offer_id"]) == 0
    assert late.redemptions() == []


def test_over_the_per_player_limit_is_a_409(
    shop: TestClient, admin_headers: dict[str, str], shopper: Callable[[], Shopper]
) -> None:
    created = offer(shop, admin_headers, stock=10, per_player_limit=2)
    player = shopper()
    assert player.redeem(created["offer_id"]).status_code == 202
    assert player.redeem(created["offer_id"]).status_code == 202
    third = player.redeem(created["offer_id"])
    assert third.status_code == 409
    assert third.json()["detail"] == "limit reached"
    assert stock_of(shop, created["offer_id"]) == 8
    # The limit is per player.
    assert shopper().redeem(created["offer_id"]).status_code == 202


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"is_active": False}, "offer is not active"),
        ({"starts_at": "2999-01-01T00:00:00Z"}, "offer has not started yet"),
        ({"ends_at": "2000-01-01T00:00:00Z"}, "offer has ended"),
    ],
)
def test_a_closed_offer_is_a_409_with_the_reason(
    shop: TestClient,
    admin_headers: dict[str, str],
    shopper: Callable[[], Shopper],
    fields: dict[str, Any],
    reason: str,
) -> None:
    created = offer(shop, admin_headers, stock=1, **fields)
    refused = shopper().redeem(created["offer_id"])
    assert refused.status_code == 409
    assert refused.json()["detail"] == reason
    assert stock_of(shop, created["offer_id"]) == 1


def test_an_unknown_offer_is_a_404(shop: TestClient, shopper: Callable[[], Shopper]) -> None:
    assert shopper().redeem(str(uuid.uuid4())).status_code == 404


def test_deleting_an_offer_with_pending_redemptions_is_a_409(
    shop: TestClient, admin_headers: dict[str, str], shopper: Callable[[], Shopper]
) -> None:
    created = offer(shop, admin_headers, stock=2)
    assert shopper().redeem(created["offer_id"]).status_code == 202
    url = f"{PREFIX}/offers/{created['offer_id']}"
    refused = shop.delete(url, headers=admin_headers)
    assert refused.status_code == 409
    assert "pending" in refused.json()["detail"]
    assert shop.get(url).status_code == 200


def test_parallel_redemptions_never_take_more_than_the_stock(
    shop: TestClient,
    admin_headers: dict[str, str],
    shopper: Callable[[], Shopper],
    catalog_db_url: str,
) -> None:
    """Guarantee 13's stock half (the debits are counted end to end): 60 players at once on a
    stock of 10 → exactly 10 reserved, 50 told "out of stock"."""
    created = offer(shop, admin_headers, stock=10)
    players = [shopper() for _ in range(60)]
    with ThreadPoolExecutor(max_workers=20) as pool:
        answers = list(pool.map(lambda p: p.redeem(created["offer_id"]).status_code, players))
    assert sorted(answers) == [202] * 10 + [409] * 50
    assert stock_of(shop, created["offer_id"]) == 0
    held = scalar(
        catalog_db_url,
        "SELECT count(*) FROM redemption WHERE offer_id = :offer_id",
        offer_id=created["offer_id"],
    )
    assert held == 10


def test_the_same_key_retried_in_parallel_makes_one_redemption(
    shop: TestClient,
    admin_headers: dict[str, str],
    shopper: Callable[[], Shopper],
    catalog_db_url: str,
) -> None:
    created = offer(shop, admin_headers, stock=5)
    player = shopper()
    with ThreadPoolExecutor(max_workers=20) as pool:
        answers = list(pool.map(lambda _: player.redeem(created["offer_id"], key="k"), range(20)))
    assert {a.status_code for a in answers} == {202}
    assert len({a.json()["redemption_id"] for a in answers}) == 1
    assert stock_of(shop, created["offer_id"]) == 4
    rows = scalar(
        catalog_db_url,
        "SELECT count(*) FROM redemption WHERE user_id = :user_id",
        user_id=player.user_id,
    )
    assert rows == 1


def test_the_database_refuses_a_negative_stock(
    shop: TestClient, admin_headers: dict[str, str], catalog_db_url: str
) -> None:
    """The last line of defence under the locked decrement: a stock below zero cannot be
    stored whatever code writes it."""
    from sqlalchemy import create_engine
    from sqlalchemy.exc import IntegrityError

    created = offer(shop, admin_headers, stock=0)
    engine = create_engine(catalog_db_url)
    try:
        with pytest.raises(IntegrityError), engine.begin() as conn:
            conn.execute(
                text("UPDATE offer SET stock = stock - 1 WHERE offer_id = :id"),
                {"id": created["offer_id"]},
            )
    finally:
        engine.dispose()
