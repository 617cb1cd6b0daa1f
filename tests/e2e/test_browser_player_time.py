"""Player time in the web UI (headless Chromium through the gateway, real stack): the browser's
zone is the player's, quest cards count down to their reset and say "come back tomorrow" once
today counted. Screenshots at 375 px and 1280 px go to tests/e2e/artifacts/."""

from __future__ import annotations

import re
import uuid
from typing import Any

from browser_helpers import (
    EVENT_TIMEOUT_MS,
    new_context,
    quest_card,
    screenshot,
    sign_up,
)
from playwright.sync_api import Browser, expect
from test_player_time_flow import put_quest

ZONE = "Pacific/Kiritimati"


def test_quest_cards_count_down_and_say_come_back_tomorrow(browser: Browser, stack: Any) -> None:
    admin = stack.admin_headers()
    daily = put_quest(stack, admin, title="Visit three days", streak_mode="daily", reset="weekly")
    resetting = put_quest(stack, admin, title="Five a day", streak=5, reset="daily")

    context = new_context(browser, stack, timezone_id=ZONE)
    page = context.new_page()
    user_name = f"tz_{uuid.uuid4().hex[:10]}"
    sign_up(page, user_name, "correct-horse-battery")

    # Sign-up signs in once: today (in Kiritimati) has counted on the daily streak.
    daily_card = quest_card(page, daily["name"])
    expect(daily_card.get_by_test_id("quest-streak")).to_have_text(
        "1 / 3", timeout=EVENT_TIMEOUT_MS
    )
    expect(daily_card.get_by_test_id("quest-time-tomorrow")).to_have_text("come back tomorrow")
    expect(daily_card.get_by_test_id("quest-time-reset")).to_have_text(
        re.compile(r"^resets in (\d+ days|1 day( \d+ h)?|\d+ h( \d+ min)?|\d+ min)$")
    )
    reset_card = quest_card(page, resetting["name"])
    countdown = reset_card.get_by_test_id("quest-time-reset")
    expect(countdown).to_have_text(
        re.compile(r"^resets in (\d+ h( \d+ min)?|\d+ min|less than a minute)$")
    )
    expect(reset_card.get_by_test_id("quest-time-tomorrow")).to_have_count(0)  # a 2nd one counts

    daily_card.scroll_into_view_if_needed()
    screenshot(page, "player-time-1280")
    page.set_viewport_size({"width": 375, "height": 800})
    expect(daily_card.get_by_test_id("quest-time-tomorrow")).to_be_visible()
    daily_card.scroll_into_view_if_needed()
    screenshot(page, "player-time-375", full_page=False)

    # The profile shows the zone the browser gave at sign-up.
    page.goto("/profile")
    expect(page.get_by_test_id("current-time-zone")).to_contain_text("Pacific / Kiritimati")
    expect(page.get_by_text(re.compile("once every 7 days"))).to_be_visible()
    screenshot(page, "profile-375")
    context.close()
