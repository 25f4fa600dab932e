from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from rest_framework.test import APIClient

from accounts.models import User
from courses.models import Choice, Course, Quiz
from courses.services import enrollment_create
from learning import challenges
from learning.exceptions import ChallengeClosedError, ChallengeUnavailableError
from learning.models import ChallengeRun

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _right_answers(run: ChallengeRun, *, wrong: int = 0) -> dict[str, int]:
    answers = {}
    for position, pk in enumerate(run.question_ids):
        answers[str(pk)] = Choice.objects.get(question_id=pk, is_correct=position >= wrong).pk
    return answers


def test_a_run_has_a_server_deadline_and_a_reload_keeps_the_clock(
    enrolled: User, course: Course, quiz: Quiz
) -> None:
    with time_machine.travel(START, tick=False) as clock:
        run, created = challenges.challenge_run_start(learner=enrolled, course=course)
        assert created is True
        assert sorted(run.question_ids) == sorted(quiz.questions.values_list("pk", flat=True))
        assert run.deadline == START + timedelta(seconds=90)
        clock.shift(timedelta(seconds=40))
        again, created = challenges.challenge_run_start(learner=enrolled, course=course)
    assert (again.pk, again.deadline, created) == (run.pk, run.deadline, False)


def test_answers_after_the_deadline_are_refused_whatever_the_client_says(
    enrolled: User, course: Course, quiz: Quiz
) -> None:
    with time_machine.travel(START, tick=False) as clock:
        run, _ = challenges.challenge_run_start(learner=enrolled, course=course)
        clock.shift(timedelta(seconds=91))
        with pytest.raises(ChallengeClosedError):
            challenges.challenge_run_submit(
                learner=enrolled, run_id=run.pk, answers=_right_answers(run)
            )
    run.refresh_from_db()
    assert (run.score, run.submitted_at, run.answers) == (None, None, {})


def test_score_weighs_correctness_then_speed_and_is_counted_once(
    enrolled: User, course: Course, quiz: Quiz, django_capture_on_commit_callbacks
) -> None:
    with time_machine.travel(START, tick=False) as clock:
        run, _ = challenges.challenge_run_start(learner=enrolled, course=course)
        clock.shift(timedelta(seconds=45))  # half the time left
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            run = challenges.challenge_run_submit(
                learner=enrolled, run_id=run.pk, answers=_right_answers(run, wrong=1)
            )
        assert len(callbacks) == 1  # challenge_completed, for gamification's XP
        assert (run.correct_count, run.score) == (2, 2 * 100 + 50)
        with pytest.raises(ChallengeClosedError):
            challenges.challenge_run_submit(learner=enrolled, run_id=run.pk, answers={})
    assert ChallengeRun.objects.get(pk=run.pk).score == 250


def test_a_challenge_needs_questions_from_an_enrolled_course(learner: User, course, quiz) -> None:
    with pytest.raises(ChallengeUnavailableError):
        challenges.challenge_run_start(learner=learner, course=course)
    assert not ChallengeRun.objects.exists()


def test_category_challenges_draw_from_enrolled_courses_of_the_category(
    enrolled: User, course: Course, quiz: Quiz
) -> None:
    run, _ = challenges.challenge_run_start(learner=enrolled, category=course.category)
    assert run.scope == f"category:{course.category_id}"
    assert len(run.question_ids) == 3


def test_leaderboard_ranks_best_scores_within_a_query_budget(
    course: Course,
    quiz: Quiz,
    client_for: Callable[[User], APIClient],
    django_assert_max_num_queries,
) -> None:
    from courses.tests.factories import StudentFactory

    learners = [StudentFactory(display_name=f"L{n}") for n in range(4)]
    for position, learner in enumerate(learners):
        enrollment_create(learner=learner, course=course)
        with time_machine.travel(START, tick=False) as clock:
            run, _ = challenges.challenge_run_start(learner=learner, course=course)
            clock.shift(timedelta(seconds=45))
            challenges.challenge_run_submit(
                learner=learner, run_id=run.pk, answers=_right_answers(run, wrong=position % 3)
            )
    client = client_for(learners[0])
    with django_assert_max_num_queries(3):
        response = client.get(f"/api/v1/challenges/leaderboard?course={course.pk}")
    assert [(row["rank"], row["name"], row["best_score"]) for row in response.json()] == [
        (1, "L0", 375),
        (1, "L3", 375),
        (3, "L1", 250),
        (4, "L2", 125),
    ]
    assert client.get("/api/v1/challenges/leaderboard").status_code == 400


def test_challenge_api_start_submit_and_privacy(
    enrolled: User,
    other_learner: User,
    course: Course,
    quiz: Quiz,
    client_for: Callable[[User], APIClient],
) -> None:
    client = client_for(enrolled)
    with time_machine.travel(START, tick=False) as clock:
        response = client.post("/api/v1/challenges/runs", {"course_id": course.pk}, format="json")
        assert response.status_code == 201
        body = response.json()
        assert body["seconds_left"] == 90
        assert "is_correct" not in str(body["questions"])
        run = ChallengeRun.objects.get()
        assert (
            client.post(
                "/api/v1/challenges/runs", {"course_id": course.pk}, format="json"
            ).status_code
            == 200
        )
        assert client_for(other_learner).get(f"/api/v1/challenges/runs/{run.pk}").status_code == 404
        clock.shift(timedelta(seconds=100))
        response = client.post(
            f"/api/v1/challenges/runs/{run.pk}/submit",
            {"answers": _right_answers(run)},
            format="json",
        )
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "challenge_closed"
    assert client.post("/api/v1/challenges/runs", {}, format="json").status_code == 400
    assert APIClient().post("/api/v1/challenges/runs").status_code == 401
