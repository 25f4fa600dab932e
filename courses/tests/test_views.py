"""The learner pages: catalog, course page, player, quizzes, dashboard, completion, certificates."""

from __future__ import annotations

from datetime import timedelta

import pytest
from allauth.mfa.models import Authenticator
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from courses.models import Certificate, Course, Enrollment, Lesson, LessonProgress, QuizAttempt
from courses.tests.factories import (
    CategoryFactory,
    CourseFactory,
    EnrollmentFactory,
    LessonProgressFactory,
    StudentFactory,
    VideoLessonFactory,
    course_with_outline,
    quiz_lesson,
)

pytestmark = pytest.mark.django_db


def _client(user: User | None = None) -> Client:
    """A browser session; staff roles have set up the two-factor authentication they need."""
    client = Client()
    if user is not None:
        if user.is_staff_role and not Authenticator.objects.filter(user=user).exists():
            Authenticator.objects.create(
                user=user, type=Authenticator.Type.TOTP, data={"secret": "x"}
            )
        client.force_login(user)
    return client


def _lessons(course: Course) -> list[Lesson]:
    return list(
        Lesson.objects.filter(module__course=course).order_by("module__order", "order", "id")
    )


def _lesson_url(lesson: Lesson) -> str:
    return reverse(
        "courses:lesson",
        kwargs={"course_slug": lesson.module.course.slug, "lesson_id": lesson.pk},
    )


# --- Catalog --------------------------------------------------------------------------------------


def test_catalog_lists_published_courses_and_hides_drafts(course: Course) -> None:
    CourseFactory(title="Secret draft", status=Course.Status.DRAFT, published_at=None)

    response = _client().get(reverse("courses:list"))

    assert response.status_code == 200
    assert [c.title for c in response.context["courses"]] == ["Pandas in practice"]
    assert b"Secret draft" not in response.content
    assert b'<label class="field__label" for="catalog-search">Search courses</label>' in (
        response.content
    )


def test_catalog_search_and_filters() -> None:
    python = CategoryFactory(name="Python", slug="python")
    design = CategoryFactory(name="Design", slug="design")
    CourseFactory(title="Django for beginners", category=python, difficulty="beginner")
    CourseFactory(title="Advanced typing", category=python, difficulty="advanced", language="fr")
    CourseFactory(title="Colour theory", category=design, difficulty="beginner")
    client = _client()

    def titles(**params: str) -> list[str]:
        response = client.get(reverse("courses:list"), params)
        assert response.status_code == 200
        return sorted(c.title for c in response.context["courses"])

    assert titles(q="django") == ["Django for beginners"]
    assert titles(category="python") == ["Advanced typing", "Django for beginners"]
    assert titles(difficulty="beginner") == ["Colour theory", "Django for beginners"]
    assert titles(language="fr") == ["Advanced typing"]
    assert titles(difficulty="nonsense", sort="bogus", page="x") == sorted(
        ["Django for beginners", "Advanced typing", "Colour theory"]
    )
    assert titles(q="no such thing") == []


def test_catalog_paginates_twelve_per_page() -> None:
    for number in range(14):
        CourseFactory(title=f"Course {number:02}")

    first = _client().get(reverse("courses:list"), {"sort": "title"})
    second = _client().get(reverse("courses:list"), {"sort": "title", "page": 2})

    assert len(first.context["courses"]) == 12
    assert [c.title for c in second.context["courses"]] == ["Course 12", "Course 13"]
    assert b"Page 2 of 2" in second.content


def test_catalog_htmx_request_renders_only_the_results() -> None:
    CourseFactory(title="Only results")

    response = _client().get(reverse("courses:list"), HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    assert response.content.lstrip().startswith(b'<section id="course-results"')
    assert b"<html" not in response.content


def test_catalog_shows_progress_for_enrolled_learner(student: User, course: Course) -> None:
    EnrollmentFactory(learner=student, course=course)
    LessonProgressFactory(learner=student, lesson=_lessons(course)[0], completed_at=timezone.now())

    response = _client(student).get(reverse("courses:list"))

    assert b"25% complete" in response.content


def test_catalog_query_count_does_not_grow_with_courses(
    student: User, django_assert_max_num_queries
) -> None:
    def measure() -> int:
        client = _client(student)
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("courses:list")).status_code == 200
        return len(queries)

    course = course_with_outline(title="One")
    EnrollmentFactory(learner=student, course=course)
    few = measure()
    for number in range(8):
        extra = course_with_outline(title=f"More {number}")
        EnrollmentFactory(learner=student, course=extra)
    client = _client(student)
    with django_assert_max_num_queries(few):
        response = client.get(reverse("courses:list"))
    assert len(response.context["courses"]) == 9


