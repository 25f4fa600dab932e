"""A timed quiz shows the time left, warns once a minute remains, and hands in the answers
given so far when the time is up (the deadline itself is enforced by the server)."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import BrowserContext, Page, expect

from courses import services
from courses.models import QuizAttempt
from courses.tests.factories import (
    EnrollmentFactory,
    StudentFactory,
    course_with_outline,
    quiz_lesson,
)
from tests.browser.conftest import assert_no_axe_violations, log_in


def test_a_timed_quiz_counts_down_warns_and_submits_itself(
    page: Page, browser_context: BrowserContext, live_server: Any, time_machine: Any
) -> None:
    # The server's clock stands still (the live server shares this process), so the attempt
    # never expires on the server however slow the run; the browser's clock is page.clock.
    time_machine.move_to("2026-11-25 09:00:00Z", tick=False)
    student = StudentFactory()
    course = course_with_outline(modules=1, lessons_per_module=1)
    quiz = quiz_lesson(course.modules.get(), order=5, questions=2, time_limit_seconds=90)
    EnrollmentFactory(learner=student, course=course)
    attempt, _ = services.quiz_attempt_start(learner=student, quiz=quiz)
    log_in(browser_context, student, live_server)

    page.clock.install()
    page.goto(f"/quiz-attempts/{attempt.pk}/")
    timer = page.locator(".quiz-timer__value")
    expect(timer).to_have_text(re.compile(r"^1:[2-3]\d$"))  # the server's 90 seconds, counting
    assert_no_axe_violations(page, "timed quiz")
    alert = page.locator(".quiz-timer__alert")
    expect(alert).to_have_text("")
    page.get_by_label("right").first.check()

    # The page's clock jumps 40 seconds: under a minute is left, and the learner is told once.
    page.clock.run_for(40_000)
    expect(timer).to_have_text(re.compile(r"^0:[0-5]\d$"))
    expect(alert).to_have_text("One minute left: your answers are submitted when the time is up.")
    page.clock.run_for(60_000)  # past the deadline: the page hands the answers in

    expect(page.get_by_text("Score")).to_be_visible()
    attempt = QuizAttempt.objects.get(pk=attempt.pk)
    assert attempt.submitted_at is not None
    assert attempt.score == 1  # the one answer given before the time ran out
