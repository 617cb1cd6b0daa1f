"""What an admin hits in the browser: the quest form's checks as they type, a long incident
reason, the audit's field diff on a phone, and the dead letters behind the operations figure.
Real stack through the gateway, Debian's Chromium; screenshots at 375 and 1280 px.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pika
from browser_helpers import (
    EVENT_TIMEOUT_MS,
    assert_accessible,
    field,
    in_viewport,
    new_page,
    screenshot,
    screenshot_wide_then_phone,
    sign_in,
)
from playwright.sync_api import Browser, Page, expect


def admin_page(browser: Browser, stack: Any, *, width: int, height: int) -> Page:
    page = new_page(browser, stack, width=width, height=height)
    sign_in(page, stack.admin_user_name, stack.admin_password)
    return page


def test_the_quest_form_checks_as_the_admin_types(browser: Browser, stack: Any) -> None:
    for width, height in ((1280, 800), (375, 700)):
        admin = admin_page(browser, stack, width=width, height=height)
        admin.goto("/admin/quests")
        admin.get_by_role("button", name="New quest").click()
        dialog = admin.get_by_role("dialog", name="New quest")
        simulate = dialog.get_by_role("button", name="Simulate")
        expect(field(dialog, "Title")).to_be_visible()

        # Checked while typing, before any press of Create.
        field(dialog, "Name").fill("Not A Slug!")
        expect(field(dialog, "Name")).to_have_attribute("aria-invalid", "true")
        expect(dialog).to_contain_text("Use lowercase letters, digits and dashes")
        field(dialog, "Target").fill("0")
        expect(dialog).to_contain_text("Target must be at least 1")
        # No dry run of a draft that could not be saved; a summary sits by the Create button.
        expect(simulate).to_be_disabled()
        summary = dialog.get_by_test_id("form-summary")
        expect(summary).to_contain_text("3 fields to fix")
        expect(summary).to_contain_text("Name")
        expect(summary).to_contain_text("Target")
        expect(summary).to_contain_text("Title")

        # Create scrolls to the first error and puts the cursor there.
        dialog.get_by_role("button", name="Create quest").click()
        expect(field(dialog, "Name")).to_be_focused()
        # Scrolled smoothly: the form (with its event fields) can be long on a phone.
        expect(field(dialog, "Name")).to_be_in_viewport(ratio=1)
        assert in_viewport(admin, dialog.get_by_role("button", name="Create quest"))
        assert_accessible(admin, f"quest form errors {width}")
        screenshot(admin, f"quest_form_errors_{width}", full_page=False)

        field(dialog, "Name").fill(f"fine-{width}")
        field(dialog, "Title").fill("Fine")
        field(dialog, "Target").fill("2")
        expect(summary).to_have_count(0)
        expect(simulate).to_be_enabled()
        admin.context.close()


def test_incidents_audit_and_dead_letters(browser: Browser, stack: Any) -> None:
    # A dead letter: a body the worker cannot read goes to the dead-letter table.
    connection = pika.BlockingConnection(pika.URLParameters(stack.amqp_url))
    try:
        connection.channel().basic_publish("", stack.sign_in_queue, b"not json at all")
    finally:
        connection.close()

    reason = "Database failover in the EU region; " + "players could not sign in. " * 6
    starts = datetime.now(UTC) + timedelta(minutes=2)
    with stack.client() as client:
        response = client.post(
            "/api/processing/admin/incidents",
            json={
                "starts_at": starts.isoformat(),
                "ends_at": (starts + timedelta(hours=1)).isoformat(),
                "reason": reason[:200],
            },
            headers=stack.admin_headers(),
        )
    assert response.status_code == 201, response.text

    for width, height in ((375, 812), (1280, 900)):
        admin = admin_page(browser, stack, width=width, height=height)
        admin.goto("/admin/incidents")
        badge = admin.get_by_test_id("incident-state").first
        expect(badge).to_have_text("Upcoming")
        # The badge keeps its whole word beside a long reason.
        assert badge.evaluate(
            "(el) => { const l = el.querySelector('.mantine-Badge-label') || el;"
            " return l.scrollWidth <= l.clientWidth; }"
        )
        screenshot(admin, f"incidents_long_reason_{width}")

        # The audit shows which fields changed, not JSON, and fits a phone.
        admin.goto("/admin/audit")
        entry = admin.get_by_test_id("audit-row").filter(has_text="incident").first
        expect(entry).to_be_visible()
        diff = entry.get_by_test_id("audit-diff")
        expect(diff).to_contain_text("reason")
        expect(diff).to_contain_text("Database failover")
        assert "{" not in diff.inner_text()
        box = diff.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width, box
        assert_accessible(admin, f"audit {width}")
        screenshot(admin, f"audit_diff_{width}", full_page=False)
        admin.context.close()

    # The operations page's dead-letter figure opens the dead letters, which replay.
    admin = admin_page(browser, stack, width=1280, height=900)
    admin.goto("/admin/ops")
    figure = admin.get_by_test_id("ops-dead")
    expect(figure).to_contain_text(re.compile(r"[1-9]"), timeout=EVENT_TIMEOUT_MS)
    figure.get_by_role("button", name="Open the dead letters").click()
    letters = admin.get_by_role("dialog", name="Dead letters")
    row = letters.get_by_test_id("dead-letter").filter(has_text="not json at all").first
    expect(row).to_be_visible()
    row.get_by_role("button", name="Replay").click()
    expect(row).to_contain_text("Replayed")
    assert_accessible(admin, "dead letters")
    screenshot_wide_then_phone(admin, "dead_letters")
    admin.context.close()
