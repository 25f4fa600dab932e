"""Level-up and badge toasts in Chromium: after the page action that earned them, and live over
the notifications WebSocket in another tab; a polite live region, still under reduced motion."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Browser, Page, expect

from courses.models import Lesson
from courses.tests.factories import EnrollmentFactory, StudentFactory, course_with_outline
from gamification import services
from gamification.rules import Action
from tests.browser.conftest import (
    DESKTOP,
    AsgiServer,
    assert_no_axe_violations,
    close_context,
    log_in,
    open_context,
)
from tests.browser.test_live_notifications import _tab


def _learner_one_lesson_from_level_2() -> tuple[Any, Any, Any]:
    learner = StudentFactory(display_name="Lena Learner")
    course = course_with_outline(modules=1, lessons_per_module=2)
    EnrollmentFactory(learner=learner, course=course)
    # 40 XP: the lesson's 10 and the streak day's 5 reach level 2 (50 XP).
    services.xp_award(user=learner, action=Action.MANUAL_GRANT, idempotency_key="s", amount=40)
    lesson = Lesson.objects.filter(module__course=course).order_by("order").first()
    return learner, course, lesson


def test_completing_a_lesson_shows_accessible_toasts(
    page: Page, live_server: Any, browser: Browser
) -> None:
    learner, course, lesson = _learner_one_lesson_from_level_2()
    log_in(page.context, learner, live_server)
    page.goto(f"{live_server.url}/learn/{course.slug}/{lesson.pk}/")

    page.get_by_role("button", name="Mark complete and continue").click()

    region = page.get_by_role("status", name="Achievements")
    expect(region.get_by_text("Level 2! You are now a Newcomer.")).to_be_visible()
    expect(region.get_by_text("Badge unlocked: First steps")).to_be_visible()
    toast = region.locator(".toast").first
    assert toast.evaluate("node => getComputedStyle(node).animationName") == "lumen-toast-in"
    # Contrast is checked once the toasts have slid in (mid-animation they are half transparent).
    page.wait_for_function(
        "() => document.getAnimations().every(animation => animation.playState === 'finished')"
    )
    assert_no_axe_violations(page, "lesson page with toasts")
    region.get_by_role("button", name="Dismiss: Badge unlocked: First steps").click()
    expect(region.get_by_text("Badge unlocked: First steps")).to_have_count(0)
    page.reload()  # shown once
    page.wait_for_timeout(300)
    expect(region.locator(".toast")).to_have_count(0)


def test_toasts_do_not_move_under_reduced_motion(browser: Browser, live_server: Any) -> None:
    learner, course, lesson = _learner_one_lesson_from_level_2()
    context = open_context(
        browser, base_url=live_server.url, viewport=DESKTOP, reduced_motion="reduce"
    )
    try:
        log_in(context, learner, live_server)
        tab = context.new_page()
        tab.goto(f"/learn/{course.slug}/{lesson.pk}/")
        tab.get_by_role("button", name="Mark complete and continue").click()
        toast = tab.locator("#celebrations .toast").first
        expect(toast).to_be_visible()
        assert toast.evaluate("node => getComputedStyle(node).animationName") == "none"
    finally:
        close_context(context)


def test_a_badge_earned_in_one_tab_is_toasted_live_in_another(
    browser: Browser,
    asgi_server: AsgiServer,
) -> None:
    learner, course, lesson = _learner_one_lesson_from_level_2()
    context = _tab(browser, asgi_server, learner)
    try:
        watching = context.new_page()
        watching.goto("/progress/")
        expect(watching.locator("html")).to_have_attribute("data-notifications-live", "true")
        acting = context.new_page()
        acting.goto(f"/learn/{course.slug}/{lesson.pk}/")
        acting.get_by_role("button", name="Mark complete and continue").click()

        region = watching.get_by_role("status", name="Achievements")
        expect(region.get_by_text("Badge unlocked: First steps")).to_be_visible(timeout=3000)
        expect(region.get_by_text("Level 2! You are now a Newcomer.")).to_be_visible()
        expect(region.get_by_text("Badge unlocked: First steps")).to_have_count(1)
    finally:
        close_context(context)
