"""Challenge runs on the server's clock, relax breaks from the time the player reports, mode
preferences."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.test import Client
from rest_framework.test import APIClient

from accounts.models import User
from courses.tests.factories import EnrollmentFactory, course_with_outline, quiz_lesson
from gamification.models import XpTransaction
from learning import selectors, services
from learning.models import ChallengeRun, LearningPreference

pytestmark = pytest.mark.django_db

NOON = dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC)


def _course(student: User, questions: int = 3) -> Any:
    course = course_with_outline(modules=1, lessons_per_module=1)
    quiz_lesson(course.modules.get(), order=5, questions=questions)
    EnrollmentFactory(learner=student, course=course)
    return course


def _right_answers(run: ChallengeRun) -> dict[str, int]:
    from courses.models import Question

    return {
        str(q.pk): q.choices.get(is_correct=True).pk
        for q in Question.objects.filter(pk__in=run.question_ids)
    }


def test_a_challenge_scores_right_answers_and_speed_and_awards_xp_once(
    student: User, django_capture_on_commit_callbacks: Any
) -> None:
    course = _course(student)
    with time_machine.travel(NOON, tick=False):
        run = services.challenge_start(learner=student, course=course)
    assert run.deadline == NOON + dt.timedelta(seconds=60)  # 3 questions x 20 s
    with (
        time_machine.travel(NOON + dt.timedelta(seconds=30), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        run = services.challenge_submit(learner=student, run_id=run.pk, answers=_right_answers(run))
    assert (run.correct_count, run.score) == (3, 300 + 25)
    assert XpTransaction.objects.filter(user=student, action="challenge_completed").count() == 1
    with pytest.raises(services.ChallengeClosedError):
        services.challenge_submit(learner=student, run_id=run.pk, answers={})


def test_answers_after_the_servers_deadline_are_refused_whatever_the_client_says(
    student: User,
) -> None:
    course = _course(student)
    with time_machine.travel(NOON, tick=False):
        run = services.challenge_start(learner=student, course=course)
    api = APIClient()
    api.force_authenticate(student)
    with time_machine.travel(NOON + dt.timedelta(seconds=63), tick=False):
        # The client claims it is still early; only the server's clock counts.
        response = api.post(
            f"/api/v1/challenges/{run.pk}/submit",
            {"answers": _right_answers(run), "client_time": NOON.isoformat()},
            format="json",
            HTTP_DATE="Mon, 01 Jun 2026 12:00:01 GMT",
        )
    run.refresh_from_db()
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "challenge_closed"
    assert (run.score, run.correct_count) == (0, 0)


def test_reloading_a_challenge_never_resets_its_clock(student: User) -> None:
    course = _course(student)
    with time_machine.travel(NOON, tick=False):
        first = services.challenge_start(learner=student, course=course)
    with time_machine.travel(NOON + dt.timedelta(seconds=40), tick=False):
        again = services.challenge_start(learner=student, course=course)
    assert (again.pk, again.deadline) == (first.pk, first.deadline)


def test_a_challenge_needs_an_enrollment(student: User, other_student: User) -> None:
    course = _course(student)
    with pytest.raises(services.ChallengeUnavailableError):
        services.challenge_start(learner=other_student, course=course)


def test_the_challenge_leaderboard_keeps_each_learners_best(
    student: User, other_student: User
) -> None:
    course = _course(student)
    EnrollmentFactory(learner=other_student, course=course)
    for learner, wait in ((student, 10), (other_student, 50)):
        with time_machine.travel(NOON, tick=False):
            run = services.challenge_start(learner=learner, course=course)
        with time_machine.travel(NOON + dt.timedelta(seconds=wait), tick=False):
            services.challenge_submit(learner=learner, run_id=run.pk, answers=_right_answers(run))
    board = selectors.challenge_leaderboard(course_id=course.pk)
    assert [(row["user_id"], row["rank"]) for row in board] == [
        (student.pk, 1),
        (other_student.pk, 2),
    ]
    assert board[0]["score"] > board[1]["score"]


def _read(
    student: User, lesson: Any, seconds: int, capture: Any, at: dt.datetime
) -> dict[str, Any]:
    """The player reports `seconds` of reading at `at` (the real path: the courses service, its
    lesson_time_spent event after commit, learning's receiver)."""
    from courses import services as course_services

    with time_machine.travel(at, tick=False), capture(execute=True):
        course_services.lesson_reading_report(
            learner=student, lesson=lesson, seconds_spent_delta=seconds
        )
    return selectors.relax_status(user=student, now=at).__dict__


def test_relax_offers_a_break_after_the_chosen_minutes_of_reported_learning(
    student: User, django_capture_on_commit_callbacks: Any
) -> None:
    course = course_with_outline(modules=1, lessons_per_module=1)
    EnrollmentFactory(learner=student, course=course)
    lesson = course.modules.get().lessons.get()
    services.preference_update(user=student, mode="relax", relax_interval_minutes=5)
    _read(student, lesson, 0, django_capture_on_commit_callbacks, NOON)  # the lesson opens
    due = []
    for minute in range(1, 7):
        at = NOON + dt.timedelta(minutes=minute)
        _read(student, lesson, 60, django_capture_on_commit_callbacks, at)
        due.append(selectors.relax_status(user=student, now=at).break_due)

    assert due == [False, False, False, False, True, True]
    assert selectors.relax_status(user=student, now=NOON + dt.timedelta(minutes=6)) == (
        selectors.RelaxStatus(active_seconds=360, interval_seconds=300)
    )
    with time_machine.travel(NOON + dt.timedelta(minutes=7), tick=False):
        services.relax_break_taken(user=student)
        assert selectors.relax_status(user=student).break_due is False


def test_relax_counts_only_what_the_player_counted_not_what_it_claimed(
    student: User, django_capture_on_commit_callbacks: Any
) -> None:
    course = course_with_outline(modules=1, lessons_per_module=1)
    EnrollmentFactory(learner=student, course=course)
    lesson = course.modules.get().lessons.get()
    services.preference_update(user=student, mode="relax", relax_interval_minutes=5)

    # A report claiming an hour, 10 seconds after the lesson was first reported on, counts the
    # 10 seconds plus the courses' slack: the same limits as the lesson's own time.
    _read(student, lesson, 5, django_capture_on_commit_callbacks, NOON)
    state = _read(
        student, lesson, 3600, django_capture_on_commit_callbacks, NOON + dt.timedelta(seconds=10)
    )

    assert state["active_seconds"] == 5 + 40
    assert state["active_seconds"] < 300


def test_relax_time_counts_only_where_relax_mode_is_in_force(
    student: User, django_capture_on_commit_callbacks: Any
) -> None:
    relaxed = course_with_outline(modules=1, lessons_per_module=1)
    focused = course_with_outline(modules=1, lessons_per_module=1)
    for course in (relaxed, focused):
        EnrollmentFactory(learner=student, course=course)
    services.preference_update(user=student, mode="relax", relax_interval_minutes=5)
    services.course_mode_set(user=student, course=focused, mode="challenge")

    _read(
        student, focused.modules.get().lessons.get(), 30, django_capture_on_commit_callbacks, NOON
    )
    after_focused = selectors.relax_status(user=student, now=NOON).active_seconds
    _read(
        student,
        relaxed.modules.get().lessons.get(),
        30,
        django_capture_on_commit_callbacks,
        NOON + dt.timedelta(seconds=30),
    )

    assert after_focused == 0
    assert (
        selectors.relax_status(user=student, now=NOON + dt.timedelta(seconds=30)).active_seconds
        == 30
    )


def test_a_long_pause_was_a_break_and_the_count_starts_again(
    student: User, django_capture_on_commit_callbacks: Any
) -> None:
    course = course_with_outline(modules=1, lessons_per_module=1)
    EnrollmentFactory(learner=student, course=course)
    lesson = course.modules.get().lessons.get()
    services.preference_update(user=student, mode="relax", relax_interval_minutes=5)
    _read(student, lesson, 0, django_capture_on_commit_callbacks, NOON)  # the lesson opens
    for minute in range(1, 5):
        _read(
            student,
            lesson,
            60,
            django_capture_on_commit_callbacks,
            NOON + dt.timedelta(minutes=minute),
        )
    assert (
        selectors.relax_status(user=student, now=NOON + dt.timedelta(minutes=4)).active_seconds
        == 240
    )

    later = NOON + dt.timedelta(minutes=4) + selectors.RELAX_NATURAL_BREAK
    assert selectors.relax_status(user=student, now=later).active_seconds == 0
    state = _read(student, lesson, 60, django_capture_on_commit_callbacks, later)
    assert state["active_seconds"] == 60


def test_the_relax_status_page_reports_the_break_timer(student: User) -> None:
    services.preference_update(user=student, mode="relax", relax_interval_minutes=5)
    client = Client()
    client.force_login(student)

    response = client.get("/learning/relax/status/")
    refused = client.post("/learning/relax/status/")

    assert response.status_code == 200
    assert response.json() == {"active_seconds": 0, "interval_seconds": 300, "break_due": False}
    assert refused.status_code == 405


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"desired_retention": 0.5}, "desired_retention"),
        ({"relax_interval_minutes": 1}, "relax_interval_minutes"),
        ({"mode": "turbo"}, "mode"),
    ],
)
def test_bad_preferences_are_refused(student: User, changes: dict[str, Any], field: str) -> None:
    services.preference_get(user=student)
    with pytest.raises(services.InvalidPreferenceError) as error:
        services.preference_update(user=student, **changes)
    assert field in error.value.fields
    assert LearningPreference.objects.get(user=student).desired_retention == 0.9


