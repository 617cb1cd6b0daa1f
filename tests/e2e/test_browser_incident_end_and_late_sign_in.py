"""An admin ends a running incident now from the incidents page (a card on a phone, a table
row on a wide screen), and a player's "Why?" says in words why a late, older sign-in did not
count. Real stack through the gateway, Debian's Chromium; screenshots at 375 and 1280 px."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pika
from browser_helpers import (
    EVENT_TIMEOUT_MS,
    assert_accessible,
    new_page,
    quest_card,
    screenshot,
    sign_in,
)
from playwright.sync_api import Browser, expect

from quest_common.events import make_event


def test_an_admin_ends_a_running_incident_now(browser: Browser, stack: Any) -> None:
    for width, height in ((375, 812), (1280, 900)):
        reason = f"Login outage {width}"
        now = datetime.now(UTC)
        with stack.client() as client:
            declared = client.post(
                "/api/processing/admin/incidents",
                json={
                    "starts_at": (now - timedelta(hours=1)).isoformat(),
                    "ends_at": (now + timedelta(days=2)).isoformat(),
                    "reason": reason,
                },
                headers=stack.admin_headers(),
            )
        assert declared.status_code == 201, declared.text
        admin = new_page(browser, stack, width=width, height=height)
        sign_in(admin, stack.admin_user_name, stack.admin_password)
        admin.goto("/admin/incidents")
        incident = admin.get_by_test_id("incident").filter(has_text=reason)
        expect(incident.get_by_test_id("incident-state")).to_have_text("Ongoing")
        end_now = incident.get_by_role("button", name=re.compile("^End the incident"))
        expect(end_now).to_have_text("End now")
        screenshot(admin, f"incident_end_now_{width}")
        end_now.click()
        confirm = admin.get_by_role("dialog", name="End this incident now?")
        confirm.get_by_role("button", name="End now").click()
        expect(incident.get_by_test_id("incident-state")).to_have_text("Over")
        expect(end_now).to_have_count(0)
        assert_accessible(admin, f"incident ended {width}")
        screenshot(admin, f"incident_ended_{width}")
        admin.context.close()
    with stack.client() as client:
        audit = client.get(
            "/api/processing/admin/audit", params={"limit": 50}, headers=stack.admin_headers()
        ).json()
    assert sum(e["action"] == "incident.end" for e in audit["data"]) == 2


def test_why_says_a_late_older_sign_in_came_after_a_later_day(browser: Browser, stack: Any) -> None:
    admin = stack.admin_headers()
    name = f"daily-{uuid.uuid4().hex[:8]}"
    with stack.client() as client:
        quests = client.get("/api/catalog/quests", params={"active": "true"}).json()["data"]
        created = client.post(
            "/api/catalog/quests",
            json={
                "name": name,
                "title": "Visit daily",
                "streak": 5,
                "streak_mode": "daily",
                "reward_id": quests[0]["reward_id"],
            },
            headers=admin,
        )
    assert created.status_code == 201, created.text
    player = stack.sign_up()
    page = new_page(browser, stack, width=375, height=812)
    sign_in(page, player.user_name, player.password)  # today's sign-in: counted
    card = quest_card(page, name)
    for _ in range(40):  # processing learns of the new quest on QuestChanged
        if card.count():
            break
        page.wait_for_timeout(2_000)
        page.reload()
    expect(card.get_by_test_id("quest-streak")).to_have_text("1 / 5", timeout=EVENT_TIMEOUT_MS)

    # A sign-in of two days ago that reaches processing only now.
    two_days_ago = datetime.now(UTC) - timedelta(days=2)
    event = make_event(
        source="auth-service",
        type="UserSignIn",
        subject=player.user_id,
        data={
            "user_id": player.user_id,
            "user_name": player.user_name,
            "signed_in_at": two_days_ago.isoformat(),
            "time_zone": "UTC",
            "method": "password",
        },
        time=two_days_ago,
    )
    connection = pika.BlockingConnection(pika.URLParameters(stack.amqp_url))
    try:
        connection.channel().basic_publish(
            "",
            stack.sign_in_queue,
            event.to_json(),
            pika.BasicProperties(delivery_mode=2),
        )
    finally:
        connection.close()

    for width, height in ((375, 812), (1280, 900)):
        page.set_viewport_size({"width": width, "height": height})
        page.reload()
        card = quest_card(page, name)
        card.get_by_role("button", name=re.compile("^Why\\?")).click()
        why = page.get_by_role("dialog", name=re.compile("^Why\\?"))
        late = why.locator("[data-verdict='not_after_last']")
        for _ in range(20):  # the worker records it within a moment
            if late.count():
                break
            page.keyboard.press("Escape")
            page.wait_for_timeout(1_000)
            card.get_by_role("button", name=re.compile("^Why\\?")).click()
        expect(late).to_contain_text("not counted: a later day had already counted")
        expect(card.get_by_test_id("quest-streak")).to_have_text("1 / 5")
        screenshot(page, f"why_late_sign_in_{width}", full_page=False)
        page.keyboard.press("Escape")
    page.context.close()
