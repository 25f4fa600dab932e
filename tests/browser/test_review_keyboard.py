"""/review/ with the keyboard's ordinary keys (no shortcuts): reached from the dashboard, the skip
link, Tab to the answer, Enter to show it, Tab to a rating and Enter; every stop visibly focused
and no trap. The shortcut keys have their own test (test_learning_modes)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from playwright.sync_api import BrowserContext, Page, expect

from courses import services as course_services
from courses.tests.factories import (
    EnrollmentFactory,
    StudentFactory,
    course_with_outline,
    quiz_lesson,
)
from learning.models import ReviewCard, ReviewLog
from tests.browser.conftest import (
    assert_focus_visible,
    assert_no_axe_violations,
    assert_no_keyboard_trap,
    log_in,
    skip_to_main,
    tab_to,
)


def test_reviewing_from_the_dashboard_with_tab_and_enter(
    page: Page, browser_context: BrowserContext, live_server: Any
) -> None:
    student = StudentFactory()
    course = course_with_outline(modules=1, lessons_per_module=1)
    quiz = quiz_lesson(course.modules.get(), order=5, questions=2, max_attempts=None)
    EnrollmentFactory(learner=student, course=course)
    attempt, _ = course_services.quiz_attempt_start(learner=student, quiz=quiz)
    course_services.quiz_attempt_submit(learner=student, attempt=attempt, answers={})
    ReviewCard.objects.filter(learner=student).update(due=timezone.now() - dt.timedelta(hours=1))
    log_in(browser_context, student, live_server)

    # The dashboard says how many are due and links to /review/.
    page.goto("/dashboard/")
    skip_to_main(page)
    tab_to(page, "main a[href^='/review/']")
    assert_focus_visible(page)
    page.keyboard.press("Enter")
    page.wait_for_url("**/review/**")
    expect(page.get_by_text("2 cards due now")).to_be_visible()

    skip_to_main(page)
    tab_to(page, "#review-answer summary")
    assert_focus_visible(page)
    page.keyboard.press("Enter")
    expect(page.locator("#review-answer")).to_have_attribute("open", "")
    tab_to(page, "#review-ratings button[value=good]")
    assert_focus_visible(page)
    assert_no_axe_violations(page, "review, answer shown")
    assert_no_keyboard_trap(page)
    tab_to(page, "#review-ratings button[value=good]")
    page.keyboard.press("Enter")
    expect(page.get_by_text("1 card due now")).to_be_visible()

    skip_to_main(page)
    tab_to(page, "#review-answer summary")
    page.keyboard.press("Space")
    tab_to(page, "#review-ratings button[value=hard]")
    page.keyboard.press("Space")
    expect(page.get_by_role("heading", name="All caught up!")).to_be_visible()
    ratings = ReviewLog.objects.filter(card__learner=student, source="review")
    assert sorted(ratings.values_list("rating", flat=True)) == [
        ReviewLog.Rating.HARD,
        ReviewLog.Rating.GOOD,
    ]