def test_a_course_mode_overrides_the_default_and_the_player_shows_it(student: User) -> None:
    course = course_with_outline(modules=1, lessons_per_module=2)
    EnrollmentFactory(learner=student, course=course)
    services.preference_update(user=student, mode="relax")
    client = Client()
    client.force_login(student)
    first = course.modules.get().lessons.order_by("order").first()

    response = client.post(
        f"/learning/mode/{course.pk}/",
        {"mode": "binge", "next": f"/learn/{course.slug}/{first.pk}/"},
    )
    page = client.get(response["Location"]).content.decode()

    assert selectors.mode_for(user=student, course_id=course.pk) == "binge"
    assert selectors.mode_for(user=student, course_id=None) == "relax"
    assert 'data-mode="binge"' in page
    assert 'id="binge-cancel"' in page
    assert 'data-countdown="8"' in page


def test_the_course_pages_bring_the_viewers_own_course_mode(
    student: User, other_student: User, django_assert_num_queries: Any
) -> None:
    from courses.selectors import course_get_for_learner

    course = course_with_outline(modules=1, lessons_per_module=1)
    for learner in (student, other_student):
        EnrollmentFactory(learner=learner, course=course)
    services.course_mode_set(user=student, course=course, mode="binge")

    mine = course_get_for_learner(user=student, slug=course.slug)
    theirs = course_get_for_learner(user=other_student, slug=course.slug)

    with django_assert_num_queries(0):
        assert selectors.course_mode_for_viewer(user=student, course=mine) == "binge"
        assert selectors.course_mode_for_viewer(user=other_student, course=theirs) is None
    # A course loaded for someone else says nothing about this learner: their choice is read.
    with django_assert_num_queries(1):
        assert selectors.course_mode_for_viewer(user=student, course=theirs) == "binge"


