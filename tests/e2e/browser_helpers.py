"""Helpers for the browser tests: pages at a given width, screenshots, the axe-core check.

Debian's /usr/bin/chromium is driven by Playwright (never `playwright install`). axe-core comes
from the frontend's npm devDependencies and is injected into the page from node_modules.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, BrowserContext, Locator, Page, expect

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
AXE = Path(__file__).parents[2] / "frontend" / "node_modules" / "axe-core" / "axe.min.js"
# Sign-in → outbox relay → broker → worker → SSE fan-out: seconds, not milliseconds, on a
# loaded 2-core machine. Waits are polls with this ceiling, never timing assertions.
EVENT_TIMEOUT_MS = 30_000
PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 900}


def new_context(
    browser: Browser, stack: Any, *, width: int = 1280, height: int = 900, **options: Any
) -> BrowserContext:
    context = browser.new_context(
        base_url=stack.gateway_url, viewport={"width": width, "height": height}, **options
    )
    context.set_default_timeout(15_000)
    return context


def new_page(
    browser: Browser, stack: Any, *, width: int = 1280, height: int = 900, **options: Any
) -> Page:
    return new_context(browser, stack, width=width, height=height, **options).new_page()


def screenshot(page: Page, name: str, *, full_page: bool = True) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path


def screenshot_wide_then_phone(page: Page, name: str) -> None:
    """The viewport as it is at 1280 px (`<name>_1280`), then at 375 px once it has re-laid."""
    screenshot(page, f"{name}_1280", full_page=False)
    page.set_viewport_size(PHONE)
    page.wait_for_timeout(300)
    screenshot(page, f"{name}_375", full_page=False)


def field(scope: Page | Locator, label: str) -> Locator:
    """An input by its exact label (Mantine appends " *" to the label of required fields)."""
    return scope.get_by_label(re.compile(rf"^{re.escape(label)}( \*)?$"))


def sign_in(page: Page, user_name: str, password: str) -> None:
    page.goto("/login")
    field(page, "User name").fill(user_name)
    field(page, "Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Quest log")).to_be_visible()


def sign_up(page: Page, user_name: str, password: str) -> None:
    """Through the sign-up form, which signs the new player straight in."""
    page.goto("/signup")
    field(page, "User name").fill(user_name)
    field(page, "Password").fill(password)
    field(page, "Repeat password").fill(password)
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", name="Quest log")).to_be_visible()


def sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()


def toasts(page: Page) -> Locator:
    return page.locator(".mantine-Notification-root")


def toast(page: Page, text: str) -> Locator:
    return toasts(page).filter(has_text=text)


def quest_card(page: Page, name: str) -> Locator:
    return page.locator(f'[data-testid="quest-card"][data-quest-name="{name}"]')


def live(page: Page) -> Locator:
    return page.get_by_role("status", name="Live updates on")


def accessibility_violations(page: Page) -> list[dict[str, Any]]:
    """axe-core's serious and critical violations on the page as it is now."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    found: list[dict[str, Any]] = page.evaluate(
        """async () => {
            const result = await window.axe.run(document, { resultTypes: ["violations"] });
            return result.violations
                .filter((v) => v.impact === "serious" || v.impact === "critical")
                .map((v) => ({ id: v.id, impact: v.impact, help: v.help,
                               nodes: v.nodes.slice(0, 5).map((n) => n.target.join(" ")) }));
        }"""
    )
    return found


def assert_accessible(page: Page, where: str) -> None:
    # Let entrance transitions finish: a half-faded element fails the contrast check.
    page.wait_for_timeout(400)
    violations = accessibility_violations(page)
    assert violations == [], f"{where}: {violations}"


def in_viewport(page: Page, locator: Locator) -> bool:
    box = locator.bounding_box()
    size = page.viewport_size
    assert box is not None and size is not None
    return box["y"] >= 0 and box["y"] + box["height"] <= size["height"]
