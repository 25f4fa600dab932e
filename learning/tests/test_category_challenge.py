"""Challenges across a category: questions from its published courses the learner may open,
and a leaderboard of the category's own."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.test import Client
from rest_framework.test import APIClient

from accounts.models import User
from courses import entitlements
from courses.models import Course, Question
from courses.tests.factories import (
    CategoryFactory,
    EnrollmentFactory,
    course_with_outline,
    quiz_lesson,
)
from gamification.models import XpTransaction
from learning import selectors, services
from learning.models import ChallengeRun, ReviewCard

pytestmark = pytest.mark.django_db

NOON = dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC)


def _course_in(category: Any, *, questions: int = 2, **fields: Any) -> tuple[Course, set[int]]:
    course = course_with_outline(modules=1, lessons_per_module=1, category=category, **fields)
    quiz = quiz_lesson(course.modules.get(), order=5, questions=questions)
    return course, set(quiz.questions.values_list("id", flat=True))


def _right_answers(run: ChallengeRun) -> dict[str, int]:
    return {
        str(q.pk): q.choices.get(is_correct=True).pk
        for q in Question.objects.filter(pk__in=run.question_ids)
    }


def test_a_category_challenge_draws_only_from_courses_the_learner_may_open(
    student: User,
) -> None:
    science = CategoryFactory(name="Science", slug="science")
    enrolled, enrolled_questions = _course_in(science)
    also_enrolled, also_questions = _course_in(science)
    _not_enrolled, _ = _course_in(science)
    draft, _ = _course_in(science, status=Course.Status.DRAFT, published_at=None)
    exam_course, _ = _course_in(science, questions=0)
    quiz_lesson(exam_course.modules.get(), order=6, questions=3, is_exam=True)
    elsewhere, _ = _course_in(CategoryFactory())
    for course in (enrolled, also_enrolled, draft, exam_course, elsewhere):
        EnrollmentFactory(learner=student, course=course)

    run = services.challenge_start(learner=student, category=science, questions=50)

    assert (run.category_id, run.course_id) == (science.pk, None)
    assert set(run.question_ids) == enrolled_questions | also_questions
    assert run.deadline == run.started_at + dt.timedelta(seconds=20 * 4)


class _PaidLessonsClosed(entitlements.DefaultEntitlements):
    """Billing's rules for a learner whose plan lapsed: paid courses' lessons are closed."""

    def can_access_lesson(self, user: Any, lesson: Any, *, is_enrolled: bool) -> bool:
        return lesson.module.course.required_plan == Course.Plan.FREE


def test_a_course_the_learners_plan_no_longer_opens_gives_no_questions(student: User) -> None:
    science = CategoryFactory()
    free, free_questions = _course_in(science)
    paid, _ = _course_in(science, required_plan=Course.Plan.PRO)
    for course in (free, paid):
        EnrollmentFactory(learner=student, course=course)
    entitlements.register_provider(_PaidLessonsClosed())
    try:
        run = services.challenge_start(learner=student, category=science, questions=50)
    finally:
        entitlements.reset_provider()

    assert set(run.question_ids) == free_questions


def test_a_category_challenge_needs_an_enrollment_in_one_of_its_courses(student: User) -> None:
    science = CategoryFactory(name="Science")
    _course_in(science)

    with pytest.raises(services.ChallengeUnavailableError, match="Enroll in a course of “Science”"):
        services.challenge_start(learner=student, category=science)
    assert not ChallengeRun.objects.exists()


def test_a_category_run_keeps_its_clock_scores_and_makes_review_cards(
    student: User, django_capture_on_commit_callbacks: Any
) -> None:
    science = CategoryFactory()
    course, _ = _course_in(science, questions=2)
    EnrollmentFactory(learner=student, course=course)
    with time_machine.travel(NOON, tick=False):
        run = services.challenge_start(learner=student, category=science)
    with time_machine.travel(NOON + dt.timedelta(seconds=10), tick=False):
        again = services.challenge_start(learner=student, category=science)
    assert (again.pk, again.deadline) == (run.pk, NOON + dt.timedelta(seconds=40))

    with (
        time_machine.travel(NOON + dt.timedelta(seconds=20), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        run = services.challenge_submit(learner=student, run_id=run.pk, answers=_right_answers(run))

    assert (run.correct_count, run.score) == (2, 200 + 25)
    assert XpTransaction.objects.filter(user=student, action="challenge_completed").count() == 1
    # The questions met in the challenge are revision cards now, rated "good".
    cards = ReviewCard.objects.filter(learner=student)
    assert set(cards.values_list("question_id", flat=True)) == set(run.question_ids)
    assert set(cards.values_list("logs__source", "logs__rating")) == {("challenge", 3)}


def test_a_late_category_answer_is_refused_whatever_the_client_says(student: User) -> None:
    science = CategoryFactory()
    course, _ = _course_in(science, questions=1)
    EnrollmentFactory(learner=student, course=course)
    with time_machine.travel(NOON, tick=False):
        run = services.challenge_start(learner=student, category=science)
    api = APIClient()
    api.force_authenticate(student)
    with time_machine.travel(NOON + dt.timedelta(seconds=23), tick=False):
        response = api.post(
            f"/api/v1/challenges/{run.pk}/submit",
            {"answers": _right_answers(run), "client_time": NOON.isoformat()},
            format="json",
            HTTP_DATE="Mon, 01 Jun 2026 12:00:05 GMT",
        )
    assert response.status_code == 409
    run.refresh_from_db()
    assert (run.score, run.correct_count) == (0, 0)
    assert not ReviewCard.objects.filter(learner=student).exists()


def test_each_category_has_its_own_leaderboard(student: User, other_student: User) -> None:
    science, art = CategoryFactory(), CategoryFactory()
    science_course, _ = _course_in(science)
    art_course, _ = _course_in(art)
    for learner in (student, other_student):
        EnrollmentFactory(learner=learner, course=science_course)
        EnrollmentFactory(learner=learner, course=art_course)
    scores = [(student, science, 180), (other_student, science, 240), (student, art, 90)]
    for learner, category, score in scores:
        ChallengeRun.objects.create(
            learner=learner, category=category, question_ids=[], deadline=NOON, submitted_at=NOON,
            score=score,
        )  # fmt: skip
    ChallengeRun.objects.create(
        learner=student, course=science_course, question_ids=[], deadline=NOON,
        submitted_at=NOON, score=999,
    )  # fmt: skip

    board = selectors.challenge_leaderboard(category_id=science.pk)

    assert [(row["user_id"], row["score"]) for row in board] == [
        (other_student.pk, 240),
        (student.pk, 180),
    ]
    assert [row["score"] for row in selectors.challenge_leaderboard(category_id=art.pk)] == [90]


def test_the_category_challenge_api_and_page(
    student: User, django_assert_max_num_queries: Any
) -> None:
    science = CategoryFactory(name="Science", slug="science")
    course, _ = _course_in(science, questions=3)
    EnrollmentFactory(learner=student, course=course)
    api = APIClient()
    api.force_authenticate(student)

    neither = api.post("/api/v1/challenges", {}, format="json")
    both = api.post(
        "/api/v1/challenges", {"course": course.pk, "category": science.pk}, format="json"
    )
    unknown = api.post("/api/v1/challenges", {"category": 999999}, format="json")
    started = api.post("/api/v1/challenges", {"category": science.pk}, format="json")

    assert (neither.status_code, both.status_code, unknown.status_code) == (400, 400, 404)
    assert "course" in neither.json()["error"]["fields"]
    assert started.status_code == 201
    body = started.json()
    assert (body["category"], body["course"], len(body["questions"])) == (science.pk, None, 3)

    run = ChallengeRun.objects.get(pk=body["id"])
    submitted = api.post(
        f"/api/v1/challenges/{run.pk}/submit", {"answers": _right_answers(run)}, format="json"
    )
    assert submitted.status_code == 200
    board = api.get(f"/api/v1/challenges/leaderboard?category={science.pk}")
    assert [row["user_id"] for row in board.json()] == [student.pk]
    assert api.get("/api/v1/challenges/leaderboard").status_code == 400
    assert (
        api.get(f"/api/v1/challenges/leaderboard?course={course.pk}&category={science.pk}")
    ).status_code == 400
    for learner in range(5):  # the board's query count does not grow with its rows
        ChallengeRun.objects.create(
            learner=User.objects.create_user(email=f"l{learner}@example.com", password="x"),
            category=science, question_ids=[], deadline=NOON, submitted_at=NOON, score=10,
        )  # fmt: skip
    with django_assert_max_num_queries(3):
        rows = api.get(f"/api/v1/challenges/leaderboard?category={science.pk}").json()
    assert len(rows) == 6

    client = Client()
    client.force_login(student)
    services.preference_update(user=student, mode="challenge")
    lesson = course.modules.get().lessons.order_by("order").first()
    player = client.get(f"/learn/{course.slug}/{lesson.pk}/").content.decode()
    assert 'action="/challenges/start/category/science/"' in player
    assert "Challenge across Science</button>" in player
    response = client.post("/challenges/start/category/science/")
    page = client.get(response["Location"]).content.decode()
    assert "<h1>Challenge: Science</h1>" in page
    assert "Questions from every course of Science you are enrolled in." in page
