"""The installable, offline-capable Lumen: manifest, service worker, offline fallback."""

from __future__ import annotations

import threading
from typing import Any

from playwright.sync_api import BrowserContext, Page, expect

from accounts.tests.factories import StudentFactory
from notifications import services
from notifications.models import Kind
from tests.browser.conftest import assert_no_axe_violations, log_in


def _wait_for_control(page: Page) -> None:
    page.wait_for_function("() => navigator.serviceWorker && navigator.serviceWorker.ready")
    # The first load is not controlled; clients.claim() takes it over once the worker activates.
    page.wait_for_function("() => !!navigator.serviceWorker.controller")


def test_manifest_has_no_errors_and_the_service_worker_controls_the_site(page: Page) -> None:
    page.goto("/")
    _wait_for_control(page)
    session = page.context.new_cdp_session(page)
    manifest = session.send("Page.getAppManifest")
    assert manifest["errors"] == []
    assert manifest["url"].endswith("/manifest.webmanifest")
    scope = page.evaluate("() => navigator.serviceWorker.ready.then(r => r.scope)")
    assert scope == page.url.split("?")[0].rstrip("/") + "/"
    installability = session.send("Page.getInstallabilityErrors")
    # Playwright's contexts are incognito profiles, which Chromium never installs from; every
    # other check (manifest fields, icons, service worker with a fetch handler) must pass.
    errors = [e["errorId"] for e in installability["installabilityErrors"]]
    assert [e for e in errors if e != "in-incognito"] == []


def test_visited_pages_open_offline_and_others_show_the_offline_page(
    page: Page, browser_context: BrowserContext, live_server: Any
) -> None:
    page.goto("/")
    _wait_for_control(page)
    page.reload()  # now fetched through the worker, so the page is kept
    expect(page.locator("h1").first).to_be_visible()
    browser_context.set_offline(True)
    page.reload()
    expect(page.locator("main")).to_be_visible()
    assert "You are offline" not in page.content()
    page.goto("/never-visited/")
    expect(page.get_by_role("heading", name="You are offline")).to_be_visible()
    assert_no_axe_violations(page, "offline page")
    browser_context.set_offline(False)


def test_the_bell_counts_unread_notifications_live(
    page: Page, browser_context: BrowserContext, live_server: Any
) -> None:
    student = StudentFactory()
    # Playwright's event loop runs in this thread; the service's channel-layer send needs its own.
    worker = threading.Thread(
        target=services.notification_create,
        kwargs={"recipient": student, "kind": Kind.XP_AWARDED, "title": "+10 XP"},
    )
    worker.start()
    worker.join()
    log_in(browser_context, student, live_server)
    page.goto("/notifications/")
    expect(page.get_by_text("1 unread")).to_be_visible()
    expect(page.locator("#notification-bell")).to_be_visible()
    assert_no_axe_violations(page, "notifications inbox")
    page.get_by_role("button", name="Mark all as read").click()
    expect(page.get_by_text("0 unread")).to_be_visible()


def test_signing_out_drops_the_pages_kept_offline(
    page: Page, browser_context: BrowserContext, live_server: Any
) -> None:
    log_in(browser_context, StudentFactory(), live_server)
    page.goto("/notifications/")
    _wait_for_control(page)
    page.reload()  # kept by the worker
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url("**/")
    page.wait_for_function(
        "() => caches.open('lumen-pages-v1').then(c => c.match('/notifications/')).then(r => !r)"
    )
    browser_context.set_offline(True)
    page.goto("/notifications/")
    expect(page.get_by_role("heading", name="You are offline")).to_be_visible()
    browser_context.set_offline(False)
