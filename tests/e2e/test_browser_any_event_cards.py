"""Quest cards on any event, in headless Chromium through the gateway (DESIGN §14 "UI").

An admin defines an event type, a sum quest on it and a quest that requires the sum quest (over
the API); a player's quest log then shows "0 / 500 gold" with the type's title and the filter
in words, and the second quest locked until the first is finished. Nothing is ingested: the
cards are checked at 0. The admin pages of §14 (event sources, event types, the quest form with
filters, sum and prerequisites) are opened at the same widths. Screenshots at 375 px and
1280 px go to tests/e2e/artifacts/.
"""

from __future__ import annotations

import re
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, ViewportSize, expect

from quest_devtools.testing.players import Player

sys.path.insert(0, str(Path(__file__).parent))
from browser_helpers import (
    EVENT_TIMEOUT_MS,
    assert_accessible,
    field,
    new_page,
    quest_card,
    screenshot,
    sign_in,
)

pytestmark = pytest.mark.browser

REFERENCE_QUEST = "sign-in-three-times"
PHONE: ViewportSize = {"width": 375, "height": 812}
DESKTOP: ViewportSize = {"width": 1280, "height": 900}


@dataclass(frozen=True)
class AnyEventQuests:
    type_name: str
    sum_quest: str
    locked_quest: str


def _created(response: Any) -> dict[str, Any]:
    assert response.status_code in (200, 201), response.text
    body: dict[str, Any] = response.json()
    return body


@pytest.fixture
def any_event_quests(stack: Any) -> Iterator[AnyEventQuests]:
    """An event type, a sum quest on it and a quest that requires the sum quest; deactivated
    after the test, so that other tests' quest logs stay as they expect them."""
    suffix = uuid.uuid4().hex[:8]
    names = AnyEventQuests(
        # Long on purpose: the admin rows must hold a long rule beside their state.
        type_name=f"gold_spent_in_the_desert_shops_{suffix}",
        sum_quest=f"big-spender-{suffix}",
        locked_quest=f"desert-regular-{suffix}",
    )
    admin = stack.admin_headers()
    created: list[str] = []
    with stack.client(headers=admin) as client:
        try:
            _created(
                client.put(
                    f"/api/catalog/event-types/by-name/{names.type_name}",
                    json={
                        "title": "Gold spent",
                        "description": "A player spent gold in the game's shop",
                        "properties": {
                            "gold": {"type": "number", "required": True},
                            "map": {"type": "string", "required": False},
                        },
                    },
                )
            )
            reference = client.get(f"/api/catalog/quests/by-name/{REFERENCE_QUEST}").json()
            common = {"event_type": names.type_name, "reward_id": reference["reward_id"]}
            spend = _created(
                client.post(
                    "/api/catalog/quests",
                    json={
                        **common,
                        "name": names.sum_quest,
                        "title": "Big spender",
                        "description": "Spend 500 gold in the desert.",
                        "where": [{"property": "map", "op": "eq", "value": "desert"}],
                        "measure": "sum",
                        "measure_property": "gold",
                        "streak": 500,
                    },
                )
            )
            created.append(spend["quest_id"])
            after = _created(
                client.post(
                    "/api/catalog/quests",
                    json={
                        **common,
                        "name": names.locked_quest,
                        "title": "Desert regular",
                        "description": "Shop three more times once you are a big spender.",
                        "streak": 3,
                        "requires": [names.sum_quest],
                    },
                )
            )
            created.append(after["quest_id"])
            yield names
        finally:
            # The dependent quest first: the catalog may keep a required quest while another
            # active one needs it.
            for quest_id in reversed(created):
                client.delete(f"/api/catalog/quests/{quest_id}")


def _open_quest_log_with(page: Page, player: Player, *names: str) -> None:
    """Reloads until processing's quest cache has the new quests (it revalidates every few
    seconds), then waits for their cards."""
    for _ in range(30):
        if all(quest_card(page, name).count() for name in names):
            break
        page.wait_for_timeout(1_000)
        page.reload()
        expect(page.get_by_role("heading", name="Quest log")).to_be_visible()
    missing = [name for name in names if name not in player.quests()]
    assert not missing, f"processing does not list {missing} on the player's quest log"
    for name in names:
        expect(quest_card(page, name)).to_be_visible(timeout=EVENT_TIMEOUT_MS)


def _fits_across(page: Page, selector: str) -> bool:
    """Nothing inside the element is wider than the element (no text cut off or overflowing)."""
    result: bool = page.locator(selector).first.evaluate(
        "el => [el, ...el.querySelectorAll('*')].every((e) => e.scrollWidth <= e.clientWidth + 1)"
    )
    return result


