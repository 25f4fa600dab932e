"""The learner pages: catalog, course page, enrollment, player with resume, quizzes, dashboard,
completion and certificates."""

from __future__ import annotations

import json
from typing import Any

import pytest
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from accounts import tokens
from accounts.models import User
from courses import entitlements
from courses.models import Course, Enrollment, LessonProgress
from courses.tests.factories import (
    CategoryFactory,
    CourseFactory,
    EnrollmentFactory,
    VideoLessonFactory,
    course_with_outline,
    quiz_lesson,
)

pytestmark = pytest.mark.django_db


def _session_queries() -> int:
    """The session's own query where sessions live in the database; none in Redis."""
    return int(settings.SESSION_ENGINE == "django.contrib.sessions.backends.db")


def _client(user: User | None = None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _first_lesson(course: Course) -> Any:
    return course.modules.order_by("order").first().lessons.order_by("order").first()


# --- catalog ---------------------------------------------------------------------------------


def test_the_catalog_lists_published_courses_only(student: User) -> None:
    CourseFactory(title="Published Python")
    CourseFactory(title="Secret draft", status=Course.Status.DRAFT, published_at=None)

    page = _client().get("/courses/").content.decode()

    assert "Published Python" in page
    assert "Secret draft" not in page


def test_the_catalog_searches_and_filters(student: User) -> None:
    data = CategoryFactory(name="Data", slug="data")
    CourseFactory(title="Pandas for analysts", category=data, difficulty="beginner")
    CourseFactory(title="Kubernetes in production", difficulty="advanced")

    searched = _client().get("/courses/?q=pandas").content.decode()
    filtered = _client().get("/courses/?category=data").content.decode()
    levelled = _client().get("/courses/?difficulty=advanced").content.decode()

    assert "Pandas for analysts" in searched
    assert "Kubernetes in production" not in searched
    assert "Pandas for analysts" in filtered
    assert "Kubernetes in production" not in filtered
    assert "Kubernetes in production" in levelled
    assert "Pandas for analysts" not in levelled


def test_the_catalog_ignores_unknown_filter_values_instead_of_failing() -> None:
    CourseFactory(title="Anything")
    response = _client().get("/courses/?difficulty=wizard&page=abc&sort=random")
    assert response.status_code == 200


def test_the_catalog_swaps_its_results_for_htmx() -> None:
    CourseFactory(title="Swapped")
    response = _client().get("/courses/?q=swapped", headers={"HX-Request": "true"})
    body = response.content.decode()
    assert body.lstrip().startswith('<section id="course-results"')
    assert "Swapped" in body


def test_the_catalog_runs_a_fixed_number_of_queries(
    student: User, django_assert_max_num_queries: Any
) -> None:
    client = _client(student)
    for count in (2, 14):
        for _ in range(count):
            course = course_with_outline(modules=2, lessons_per_module=2)
            EnrollmentFactory(learner=student, course=course)
        with django_assert_max_num_queries(12):
            response = client.get("/courses/")
        assert response.status_code == 200


# --- course page and enrollment -------------------------------------------------------------


def test_a_draft_course_page_is_404_for_learners(student: User) -> None:
    draft = CourseFactory(status=Course.Status.DRAFT, published_at=None)
    assert _client(student).get(f"/courses/{draft.slug}/").status_code == 404
    assert _client(student).get("/courses/no-such-course/").status_code == 404


def test_the_course_page_shows_the_outline_and_an_enroll_button(student: User) -> None:
    course = course_with_outline(modules=2, lessons_per_module=2, title="Intro to Git")
    page = _client(student).get(f"/courses/{course.slug}/").content.decode()
    assert "Intro to Git" in page
    assert "Lesson 2.2" in page
    assert 'action="/courses/' + course.slug + '/enroll/"' in page


def test_the_course_page_runs_a_fixed_number_of_queries(
    student: User, django_assert_max_num_queries: Any
) -> None:
    client = _client(student)
    for lessons in (1, 12):
        course = course_with_outline(modules=3, lessons_per_module=lessons)
        EnrollmentFactory(learner=student, course=course)
        with django_assert_max_num_queries(14):
            assert client.get(f"/courses/{course.slug}/").status_code == 200


def test_enrolling_takes_the_learner_to_the_first_lesson_once(student: User) -> None:
    course = course_with_outline()
    client = _client(student)

    first = client.post(f"/courses/{course.slug}/enroll/")
    again = client.post(f"/courses/{course.slug}/enroll/")

    lesson = _first_lesson(course)
    assert first.status_code == 302
    assert first["Location"] == f"/learn/{course.slug}/{lesson.pk}/"
    assert again.status_code == 302
    assert Enrollment.objects.filter(learner=student, course=course).count() == 1


def test_anonymous_visitors_must_log_in_to_enroll() -> None:
    course = course_with_outline()
    response = _client().post(f"/courses/{course.slug}/enroll/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert not Enrollment.objects.exists()


# --- lesson player ------------------------------------------------------------------------


def test_a_lesson_is_locked_until_the_learner_enrolls(student: User) -> None:
    course = course_with_outline()
    lesson = _first_lesson(course)
    response = _client(student).get(f"/learn/{course.slug}/{lesson.pk}/")
    page = response.content.decode()
    assert response.status_code == 403
    assert "Enroll in this course to open this lesson." in page
    assert lesson.body_html not in page


def test_a_free_preview_opens_for_anyone() -> None:
    course = course_with_outline()
    lesson = _first_lesson(course)
    lesson.is_free_preview = True
    lesson.save(update_fields=["is_free_preview"])
    response = _client().get(f"/learn/{course.slug}/{lesson.pk}/")
    assert response.status_code == 200
    assert "carefully" in response.content.decode()


def test_a_lesson_of_another_course_slug_is_404(student: User) -> None:
    course = course_with_outline()
    other = course_with_outline()
    lesson = _first_lesson(course)
    assert _client(student).get(f"/learn/{other.slug}/{lesson.pk}/").status_code == 404


def test_a_video_resumes_at_the_saved_position(student: User) -> None:
    course = course_with_outline(modules=1, lessons_per_module=1)
    video = VideoLessonFactory(module=course.modules.get(), order=5, duration_seconds=600)
    EnrollmentFactory(learner=student, course=course)
    client = _client(student)
    url = reverse("courses:lesson_position", args=[video.pk])

    saved = client.post(
        url, json.dumps({"position_seconds": 137, "seconds_spent_delta": 5}), "application/json"
    )
    page = client.get(f"/learn/{course.slug}/{video.pk}/").content.decode()

    assert saved.status_code == 200
    assert saved.json() == {"position_seconds": 137, "is_completed": False}
    assert 'data-resume-seconds="137"' in page
    assert LessonProgress.objects.get(learner=student, lesson=video).seconds_spent == 5


def test_the_place_saved_on_one_device_is_where_every_other_device_continues(
    student: User,
) -> None:
    course = course_with_outline(modules=1, lessons_per_module=1)
    module = course.modules.get()
    first = VideoLessonFactory(module=module, order=5, duration_seconds=600, title="Part one")
    second = VideoLessonFactory(module=module, order=6, duration_seconds=600, title="Part two")
    EnrollmentFactory(learner=student, course=course)
    laptop = _client(student)  # a browser session
    phone = APIClient()  # an app holding a JWT: no session shared with the laptop
    phone.credentials(
        HTTP_AUTHORIZATION=f"Bearer {tokens.token_pair_issue(user=student)['access']}"
    )

    watched = laptop.post(
        reverse("courses:lesson_position", args=[first.pk]),
        json.dumps({"position_seconds": 137}),
        "application/json",
    )
    assert watched.status_code == 200
    resume = phone.get(f"/api/v1/courses/{course.pk}/progress").json()["resume"]
    assert resume == {"lesson_id": first.pk, "lesson_title": "Part one", "position_seconds": 137}

    saved = phone.put(
        f"/api/v1/lessons/{second.pk}/position", {"position_seconds": 42}, format="json"
    )
    assert saved.status_code == 200
    dashboard = laptop.get("/dashboard/").content.decode()
    player_url = f"/learn/{course.slug}/{second.pk}/"
    assert (
        f'<a class="button button--primary" href="{player_url}">Continue: Part two (at 42 s)</a>'
        in dashboard
    )
    assert 'data-resume-seconds="42"' in laptop.get(player_url).content.decode()
    assert (
        'data-resume-seconds="137"'
        in laptop.get(f"/learn/{course.slug}/{first.pk}/").content.decode()
    )


@pytest.mark.parametrize(
    "body",
    [
        {"position_seconds": -1},
        {"position_seconds": 9999},
        {"position_seconds": "12"},
        {"position_seconds": True},
        [],
        "not json",
    ],
)
def test_bad_positions_are_refused_with_400(student: User, body: Any) -> None:
    course = course_with_outline(modules=1, lessons_per_module=1)
    video = VideoLessonFactory(module=course.modules.get(), order=5, duration_seconds=600)
    EnrollmentFactory(learner=student, course=course)
    payload = body if isinstance(body, str) else json.dumps(body)
    response = _client(student).post(
        reverse("courses:lesson_position", args=[video.pk]), payload, "application/json"
    )
    assert response.status_code == 400
    assert response.json()["error"]["message"]
    progress = LessonProgress.objects.filter(learner=student, lesson=video).first()
    assert progress is None or progress.last_position_seconds == 0


def test_a_position_for_an_unknown_lesson_is_404(student: User) -> None:
    response = _client(student).post(
        "/lessons/999999/position/", json.dumps({"position_seconds": 1}), "application/json"
    )
    assert response.status_code == 404


def test_marking_complete_moves_on_and_ticks_the_outline(student: User) -> None:
    course = course_with_outline(modules=1, lessons_per_module=2)
    EnrollmentFactory(learner=student, course=course)
    first, second = course.modules.get().lessons.order_by("order")
    client = _client(student)

    response = client.post(f"/lessons/{first.pk}/complete/")
    page = client.get(f"/learn/{course.slug}/{second.pk}/").content.decode()

    assert response["Location"] == f"/learn/{course.slug}/{second.pk}/"
    assert "(Article, completed)" in page
    assert "50% complete" in page


def test_the_player_states_each_kind_of_lessons_completion_rule(student: User) -> None:
    course = course_with_outline(modules=1, lessons_per_module=1)
    module = course.modules.get()
    article = module.lessons.get()
    video = VideoLessonFactory(module=module, order=5)
    quiz = quiz_lesson(module, order=6, pass_mark_percent=60)
    EnrollmentFactory(learner=student, course=course)
    client = _client(student)

    def rule(lesson_id: int) -> str:
        html = client.get(f"/learn/{course.slug}/{lesson_id}/").content.decode()
        start = html.index('id="completion-rule">') + len('id="completion-rule">')
        return html[start : html.index("</p>", start)]

    assert rule(article.pk) == (
        "Read to the end to complete (about 5 minutes of reading), or mark it complete yourself."
    )
    assert rule(video.pk) == "Watch 90% to complete, or mark it complete yourself."
    assert rule(quiz.lesson_id) == "Pass the quiz to complete this lesson."


def _reading(client: Client, lesson_id: int, body: Any) -> Any:
    payload = body if isinstance(body, str) else json.dumps(body)
    return client.post(
        reverse("courses:lesson_reading", args=[lesson_id]), payload, "application/json"
    )


def test_the_reader_reports_reading_and_the_article_completes_by_the_rule(
    student: User,
) -> None:
    import time_machine

    course = course_with_outline(modules=1, lessons_per_module=2)
    EnrollmentFactory(learner=student, course=course)
    article = _first_lesson(course)  # 300 seconds' reading: 150 complete it
    client = _client(student)

    with time_machine.travel("2026-03-02 10:00:00Z", tick=False) as clock:
        first = _reading(client, article.pk, {"seconds_spent": 15, "reached_end": True})
        for _ in range(9):
            clock.shift(15)
            _reading(client, article.pk, {"seconds_spent": 15})
        clock.shift(15)
        last = _reading(client, article.pk, {"seconds_spent": 15})

    assert first.status_code == 200
    assert first.json() == {
        "seconds_spent": 15,
        "seconds_to_complete": 150,
        "reached_end": True,
        "is_completed": False,
    }
    assert last.json() == {
        "seconds_spent": 165,
        "seconds_to_complete": 150,
        "reached_end": True,
        "is_completed": True,
    }


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("not json", "Send JSON."),
        ([], "Send a JSON object."),
        ({"seconds_spent": -5}, "Time spent must be a whole number of seconds, not negative."),
        ({"seconds_spent": "15"}, "Time spent must be a whole number of seconds, not negative."),
        ({"reached_end": "yes"}, "Say true or false."),
    ],
)
def test_bad_reading_reports_are_refused_with_400(student: User, body: Any, message: str) -> None:
    course = course_with_outline(modules=1, lessons_per_module=1)
    EnrollmentFactory(learner=student, course=course)
    article = _first_lesson(course)

    response = _reading(_client(student), article.pk, body)

    assert response.status_code == 400
    assert response.json()["error"]["message"] == message
    assert not LessonProgress.objects.filter(lesson=article).exists()


