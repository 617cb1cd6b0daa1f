"""The web UI in headless Chromium, through the gateway, against the real running stack.

Debian's /usr/bin/chromium is driven by Playwright (never `playwright install`). Each test
saves a screenshot under tests/e2e/artifacts/ so a person can look at what the player saw.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Locator, Page, expect, sync_playwright

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).parent / "artifacts"
# Sign-in → outbox relay → broker → worker → SSE fan-out: seconds, not milliseconds, on a
# loaded 2-core machine. Waits are polls with this ceiling, never timing assertions.
EVENT_TIMEOUT_MS = 30_000
REFERENCE_QUEST = "sign-in-three-times"
REFERENCE_TITLE = "Sign in three times"


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def new_page(browser: Browser, stack: Any, *, width: int = 1280, height: int = 900) -> Page:
    context: BrowserContext = browser.new_context(
        base_url=stack.gateway_url, viewport={"width": width, "height": height}
    )
    context.set_default_timeout(15_000)
    return context.new_page()


def screenshot(page: Page, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def field(scope: Page | Locator, label: str) -> Locator:
    """An input by its exact label (Mantine appends " *" to the label of required fields)."""
    return scope.get_by_label(re.compile(rf"^{re.escape(label)}( \*)?$"))


def sign_in(page: Page, user_name: str, password: str) -> None:
    page.goto("/login")
    field(page, "User name").fill(user_name)
    field(page, "Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Quest log")).to_be_visible()


def sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()


def toast(page: Page, text: str) -> Locator:
    return page.locator(".mantine-Notification-root").filter(has_text=text)


def quest_card(page: Page, name: str) -> Locator:
    return page.locator(f'[data-testid="quest-card"][data-quest-name="{name}"]')


def test_three_sign_ins_then_claim_credits_ten_diamonds(browser: Browser, stack: Any) -> None:
    page = new_page(browser, stack)
    user_name = f"hero_{uuid.uuid4().hex[:10]}"
    password = "correct-horse-battery"

    # Sign-up signs the new player straight in: that is sign-in number one.
    page.goto("/signup")
    field(page, "User name").fill(user_name)
    field(page, "Password").fill(password)
    field(page, "Repeat password").fill(password)
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", name="Quest log")).to_be_visible()
    expect(page.get_by_test_id("signed-in-as")).to_contain_text(user_name)
    expect(toast(page, f"Check-in 1/3 — {REFERENCE_TITLE}")).to_be_visible(timeout=EVENT_TIMEOUT_MS)
    expect(page.get_by_test_id("balance-diamond")).to_have_text("0")

    sign_out(page)
    sign_in(page, user_name, password)
    expect(toast(page, f"Check-in 2/3 — {REFERENCE_TITLE}")).to_be_visible(timeout=EVENT_TIMEOUT_MS)

    sign_out(page)
    sign_in(page, user_name, password)
    expect(toast(page, f"Check-in 3/3 — {REFERENCE_TITLE}")).to_be_visible(timeout=EVENT_TIMEOUT_MS)
    expect(toast(page, "Quest complete — claim 10 💎")).to_be_visible(timeout=EVENT_TIMEOUT_MS)

    card = quest_card(page, REFERENCE_QUEST)
    expect(card).to_have_attribute("data-status", "claimable", timeout=EVENT_TIMEOUT_MS)
    expect(card.get_by_test_id("quest-status")).to_have_text("Ready to claim")
    expect(card.get_by_test_id("quest-completions")).to_have_text("1 / 2 completed")
    screenshot(page, "quest_ready_to_claim")

    claim = card.get_by_role("button", name="Claim 10 💎")
    expect(claim).to_be_enabled()
    claim.click()
    expect(page.get_by_test_id("balance-diamond")).to_have_text("10", timeout=EVENT_TIMEOUT_MS)
    expect(toast(page, "+10 💎 credited")).to_be_visible(timeout=EVENT_TIMEOUT_MS)
    # One of two completions claimed: the quest goes on, nothing is left to claim now.
    expect(card).to_have_attribute("data-status", "in_progress")
    expect(card.get_by_test_id("claim-button")).to_be_disabled()
    screenshot(page, "quest_claimed")

    # The wallet ledger shows the credit.
    page.get_by_role("link", name="History").click()
    page.get_by_role("tab", name="Wallet").click()
    expect(page.get_by_role("table", name="My wallet ledger")).to_contain_text("+10 💎")
    page.get_by_role("tab", name="My events").click()
    expect(page.get_by_role("table", name="My events")).to_contain_text("Signed in")

    # Other tests of the session credit diamonds too, so this player may be off the top 10:
    # the board must list real balances, and mark the player when they are on it.
    page.get_by_role("link", name="Leaderboard").click()
    board = page.get_by_role("table", name="Top players by diamond")
    expect(board.locator("tbody tr").first).to_contain_text("💎")
    if board.get_by_text(user_name).count():
        expect(board).to_contain_text(f"{user_name} (you)")
    page.context.close()


def test_admin_creates_a_quest_and_a_player_sees_it(browser: Browser, stack: Any) -> None:
    suffix = uuid.uuid4().hex[:8]
    name = f"dragon-hunt-{suffix}"
    title = f"Hunt the dragon {suffix}"

    admin = new_page(browser, stack)
    sign_in(admin, stack.admin_user_name, stack.admin_password)
    admin.get_by_role("link", name="Quests").click()
    expect(admin.get_by_role("heading", name="Quests")).to_be_visible()

    admin.get_by_role("button", name="New quest").click()
    dialog = admin.get_by_role("dialog")
    # A name the catalog refuses: its 422 message lands on the Name field.
    field(dialog, "Name").fill("Not A Slug!")
    field(dialog, "Title").fill(title)
    field(dialog, "Description").fill("Sign in twice to drive the dragon away.")
    field(dialog, "Streak").fill("2")
    dialog.get_by_role("button", name="Create quest").click()
    expect(field(dialog, "Name")).to_have_attribute("aria-invalid", "true")
    expect(dialog).to_contain_text(re.compile("pattern", re.IGNORECASE))

    field(dialog, "Name").fill(name)
    dialog.get_by_role("button", name="Create quest").click()
    expect(dialog).to_be_hidden()
    row = admin.locator(f'tr[data-quest-name="{name}"]')
    expect(row).to_contain_text(title)
    expect(row).to_contain_text("Active")
    screenshot(admin, "admin_quest_created")

    admin.get_by_role("link", name="Players").click()
    expect(admin.get_by_role("table", name="Players")).to_contain_text(stack.admin_user_name)
    admin.context.close()

    player = stack.sign_up()
    page = new_page(browser, stack)
    sign_in(page, player.user_name, player.password)
    card = quest_card(page, name)
    # Processing's API refreshes its copy of the quest definitions from the catalog (on
    # QuestChanged, or at the latest after its cache TTL of 60 s): reload until it lists it.
    for _ in range(40):
        # The reference card shows the quest list has loaded; only then is a miss a miss.
        expect(quest_card(page, REFERENCE_QUEST)).to_be_visible()
        if card.count():
            break
        page.wait_for_timeout(3_000)
        page.reload()
    expect(card).to_be_visible()
    expect(card.get_by_role("heading", name=title)).to_be_visible()
    expect(card.get_by_test_id("quest-streak")).to_have_text(re.compile(r"^[01] / 2$"))
    screenshot(page, "player_sees_new_quest")
    page.context.close()


def test_a_player_cannot_open_the_admin_pages(browser: Browser, stack: Any) -> None:
    player = stack.sign_up()
    # Phone width: the navigation folds behind the burger button.
    page = new_page(browser, stack, width=375, height=812)
    sign_in(page, player.user_name, player.password)
    expect(quest_card(page, REFERENCE_QUEST)).to_be_visible()
    screenshot(page, "player_quest_log_375px")
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
    screenshot(page, "player_refused_admin")

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