def test_sum_and_locked_quest_cards_at_both_widths(
    browser: Browser, stack: Any, any_event_quests: AnyEventQuests
) -> None:
    names = any_event_quests
    player = stack.new_player()  # signed in over the API too: its token reads the quest log
    page = new_page(browser, stack, **PHONE)
    sign_in(page, player.user_name, player.password)
    _open_quest_log_with(page, player, names.sum_quest, names.locked_quest)

    for size in (PHONE, DESKTOP):
        page.set_viewport_size(size)
        page.reload()
        spend = quest_card(page, names.sum_quest)
        locked = quest_card(page, names.locked_quest)
        expect(spend).to_be_visible()

        # The sum so far, the target and what is added up; the type by its catalog title.
        expect(spend.get_by_test_id("quest-streak")).to_have_text("0 / 500 gold")
        expect(spend.get_by_test_id("quest-measure")).to_have_text("Gold spent")
        bar = spend.get_by_role("progressbar", name="0 / 500 gold · Gold spent")
        expect(bar).to_have_attribute("aria-valuenow", "0")  # an empty bar has no width to see
        expect(spend.get_by_test_id("quest-filters")).to_have_text("only when map is “desert”")
        expect(spend).to_contain_text("500 more gold to go")
        expect(spend.get_by_test_id("quest-locked")).to_have_count(0)

        # The second quest waits for the first: said in words, a named lock, nothing to press.
        expect(locked.get_by_test_id("quest-locked")).to_have_text(
            "Locked — finish Big spender first", timeout=EVENT_TIMEOUT_MS
        )
        expect(locked.get_by_role("img", name="Locked")).to_be_visible()
        expect(locked.get_by_test_id("quest-status")).to_have_text("Locked")
        expect(locked).to_have_attribute("data-locked", "true")
        expect(locked.get_by_test_id("claim-button")).to_have_count(0)
        expect(locked.get_by_test_id("quest-streak")).to_have_text("0 / 3")
        expect(locked.get_by_test_id("quest-measure")).to_have_text("Gold spent")

        # Sign-in quests read as before.
        reference = quest_card(page, REFERENCE_QUEST)
        expect(reference.get_by_test_id("quest-measure")).to_have_text("Streak")
        expect(reference.get_by_test_id("quest-streak")).to_have_text(re.compile(r"^\d / 3$"))

        for card in (names.sum_quest, names.locked_quest):
            assert _fits_across(page, f'[data-quest-name="{card}"]'), f"{card} overflows"
        assert_accessible(page, f"quest log with any-event quests at {size['width']}")
        screenshot(page, f"any_event_quest_log_{size['width']}")
        locked.scroll_into_view_if_needed()
        screenshot(page, f"any_event_locked_card_{size['width']}", full_page=False)

    # The muted card keeps its texts readable in the dark theme too.
    page.set_viewport_size(PHONE)
    page.get_by_role("button", name="Switch to dark theme").click()
    quest_card(page, names.locked_quest).scroll_into_view_if_needed()
    assert_accessible(page, "quest log with any-event quests, dark, at 375")
    screenshot(page, "any_event_locked_card_dark_375", full_page=False)
    page.context.close()


def test_any_event_admin_pages_at_both_widths(
    browser: Browser, stack: Any, any_event_quests: AnyEventQuests
) -> None:
    names = any_event_quests
    source = f"Desert shop {uuid.uuid4().hex[:6]}"
    with stack.client(headers=stack.admin_headers()) as client:
        created = client.post(
            "/api/auth/admin/clients", json={"name": source, "scopes": ["events:write"]}
        )
    assert created.status_code == 201, created.text
    for size in (PHONE, DESKTOP):
        width = size["width"]
        admin = new_page(browser, stack, **size)
        sign_in(admin, stack.admin_user_name, stack.admin_password)

        admin.goto("/admin/event-sources")
        expect(admin.get_by_role("heading", name="Event sources")).to_be_visible()
        source_row = admin.locator(f'[data-source-name="{source}"]')
        expect(source_row).to_contain_text("events:write")
        expect(source_row).to_contain_text("Active")
        assert _fits_across(admin, f'[data-source-name="{source}"]')
        assert_accessible(admin, f"event sources at {width}")
        screenshot(admin, f"any_event_admin_sources_{width}")

        admin.goto("/admin/event-types")
        row = admin.locator(f'[data-event-type="{names.type_name}"]')
        expect(row).to_contain_text("Gold spent")
        expect(row).to_contain_text("gold (number, required), map (string)")
        assert_accessible(admin, f"event types at {width}")
        screenshot(admin, f"any_event_admin_types_{width}")

        # The sum quest's form: its type, the filter built from the type's properties, the sum.
        admin.goto("/admin/quests")
        quest_row = admin.locator(f'[data-quest-name="{names.sum_quest}"]')
        expect(quest_row).to_contain_text(f"500 gold of {names.type_name}")
        locked_row = admin.locator(f'[data-quest-name="{names.locked_quest}"]')
        times = "\N{MULTIPLICATION SIGN}"
        expect(locked_row).to_contain_text(
            f"3{times} {names.type_name}, up to 1{times}; after {names.sum_quest}"
        )
        # A long type name wraps inside its card on a phone; the state keeps its whole word.
        assert _fits_across(admin, f'[data-quest-name="{names.sum_quest}"]')
        state = quest_row.get_by_text("Active", exact=True)
        assert state.evaluate("label => label.scrollWidth <= label.clientWidth")
        screenshot(admin, f"any_event_admin_quests_{width}")
        quest_row.get_by_role("button", name="Edit Big spender").click()
        dialog = admin.get_by_role("dialog", name="Edit quest")
        expect(field(dialog, "Event type")).to_have_value(re.compile(r"^Gold spent"))
        expect(dialog.get_by_label("Filter 1 value")).to_have_value("desert")
        expect(field(dialog, "Property to add up")).to_have_value("gold")
        expect(dialog).to_contain_text("Total of gold per completion")
        assert_accessible(admin, f"quest form of a sum quest at {width}")
        screenshot(admin, f"any_event_quest_form_{width}", full_page=False)
        field(dialog, "Property to add up").scroll_into_view_if_needed()
        screenshot(admin, f"any_event_quest_form_sum_{width}", full_page=False)
        admin.keyboard.press("Escape")

        # The dependent quest's form names its prerequisite.
        locked_row.get_by_role("button", name="Edit Desert regular").click()
        dialog = admin.get_by_role("dialog", name="Edit quest")
        prerequisites = field(dialog, "Prerequisites")
        prerequisites.scroll_into_view_if_needed()
        expect(dialog).to_contain_text("Big spender")
        screenshot(admin, f"any_event_quest_form_prerequisites_{width}", full_page=False)
        admin.keyboard.press("Escape")
        admin.context.close()