def test_reading_reports_for_a_video_or_an_unknown_lesson_are_refused(student: User) -> None:
    course = course_with_outline(modules=1, lessons_per_module=1)
    video = VideoLessonFactory(module=course.modules.get(), order=5)
    EnrollmentFactory(learner=student, course=course)
    client = _client(student)

    on_video = _reading(client, video.pk, {"seconds_spent": 15, "reached_end": True})
    unknown = _reading(client, 999999, {"seconds_spent": 15})

    assert on_video.status_code == 400
    assert on_video.json()["error"]["message"] == "Reading reports are for article lessons."
    assert unknown.status_code == 404
    assert not LessonProgress.objects.filter(lesson=video).exists()


def test_the_player_progress_partial_has_the_fresh_ticks_and_completion_region(
    student: User,
) -> None:
    course = course_with_outline(modules=1, lessons_per_module=2)
    EnrollmentFactory(learner=student, course=course)
    first = _first_lesson(course)
    client = _client(student)
    url = reverse("courses:lesson_progress", args=[course.slug, first.pk])
    before = client.get(url).content.decode()

    client.post(f"/lessons/{first.pk}/complete/")
    after = client.get(url).content.decode()

    assert '<nav class="player-outline card" id="player-outline"' in before
    assert "0% complete" in before
    assert "(Article, completed)" not in before
    assert 'data-completed="false" hx-swap-oob="true"' in before
    assert "50% complete" in after
    assert after.count("(Article, completed)") == 1
    assert 'data-completed="true" hx-swap-oob="true"' in after
    assert "Mark as not complete" in after
    assert "<html" not in after  # a fragment, not a page


