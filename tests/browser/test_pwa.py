"""The installable, offline-capable Lumen in real Chromium: the manifest passes Chromium's own
checks, the service worker controls the whole site, visited pages and lessons open offline and
anything else shows the offline page."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, BrowserContext, Page, expect

from courses.models import Lesson
from courses.tests.factories import EnrollmentFactory, StudentFactory, course_with_outline
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, assert_no_axe_violations, log_in


def _wait_for_control(page: Page) -> None:
    """The first load is not controlled; clients.claim() takes it once the worker is active."""
    page.wait_for_function("() => navigator.serviceWorker.ready.then(() => true)")
    page.wait_for_function("() => !!navigator.serviceWorker.controller")


def test_the_manifest_has_no_errors_and_the_site_is_installable(
    browser: Browser, live_server: Any, tmp_path: Path
) -> None:
    # A persistent profile, not Playwright's usual incognito context: Chromium never offers to
    # install from incognito, so only here can every installability check come back clean.
    context = browser.browser_type.launch_persistent_context(
        str(tmp_path / "profile"),
        executable_path=str(CHROMIUM),
        headless=True,
        args=CHROMIUM_ARGS,
        base_url=live_server.url,
    )
    try:
        page = context.new_page()
        page.goto("/")
        _wait_for_control(page)
        session = context.new_cdp_session(page)
        manifest = session.send("Page.getAppManifest")
        assert manifest["errors"] == []
        assert manifest["url"].endswith("/manifest.webmanifest")
        scope = page.evaluate("() => navigator.serviceWorker.ready.then(r => r.scope)")
        assert scope == live_server.url + "/"
        installability = session.send("Page.getInstallabilityErrors")
        assert installability["installabilityErrors"] == []
    finally:
        context.close()


def test_a_visited_lesson_opens_offline_and_an_unvisited_page_shows_the_offline_page(
    page: Page, browser_context: BrowserContext, live_server: Any
) -> None:
    learner = StudentFactory()
    course = course_with_outline(modules=1, lessons_per_module=2, title="Offline course")
    EnrollmentFactory(course=course, learner=learner)
    lesson = Lesson.objects.filter(module__course=course).order_by("order").first()
    lesson_url = f"/learn/{course.slug}/{lesson.pk}/"
    log_in(browser_context, learner, live_server)
    page.goto("/")
    _wait_for_control(page)
    page.goto(lesson_url)  # through the worker now: it keeps the page
    expect(page.locator("#lesson-heading")).to_have_text(lesson.title)
    page.wait_for_function(
        "(url) => caches.open('lumen-pages-v1').then(c => c.match(url)).then(r => !!r)",
        arg=lesson_url,
    )

    browser_context.set_offline(True)
    page.reload()
    expect(page.locator("#lesson-heading")).to_have_text(lesson.title)
    page.goto("/courses/never-visited/")
    expect(page.get_by_role("heading", name="You are offline")).to_be_visible()
    saved = page.get_by_role("region", name="Available offline")
    expect(saved.get_by_role("link", name=lesson_url)).to_be_visible()
    assert_no_axe_violations(page, "offline page")
    saved.get_by_role("link", name=lesson_url).click()
    expect(page.locator("#lesson-heading")).to_have_text(lesson.title)
    browser_context.set_offline(False)


def test_signing_out_drops_the_pages_kept_offline(
    page: Page, browser_context: BrowserContext, live_server: Any
) -> None:
    log_in(browser_context, StudentFactory(), live_server)
    page.goto("/")
    _wait_for_control(page)
    page.goto("/notifications/")
    page.wait_for_function(
        "() => caches.open('lumen-pages-v1').then(c => c.match('/notifications/')).then(r => !!r)"
    )
    page.get_by_role("button", name="Log out").click()
    page.wait_for_function(
        "() => caches.open('lumen-pages-v1').then(c => c.match('/notifications/')).then(r => !r)"
    )
    browser_context.set_offline(True)
    page.goto("/notifications/")
    expect(page.get_by_role("heading", name="You are offline")).to_be_visible()
    browser_context.set_offline(False)


def test_the_notification_settings_and_announcement_pages_are_accessible(
    page: Page, browser_context: BrowserContext, live_server: Any, settings: Any
) -> None:
    from courses.tests.factories import CourseFactory, InstructorFactory

    settings.MFA_REQUIRED_FOR_STAFF = False
    settings.VAPID_PUBLIC_KEY = (
        "BOnKbGQU-oT66XXDnYo88l3T6CL-yy6RwJEcTwhBfKJWWnQwUeP_yCCHezfgoMPtfVtpzvLh0uhVahKfbK3hcbw"
    )
    settings.VAPID_PRIVATE_KEY = "coPGu3DJysPL3IrwVMdH3AtduNqBxj_5TigDuyL6dNk"
    instructor = InstructorFactory()
    CourseFactory(instructors=[instructor], title="Pandas")
    log_in(browser_context, instructor, live_server)
    page.goto("/notifications/preferences/")
    expect(page.get_by_role("checkbox", name="Level up: Push")).to_be_checked()
    expect(page.get_by_role("button", name="Turn on push on this device")).to_be_visible()
    assert_no_axe_violations(page, "notification settings")
    page.goto("/notifications/announce/")
    expect(page.get_by_label("Course")).to_have_value(str(instructor.courses_taught.get().pk))
    assert_no_axe_violations(page, "announce to a course")
