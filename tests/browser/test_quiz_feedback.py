"""A practice quiz with immediate feedback: the learner checks one answer, sees at once whether
it is right and why (announced to screen readers), and the checked answer is locked while the
other questions stay open; the submit then grades the checked answer as it was checked."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import BrowserContext, Page, expect

from courses import services
from courses.models import Quiz, QuizAttempt
from courses.tests.factories import (
    EnrollmentFactory,
    StudentFactory,
    course_with_outline,
    quiz_lesson,
)
from tests.browser.conftest import assert_no_axe_violations, log_in


def test_checking_an_answer_shows_the_verdict_and_locks_only_that_question(
    page: Page, browser_context: BrowserContext, live_server: Any
) -> None:
    student = StudentFactory()
    course = course_with_outline(modules=1, lessons_per_module=1)
    quiz = quiz_lesson(course.modules.get(), order=5, questions=2, feedback=Quiz.Feedback.IMMEDIATE)
    first, second = quiz.questions.order_by("order")
    first.explanation = "The *right* choice is right."
    first.save(update_fields=["explanation"])
    EnrollmentFactory(learner=student, course=course)
    attempt, _ = services.quiz_attempt_start(learner=student, quiz=quiz)
    log_in(browser_context, student, live_server)

    page.goto(f"/quiz-attempts/{attempt.pk}/")
    first_card = page.locator(f"#question-{first.pk}-card")
    second_card = page.locator(f"#question-{second.pk}-card")
    assert_no_axe_violations(page, "quiz with immediate feedback")

    # Checking nothing says so on the question itself.
    first_card.get_by_role("button", name="Check answer").click()
    expect(first_card.get_by_role("alert")).to_have_text("Answer the question before checking it.")

    first_card.get_by_label("wrong").check()
    second_card.get_by_label("right").check()
    first_card.get_by_role("button", name="Check answer").click()

    feedback = first_card.get_by_role("status")
    expect(feedback).to_contain_text("Not quite.")
    expect(feedback).to_contain_text("Why: The right choice is right.")
    expect(feedback).to_be_focused()
    expect(first_card.get_by_text("(right answer)")).to_be_visible()
    expect(first_card.get_by_label("wrong")).to_be_disabled()
    expect(first_card.get_by_role("button", name="Check answer")).to_have_count(0)
    # The other question is untouched: still open, its unsaved choice still made.
    expect(second_card.get_by_label("right")).to_be_checked()
    expect(second_card.get_by_label("right")).to_be_enabled()
    assert_no_axe_violations(page, "quiz after a checked answer")

    page.get_by_role("button", name="Submit answers").click()
    expect(page.get_by_text("Score")).to_be_visible()
    attempt = QuizAttempt.objects.get(pk=attempt.pk)
    assert attempt.submitted_at is not None
    assert attempt.score == 1  # the checked wrong answer stays wrong; the second is right
