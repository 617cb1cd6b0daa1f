"""Progression in the web UI (headless Chromium through the gateway, real stack): the header's
level and XP bar, "Level N reached" toasts, badges on the profile and on the public player page
(no balances there), the leaderboard's period tabs with "resets Monday 00:00 UTC" and "you: #N".
Screenshots at 1280 px and 375 px go to tests/e2e/artifacts/."""

from __future__ import annotations

import re
import uuid
from typing import Any

from admin_setup import Studio
from browser_helpers import (
    EVENT_TIMEOUT_MS,
    assert_accessible,
    live,
    new_context,
    screenshot,
    sign_up,
    toast,
)
from playwright.sync_api import Browser, expect
from test_progression_flow import _quest_counted, new_quest, new_reward

from quest_devtools.testing.players import Player, wait_for


def test_level_badges_and_boards_in_the_browser(browser: Browser, stack: Any) -> None:
    context = new_context(browser, stack)
    page = context.new_page()
    player = Player(stack.gateway_url, f"lv_{uuid.uuid4().hex[:10]}", "correct-horse-battery")
    sign_up(page, player.user_name, player.password)
    expect(page.get_by_test_id("level")).to_have_text("Lv 1")
    expect(live(page)).to_be_visible(timeout=EVENT_TIMEOUT_MS)

    studio = Studio(stack)
    try:
        badge = new_reward(studio, "badge", 1, name=f"trailblazer-{uuid.uuid4().hex[:6]}")
        xp = new_quest(studio, new_reward(studio, "xp", 300))
        new_quest(studio, badge)
        # The player signs in elsewhere (a game client, another device) while this tab is open.
        wait_for(
            lambda: player.login() and _quest_counted(player, xp["quest_id"]),
            timeout=30,
            interval=1.0,
        )
        expect(toast(page, "Level 2 reached")).to_be_visible(timeout=EVENT_TIMEOUT_MS)
        expect(toast(page, "Level 3 reached")).to_be_visible(timeout=EVENT_TIMEOUT_MS)
        expect(page.get_by_test_id("level")).to_have_text("Lv 3", timeout=EVENT_TIMEOUT_MS)
        meter = page.get_by_test_id("level-meter")
        expect(meter).to_have_attribute("aria-label", re.compile(r"300 / 500 XP to level 4"))
        screenshot(page, "progression-header-1280", full_page=False)

        page.get_by_role("link", name="Profile").click()
        expect(page.get_by_test_id("profile-level")).to_have_text("Level 3 · 300 XP")
        expect(page.get_by_test_id("badges")).to_contain_text(badge["reward_name"])
        assert_accessible(page, "profile with badges")
        screenshot(page, "progression-profile-1280")

        page.get_by_role("link", name="Leaderboard").click()
        expect(page.get_by_test_id("board-resets")).to_have_text("Resets Monday 00:00 UTC")
        expect(page.get_by_test_id("board-me")).to_have_text(re.compile(r"^you: #\d+"))
        page.get_by_text("This month").click()
        expect(page.get_by_test_id("board-resets")).to_have_text("Resets on the 1st, 00:00 UTC")
        page.get_by_text("This week").click()
        expect(page.get_by_test_id("board-row").first).to_be_visible()
        assert_accessible(page, "leaderboard")
        screenshot(page, "progression-leaderboard-1280")

        page.set_viewport_size({"width": 375, "height": 812})
        expect(page.get_by_test_id("board-me")).to_be_visible()
        # Let the navigation drawer finish sliding away: a picture mid-transition shows both.
        page.wait_for_timeout(600)
        screenshot(page, "progression-leaderboard-375")
        expect(page.get_by_test_id("level")).to_be_visible()
        screenshot(page, "progression-header-375", full_page=False)

        # The public page of a player: level and badges, never balances.
        page.goto(f"/players/{player.user_name}")
        expect(page.get_by_test_id("player-level")).to_contain_text("Level 3")
        expect(page.get_by_test_id("badges")).to_contain_text(badge["reward_name"])
        expect(page.get_by_text(re.compile("💎|🪙"))).to_have_count(0)
        screenshot(page, "progression-player-375")
        page.goto("/profile")
        expect(page.get_by_test_id("badges")).to_be_visible()
        screenshot(page, "progression-profile-375")
    finally:
        studio.close()
        context.close()
