"""Operator tools in the web UI, in headless Chromium against the real running stack: a player's
"Why?" timeline, the admin's Simulate (progress and result), the merged audit trail and the
operations page. Screenshots at 375 px and 1280 px go to tests/e2e/artifacts/."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from browser_helpers import (
    EVENT_TIMEOUT_MS,
    assert_accessible,
    new_page,
    quest_card,
    screenshot,
    sign_in,
)
from playwright.sync_api import Browser, expect

from quest_devtools.testing.players import REFERENCE_QUEST


def test_why_shows_each_sign_in_with_its_verdict(browser: Browser, stack: Any) -> None:
    player = stack.sign_up()
    for width in (375, 1280):
        page = new_page(browser, stack, width=width, height=900)
        sign_in(page, player.user_name, player.password)
        card = quest_card(page, REFERENCE_QUEST)
        # Signing up and signing in here: at least one recorded sign-in, counted.
        expect(card.get_by_test_id("quest-streak")).to_have_text(
            re.compile(r"^[123] / 3$"), timeout=EVENT_TIMEOUT_MS
        )
        card.get_by_role("button", name=re.compile("^Why\\?")).click()
        dialog = page.get_by_role("dialog")
        events = dialog.get_by_test_id("trace-event")
        expect(events.first).to_be_visible()
        expect(events.first).to_have_attribute("data-verdict", "counted")
        expect(dialog.get_by_text("Counted").first).to_be_visible()
        assert_accessible(page, "why dialog")
        screenshot(page, f"why_timeline_{width}", full_page=False)
        page.context.close()


def test_admin_simulates_reads_the_audit_and_watches_operations(
    browser: Browser, stack: Any
) -> None:
    stack.sign_up()  # at least one recorded sign-in to replay
    for width in (1280, 375):
        admin = new_page(browser, stack, width=width, height=900)
        sign_in(admin, stack.admin_user_name, stack.admin_password)

        # Simulate a draft in the quest form: progress bar, then the result beside the form.
        admin.goto("/admin/quests")
        admin.get_by_role("button", name="New quest").click()
        dialog = admin.get_by_role("dialog", name="New quest")
        panel = dialog.get_by_test_id("simulate-panel")
        panel.get_by_role("button", name="Simulate").click()
        expect(panel.get_by_test_id("simulate-progress")).to_be_visible()
        result = panel.get_by_test_id("simulate-result")
        expect(result).to_be_visible(timeout=30_000)
        expect(result).to_contain_text("Sign-ins replayed")
        expect(result.get_by_test_id("simulate-completions")).to_have_text(re.compile(r"^\d+$"))
        panel.scroll_into_view_if_needed()
        screenshot(admin, f"simulate_result_{width}", full_page=False)
        admin.keyboard.press("Escape")

        # The audit trail merges the three services; the simulation is processing's entry.
        admin.goto("/admin/audit")
        expect(admin.get_by_role("heading", name="Audit trail")).to_be_visible()
        rows = admin.get_by_test_id("audit-row")
        expect(rows.first).to_be_visible()
        expect(
            admin.locator('[data-testid="audit-row"][data-service="processing"]').first
        ).to_be_visible()
        admin.get_by_role("combobox", name="Action").fill("simulation")
        admin.get_by_role("option", name="simulation.start").click()
        expect(admin.locator('[data-testid="audit-row"][data-service="auth"]')).to_have_count(0)
        expect(rows.first).to_contain_text("simulation.start")
        # The service's badge shows its whole name, however long the before → after column is.
        badge = rows.first.get_by_text("processing", exact=True)
        assert badge.evaluate("label => label.scrollWidth <= label.clientWidth")
        assert_accessible(admin, "audit page")
        screenshot(admin, f"audit_{width}")

        # The operations page refreshes itself.
        admin.goto("/admin/ops")
        expect(admin.get_by_test_id("ops-queue")).to_be_visible()
        expect(admin.get_by_test_id("ops-lag")).to_contain_text("Worker lag")
        expect(admin.get_by_test_id("ops-auth-outbox")).to_be_visible()
        expect(admin.get_by_test_id("ops-catalog-outbox")).to_be_visible()
        first = admin.get_by_test_id("ops-updated").inner_text()
        expect(admin.get_by_test_id("ops-updated")).not_to_have_text(first, timeout=10_000)
        assert_accessible(admin, "operations page")
        screenshot(admin, f"ops_{width}")
        admin.context.close()


def test_your_data_downloads_both_exports_and_deletes_the_account(
    browser: Browser, stack: Any
) -> None:
    player = stack.sign_up()
    page = new_page(browser, stack, width=375, height=900)
    sign_in(page, player.user_name, player.password)
    page.goto("/profile")
    expect(page.get_by_role("heading", name="Your data")).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("button", name="Download my data").click()
    saved = json.loads(Path(download.value.path()).read_text())
    assert player.user_name in json.dumps(saved["auth"])  # auth's part of the export
    assert saved["processing"]["user_id"] == player.user_id
    assert_accessible(page, "profile")
    screenshot(page, "your_data_375", full_page=False)

    page.get_by_role("textbox", name="Password", exact=True).fill(player.password)
    page.get_by_role("button", name="Delete my account").click()
    confirm = page.get_by_role("dialog", name="Delete your account?")
    expect(confirm).to_be_visible()
    screenshot(page, "delete_account_confirm_375", full_page=False)
    confirm.get_by_role("button", name="Delete my account").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    page.context.close()