# --- Course page and enrollment -------------------------------------------------------------------


def test_course_page_shows_outline_outcomes_and_enroll_button(course: Course) -> None:
    course.what_you_will_learn = "Load data\nClean data"
    course.save()

    response = _client().get(reverse("courses:detail", kwargs={"slug": course.slug}))

    assert response.status_code == 200
    content = response.content.decode()
    assert "Lesson 1.1" in content
    assert "Lesson 2.2" in content
    assert "<li>Clean data</li>" in content
    assert "Sign in to enroll" in content


def test_draft_course_page_is_404_for_students_but_visible_to_its_instructor(
    student: User, instructor: User
) -> None:
    draft = course_with_outline(
        instructors=[instructor], status=Course.Status.DRAFT, published_at=None
    )
    url = reverse("courses:detail", kwargs={"slug": draft.slug})

    assert _client(student).get(url).status_code == 404
    assert _client().get(url).status_code == 404
    assert _client(instructor).get(url).status_code == 200
    assert _client().get(reverse("courses:detail", kwargs={"slug": "nope"})).status_code == 404


def test_enroll_creates_one_enrollment_and_opens_the_first_lesson(
    student: User, course: Course
) -> None:
    client = _client(student)
    url = reverse("courses:enroll", kwargs={"slug": course.slug})

    first = client.post(url)
    second = client.post(url)

    assert first.status_code == 302
    assert first.url == _lesson_url(_lessons(course)[0])
    assert second.status_code == 302
    assert Enrollment.objects.filter(learner=student, course=course).count() == 1


def test_enroll_anonymous_is_sent_to_log_in(course: Course) -> None:
    response = _client().post(reverse("courses:enroll", kwargs={"slug": course.slug}))

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))
    assert Enrollment.objects.count() == 0


def test_enroll_in_draft_course_is_refused(student: User, instructor: User) -> None:
    draft = course_with_outline(
        instructors=[instructor], status=Course.Status.DRAFT, published_at=None
    )

    response = _client(student).post(reverse("courses:enroll", kwargs={"slug": draft.slug}))

    assert response.status_code == 404
    assert Enrollment.objects.count() == 0


def test_enroll_get_is_not_allowed(student: User, course: Course) -> None:
    response = _client(student).get(reverse("courses:enroll", kwargs={"slug": course.slug}))

    assert response.status_code == 405


# --- Lesson player --------------------------------------------------------------------------------


def test_lesson_is_locked_for_visitors_unless_free_preview(course: Course) -> None:
    locked, preview = _lessons(course)[:2]
    preview.is_free_preview = True
    preview.save()

    locked_response = _client().get(_lesson_url(locked))
    preview_response = _client().get(_lesson_url(preview))

    assert locked_response.status_code == 403
    assert b"Enroll in this course to open this lesson." in locked_response.content
    assert b"Read this" not in locked_response.content
    assert preview_response.status_code == 200
    assert b"free preview" in preview_response.content


def test_lesson_of_another_course_slug_is_404(student: User, course: Course) -> None:
    other = course_with_outline(title="Other")
    lesson = _lessons(course)[0]

    url = reverse("courses:lesson", kwargs={"course_slug": other.slug, "lesson_id": lesson.pk})

    assert _client(student).get(url).status_code == 404
    assert (
        _client(student)
        .get(reverse("courses:lesson", kwargs={"course_slug": course.slug, "lesson_id": 999999}))
        .status_code
        == 404
    )


def test_opening_a_lesson_makes_it_the_resume_point(student: User, course: Course) -> None:
    enrollment = EnrollmentFactory(learner=student, course=course)
    third = _lessons(course)[2]

    response = _client(student).get(_lesson_url(third))

    assert response.status_code == 200
    enrollment.refresh_from_db()
    assert enrollment.last_lesson_id == third.pk
    dashboard = _client(student).get(reverse("courses:dashboard"))
    assert _lesson_url(third).encode() in dashboard.content