def test_the_player_progress_partial_runs_a_fixed_number_of_queries(
    student: User, django_assert_max_num_queries: Any
) -> None:
    client = _client(student)
    for lessons in (1, 10):
        course = course_with_outline(modules=2, lessons_per_module=lessons)
        EnrollmentFactory(learner=student, course=course)
        lesson = _first_lesson(course)
        client.post(f"/lessons/{lesson.pk}/complete/")
        url = reverse("courses:lesson_progress", args=[course.slug, lesson.pk])
        # The user, the course (with the enrollment and any running exam), modules, lessons
        # (with the progress); a database session adds its own query.
        with django_assert_max_num_queries(4 + _session_queries()):
            assert client.get(url).status_code == 200


def test_marking_the_last_lesson_complete_with_htmx_swaps_the_outline_in_place(
    student: User,
) -> None:
    course = course_with_outline(modules=1, lessons_per_module=2)
    EnrollmentFactory(learner=student, course=course)
    first, last = course.modules.get().lessons.order_by("order")
    client = _client(student)

    page = client.get(f"/learn/{course.slug}/{last.pk}/").content.decode()
    done = client.post(f"/lessons/{last.pk}/complete/", HTTP_HX_REQUEST="true")
    undone = client.post(f"/lessons/{last.pk}/complete/", {"undo": "1"}, HTTP_HX_REQUEST="true")

    # The last lesson's button stays on the page (htmx); the others move on with a plain post.
    assert f'hx-post="/lessons/{last.pk}/complete/"' in page
    first_page = client.get(f"/learn/{course.slug}/{first.pk}/").content.decode()
    assert f'hx-post="/lessons/{first.pk}/complete/"' not in first_page
    assert done.status_code == 200
    html = done.content.decode()
    assert "50% complete" in html
    assert html.count("(Article, completed)") == 1
    assert 'data-completed="true" hx-swap-oob="true"' in html
    assert undone.status_code == 200
    assert "0% complete" in undone.content.decode()
    assert LessonProgress.objects.get(learner=student, lesson=last).completed_at is None


