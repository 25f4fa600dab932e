"""Every page the journeys visit, checked by axe-core in the light, dark and high-contrast themes
(WCAG 2.1 A and AA rules), with the state the journey leaves it in: an enrolled learner part-way
through a course, a quiz attempt open and one graded, a finished course with its certificate, a
question with an answer, a study-buddy conversation, notifications, an instructor's analytics.
Admin pages are checked in the admin's light and dark themes with Lumen's high-contrast theme on."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from allauth.account.models import EmailAddress, EmailConfirmationHMAC
from allauth.mfa.models import Authenticator
from django.test import override_settings
from django.utils import timezone
from playwright.sync_api import BrowserContext, Page

from accounts.services import role_groups_sync, user_profile_update
from ai_tools import services as ai_services
from ai_tools.tests.factories import plan_subscribe
from courses import services as course_services
from courses.models import Choice, Course, Enrollment, Lesson
from courses.tests.factories import StudentFactory
from learning.models import ReviewCard
from qa.tests.factories import make_answer, make_question
from tests.browser.conftest import (
    assert_admin_page_accessible,
    assert_no_horizontal_scroll,
    assert_page_accessible_in_every_theme,
    log_in,
)
from tests.browser.test_learning_journey import _course


@pytest.fixture
def media_root(tmp_path: Path) -> Iterator[Path]:
    with override_settings(MEDIA_ROOT=tmp_path):
        yield tmp_path


def _world() -> dict[str, Any]:
    """The state the journeys leave behind, and who sees which page."""
    course = _course()
    instructor = course.instructors.get()
    video, article, quiz_lesson = Lesson.objects.filter(module__course=course).order_by("order")
    quiz = quiz_lesson.quiz
    correct = Choice.objects.get(question__quiz=quiz, is_correct=True)

    # A learner who finished the course (a graded attempt, a certificate) and asked a question;
    # on the Pro plan, which comes with the AI study tools (the study-buddy conversation).
    finisher = StudentFactory(display_name="Fin Finisher")
    plan_subscribe(finisher, "pro")
    course_services.enrollment_create(learner=finisher, course=course)
    for lesson in (video, article):
        course_services.lesson_complete(learner=finisher, lesson=lesson)
    graded, _ = course_services.quiz_attempt_start(learner=finisher, quiz=quiz)
    course_services.quiz_attempt_submit(
        learner=finisher, attempt=graded, answers={str(correct.question_id): correct.pk}
    )
    enrollment = Enrollment.objects.get(learner=finisher, course=course)
    certificate = course_services.certificate_issue(enrollment=enrollment)
    question = make_question(asker=finisher, title="Why does git status list my build folder?")
    make_answer(question=question, body="Add the folder to .gitignore, then commit that file.")
    conversation = ai_services.conversation_create(user=finisher, course=course)
    for _ in ai_services.study_buddy_reply(
        user=finisher, conversation=conversation, question="What does git commit record?"
    ):
        pass

    # A learner part-way through: the video started, a quiz attempt open.
    midway = StudentFactory(display_name="Mid Way")
    course_services.enrollment_create(learner=midway, course=course)
    course_services.lesson_position_save(
        learner=midway, lesson=video, position_seconds=21, seconds_spent_delta=21
    )
    open_attempt, _ = course_services.quiz_attempt_start(learner=midway, quiz=quiz)

    # The finisher's revision cards (from the quiz) come due: /review/ shows a card to answer.
    reviewer = StudentFactory(display_name="Rae Reviewer")
    course_services.enrollment_create(learner=reviewer, course=course)
    reviewed, _ = course_services.quiz_attempt_start(learner=reviewer, quiz=quiz)
    course_services.quiz_attempt_submit(
        learner=reviewer, attempt=reviewed, answers={str(correct.question_id): correct.pk}
    )
    ReviewCard.objects.filter(learner=reviewer).update(due=timezone.now() - dt.timedelta(hours=1))

    # Someone who has just signed up: the link in their e-mail confirms the address.
    newcomer = StudentFactory(display_name="New Comer")
    address = EmailAddress.objects.create(
        user=newcomer, email=newcomer.email, primary=True, verified=False
    )
    confirmation_key = EmailConfirmationHMAC(address).key

    return {
        "course": course,
        "users": {
            "finisher": finisher,
            "midway": midway,
            "reviewer": reviewer,
            "instructor": instructor,
        },
        "paths": {
            "course-page-anonymous": (None, f"/courses/{course.slug}/"),
            "catalog-search": (None, "/courses/?q=git"),
            "email-verification-sent": (None, "/accounts/confirm-email/"),
            "email-confirm": (None, f"/accounts/confirm-email/{confirmation_key}/"),
            "review-due-cards": ("reviewer", "/review/"),
            "course-page-enrolled": ("midway", f"/courses/{course.slug}/"),
            "video-lesson-resumed": ("midway", f"/learn/{course.slug}/{video.pk}/"),
            "article-lesson": ("midway", f"/learn/{course.slug}/{article.pk}/"),
            "quiz-lesson": ("midway", f"/learn/{course.slug}/{quiz_lesson.pk}/"),
            "quiz-attempt-open": ("midway", f"/quiz-attempts/{open_attempt.pk}/"),
            "quiz-attempt-graded": ("finisher", f"/quiz-attempts/{graded.pk}/"),
            "course-complete": ("finisher", f"/courses/{course.slug}/complete/"),
            "certificate-verify": (None, f"/certificates/{certificate.public_id}/"),
            "ask-question": ("finisher", "/questions/ask/"),
            "question-detail": ("finisher", f"/questions/{question.pk}/"),
            "study-buddy": (
                "finisher",
                f"/ai/courses/{course.pk}/study-buddy/?conversation={conversation.pk}",
            ),
            "notifications": ("finisher", "/notifications/"),
            "review": ("finisher", "/review/"),
            "progress-after-course": ("finisher", "/progress/"),
            "dashboard-midway": ("midway", "/dashboard/"),
            "teach-analytics": ("instructor", "/teach/analytics/"),
        },
    }


PAGE_NAMES = [
    "course-page-anonymous",
    "catalog-search",
    "email-verification-sent",
    "email-confirm",
    "review-due-cards",
    "course-page-enrolled",
    "video-lesson-resumed",
    "article-lesson",
    "quiz-lesson",
    "quiz-attempt-open",
    "quiz-attempt-graded",
    "course-complete",
    "certificate-verify",
    "ask-question",
    "question-detail",
    "study-buddy",
    "notifications",
    "review",
    "progress-after-course",
    "dashboard-midway",
    "teach-analytics",
]

STAFF_PAGES = {"teach-analytics"}


@pytest.mark.parametrize("name", PAGE_NAMES)
def test_journey_page_has_no_wcag_violations_in_any_theme(
    page: Page, browser_context: BrowserContext, live_server: Any, media_root: Path, name: str
) -> None:
    world = _world()
    who, path = world["paths"][name]
    if who:
        user = world["users"][who]
        if user.is_staff_role:
            Authenticator.objects.create(
                user=user, type=Authenticator.Type.TOTP, data={"secret": "x"}
            )
        log_in(browser_context, user, live_server)

    response = page.goto(path)
    assert response is not None
    assert response.status == 200, f"{path} answered {response.status}"
    if name == "review-due-cards":
        assert page.locator("summary", has_text="Show the answer").count() == 1
    assert_page_accessible_in_every_theme(page, name)
    if name not in STAFF_PAGES:
        # Mobile first: every learner page reflows to 320 px without sideways scrolling.
        assert_no_horizontal_scroll(page, 320)


def _admin_paths(course: Course) -> list[tuple[str, Callable[[], str]]]:
    module = course.modules.get()
    lesson = Lesson.objects.get(module=module, kind=Lesson.Kind.ARTICLE)
    quiz = Lesson.objects.get(module=module, kind=Lesson.Kind.QUIZ).quiz
    return [
        ("admin course list", lambda: "/admin/courses/course/"),
        ("admin add course", lambda: "/admin/courses/course/add/"),
        ("admin change course", lambda: f"/admin/courses/course/{course.pk}/change/"),
        ("admin module", lambda: f"/admin/courses/module/{module.pk}/change/"),
        ("admin lesson", lambda: f"/admin/courses/lesson/{lesson.pk}/change/"),
        ("admin quiz", lambda: f"/admin/courses/quiz/{quiz.pk}/change/"),
    ]


def test_the_instructors_admin_pages_pass_in_the_high_contrast_theme(
    page: Page, browser_context: BrowserContext, live_server: Any, media_root: Path
) -> None:
    role_groups_sync()
    course = _course()
    instructor = course.instructors.get()
    Authenticator.objects.create(
        user=instructor, type=Authenticator.Type.TOTP, data={"secret": "x"}
    )
    user_profile_update(user=instructor, data={"theme": "high-contrast"})
    log_in(browser_context, instructor, live_server)

    for label, path in _admin_paths(course):
        page.goto(path())
        assert page.evaluate("() => document.body.classList.contains('lumen-high-contrast')")
        assert_admin_page_accessible(page, label)
