"""Any event in the web UI, in headless Chromium against the real running stack: an admin
creates an event source (the secret shown once, copied), rotates and revokes it; defines an
event type with typed properties; and builds a quest on it with filters from those properties,
a sum and a prerequisite. Screenshots at 375 px and 1280 px go to tests/e2e/artifacts/."""

from __future__ import annotations

import base64
import re
import uuid
from typing import Any

import httpx
from browser_helpers import assert_accessible, field, new_page, screenshot, sign_in
from playwright.sync_api import Browser, expect

from quest_devtools.testing.players import REFERENCE_QUEST


def client_credentials(stack: Any, client_id: str, secret: str) -> httpx.Response:
    basic = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    return httpx.post(
        f"{stack.gateway_url}/api/auth/login/access-token",
        data={"grant_type": "client_credentials"},
        headers={"Authorization": f"Basic {basic}"},
        timeout=10,
    )


def test_admin_creates_rotates_and_revokes_an_event_source(browser: Browser, stack: Any) -> None:
    for width in (1280, 375):
        name = f"Arena {uuid.uuid4().hex[:6]}"
        admin = new_page(browser, stack, width=width, height=900)
        admin.context.grant_permissions(["clipboard-read", "clipboard-write"])
        sign_in(admin, stack.admin_user_name, stack.admin_password)
        admin.goto("/admin/event-sources")
        expect(admin.get_by_role("heading", name="Event sources")).to_be_visible()

        admin.get_by_role("button", name="New event source").click()
        form = admin.get_by_role("dialog", name="New event source")
        form.get_by_role("button", name="Create event source").click()
        expect(form).to_contain_text("Name the game server")
        field(form, "Name").fill(name)
        form.get_by_role("button", name="Create event source").click()

        # The secret, once, with a copy button that copies it.
        shown = admin.get_by_role("dialog", name=f"Secret of “{name}”")
        expect(shown).to_contain_text("Copy the secret now")
        client_id = shown.get_by_test_id("client-id").inner_text()
        secret = shown.get_by_test_id("client-secret").inner_text()
        shown.get_by_role("button", name="Copy client secret").click()
        expect(shown.get_by_role("button", name="Copied client secret")).to_be_visible()
        assert admin.evaluate("navigator.clipboard.readText()") == secret
        assert_accessible(admin, "event source secret")
        screenshot(admin, f"event_source_secret_{width}", full_page=False)
        assert client_credentials(stack, client_id, secret).status_code == 200
        shown.get_by_role("button", name="Done").click()

        row = admin.locator(f'[data-source-name="{name}"]')
        expect(row).to_contain_text("events:write")
        expect(row).to_contain_text("Active")
        expect(row).to_contain_text("—")  # last event seen: nothing ingested yet
        assert_accessible(admin, "event sources")
        screenshot(admin, f"event_sources_{width}")

        # Rotating shows a new secret; the old one is void at once.
        row.get_by_role("button", name=f"Rotate secret of {name}").click()
        confirm = admin.get_by_role("dialog", name="Rotate secret")
        confirm.get_by_role("button", name="Rotate").click()
        rotated = admin.get_by_role("dialog", name=f"Secret of “{name}”")
        new_secret = rotated.get_by_test_id("client-secret").inner_text()
        assert new_secret != secret
        rotated.get_by_role("button", name="Done").click()
        assert client_credentials(stack, client_id, secret).status_code == 401
        assert client_credentials(stack, client_id, new_secret).status_code == 200

        row.get_by_role("button", name=f"Revoke {name}").click()
        admin.get_by_role("dialog", name="Revoke event source").get_by_role(
            "button", name="Revoke"
        ).click()
        expect(row).to_contain_text("Revoked")
        # The badge keeps its whole word in a row without buttons.
        badge = row.get_by_text("Revoked", exact=True)
        assert badge.evaluate("label => label.scrollWidth <= label.clientWidth")
        expect(row.get_by_role("button", name=f"Revoke {name}")).to_have_count(0)
        assert client_credentials(stack, client_id, new_secret).status_code == 401
        admin.context.close()