def test_a_refused_htmx_completion_reloads_the_lesson_with_its_message(student: User) -> None:
    course = course_with_outline(modules=1, lessons_per_module=1)
    quiz = quiz_lesson(course.modules.get(), order=5)
    EnrollmentFactory(learner=student, course=course)
    client = _client(student)

    response = client.post(f"/lessons/{quiz.lesson_id}/complete/", HTTP_HX_REQUEST="true")
    page = client.get(response["HX-Redirect"]).content.decode()

    assert response["HX-Redirect"] == f"/learn/{course.slug}/{quiz.lesson_id}/"
    messages = page[page.index('id="messages"') :]
    assert "Pass the quiz to complete this lesson." in messages[: messages.index("</div>")]
    assert not LessonProgress.objects.filter(lesson=quiz.lesson, completed_at__isnull=False)


def test_finishing_the_course_with_htmx_goes_to_the_completion_page(student: User) -> None:
    course = course_with_outline(modules=1, lessons_per_module=1)
    EnrollmentFactory(learner=student, course=course)

    response = _client(student).post(
        f"/lessons/{_first_lesson(course).pk}/complete/", HTTP_HX_REQUEST="true"
    )

    assert response["HX-Redirect"] == f"/courses/{course.slug}/complete/"
    assert Enrollment.objects.get(learner=student, course=course).completed_at is not None


