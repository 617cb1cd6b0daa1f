"""What a player hits in the browser beyond the happy path: a double-clicked Claim, a frozen
service, a lagging worker, several tabs, toasts on a phone, "Why?" and the profile's account
controls. Real stack through the gateway, Debian's Chromium; screenshots at 375 and 1280 px.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from browser_helpers import (
    EVENT_TIMEOUT_MS,
    assert_accessible,
    field,
    new_context,
    new_page,
    quest_card,
    screenshot,
    screenshot_wide_then_phone,
    sign_in,
    sign_out,
    toast,
    toasts,
)
from playwright.sync_api import Browser, Locator, Page, expect

from quest_devtools.testing.players import REFERENCE_QUEST

UUID_RE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


@contextmanager
def paused(stack: Any, component: str) -> Iterator[None]:
    """The component frozen (SIGSTOP) for the block: connections open, no answers."""
    stack.stack.pause_component(component)
    try:
        yield
    finally:
        stack.stack.resume_component(component)


def box_of(locator: Locator) -> dict[str, float]:
    box = locator.bounding_box()
    assert box is not None, locator
    return box


def overlaps(a: dict[str, float], b: dict[str, float]) -> bool:
    return (
        a["x"] < b["x"] + b["width"]
        and b["x"] < a["x"] + a["width"]
        and a["y"] < b["y"] + b["height"]
        and b["y"] < a["y"] + a["height"]
    )


def ready_to_claim(stack: Any, browser: Browser, *, width: int) -> tuple[Any, Page]:
    """A player two API sign-ins in, whose third (in the browser) earns the reference reward."""
    player = stack.sign_up()
    player.login()
    player.login()
    page = new_page(browser, stack, width=width, height=812 if width < 600 else 900)
    sign_in(page, player.user_name, player.password)
    card = quest_card(page, REFERENCE_QUEST)
    expect(card).to_have_attribute("data-status", "claimable", timeout=EVENT_TIMEOUT_MS)
    return player, page


def test_double_clicked_claim_credits_once_and_shows_no_error(browser: Browser, stack: Any) -> None:
    player, page = ready_to_claim(stack, browser, width=1280)
    card = quest_card(page, REFERENCE_QUEST)
    # The check-in toasts go first: at most three show at once, and a refusal must find room.
    expect(toast(page, "Quest complete")).to_be_visible(timeout=EVENT_TIMEOUT_MS)
    while toasts(page).count():
        toasts(page).first.get_by_role("button", name="Dismiss notification").click()
        page.wait_for_timeout(300)
    # Two presses before the page can re-render (a fast double tap): one claim goes out.
    card.get_by_role("button", name="Claim 10 💎").evaluate(
        "(button) => { button.click(); button.click(); }"
    )
    expect(toast(page, "+10 💎 credited")).to_be_visible(timeout=EVENT_TIMEOUT_MS)
    expect(page.get_by_test_id("balance-diamond")).to_have_text("10", timeout=EVENT_TIMEOUT_MS)
    # A second claim answered 409 after the first one succeeded is not an error to show.
    page.wait_for_timeout(1_500)
    expect(toasts(page).and_(page.locator('[role="alert"]'))).to_have_count(0)
    expect(page.get_by_text("Nothing to claim")).to_have_count(0)
    screenshot(page, "double_click_claim_1280", full_page=False)
    assert len(player.ledger()) == 1

    # "Why?" in a player's words: which sign-in it was, what it earned; no internal ids.
    card.get_by_role("button", name=re.compile("^Why\\?")).click()
    why = page.get_by_role("dialog", name=re.compile("^Why\\?"))
    expect(why.get_by_test_id("trace-event")).to_have_count(3)
    expect(why).to_contain_text("1st sign-in — counted: 1 of 3")
    expect(why).to_contain_text("3rd sign-in — quest complete, 10 diamonds claimable")
    expect(why.get_by_test_id("trace-grants")).to_contain_text("10 diamonds")
    text = why.inner_text()
    assert not UUID_RE.search(text), text
    assert "streak 0" not in text and "completed 1" not in text, text
    # One date format across the app: the trace's times read like the history's.
    expect(why.get_by_test_id("trace-event").first).to_contain_text(
        re.compile(r"\d{1,2} [A-Z][a-z]{2} \d{4}, \d{2}:\d{2}")
    )
    assert_accessible(page, "why dialog")
    screenshot_wide_then_phone(page, "why_player_words")
    page.context.close()


def test_a_frozen_service_keeps_the_cards_and_says_it_is_retrying(
    browser: Browser, stack: Any
) -> None:
    player = stack.sign_up()
    pages = [new_page(browser, stack, width=375, height=812), new_page(browser, stack)]
    for page in pages:
        sign_in(page, player.user_name, player.password)
        expect(quest_card(page, REFERENCE_QUEST)).to_be_visible()
    with paused(stack, "processing"):
        for page in pages:
            width = page.viewport_size["width"] if page.viewport_size else 0
            # The history asks processing, which never answers; back on the quest log its
            # cards come from what the page knew last.
            if width < 600:
                page.get_by_role("button", name="Toggle navigation").click()
            page.get_by_role("navigation", name="Main").get_by_role("link", name="History").click()
            expect(page.get_by_role("heading", name="History")).to_be_visible()
            banner = page.get_by_test_id("outage-banner")
            expect(banner).to_contain_text("slow", timeout=EVENT_TIMEOUT_MS)
            expect(banner.get_by_role("button", name="Retry")).to_be_visible()
            page.get_by_role("link", name=re.compile("Quest Log")).first.click()
            # The last known cards stay, no endless spinner.
            expect(quest_card(page, REFERENCE_QUEST)).to_be_visible()
            expect(page.get_by_label("Loading quests")).to_have_count(0)
            screenshot(page, f"processing_frozen_{width}", full_page=False)
    for page in pages:
        expect(page.get_by_test_id("outage-banner")).to_have_count(0, timeout=EVENT_TIMEOUT_MS)
        expect(quest_card(page, REFERENCE_QUEST)).to_be_visible()
        page.context.close()


def test_a_lagging_worker_shows_counting_your_sign_in(browser: Browser, stack: Any) -> None:
    player = stack.sign_up()
    page = new_page(browser, stack, width=375, height=812)
    with paused(stack, "worker"):
        sign_in(page, player.user_name, player.password)
        card = quest_card(page, REFERENCE_QUEST)
        expect(card.get_by_test_id("quest-counting")).to_have_text(
            "Counting your sign-in…", timeout=EVENT_TIMEOUT_MS
        )
        screenshot(page, "worker_lag_counting_375", full_page=False)
        assert_accessible(page, "counting your sign-in")
    expect(card.get_by_test_id("quest-counting")).to_have_count(0, timeout=EVENT_TIMEOUT_MS)
    expect(card.get_by_test_id("quest-streak")).to_have_text("1 / 3", timeout=EVENT_TIMEOUT_MS)
    page.context.close()


def test_sign_out_and_sign_in_follow_across_tabs(browser: Browser, stack: Any) -> None:
    player = stack.sign_up()
    context = new_context(browser, stack)
    first, second = context.new_page(), context.new_page()
    sign_in(first, player.user_name, player.password)
    second.goto("/")
    expect(second.get_by_role("heading", name="Quest log")).to_be_visible()

    sign_out(first)
    # The other tab follows without a reload.
    expect(second.get_by_role("heading", name="Sign in")).to_be_visible(timeout=10_000)
    expect(second.get_by_test_id("signed-in-as")).to_have_count(0)
    screenshot(second, "other_tab_signed_out_1280", full_page=False)

    sign_in(first, player.user_name, player.password)
    expect(second.get_by_role("heading", name="Quest log")).to_be_visible(timeout=10_000)
    expect(second.get_by_test_id("signed-in-as")).to_contain_text(player.user_name)
    screenshot(second, "other_tab_signed_in_1280", full_page=False)
    context.close()


def test_phone_toasts_sit_at_the_bottom_clear_of_what_matters(browser: Browser, stack: Any) -> None:
    player = stack.sign_up()
    page = new_page(browser, stack, width=375, height=812)
    sign_in(page, player.user_name, player.password)
    first = toast(page, "Check-in:")
    expect(first).to_be_visible(timeout=EVENT_TIMEOUT_MS)
    page.wait_for_timeout(400)  # the toast's slide-in
    box = box_of(first)
    # At the bottom, one compact line.
    assert box["y"] > 812 / 2 and box["y"] + box["height"] <= 812, box
    assert box["height"] <= 60, box
    for name, locator in (
        ("header", page.locator("header")),
        ("balances", page.get_by_test_id("balance-diamond")),
        ("card badge", quest_card(page, REFERENCE_QUEST).get_by_test_id("quest-status")),
    ):
        assert not overlaps(box, box_of(locator)), (name, box)
    screenshot(page, "toast_bottom_375", full_page=False)

    # The open menu is never covered, and it says who is signed in.
    page.get_by_role("button", name="Toggle navigation").click()
    navigation = page.get_by_role("navigation", name="Main")
    expect(navigation.get_by_test_id("drawer-signed-in-as")).to_contain_text(player.user_name)
    if toasts(page).count():
        for index in range(toasts(page).count()):
            one = toasts(page).nth(index)
            if one.is_visible():
                assert not overlaps(box_of(one), box_of(navigation)), "toast over the menu"
    screenshot(page, "menu_open_375", full_page=False)
    assert_accessible(page, "menu open 375")
    page.context.close()


def test_profile_changes_the_password_and_signs_out_everywhere(
    browser: Browser, stack: Any
) -> None:
    player = stack.sign_up()
    phone = new_page(browser, stack, width=375, height=812)
    desk = new_page(browser, stack)
    for page in (phone, desk):
        sign_in(page, player.user_name, player.password)

    phone.goto("/profile")
    section = phone.get_by_role("region", name="Password")
    field(section, "Current password").fill("not-my-password")
    field(section, "New password").fill("brand-new-secret-1")
    field(section, "Repeat new password").fill("brand-new-secret-1")
    section.get_by_role("button", name="Change password").click()
    expect(section.get_by_role("alert")).to_contain_text("current password is wrong")
    field(section, "Current password").fill(player.password)
    screenshot(phone, "profile_password_375")
    assert_accessible(phone, "profile 375")
    section.get_by_role("button", name="Change password").click()
    # Every session ends with a password change, this one too: sign in with the new one.
    expect(phone.get_by_role("heading", name="Sign in")).to_be_visible()
    expect(phone.get_by_text("Password changed")).to_be_visible()
    sign_in(phone, player.user_name, "brand-new-secret-1")

    desk.reload()
    expect(desk.get_by_role("heading", name="Sign in")).to_be_visible(timeout=EVENT_TIMEOUT_MS)
    sign_in(desk, player.user_name, "brand-new-secret-1")

    desk.goto("/profile")
    screenshot(desk, "profile_1280")
    desk.get_by_role("button", name="Sign out everywhere").click()
    desk.get_by_role("dialog", name="Sign out everywhere").get_by_role(
        "button", name="Sign out everywhere"
    ).click()
    expect(desk.get_by_role("heading", name="Sign in")).to_be_visible()
    # The phone's session is over too: its next request is refused and its refresh token spent.
    phone.reload()
    expect(phone.get_by_role("heading", name="Sign in")).to_be_visible(timeout=EVENT_TIMEOUT_MS)
    phone.context.close()
    desk.context.close()
