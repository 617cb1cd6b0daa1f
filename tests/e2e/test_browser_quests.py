"""The web UI in headless Chromium, through the gateway, against the real running stack.

Each test saves screenshots under tests/e2e/artifacts/ (at 375 px and 1280 px) so a person can
look at what the player saw, and runs axe-core on every page it visits.
"""

from __future__ import annotations

import contextlib
import re
import uuid
from typing import Any

from browser_helpers import (
    EVENT_TIMEOUT_MS,
    assert_accessible,
    field,
    in_viewport,
    live,
    new_context,
    new_page,
    quest_card,
    screenshot,
    sign_in,
    sign_out,
    toast,
    toasts,
)
from playwright.sync_api import Browser, Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from quest_devtools.testing.players import REFERENCE_QUEST

REFERENCE_TITLE = "Sign in three times"


def test_three_sign_ins_then_claim_credits_ten_diamonds(browser: Browser, stack: Any) -> None:
    context = new_context(browser, stack)
    page = context.new_page()
    user_name = f"hero_{uuid.uuid4().hex[:10]}"
    password = "correct-horse-battery"

    # Sign-up signs the new player straight in: that is sign-in number one.
    page.goto("/signup")
    assert_accessible(page, "sign-up")
    field(page, "User name").fill(user_name)
    field(page, "Password").fill(password)
    field(page, "Repeat password").fill(password)
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", name="Quest log")).to_be_visible()
    expect(page.get_by_test_id("signed-in-as")).to_contain_text(user_name)
    first = toast(page, f"Check-in: {REFERENCE_TITLE} 1/3")
    expect(first).to_be_visible(timeout=EVENT_TIMEOUT_MS)
    # Information is announced politely; every toast can be closed by a labelled button.
    expect(first).to_have_attribute("role", "status")
    expect(first.get_by_role("button", name="Dismiss notification")).to_be_visible()
    # One toast for the sign-in, not one per quest.
    expect(toasts(page).filter(has_text="Check-in")).to_have_count(1)
    expect(page.get_by_test_id("balance-diamond")).to_have_text("0")
    assert_accessible(page, "quest log")

    sign_out(page)
    assert_accessible(page, "sign-in")
    sign_in(page, user_name, password)
    expect(toast(page, f"Check-in: {REFERENCE_TITLE} 2/3")).to_be_visible(timeout=EVENT_TIMEOUT_MS)

    sign_out(page)
    sign_in(page, user_name, password)
    expect(toast(page, f"Check-in: {REFERENCE_TITLE} 3/3")).to_be_visible(timeout=EVENT_TIMEOUT_MS)
    expect(toast(page, "Quest complete — claim 10 💎")).to_be_visible(timeout=EVENT_TIMEOUT_MS)

    card = quest_card(page, REFERENCE_QUEST)
    expect(card).to_have_attribute("data-status", "claimable", timeout=EVENT_TIMEOUT_MS)
    expect(card.get_by_test_id("quest-status")).to_have_text("Ready to claim")
    # The streak that earned the reward stays full until it is claimed.
    expect(card.get_by_test_id("quest-streak")).to_have_text("3 / 3")
    expect(card.get_by_role("progressbar")).to_have_attribute("aria-valuenow", "100")
    expect(card.get_by_test_id("quest-completions")).to_have_text("1 / 2 completed")
    expect(card).to_contain_text("diamonds")
    # Ready-to-claim quests come first.
    expect(page.get_by_test_id("quest-card").first).to_have_attribute("data-status", "claimable")
    screenshot(page, "quest_ready_to_claim_1280")

    claim = card.get_by_role("button", name="Claim 10 💎")
    expect(claim).to_be_enabled()
    claim.click()
    expect(page.get_by_test_id("balance-diamond")).to_have_text("10", timeout=EVENT_TIMEOUT_MS)
    expect(toast(page, "+10 💎 credited")).to_be_visible(timeout=EVENT_TIMEOUT_MS)
    expect(card).to_have_attribute("data-status", "in_progress")
    expect(card.get_by_test_id("claim-button")).to_be_disabled()
    screenshot(page, "quest_claimed_1280")

    # A new tab of the same browser replays the last minute: nothing it already showed comes back.
    second = context.new_page()
    second.goto("/")
    expect(second.get_by_role("heading", name="Quest log")).to_be_visible()
    expect(live(second)).to_be_visible(timeout=EVENT_TIMEOUT_MS)
    second.wait_for_timeout(2_500)
    expect(toasts(second)).to_have_count(0)
    screenshot(second, "new_tab_no_replayed_toasts_1280")
    second.close()

    # The wallet ledger says why, in words, and counts in the singular.
    page.get_by_role("link", name="History").click()
    page.get_by_role("tab", name="Wallet").click()
    ledger = page.get_by_role("table", name="My wallet ledger")
    expect(ledger).to_contain_text("Quest: Sign in three times")
    expect(ledger.get_by_role("img", name="+10 diamonds")).to_be_visible()
    expect(page.get_by_text("1 entry", exact=True)).to_be_visible()
    assert_accessible(page, "wallet")
    page.get_by_role("tab", name="My events").click()
    expect(page.get_by_role("table", name="My events")).to_contain_text("Signed in")
    assert_accessible(page, "events")

    page.get_by_role("link", name="Leaderboard").click()
    page.locator("label", has_text="Diamonds").click()
    board = page.get_by_role("table", name="Top players by Diamonds, this week")
    expect(board.locator("tbody tr").first).to_contain_text(re.compile(r"\d"))
    if board.get_by_text(user_name).count():
        expect(board).to_contain_text(f"{user_name} (you)")
    assert_accessible(page, "leaderboard")
    context.close()