def test_the_player_runs_a_fixed_number_of_queries(
    student: User, django_assert_num_queries: Any
) -> None:
    client = _client(student)
    for lessons in (1, 10):
        course = course_with_outline(modules=2, lessons_per_module=lessons)
        EnrollmentFactory(learner=student, course=course)
        lesson = _first_lesson(course)
        url = f"/learn/{course.slug}/{lesson.pk}/"
        client.get(url)  # the first visit records the lesson as the resume point
        # Reopened, it writes nothing and reads 4: the user (with the bell's count, the mode
        # preferences and the plan), the course (with the enrollment, any running exam, the
        # course's mode and whether the viewer teaches it), modules, lessons (with the
        # progress). A database session (SQLite's default) adds its own query.
        with django_assert_num_queries(4 + _session_queries()):
            assert client.get(url).status_code == 200


def test_the_outline_asks_the_entitlements_once_per_course_not_per_lesson(
    student: User,
) -> None:
    calls = []

    class CountingProvider(entitlements.DefaultEntitlements):
        def can_access_lesson(self, user: Any, lesson: Any, *, is_enrolled: bool) -> bool:
            calls.append(lesson.pk)
            return super().can_access_lesson(user, lesson, is_enrolled=is_enrolled)

    entitlements.register_provider(CountingProvider())
    course = course_with_outline(modules=3, lessons_per_module=8)
    EnrollmentFactory(learner=student, course=course)

    page = _client(student).get(f"/learn/{course.slug}/{_first_lesson(course).pk}/")

    assert page.status_code == 200
    assert len(calls) <= 3  # the outline's two kinds of lesson, and the lesson shown


# --- quizzes, completion, certificates --------------------------------------------------------


def test_a_learner_takes_a_quiz_sees_feedback_finishes_and_gets_a_certificate(
    student: User,
) -> None:
    course = course_with_outline(modules=1, lessons_per_module=1, title="Tiny course")
    quiz = quiz_lesson(course.modules.get(), order=2, questions=2)
    EnrollmentFactory(learner=student, course=course)
    client = _client(student)
    client.post(f"/lessons/{_first_lesson(course).pk}/complete/")

    started = client.post(f"/quizzes/{quiz.pk}/start/")
    attempt_url = started["Location"]
    form = client.get(attempt_url).content.decode()
    answers = {
        f"question-{question.pk}": str(question.choices.get(is_correct=True).pk)
        for question in quiz.questions.all()
    }
    submitted = client.post(attempt_url, answers)
    result = client.get(attempt_url).content.decode()

    assert 'type="radio"' in form
    assert submitted.status_code == 302
    assert "Your score: 100%" in result
    assert "Passed" in result
    assert "Because." in result  # the explanation
    enrollment = Enrollment.objects.get(learner=student, course=course)
    assert enrollment.completed_at is not None

    complete = client.get(f"/courses/{course.slug}/complete/").content.decode()
    certificate = student.certificates.get()
    assert "You finished “Tiny course”!" in complete
    pdf = _client().get(f"/certificates/{certificate.public_id}/pdf/")
    verify = _client().get(f"/certificates/{certificate.public_id}/").content.decode()
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert "Verified certificate" in verify
    assert "Tiny course" in verify


