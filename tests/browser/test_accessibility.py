"""axe-core finds no WCAG 2.1 A/AA violation on Lumen's pages, in every theme; each page reflows
at 320 px; screenshots of each page at desktop and mobile widths are saved as artifacts."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from accounts.models import TeacherApplication, User
from accounts.tests.factories import StudentFactory, TeacherApplicationFactory
from tests.browser.conftest import (
    THEMES,
    assert_no_axe_violations,
    assert_no_horizontal_scroll,
    choose_theme,
    close_context,
    log_in,
    open_context,
    save_screenshots,
)

# (name, path, who is signed in)
PAGES = [
    ("home", "/", None),
    ("login", "/accounts/login/", None),
    ("signup", "/accounts/signup/", None),
    ("password-reset", "/accounts/password/reset/", None),
    ("not-found", "/no-such-page/", None),
    ("home-signed-in", "/", "student"),
    ("profile", "/profile/", "student"),
    ("teach", "/teach/", "student"),
    ("password-change", "/accounts/password/change/", "student"),
    ("two-factor", "/accounts/2fa/", "student"),
    ("catalog", "/courses/", None),
    ("dashboard", "/dashboard/", "student"),
    ("progress", "/progress/", "student"),
    ("leaderboard", "/leaderboard/", "student"),
    ("league", "/league/", "student"),
    ("questions", "/questions/", "student"),
]


def a_student() -> User:
    student = StudentFactory(email="sam@example.com", display_name="Sam Student")
    TeacherApplicationFactory(
        applicant=student,
        expertise="Watercolour painting",
        status=TeacherApplication.Status.REJECTED,
        review_note="Thank you! Please add a sample lesson and apply again.",
    )
    return student


@pytest.mark.parametrize("theme", THEMES)
@pytest.mark.parametrize(("name", "path", "signed_in"), PAGES, ids=[p[0] for p in PAGES])
def test_page_has_no_wcag_violations(
    page: Page,
    browser_context: BrowserContext,
    live_server: Any,
    name: str,
    path: str,
    signed_in: str | None,
    theme: str,
) -> None:
    if signed_in:
        log_in(browser_context, a_student(), live_server)

    page.goto(path)
    choose_theme(page, theme)

    assert_no_axe_violations(page, f"{name} in the {theme} theme")
    save_screenshots(page, f"{name}-{theme}")
    assert_no_horizontal_scroll(page, 320)


@pytest.mark.parametrize("theme", THEMES)
def test_signup_errors_are_accessible(page: Page, theme: str) -> None:
    page.goto("/accounts/signup/")
    choose_theme(page, theme)
    page.get_by_label("Email").fill("not-an-email")
    page.get_by_label("Password", exact=True).fill("short")
    page.get_by_label("Password (again)").fill("different")
    page.get_by_role("button", name="Create account").click()

    email = page.get_by_label("Email")
    expect(email).to_have_attribute("aria-invalid", "true")
    expect(email).to_have_accessible_description("Error: Enter a valid email address.")
    assert_no_axe_violations(page, f"signup with errors in the {theme} theme")
    save_screenshots(page, f"signup-errors-{theme}")


@pytest.mark.parametrize("theme", THEMES)
def test_profile_errors_are_accessible(
    page: Page, browser_context: BrowserContext, live_server: Any, theme: str
) -> None:
    log_in(browser_context, a_student(), live_server)
    page.goto("/profile/")
    choose_theme(page, theme)
    page.get_by_label("Time zone").fill("Mars/Olympus_Mons")
    page.get_by_role("button", name="Save profile").click()

    time_zone = page.get_by_label("Time zone")
    expect(time_zone).to_have_attribute("aria-invalid", "true")
    expect(time_zone).to_have_accessible_description(
        "An IANA time zone such as Europe/Paris or America/New_York; streaks and deadlines "
        "follow it. Error: 'Mars/Olympus_Mons' is not a known time zone; use an IANA name such "
        "as Europe/Paris."
    )
    assert_no_axe_violations(page, f"profile with errors in the {theme} theme")
    save_screenshots(page, f"profile-errors-{theme}")


def test_the_system_theme_follows_a_dark_device(page: Page) -> None:
    page.emulate_media(color_scheme="dark")
    page.goto("/")

    expect(page.locator("html")).to_have_attribute("data-theme", "system")
    background = page.evaluate("() => getComputedStyle(document.body).backgroundColor")
    assert background == "rgb(17, 20, 27)"
    assert_no_axe_violations(page, "home, system theme on a dark device")


def test_the_system_theme_follows_a_device_asking_for_more_contrast(page: Page) -> None:
    page.emulate_media(contrast="more")
    page.goto("/")

    background = page.evaluate("() => getComputedStyle(document.body).backgroundColor")
    assert background == "rgb(0, 0, 0)"
    assert_no_axe_violations(page, "home, system theme asking for more contrast")


def test_reduced_motion_is_respected(page: Page) -> None:
    page.goto("/")
    smooth = page.evaluate("() => getComputedStyle(document.documentElement).scrollBehavior")
    page.emulate_media(reduced_motion="reduce")
    reduced = page.evaluate("() => getComputedStyle(document.documentElement).scrollBehavior")

    assert (smooth, reduced) == ("smooth", "auto")


def test_the_theme_menu_works_without_javascript(browser: Any, live_server: Any) -> None:
    context = open_context(browser, base_url=live_server.url, java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto("/accounts/login/")
        page.locator("#theme-switcher summary").click()
        page.get_by_role("button", name="High contrast", exact=True).click()

        page.wait_for_url("**/accounts/login/")
        expect(page.locator("html")).to_have_attribute("data-theme", "high-contrast")
    finally:
        close_context(context)


def test_the_profile_theme_field_follows_the_header_menu(
    page: Page, browser_context: BrowserContext, live_server: Any
) -> None:
    student = a_student()
    log_in(browser_context, student, live_server)
    page.goto("/profile/")

    choose_theme(page, "dark")

    expect(page.get_by_role("radio", name="Dark")).to_be_checked()
    page.get_by_role("button", name="Save profile").click()
    expect(page.locator(".alert--success")).to_contain_text("Your profile has been saved.")
    expect(page.locator("html")).to_have_attribute("data-theme", "dark")
    student.refresh_from_db()
    assert student.theme == "dark"