def test_a_player_on_a_phone(browser: Browser, stack: Any) -> None:
    player = stack.sign_up()
    page = new_page(browser, stack, width=375, height=812)
    sign_in(page, player.user_name, player.password)
    expect(quest_card(page, REFERENCE_QUEST)).to_be_visible()
    # On a phone the toast sits at the bottom, clear of the header, the balances and the badges.
    first = toast(page, "Check-in:")
    expect(first).to_be_visible(timeout=EVENT_TIMEOUT_MS)
    box = first.bounding_box()
    assert box is not None and box["y"] > 812 / 2, box
    screenshot(page, "player_quest_log_375", full_page=False)
    assert_accessible(page, "quest log 375")

    page.get_by_role("button", name="Toggle navigation").click()
    navigation = page.get_by_role("navigation", name="Main")
    expect(navigation.get_by_role("link", name="Leaderboard")).to_be_visible()
    expect(navigation.get_by_role("link", name="Quests")).to_have_count(0)
    expect(navigation.get_by_role("link", name="Players")).to_have_count(0)
    page.get_by_role("button", name="Toggle navigation").click()

    for path in ("/admin/quests", "/admin/rewards", "/admin/users"):
        page.goto(path)
        expect(page.get_by_role("heading", name="Admins only")).to_be_visible()
        expect(page.get_by_role("button", name=re.compile("New quest|New reward"))).to_have_count(0)
        expect(page.get_by_role("table")).to_have_count(0)
    screenshot(page, "player_refused_admin_375")
    assert_accessible(page, "admins only")

    # The page is only the polite half: the catalog refuses the player's token itself.
    token = stack.log_in(player.user_name, player.password)["access_token"]
    with stack.client() as client:
        response = client.post(
            "/api/catalog/quests",
            json={"name": "sneaky", "title": "x", "streak": 1, "reward_id": str(uuid.uuid4())},
            headers={"Authorization": f"Bearer {token}"},
        )
    assert response.status_code == 403, response.text
    page.context.close()