def test_someone_elses_attempt_is_404(student: User, other_student: User) -> None:
    course = course_with_outline(modules=1, lessons_per_module=1)
    quiz = quiz_lesson(course.modules.get(), order=2, questions=1)
    EnrollmentFactory(learner=student, course=course)
    attempt_url = _client(student).post(f"/quizzes/{quiz.pk}/start/")["Location"]
    assert _client(other_student).get(attempt_url).status_code == 404


def test_an_unknown_certificate_is_404() -> None:
    assert _client().get("/certificates/not-a-uuid/").status_code == 404
    assert _client().get("/certificates/00000000-0000-0000-0000-000000000000/").status_code == 404


def test_the_completion_page_waits_for_the_end(student: User) -> None:
    course = course_with_outline()
    EnrollmentFactory(learner=student, course=course)
    response = _client(student).get(f"/courses/{course.slug}/complete/")
    assert response["Location"] == f"/courses/{course.slug}/"


def test_the_dashboard_shows_progress_and_runs_a_fixed_number_of_queries(
    student: User, django_assert_max_num_queries: Any
) -> None:
    client = _client(student)
    for count in (1, 8):
        for _ in range(count):
            course = course_with_outline(modules=1, lessons_per_module=2)
            EnrollmentFactory(learner=student, course=course)
            client.post(f"/lessons/{_first_lesson(course).pk}/complete/")
        # The courses part stays as it was; the panels other apps add (reviews due, the learning
        # mode switcher, the learner's week) cost their own fixed few.
        with django_assert_max_num_queries(13):
            response = client.get("/dashboard/")
        assert response.status_code == 200
    assert response.content.decode().count("50% complete") == 9


# --- preview as a learner (authoring) ----------------------------------------------------------


def _staff_client(user: User) -> Client:
    """Staff must have set up two-factor authentication before they see any page."""
    Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP, data={"secret": "x"})
    return _client(user)


def test_an_instructor_previews_a_draft_lessons_as_a_learner_and_nothing_is_recorded(
    instructor: User,
) -> None:
    course = course_with_outline(
        instructors=[instructor], status=Course.Status.DRAFT, published_at=None
    )
    lesson = _first_lesson(course)
    quiz = quiz_lesson(course.modules.order_by("order").first(), order=9, questions=2)

    page = _staff_client(instructor).get(f"/learn/{course.slug}/{lesson.pk}/preview/")
    quiz_page = _client(instructor).get(f"/learn/{course.slug}/{quiz.lesson_id}/preview/")

    assert page.status_code == 200
    html = page.content.decode()
    assert "Preview." in html
    assert "it is draft now" in html
    assert lesson.body.split()[0] in html
    # The outline and previous/next stay inside the preview.
    assert f"/learn/{course.slug}/{lesson.pk}/preview/" in html
    assert "Mark complete" not in html
    quiz_html = quiz_page.content.decode()
    assert quiz_html.count("(correct)") == 2
    assert "Start the quiz" not in quiz_html
    assert not LessonProgress.objects.filter(learner=instructor).exists()
    assert not Enrollment.objects.filter(learner=instructor).exists()


@pytest.mark.parametrize("who", ["anonymous", "student", "enrolled", "other_instructor"])
def test_only_the_course_staff_may_preview(
    who: str, instructor: User, other_instructor: User, student: User, course: Course
) -> None:
    lesson = _first_lesson(course)
    if who == "enrolled":
        EnrollmentFactory(learner=student, course=course)
    user = {"anonymous": None, "other_instructor": other_instructor}.get(who, student)
    client = _staff_client(user) if who == "other_instructor" else _client(user)

    response = client.get(f"/learn/{course.slug}/{lesson.pk}/preview/")

    if user is None:
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]
    else:
        assert response.status_code == 404


def test_an_admin_previews_any_course(admin_user: User, course: Course) -> None:
    lesson = _first_lesson(course)

    response = _staff_client(admin_user).get(f"/learn/{course.slug}/{lesson.pk}/preview/")

    assert response.status_code == 200
    assert "Preview." in response.content.decode()