def test_article_markdown_renders_inert(student: User, course: Course) -> None:
    EnrollmentFactory(learner=student, course=course)
    lesson = _lessons(course)[0]
    lesson.body = (
        '<script>alert(1)</script>[x](javascript:alert(2)) <img src="a.png" onerror="alert(3)">'
    )
    lesson.save()

    content = _client(student).get(_lesson_url(lesson)).content.decode()

    assert "<script>alert" not in content
    assert "javascript:alert" not in content
    assert "onerror" not in content


def test_video_lesson_has_captions_transcript_and_resume_position(
    student: User, course: Course
) -> None:
    EnrollmentFactory(learner=student, course=course)
    module = course.modules.first()
    video = VideoLessonFactory(module=module, order=9, transcript="Hello learners.")
    video.captions.create(file="captions/en.vtt", language="en", label="English", is_default=True)
    LessonProgressFactory(learner=student, lesson=video, last_position_seconds=42)

    content = _client(student).get(_lesson_url(video)).content.decode()

    assert '<track kind="captions" src="/media/captions/en.vtt" srclang="en" label="English"' in (
        content
    )
    assert 'data-resume-seconds="42"' in content
    assert "Hello learners." in content
    assert "Resuming where you left off, at 42 seconds." in content


def test_position_is_saved_and_refused_when_negative(student: User, course: Course) -> None:
    EnrollmentFactory(learner=student, course=course)
    video = VideoLessonFactory(module=course.modules.first(), order=9, duration_seconds=100)
    url = reverse(
        "courses:lesson_position", kwargs={"course_slug": course.slug, "lesson_id": video.pk}
    )
    client = _client(student)

    saved = client.post(url, {"position_seconds": "37", "seconds_spent": "5"})
    negative = client.post(url, {"position_seconds": "-3"})
    garbage = client.post(url, {"position_seconds": "soon"})

    assert saved.status_code == 200
    assert saved.json() == {"position_seconds": 37, "is_completed": False}
    assert negative.status_code == 400
    assert negative.json()["error"]["message"] == "The position cannot be negative."
    assert garbage.status_code == 400
    assert LessonProgress.objects.get(learner=student, lesson=video).last_position_seconds == 37


def test_position_needs_enrollment(student: User, course: Course) -> None:
    lesson = _lessons(course)[0]
    url = reverse(
        "courses:lesson_position", kwargs={"course_slug": course.slug, "lesson_id": lesson.pk}
    )

    response = _client(student).post(url, {"position_seconds": "3"})

    assert response.status_code == 403
    assert LessonProgress.objects.count() == 0


def test_mark_complete_goes_to_next_lesson_and_ticks_outline(student: User, course: Course) -> None:
    EnrollmentFactory(learner=student, course=course)
    first, second = _lessons(course)[:2]
    client = _client(student)
    url = reverse(
        "courses:lesson_complete", kwargs={"course_slug": course.slug, "lesson_id": first.pk}
    )

    response = client.post(url)

    assert response.status_code == 302
    assert response.url == _lesson_url(second)
    assert LessonProgress.objects.get(learner=student, lesson=first).completed_at is not None
    page = client.get(_lesson_url(second)).content.decode()
    assert "(1 of 2 done)" in page
    assert "25% complete" in page

    client.post(url, {"undo": "1"})
    assert LessonProgress.objects.get(learner=student, lesson=first).completed_at is None


def test_finishing_the_last_lesson_shows_completion_and_certificate(
    student: User, course: Course
) -> None:
    EnrollmentFactory(learner=student, course=course)
    client = _client(student)
    responses = [
        client.post(
            reverse(
                "courses:lesson_complete",
                kwargs={"course_slug": course.slug, "lesson_id": lesson.pk},
            )
        )
        for lesson in _lessons(course)
    ]

    assert responses[-1].url == reverse("courses:complete", kwargs={"slug": course.slug})
    page = client.get(responses[-1].url)
    certificate = Certificate.objects.get(learner=student, course=course)
    assert page.status_code == 200
    assert f"You finished {course.title}!".encode() in page.content
    assert str(certificate.public_id).encode() in page.content


def test_completion_page_before_finishing_redirects(student: User, course: Course) -> None:
    EnrollmentFactory(learner=student, course=course)

    response = _client(student).get(reverse("courses:complete", kwargs={"slug": course.slug}))

    assert response.status_code == 302
    assert response.url == reverse("courses:detail", kwargs={"slug": course.slug})
    assert Certificate.objects.count() == 0