def open_new_quest(admin: Page) -> Any:
    admin.get_by_role("button", name="New quest").click()
    return admin.get_by_role("dialog", name="New quest")


def player_sees_quest(browser: Browser, stack: Any, name: str, title: str) -> None:
    """Processing refreshes its copy of the quests on QuestChanged, or at its next revalidation."""
    player = stack.sign_up()
    page = new_page(browser, stack)
    sign_in(page, player.user_name, player.password)
    new_card = quest_card(page, name)
    for _ in range(40):
        expect(quest_card(page, REFERENCE_QUEST)).to_be_visible()
        if new_card.count():
            break
        page.wait_for_timeout(3_000)
        page.reload()
    if not new_card.count():
        token = stack.log_in(player.user_name, player.password)["access_token"]
        with stack.client() as client:
            catalog = client.get("/api/catalog/quests", params={"active": "true"}).json()
            mine = client.get(
                "/api/processing/me/quests", headers={"Authorization": f"Bearer {token}"}
            ).json()
        raise AssertionError(f"catalog: {catalog}\nprocessing: {mine}")
    expect(new_card.get_by_role("heading", name=title)).to_be_visible()
    expect(new_card.get_by_test_id("quest-streak")).to_have_text(re.compile(r"^[012] / 2$"))
    screenshot(page, "player_sees_new_quest_1280")
    page.context.close()


