"""Lumen with the keyboard alone: the skip link, visible focus, the theme menu and logging in."""

from __future__ import annotations

from typing import Any

from allauth.account.models import EmailAddress
from playwright.sync_api import Page, expect

from accounts.tests.factories import DEFAULT_PASSWORD, StudentFactory
from tests.browser.conftest import save_screenshots

FOCUSED_ID = "() => document.activeElement && document.activeElement.id"
FOCUS_OUTLINE = "() => getComputedStyle(document.activeElement).outlineStyle"


def tab_until(page: Page, selector: str, limit: int = 25) -> None:
    """Press Tab until the element matching `selector` has focus (at most `limit` times)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"{selector} was not reached with {limit} presses of Tab")


def test_the_first_tab_reaches_the_skip_link_and_enter_moves_focus_to_main(page: Page) -> None:
    page.goto("/")

    page.keyboard.press("Tab")

    skip_link = page.get_by_role("link", name="Skip to main content")
    expect(skip_link).to_be_focused()
    expect(skip_link).to_be_in_viewport()
    assert page.evaluate(FOCUS_OUTLINE) == "solid"
    page.keyboard.press("Enter")
    assert page.evaluate(FOCUSED_ID) == "main"
    # The next Tab continues inside the main content, not back in the header.
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.getElementById('main').contains(document.activeElement)")


def test_every_header_control_shows_visible_focus(page: Page) -> None:
    page.goto("/")

    for _ in range(6):  # skip link, brand, Home, Log in, Sign up, Theme
        page.keyboard.press("Tab")
        assert page.evaluate(FOCUS_OUTLINE) == "solid", page.evaluate(
            "() => document.activeElement.outerHTML"
        )


def test_log_in_with_the_keyboard_alone(page: Page, live_server: Any) -> None:
    student = StudentFactory(email="keys@example.com", display_name="Kim Keyboard")
    EmailAddress.objects.create(user=student, email=student.email, verified=True, primary=True)
    page.goto("/accounts/login/")

    page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # skip link
    tab_until(page, "#id_login")
    page.keyboard.type("keys@example.com")
    page.keyboard.press("Tab")
    expect(page.locator("#id_password")).to_be_focused()
    page.keyboard.type(DEFAULT_PASSWORD)
    page.keyboard.press("Enter")

    page.wait_for_url(f"{live_server.url}/")
    expect(page.locator(".user-badge")).to_contain_text("Kim Keyboard")
    expect(page.locator(".user-badge")).to_contain_text("Student")
    save_screenshots(page, "home-after-keyboard-login")


def test_the_theme_menu_is_operable_with_the_keyboard(page: Page) -> None:
    page.goto("/")
    tab_until(page, "#theme-switcher summary")

    page.keyboard.press("Enter")
    expect(page.locator("#theme-switcher")).to_have_attribute("open", "")
    tab_until(page, "#theme-option-dark", limit=4)
    page.keyboard.press("Enter")

    expect(page.locator("html")).to_have_attribute("data-theme", "dark")
    expect(page.locator("#theme-option-dark")).to_have_attribute("aria-pressed", "true")
    expect(page.locator("#theme-option-dark")).to_be_focused()
    page.keyboard.press("Escape")
    page.wait_for_function("() => !document.querySelector('#theme-switcher').open")
    expect(page.locator("#theme-switcher summary")).to_be_focused()
    # The choice survives a reload (kept in the session for a visitor).
    page.reload()
    expect(page.locator("html")).to_have_attribute("data-theme", "dark")