# --- Quizzes --------------------------------------------------------------------------------------


def _quiz_course(student: User, **quiz_fields):
    course = course_with_outline(modules=1, lessons_per_module=1, title="Quizzed")
    quiz = quiz_lesson(course.modules.first(), order=2, **quiz_fields)
    EnrollmentFactory(learner=student, course=course)
    return course, quiz


def test_take_a_quiz_and_see_per_question_feedback(student: User) -> None:
    course, quiz = _quiz_course(student)
    client = _client(student)

    start = client.post(
        reverse(
            "courses:quiz_start", kwargs={"course_slug": course.slug, "lesson_id": quiz.lesson_id}
        )
    )
    attempt = QuizAttempt.objects.get(learner=student, quiz=quiz)
    assert start.url == reverse(
        "courses:attempt", kwargs={"course_slug": course.slug, "attempt_id": attempt.pk}
    )
    form = client.get(start.url).content.decode()
    assert "Submit answers" in form
    assert "(correct answer)" not in form

    questions = list(quiz.questions.order_by("order"))
    right = questions[0].choices.get(is_correct=True)
    wrong = questions[1].choices.get(is_correct=False)
    submit = client.post(
        reverse(
            "courses:attempt_submit", kwargs={"course_slug": course.slug, "attempt_id": attempt.pk}
        ),
        {f"question-{questions[0].pk}": right.pk, f"question-{questions[1].pk}": wrong.pk},
    )

    attempt.refresh_from_db()
    assert submit.status_code == 302
    assert attempt.percent == 50
    assert attempt.passed is True
    result = client.get(submit.url).content.decode()
    assert "You passed!" in result
    assert "✓ Correct" in result
    assert "✗ Incorrect" in result
    assert "Explanation:" in result
    assert LessonProgress.objects.get(learner=student, lesson=quiz.lesson).completed_at


def test_quiz_answer_with_a_choice_of_another_question_is_refused(student: User) -> None:
    course, quiz = _quiz_course(student)
    client = _client(student)
    client.post(
        reverse(
            "courses:quiz_start", kwargs={"course_slug": course.slug, "lesson_id": quiz.lesson_id}
        )
    )
    attempt = QuizAttempt.objects.get(learner=student, quiz=quiz)
    first, second = quiz.questions.order_by("order")

    response = client.post(
        reverse(
            "courses:attempt_submit", kwargs={"course_slug": course.slug, "attempt_id": attempt.pk}
        ),
        {f"question-{first.pk}": second.choices.first().pk},
    )

    assert response.status_code == 422
    assert b"is not a choice of this question" in response.content
    attempt.refresh_from_db()
    assert attempt.submitted_at is None


def test_someone_elses_attempt_is_404(student: User) -> None:
    course, quiz = _quiz_course(student)
    _client(student).post(
        reverse(
            "courses:quiz_start", kwargs={"course_slug": course.slug, "lesson_id": quiz.lesson_id}
        )
    )
    attempt = QuizAttempt.objects.get(learner=student)
    url = reverse("courses:attempt", kwargs={"course_slug": course.slug, "attempt_id": attempt.pk})

    assert _client(StudentFactory()).get(url).status_code == 404


def test_timed_quiz_shows_the_timer(student: User) -> None:
    course, quiz = _quiz_course(student, time_limit_seconds=120)
    client = _client(student)
    response = client.post(
        reverse(
            "courses:quiz_start", kwargs={"course_slug": course.slug, "lesson_id": quiz.lesson_id}
        ),
        follow=True,
    )

    assert b'role="timer"' in response.content
    assert b'data-seconds-left="120"' in response.content or b'data-seconds-left="119"' in (
        response.content
    )


def test_exam_in_progress_hides_the_rest_of_the_course(student: User) -> None:
    course, quiz = _quiz_course(student, is_exam=True)
    client = _client(student)
    client.post(
        reverse(
            "courses:quiz_start", kwargs={"course_slug": course.slug, "lesson_id": quiz.lesson_id}
        )
    )
    other_lesson = _lessons(course)[0]

    response = client.get(_lesson_url(other_lesson))

    assert response.status_code == 403
    assert b"the rest of the course is hidden while it runs" in response.content
    assert b"Read this" not in response.content


