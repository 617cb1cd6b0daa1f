"""The shop in the web UI (headless Chromium through the gateway, real stack): price, stock left
and "you have 7 💎", Redeem behind a confirmation, disabled with the reason when it cannot be
bought, a double click that makes one redemption, and the code under "My rewards".
Screenshots at 375 px and 1280 px go to tests/e2e/artifacts/."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
from browser_helpers import assert_accessible, field, new_context, screenshot, sign_in, toast
from playwright.sync_api import Browser, Locator, Page, expect


def put_offer(stack: Any, admin: dict[str, str], **fields: Any) -> dict[str, Any]:
    name = f"offer-{uuid.uuid4().hex[:8]}"
    response = httpx.put(
        f"{stack.gateway_url}/api/catalog/offers/by-name/{name}",
        json={"price_item": "diamond", **fields},
        headers=admin,
        timeout=10,
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


def offer_card(page: Page, title: str) -> Locator:
    return page.get_by_role("article", name=title)


def test_the_shop_sells_once_per_purchase_and_shows_why_not(browser: Browser, stack: Any) -> None:
    admin = stack.admin_headers()
    frame = put_offer(
        stack,
        admin,
        title=f"Golden frame {uuid.uuid4().hex[:4]}",
        description="A golden frame around your name on the leaderboard.",
        price_qty=5,
        stock=3,
    )
    mount = put_offer(stack, admin, title=f"Dragon mount {uuid.uuid4().hex[:4]}", price_qty=50)
    gone = put_offer(
        stack, admin, title=f"Founder badge {uuid.uuid4().hex[:4]}", price_qty=1, stock=0
    )
    player = stack.new_player()
    adjusted = httpx.post(
        f"{stack.gateway_url}/api/auth/admin/users/{player.user_id}/adjustments",
        json={"item": "diamond", "qty": 7, "reason": "welcome gift"},
        headers=admin,
        timeout=10,
    )
    assert adjusted.status_code == 201, adjusted.text

    context = new_context(browser, stack)
    page = context.new_page()
    sign_in(page, player.user_name, player.password)
    page.get_by_role("link", name="Shop").first.click()
    expect(page.get_by_role("heading", name="Shop", level=1)).to_be_visible()

    card = offer_card(page, frame["title"])
    expect(card.get_by_test_id("offer-stock")).to_have_text("3 left")
    expect(card.get_by_test_id("offer-balance")).to_have_text("(you have 7 💎)")
    expect(card.get_by_role("button", name="Redeem")).to_be_enabled()
    too_dear = offer_card(page, mount["title"])
    expect(too_dear.get_by_role("button", name="Redeem")).to_be_disabled()
    expect(too_dear.get_by_test_id("offer-reason")).to_have_text("You need 43 💎 more")
    sold_out = offer_card(page, gone["title"])
    expect(sold_out.get_by_role("button", name="Redeem")).to_be_disabled()
    expect(sold_out.get_by_test_id("offer-reason")).to_have_text("Sold out")
    assert_accessible(page, "shop")
    screenshot(page, "shop-1280")

    # Cancelling the confirmation buys nothing.
    card.get_by_role("button", name="Redeem").click()
    dialog = page.get_by_role("dialog", name="Redeem")
    expect(dialog).to_contain_text(f"Spend 5 💎 on “{frame['title']}”?")
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_have_count(0)

    # A double click on the confirmation makes one redemption.
    card.get_by_role("button", name="Redeem").click()
    page.get_by_role("dialog", name="Redeem").get_by_role("button", name="Redeem").dblclick()
    expect(toast(page, "your code:")).to_be_visible()
    expect(card.get_by_test_id("offer-stock")).to_have_text("2 left")
    expect(card.get_by_test_id("offer-balance")).to_have_text("(you have 2 💎)")
    expect(card.get_by_test_id("offer-reason")).to_have_text("You need 3 💎 more")
    mine = httpx.get(
        f"{stack.gateway_url}/api/catalog/me/redemptions", headers=player.headers, timeout=10
    ).json()
    assert mine["count"] == 1
    code = mine["data"][0]["code"]
    assert player.diamonds() == 2
    assert player.ledger()[0]["reason"] == f"Shop: {frame['title']}"

    page.set_viewport_size({"width": 375, "height": 812})
    card.scroll_into_view_if_needed()
    screenshot(page, "shop-375", full_page=False)

    page.goto("/rewards")
    expect(page.get_by_role("heading", name="My rewards")).to_be_visible()
    expect(page.get_by_test_id("redemption-code")).to_have_text(code)
    expect(page.get_by_role("button", name=f"Copy code {code}")).to_be_visible()
    screenshot(page, "my-rewards-375")
    page.set_viewport_size({"width": 1280, "height": 900})
    assert_accessible(page, "my rewards")
    screenshot(page, "my-rewards-1280")
    context.close()


def test_an_admin_sees_offers_and_redemptions(browser: Browser, stack: Any) -> None:
    admin = stack.admin_headers()
    offer = put_offer(
        stack, admin, title=f"Silver frame {uuid.uuid4().hex[:4]}", price_qty=2, stock=9
    )
    context = new_context(browser, stack)
    page = context.new_page()
    sign_in(page, stack.admin_user_name, stack.admin_password)
    page.goto("/admin/offers")
    expect(page.get_by_role("heading", name="Offers", level=1)).to_be_visible()
    expect(page.get_by_text(offer["title"])).to_be_visible()
    expect(page.get_by_text("9 left").first).to_be_visible()
    screenshot(page, "admin-offers-1280")
    page.get_by_role("button", name="New offer").click()
    form = page.get_by_role("form", name="New offer")
    title = f"Bronze frame {uuid.uuid4().hex[:4]}"
    field(form, "Name").fill(f"bronze-{uuid.uuid4().hex[:6]}")
    field(form, "Title").fill(title)
    field(form, "Price").fill("4")
    field(form, "Stock").fill("2")
    form.get_by_role("button", name="Create offer").click()
    expect(form).to_have_count(0)
    row = page.get_by_role("row").filter(has_text=title)
    expect(row).to_contain_text("2 left")
    listed = httpx.get(
        f"{stack.gateway_url}/api/catalog/offers", params={"limit": 1000}, timeout=10
    )
    created = [o for o in listed.json()["data"] if o["title"] == title]
    assert [(o["price_qty"], o["stock"], o["per_player_limit"]) for o in created] == [(4, 2, None)]
    context.close()