def test_admin_manages_quests_and_players(browser: Browser, stack: Any) -> None:
    suffix = uuid.uuid4().hex[:8]
    name = f"dragon-hunt-{suffix}"
    title = f"Hunt the dragon {suffix}"

    # 800 px tall: the New-quest dialog with an error banner keeps its buttons in view.
    admin = new_page(browser, stack, width=1280, height=800)
    sign_in(admin, stack.admin_user_name, stack.admin_password)
    admin.get_by_role("link", name="Quests").click()
    expect(admin.get_by_role("heading", name="Quests")).to_be_visible()
    assert_accessible(admin, "admin quests")

    dialog = open_new_quest(admin)
    expect(field(dialog, "Starts at")).to_be_visible()
    expect(field(dialog, "Ends at")).to_be_visible()
    field(dialog, "Name").fill("Not A Slug!")
    field(dialog, "Title").fill(title)
    field(dialog, "Description").fill("Sign in twice to drive the dragon away.")
    field(dialog, "Target").fill("0")
    field(dialog, "Duplication").fill("-5")
    dialog.get_by_role("button", name="Create quest").click()
    # Words, on the right fields, and no silent clamping to 1.
    expect(field(dialog, "Name")).to_have_attribute("aria-invalid", "true")
    expect(dialog).to_contain_text("Use lowercase letters, digits and dashes, e.g. daily-visitor")
    expect(dialog).to_contain_text("Target must be at least 1")
    expect(dialog).to_contain_text("Duplication must be at least 1")
    expect(field(dialog, "Target")).to_have_value("0")
    expect(field(dialog, "Duplication")).to_have_value("-5")
    assert_accessible(admin, "new quest dialog with errors")

    # A name that exists already: the catalog's 409 lands on the Name field.
    field(dialog, "Name").fill(REFERENCE_QUEST)
    field(dialog, "Target").fill("2")
    field(dialog, "Duplication").fill("1")
    dialog.get_by_role("button", name="Create quest").click()
    expect(dialog).to_contain_text("A quest with this name exists already")
    expect(field(dialog, "Name")).to_have_attribute("aria-invalid", "true")
    assert in_viewport(admin, dialog.get_by_role("button", name="Create quest"))
    screenshot(admin, "admin_new_quest_errors_1280x800", full_page=False)

    field(dialog, "Name").fill(name)
    dialog.get_by_role("button", name="Create quest").click()
    expect(dialog).to_be_hidden()
    row = admin.locator(f'[data-quest-name="{name}"]')
    expect(row).to_contain_text(title)
    expect(row).to_contain_text("Active")
    player_sees_quest(browser, stack, name, title)

    # The slug is fixed once created.
    row.get_by_role("button", name=f"Edit {title}").click()
    edit = admin.get_by_role("dialog", name="Edit quest")
    expect(field(edit, "Name")).to_have_attribute("readonly", "")
    edit.get_by_role("button", name="Cancel").click()

    # Deactivate asks in the app's own dialog; an inactive quest can be activated again.
    row.get_by_role("button", name=f"Deactivate {title}").click()
    confirm = admin.get_by_role("dialog", name="Deactivate quest")
    expect(confirm).to_be_visible()
    confirm.get_by_role("button", name="Deactivate").click()
    expect(row).to_contain_text("Inactive")
    row.get_by_role("button", name=f"Activate {title}").click()
    expect(row).to_contain_text("Active")
    expect(row).not_to_contain_text("Inactive")
    screenshot(admin, "admin_quests_1280")

    # Players: search, promote and demote, ban behind a confirmation.
    other = stack.sign_up()
    admin.get_by_role("link", name="Players").click()
    expect(admin.get_by_role("table", name="Players")).to_contain_text(stack.admin_user_name)
    field(admin, "Search players").fill("nobody-by-this-name")
    expect(admin.get_by_role("status").filter(has_text="No player's name contains")).to_be_visible()
    field(admin, "Search players").fill(other.user_name)
    players = admin.get_by_role("table", name="Players")
    expect(players.locator("tbody tr")).to_have_count(1)
    expect(players).to_contain_text(other.user_name)
    admin.get_by_role("button", name=f"Make admin {other.user_name}").click()
    admin.get_by_role("dialog", name="Make admin").get_by_role("button", name="Make admin").click()
    expect(players).to_contain_text("admin")
    admin.get_by_role("button", name=f"Remove admin {other.user_name}").click()
    admin.get_by_role("dialog", name="Remove admin").get_by_role(
        "button", name="Remove admin"
    ).click()
    expect(admin.get_by_role("button", name=f"Make admin {other.user_name}")).to_be_visible()
    admin.get_by_role("button", name=f"Ban {other.user_name}").click()
    ban = admin.get_by_role("dialog", name="Ban player")
    expect(ban).to_contain_text("signed out")
    assert_accessible(admin, "ban dialog")
    ban.get_by_role("button", name="Cancel").click()
    expect(admin.get_by_role("button", name=f"Ban {other.user_name}")).to_be_visible()
    screenshot(admin, "admin_players_1280")
    assert_accessible(admin, "admin players")
    admin.context.close()

    # On a phone the lists become cards: badges whole, actions on screen.
    phone = new_page(browser, stack, width=375, height=812)
    sign_in(phone, stack.admin_user_name, stack.admin_password)
    phone.goto("/admin/quests")
    card = phone.locator(f'[data-quest-name="{name}"]')
    expect(card).to_be_visible()
    action = card.get_by_role("button", name=f"Deactivate {title}")
    expect(action).to_be_visible()
    box = action.bounding_box()
    assert box is not None and box["x"] + box["width"] <= 375, box
    expect(phone.get_by_role("table")).to_have_count(0)
    screenshot(phone, "admin_quests_375")
    assert_accessible(phone, "admin quests 375")
    phone.goto("/admin/users")
    expect(phone.get_by_role("list", name="Players")).to_be_visible()
    screenshot(phone, "admin_players_375")
    dialog = open_new_quest_from(phone)
    expect(dialog.get_by_role("button", name="Create quest")).to_be_visible()
    phone.wait_for_timeout(500)  # the dialog's fade-in
    screenshot(phone, "admin_new_quest_375", full_page=False)
    assert in_viewport(phone, dialog.get_by_role("button", name="Create quest"))
    phone.context.close()