def test_admin_defines_an_event_type_and_a_quest_on_it(browser: Browser, stack: Any) -> None:
    for width in (1280, 375):
        type_name = f"match_won_{uuid.uuid4().hex[:6]}"
        quest_name = f"duo-gold-{uuid.uuid4().hex[:6]}"
        admin = new_page(browser, stack, width=width, height=900)
        sign_in(admin, stack.admin_user_name, stack.admin_password)

        admin.goto("/admin/event-types")
        expect(admin.get_by_role("heading", name="Event types")).to_be_visible()
        sign_in_row = admin.locator('[data-event-type="sign_in"]')
        expect(sign_in_row).to_contain_text("Built in")
        expect(sign_in_row.get_by_role("button")).to_have_count(0)  # read-only

        admin.get_by_role("button", name="New event type").click()
        form = admin.get_by_role("dialog", name="New event type")
        field(form, "Name").fill(type_name)
        field(form, "Title").fill("Match won")
        for index, (prop, kind) in enumerate((("mode", "string"), ("gold", "number"))):
            form.get_by_role("button", name="Add property").click()
            form.get_by_label(f"Property {index + 1} name").fill(prop)
            form.get_by_label(f"Property {index + 1} type").click()
            admin.get_by_role("option", name=kind, exact=True).click()
        form.get_by_role("button", name="Create event type").click()
        expect(form).to_be_hidden()
        row = admin.locator(f'[data-event-type="{type_name}"]')
        expect(row).to_contain_text("gold (number), mode (string)")  # by name
        assert_accessible(admin, "event types")
        screenshot(admin, f"event_types_{width}")

        # A quest on it: the filters offer the type's properties, the sum its numbers.
        admin.goto("/admin/quests")
        admin.get_by_role("button", name="New quest").click()
        dialog = admin.get_by_role("dialog", name="New quest")
        field(dialog, "Name").fill(quest_name)
        field(dialog, "Title").fill("Earn gold in duos")
        field(dialog, "Event type").click()
        admin.get_by_role("option", name=f"Match won ({type_name})").click()
        expect(dialog).to_contain_text("The dry run replays recorded sign-ins")
        dialog.get_by_role("button", name="Add filter").click()
        dialog.get_by_label("Filter 1 property").click()
        admin.get_by_role("option", name="mode", exact=True).click()
        dialog.get_by_label("Filter 1 value").fill("duo")
        field(dialog, "Measure").click()
        admin.get_by_role("option", name="Add up a number").click()
        field(dialog, "Property to add up").click()
        admin.get_by_role("option", name="gold", exact=True).click()
        expect(dialog).to_contain_text("Total of gold per completion")
        field(dialog, "Target").fill("500")
        field(dialog, "Prerequisites").click()
        admin.get_by_role("option", name=re.compile(rf"\({REFERENCE_QUEST}\)$")).click()
        admin.keyboard.press("Escape")  # closes the prerequisites' list, not the dialog
        expect(dialog).to_be_visible()
        dialog.get_by_test_id("filter-row").scroll_into_view_if_needed()
        assert_accessible(admin, "quest form on an event type")
        screenshot(admin, f"quest_form_event_type_{width}", full_page=False)
        dialog.get_by_role("button", name="Create quest").click()
        expect(dialog).to_be_hidden()

        quest_row = admin.locator(f'[data-quest-name="{quest_name}"]')
        expect(quest_row).to_contain_text(f"500 gold of {type_name}")
        expect(quest_row).to_contain_text("mode is duo")
        expect(quest_row).to_contain_text(f"after {REFERENCE_QUEST}")
        quest = httpx.get(
            f"{stack.gateway_url}/api/catalog/quests/by-name/{quest_name}", timeout=10
        ).json()
        assert quest["where"] == [{"property": "mode", "op": "eq", "value": "duo"}]
        assert (quest["measure"], quest["measure_property"]) == ("sum", "gold")
        assert quest["streak"] == 500
        assert quest["requires"] == [REFERENCE_QUEST]
        # Deactivated so that other tests' quest lists stay as they expect them.
        quest_row.get_by_role("button", name="Deactivate Earn gold in duos").click()
        admin.get_by_role("dialog", name="Deactivate quest").get_by_role(
            "button", name="Deactivate"
        ).click()
        expect(quest_row).to_contain_text("Inactive")
        admin.context.close()