def test_expired_attempt_is_graded_when_opened(student: User) -> None:
    course, quiz = _quiz_course(student, time_limit_seconds=60)
    client = _client(student)
    client.post(
        reverse(
            "courses:quiz_start", kwargs={"course_slug": course.slug, "lesson_id": quiz.lesson_id}
        )
    )
    attempt = QuizAttempt.objects.get(learner=student)
    QuizAttempt.objects.filter(pk=attempt.pk).update(
        deadline=timezone.now() - timedelta(minutes=10)
    )

    response = client.get(
        reverse("courses:attempt", kwargs={"course_slug": course.slug, "attempt_id": attempt.pk})
    )

    attempt.refresh_from_db()
    assert response.status_code == 200
    assert attempt.submitted_at is not None
    assert b"Not passed this time" in response.content


# --- Dashboard ------------------------------------------------------------------------------------


def test_dashboard_needs_login() -> None:
    response = _client().get(reverse("courses:dashboard"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_dashboard_shows_progress_and_continue(student: User, course: Course) -> None:
    enrollment = EnrollmentFactory(learner=student, course=course)
    lesson = _lessons(course)[1]
    LessonProgressFactory(learner=student, lesson=lesson, completed_at=timezone.now())
    enrollment.last_lesson = lesson
    enrollment.save()

    response = _client(student).get(reverse("courses:dashboard"))

    content = response.content.decode()
    assert response.status_code == 200
    assert "25% complete" in content
    assert f'href="{_lesson_url(lesson)}" aria-label="Continue {course.title}"' in content


def test_dashboard_query_count_is_fixed(student: User, django_assert_max_num_queries) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    EnrollmentFactory(learner=student, course=course_with_outline(title="First"))
    client = _client(student)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("courses:dashboard"))
    for number in range(6):
        EnrollmentFactory(learner=student, course=course_with_outline(title=f"C{number}"))
    client = _client(student)
    with django_assert_max_num_queries(len(few)):
        response = client.get(reverse("courses:dashboard"))
    assert len(response.context["in_progress"]) == 7


# --- Certificates ---------------------------------------------------------------------------------


def _certificate(student: User, course: Course) -> Certificate:
    return Certificate.objects.create(
        learner=student, course=course, learner_name="Sam Student", course_title=course.title
    )


def test_certificate_verification_page_is_public(student: User, course: Course) -> None:
    certificate = _certificate(student, course)

    response = _client().get(certificate.get_absolute_url())

    assert response.status_code == 200
    assert b"Sam Student" in response.content
    assert b"Pandas in practice" in response.content
    assert str(certificate.public_id).encode() in response.content


def test_unknown_certificate_is_404() -> None:
    response = _client().get("/certificates/00000000-0000-4000-8000-000000000000/")
    assert response.status_code == 404
    assert _client().get("/certificates/not-a-uuid/").status_code == 404


def test_certificate_pdf_is_a_real_pdf_with_the_verification_url(
    student: User, course: Course
) -> None:
    certificate = _certificate(student, course)

    response = _client().get(
        reverse("courses:certificate_pdf", kwargs={"public_id": certificate.public_id})
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    assert response.content.rstrip().endswith(b"%%EOF")
    assert b"Sam Student" in response.content
    assert f"http://testserver/certificates/{certificate.public_id}/".encode() in (response.content)


def test_course_page_and_player_query_counts_do_not_grow_with_the_outline(
    student: User, django_assert_max_num_queries
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    small = course_with_outline(title="Small", modules=1, lessons_per_module=1)
    large = course_with_outline(title="Large", modules=4, lessons_per_module=5)
    for course in (small, large):
        EnrollmentFactory(learner=student, course=course)
        LessonProgressFactory(
            learner=student, lesson=_lessons(course)[0], completed_at=timezone.now()
        )
    client = _client(student)
    client.get(reverse("courses:detail", kwargs={"slug": small.slug}))  # warm the session
    with CaptureQueriesContext(connection) as page_queries:
        client.get(reverse("courses:detail", kwargs={"slug": small.slug}))
    with CaptureQueriesContext(connection) as player_queries:
        client.get(_lesson_url(_lessons(small)[0]))

    with django_assert_max_num_queries(len(page_queries)):
        page = client.get(reverse("courses:detail", kwargs={"slug": large.slug}))
    with django_assert_max_num_queries(len(player_queries)):
        player = client.get(_lesson_url(_lessons(large)[0]))
    assert page.status_code == 200
    assert player.status_code == 200
    assert b"Lesson 4.5" in page.content