def open_new_quest_from(page: Page) -> Any:
    page.goto("/admin/quests")
    return open_new_quest(page)


def test_light_theme_from_the_system_and_a_remembered_toggle(browser: Browser, stack: Any) -> None:
    # Before any CSS or script arrives, the HTML paints the theme's background (no white flash).
    for scheme, colour in (("dark", "rgb(36, 36, 36)"), ("light", "rgb(255, 255, 255)")):
        bare = new_page(browser, stack, width=375, height=812, color_scheme=scheme)
        bare.route(re.compile(r".*\.(css|js)(\?.*)?$"), lambda route: route.abort())
        bare.goto("/login")
        assert bare.evaluate("getComputedStyle(document.documentElement).backgroundColor") == colour
        bare.context.close()

    player = stack.sign_up()
    for width, height in ((375, 812), (1280, 900)):
        page = new_page(browser, stack, width=width, height=height, color_scheme="light")
        page.goto("/login")
        expect(page.locator("html")).to_have_attribute("data-mantine-color-scheme", "light")
        assert_accessible(page, f"sign-in light {width}")
        sign_in(page, player.user_name, player.password)
        expect(quest_card(page, REFERENCE_QUEST)).to_be_visible()
        screenshot(page, f"quest_log_light_{width}", full_page=False)
        assert_accessible(page, f"quest log light {width}")
        page.get_by_role("button", name="Switch to dark theme").click()
        expect(page.locator("html")).to_have_attribute("data-mantine-color-scheme", "dark")
        page.reload()
        expect(page.get_by_role("heading", name="Quest log")).to_be_visible()
        expect(page.locator("html")).to_have_attribute("data-mantine-color-scheme", "dark")
        expect(page.get_by_role("button", name="Switch to light theme")).to_be_visible()
        expect(quest_card(page, REFERENCE_QUEST)).to_be_visible()
        screenshot(page, f"quest_log_dark_{width}", full_page=False)
        assert_accessible(page, f"quest log dark {width}")
        page.context.close()


def test_auth_restarting_keeps_the_session_and_says_so(browser: Browser, stack: Any) -> None:
    """Runs last: it stops auth for a while."""
    player = stack.sign_up()
    pages = [
        new_page(browser, stack, width=375, height=812),
        new_page(browser, stack, width=1280, height=900),
    ]
    for page in pages:
        sign_in(page, player.user_name, player.password)
        expect(quest_card(page, REFERENCE_QUEST)).to_be_visible()
    stack.stack.stop_component("auth")
    try:
        for page in pages:
            width = page.viewport_size["width"] if page.viewport_size else 0
            page.reload()
            banner = page.get_by_test_id("outage-banner")
            expect(banner).to_contain_text(
                "Can't reach the server — retrying…", timeout=EVENT_TIMEOUT_MS
            )
            expect(banner.get_by_role("button", name="Retry")).to_be_visible()
            # Not a bare sign-in form: the refresh cookie is still good.
            expect(page.get_by_role("heading", name="Sign in")).to_have_count(0)
            expect(page.get_by_text("Failed to fetch")).to_have_count(0)
            screenshot(page, f"auth_down_banner_{width}", full_page=False)
    finally:
        stack.stack.start_component("auth")
    for page in pages:
        # The banner keeps retrying by itself: auth may be back, and the banner gone, before
        # the click lands. Either way the session comes back without signing in again.
        with contextlib.suppress(PlaywrightTimeoutError):
            page.get_by_test_id("outage-banner").get_by_role("button", name="Retry").click(
                timeout=5_000
            )
        expect(page.get_by_role("heading", name="Quest log")).to_be_visible(
            timeout=EVENT_TIMEOUT_MS
        )
        expect(page.get_by_test_id("signed-in-as")).to_contain_text(player.user_name)
        expect(page.get_by_test_id("outage-banner")).to_have_count(0, timeout=EVENT_TIMEOUT_MS)
        page.context.close()