def test_the_preferences_api(student: User) -> None:
    api = APIClient()
    api.force_authenticate(student)
    assert api.get("/api/v1/learning/preferences").json()["mode"] == "standard"
    ok = api.patch(
        "/api/v1/learning/preferences", {"mode": "binge", "desired_retention": 0.85}, format="json"
    )
    bad = api.patch("/api/v1/learning/preferences", {"desired_retention": 2}, format="json")
    assert ok.status_code == 200
    assert (ok.json()["mode"], ok.json()["desired_retention"]) == ("binge", 0.85)
    assert bad.status_code == 400
    assert "desired_retention" in bad.json()["error"]["fields"]


def test_relax_mode_hides_the_streak_on_the_progress_page(student: User) -> None:
    client = Client()
    client.force_login(student)
    before = client.get("/progress/").content.decode()
    services.preference_update(user=student, mode="relax")
    relaxed = client.get("/progress/").content.decode()

    assert "<dt>Current streak</dt>" in before
    assert 'id="streak-hidden"' not in before
    assert "<dt>Current streak</dt>" not in relaxed
    assert "<dt>Streak freezes</dt>" not in relaxed
    assert "Relax mode is on: your streak is out of sight" in relaxed


def test_the_challenge_api_shows_a_run_its_result_and_the_course_leaderboard(
    student: User, other_student: User
) -> None:
    course = _course(student)
    api = APIClient()
    api.force_authenticate(student)
    with time_machine.travel(NOON, tick=False):
        started = api.post("/api/v1/challenges", {"course": course.pk}, format="json")
    run = ChallengeRun.objects.get(pk=started.json()["id"])
    with time_machine.travel(NOON + dt.timedelta(seconds=20), tick=False):
        running = api.get(f"/api/v1/challenges/{run.pk}").json()
        api.post(
            f"/api/v1/challenges/{run.pk}/submit",
            {"answers": _right_answers(run)},
            format="json",
        )
        result = api.get(f"/api/v1/challenges/{run.pk}").json()
        board = api.get(f"/api/v1/challenges/leaderboard?course={course.pk}").json()
    outsider = APIClient()
    outsider.force_authenticate(other_student)

    assert started.status_code == 201
    # While it runs: the server's deadline, the questions and their choices, nothing graded, and
    # nothing that gives an answer away.
    assert (running["deadline"], running["submitted_at"], running["score"]) == (
        "2026-06-01T12:01:00Z",
        None,
        None,
    )
    assert [question["id"] for question in running["questions"]] == run.question_ids
    assert "is_correct" not in str(running)
    # The result: three right answers with 40 of 60 seconds left.
    assert (result["correct_count"], result["score"]) == (3, 300 + 33)
    assert result["submitted_at"] == "2026-06-01T12:00:20Z"
    assert [(row["rank"], row["user_id"], row["score"]) for row in board] == [(1, student.pk, 333)]
    assert outsider.get(f"/api/v1/challenges/{run.pk}").status_code == 404


