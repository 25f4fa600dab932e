"""An instructor is made to set up TOTP, gets recovery codes, and later signs in with one; every
page of the journey passes axe-core in each theme."""

from __future__ import annotations

import time
from typing import Any

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from playwright.sync_api import Page, expect

from accounts import services
from accounts.tests.factories import DEFAULT_PASSWORD, InstructorFactory
from tests.browser.conftest import THEMES, assert_no_axe_violations, choose_theme, save_screenshots


def log_in_with_the_form(page: Page, email: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Log in").click()


@pytest.mark.parametrize("theme", THEMES)
def test_an_instructor_sets_up_two_factor_and_signs_in_with_a_recovery_code(
    page: Page, live_server: Any, settings: Any, theme: str
) -> None:
    settings.MFA_REQUIRED_FOR_STAFF = True
    instructor = InstructorFactory(email="ivan@example.com", display_name="Ivan Instructor")
    EmailAddress.objects.create(
        user=instructor, email=instructor.email, verified=True, primary=True
    )
    services.user_profile_update(user=instructor, data={"theme": theme})

    log_in_with_the_form(page, "ivan@example.com")
    page.goto("/profile/")

    # Sent to set up TOTP; allauth first asks for the password again.
    expect(page).to_have_url(
        f"{live_server.url}/accounts/reauthenticate/?next=%2Faccounts%2F2fa%2Ftotp%2Factivate%2F"
    )
    expect(page.locator(".alert--warning")).to_contain_text(
        "must turn on two-factor authentication"
    )
    expect(page.locator("html")).to_have_attribute("data-theme", theme)
    assert_no_axe_violations(page, f"reauthenticate ({theme})")
    save_screenshots(page, f"reauthenticate-{theme}")
    page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Confirm").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Activate Authenticator App")
    assert_no_axe_violations(page, f"activate TOTP ({theme})")
    save_screenshots(page, f"totp-activate-{theme}")
    secret = page.get_by_label("Authenticator secret").input_value()
    code = format_hotp_value(hotp_value(secret, int(time.time()) // 30))
    page.get_by_label("Authenticator code").fill(code)
    page.get_by_role("button", name="Activate").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Recovery Codes")
    assert_no_axe_violations(page, f"recovery codes ({theme})")
    save_screenshots(page, f"recovery-codes-{theme}")
    recovery_code = page.get_by_label("Unused codes").input_value().split()[0]

    page.get_by_role("button", name="Log out").click()
    expect(
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Log in")
    ).to_be_visible()
    log_in_with_the_form(page, "ivan@example.com")

    expect(page.get_by_role("heading", level=1)).to_have_text("Two-Factor Authentication")
    choose_theme(page, theme)  # signed out in between: this stage is an anonymous session
    assert_no_axe_violations(page, f"two-factor sign-in ({theme})")
    save_screenshots(page, f"totp-authenticate-{theme}")
    page.get_by_label("Code").fill(recovery_code)
    page.get_by_role("button", name="Sign In").click()

    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.locator(".user-badge")).to_contain_text("Ivan Instructor")
    expect(page.get_by_role("link", name="Admin")).to_be_visible()
    page.goto("/profile/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your profile")