def test_the_relax_player_offers_a_break_and_no_timer_or_challenge(student: User) -> None:
    course = course_with_outline(modules=1, lessons_per_module=2)
    EnrollmentFactory(learner=student, course=course)
    first = course.modules.get().lessons.order_by("order").first()
    client = Client()
    client.force_login(student)
    url = f"/learn/{course.slug}/{first.pk}/"

    services.preference_update(user=student, mode="relax", relax_interval_minutes=25)
    relaxed = client.get(url).content.decode()
    services.preference_update(user=student, mode="challenge")
    challenge = client.get(url).content.decode()
    services.preference_update(user=student, mode="binge")
    binge = client.get(url).content.decode()

    mode_bar = relaxed[relaxed.index('<div class="mode-bar"') :]
    mode_bar = mode_bar[: mode_bar.index("<script")]
    assert 'data-mode="relax"' in mode_bar
    assert '<dialog id="relax-break" aria-labelledby="relax-title">' in mode_bar
    assert "You have been learning for 25 minutes." in mode_bar
    for timer in ("Start a timed challenge", 'id="binge-panel"', "countdown</", "leaderboard"):
        assert timer.lower() not in mode_bar.lower()
    # The same page in the other modes does show them, so their absence above means something.
    assert "Start a timed challenge" in challenge
    assert 'id="binge-panel"' in binge
    assert 'id="relax-break"' not in challenge + binge


def test_reading_reported_by_the_page_counts_toward_relax_modes_break(
    student: User, django_capture_on_commit_callbacks: Any
) -> None:
    """The lesson page's reports reach this app's receiver after commit with the request's
    (lazy) user: in a course where relax mode is in force, the time read counts toward the
    break."""
    from django.urls import reverse

    from learning.models import CourseModePreference, Mode

    course = course_with_outline(modules=1, lessons_per_module=2)
    EnrollmentFactory(learner=student, course=course)
    CourseModePreference.objects.create(user=student, course=course, mode=Mode.RELAX)
    article = course.modules.get().lessons.order_by("order").first()
    client = Client()
    client.force_login(student)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("courses:lesson_reading", args=[article.pk]),
            '{"seconds_spent": 15}',
            "application/json",
        )

    assert response.status_code == 200
    assert LearningPreference.objects.get(user=student).relax_active_seconds == 15
