"""Authoring in the admin: instructors see and edit only their own courses; admins everything."""

from __future__ import annotations

from typing import Any

import pytest
from allauth.mfa.models import Authenticator
from django.test import Client

from accounts.models import User
from courses.models import Choice, Course, Lesson, Module, Question, Quiz
from courses.tests.factories import (
    LessonFactory,
    ModuleFactory,
    QuizFactory,
    course_with_outline,
)

pytestmark = pytest.mark.django_db


def _signed_in(user: User) -> Client:
    """An admin session for a staff user who has set up two-factor authentication (required for
    staff in the test settings)."""
    if user.is_staff_role:
        Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP, data={"secret": "x"})
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def other_course(other_instructor) -> Course:
    return course_with_outline(title="Someone else's course", instructors=[other_instructor])


def _management(prefix: str, total: int, initial: int) -> dict[str, Any]:
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def _course_form(course: Course | None = None, **changes: Any) -> dict[str, Any]:
    data = {
        "title": course.title if course else "New course",
        "slug": course.slug if course else "new-course",
        "subtitle": course.subtitle if course else "",
        "description": course.description if course else "",
        "what_you_will_learn": "",
        "cover_image_alt": "",
        "category": course.category_id if course and course.category_id else "",
        "difficulty": "beginner",
        "language": "en",
        "estimated_hours": "1.0",
        "required_plan": "free",
        "early_access_until_0": "",
        "early_access_until_1": "",
    }
    modules = list(course.modules.order_by("order")) if course else []
    data.update(_management("modules", len(modules), len(modules)))
    for index, module in enumerate(modules):
        data.update(
            {
                f"modules-{index}-id": module.pk,
                f"modules-{index}-course": course.pk,
                f"modules-{index}-order": module.order,
                f"modules-{index}-title": module.title,
                f"modules-{index}-summary": module.summary,
            }
        )
    data.update(changes)
    return data


def test_instructors_see_only_their_own_courses(instructor, course, other_course):
    response = _signed_in(instructor).get("/admin/courses/course/")

    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [course]


def test_admins_see_every_course(admin_user, course, other_course):
    response = _signed_in(admin_user).get("/admin/courses/course/")

    assert set(response.context["cl"].result_list) == {course, other_course}


def test_instructors_cannot_open_someone_elses_course(instructor, other_course):
    client = _signed_in(instructor)

    assert client.get(f"/admin/courses/course/{other_course.pk}/change/").status_code == 404
    lesson = Lesson.objects.filter(module__course=other_course).first()
    assert client.get(f"/admin/courses/lesson/{lesson.pk}/change/").status_code == 404
    response = client.post(
        f"/admin/courses/course/{other_course.pk}/change/", _course_form(other_course, title="Mine")
    )
    assert response.status_code == 404
    other_course.refresh_from_db()
    assert other_course.title == "Someone else's course"


def test_students_cannot_open_the_admin(student):
    response = _signed_in(student).get("/admin/courses/course/")

    assert response.status_code == 302
    assert response.url.startswith("/admin/login/")


def test_staff_without_two_factor_are_sent_to_set_it_up(instructor):
    client = Client()
    client.force_login(instructor)

    response = client.get("/admin/courses/course/")

    assert response.status_code == 302
    assert response.url == "/accounts/2fa/totp/activate/"


def test_an_instructor_creates_a_draft_course_they_teach(instructor):
    response = _signed_in(instructor).post("/admin/courses/course/add/", _course_form())

    assert response.status_code == 302
    course = Course.objects.get()
    assert course.title == "New course"
    assert course.status == Course.Status.DRAFT
    assert list(course.instructors.all()) == [instructor]


def test_an_instructor_edits_their_course_and_reorders_modules(instructor, course):
    first, second = course.modules.order_by("order")
    data = _course_form(
        course,
        subtitle="Edited",
        **{"modules-0-order": "2", "modules-1-order": "1"},
    )

    response = _signed_in(instructor).post(f"/admin/courses/course/{course.pk}/change/", data)

    assert response.status_code == 302, response.context["errors"] if response.context else ""
    course.refresh_from_db()
    assert course.subtitle == "Edited"
    assert list(course.modules.order_by("order").values_list("pk", flat=True)) == [
        second.pk,
        first.pk,
    ]


def test_two_modules_at_one_position_are_refused(instructor, course):
    data = _course_form(course, **{"modules-0-order": "1", "modules-1-order": "1"})

    response = _signed_in(instructor).post(f"/admin/courses/course/{course.pk}/change/", data)

    assert response.status_code == 200
    assert "Two rows are at position 1; give each its own." in response.content.decode()
    assert list(course.modules.order_by("order").values_list("order", flat=True)) == [1, 2]


def test_a_new_module_without_a_position_goes_last(instructor, course):
    data = _course_form(course)
    data.update(_management("modules", 3, 2))
    data.update({"modules-2-title": "Extra", "modules-2-order": "", "modules-2-summary": ""})

    response = _signed_in(instructor).post(f"/admin/courses/course/{course.pk}/change/", data)

    assert response.status_code == 302
    assert list(course.modules.order_by("order").values_list("title", "order")) == [
        ("Module 1", 1),
        ("Module 2", 2),
        ("Extra", 3),
    ]


def test_the_publish_action_goes_through_the_service(instructor):
    ready = course_with_outline(
        status=Course.Status.DRAFT, published_at=None, instructors=[instructor], title="Ready"
    )
    empty = course_with_outline(
        status=Course.Status.DRAFT,
        published_at=None,
        instructors=[instructor],
        modules=0,
        title="Empty",
    )

    response = _signed_in(instructor).post(
        "/admin/courses/course/",
        {"action": "publish", "_selected_action": [ready.pk, empty.pk]},
        follow=True,
    )

    ready.refresh_from_db()
    empty.refresh_from_db()
    assert ready.status == Course.Status.PUBLISHED
    assert ready.published_at is not None
    assert empty.status == Course.Status.DRAFT
    shown = [str(message) for message in response.context["messages"]]
    assert "'Empty' is not ready to publish: Add at least one lesson." in shown
    assert "1 course(s) published." in shown


def test_the_unpublish_action(instructor, course):
    _signed_in(instructor).post(
        "/admin/courses/course/", {"action": "unpublish", "_selected_action": [course.pk]}
    )

    course.refresh_from_db()
    assert course.status == Course.Status.DRAFT


def test_foreign_key_choices_are_limited_to_own_courses(instructor, course, other_course):
    client = _signed_in(instructor)

    module_form = client.get("/admin/courses/module/add/").context["adminform"].form
    lesson_form = client.get("/admin/courses/lesson/add/").context["adminform"].form

    assert list(module_form.fields["course"].queryset) == [course]
    assert set(lesson_form.fields["module"].queryset) == set(course.modules.all())


def test_lessons_are_listed_for_their_own_instructors_only(instructor, course, other_course):
    response = _signed_in(instructor).get("/admin/courses/lesson/")

    assert {lesson.module.course for lesson in response.context["cl"].result_list} == {course}


def test_the_lesson_page_links_to_the_learner_preview(instructor, course):
    lesson = Lesson.objects.filter(module__course=course).first()

    response = _signed_in(instructor).get(f"/admin/courses/lesson/{lesson.pk}/change/")

    assert response.status_code == 200
    assert f'href="/learn/{course.slug}/{lesson.pk}/preview/"' in response.content.decode()


def test_quiz_lessons_added_inline_get_their_quiz(instructor, course):
    module = course.modules.order_by("order").first()
    lessons = list(module.lessons.order_by("order"))
    data = {
        "course": course.pk,
        "title": module.title,
        "summary": "",
        "order": module.order,
        **_management("lessons", 3, 2),
        "lessons-2-title": "Checkpoint",
        "lessons-2-kind": "quiz",
        "lessons-2-order": "",
        "lessons-2-duration_seconds": "0",
    }
    for index, lesson in enumerate(lessons):
        data.update(
            {
                f"lessons-{index}-id": lesson.pk,
                f"lessons-{index}-module": module.pk,
                f"lessons-{index}-title": lesson.title,
                f"lessons-{index}-kind": lesson.kind,
                f"lessons-{index}-order": lesson.order,
                f"lessons-{index}-duration_seconds": lesson.duration_seconds,
            }
        )

    response = _signed_in(instructor).post(f"/admin/courses/module/{module.pk}/change/", data)

    assert response.status_code == 302
    checkpoint = module.lessons.get(title="Checkpoint")
    assert checkpoint.order == lessons[-1].order + 1
    assert checkpoint.quiz.pass_mark_percent == 70


def test_an_instructor_reorders_the_lessons_of_a_module_inline(instructor, course):
    module = course.modules.order_by("order").first()
    lessons = list(module.lessons.order_by("order"))
    assert len(lessons) >= 2
    positions = [lesson.order for lesson in lessons]
    data = {
        "course": course.pk,
        "title": module.title,
        "summary": "",
        "order": module.order,
        **_management("lessons", len(lessons), len(lessons)),
    }
    # The first and the last lesson swap places; the unique (module, order) constraint must
    # not trip over the intermediate state.
    swapped = [positions[-1], *positions[1:-1], positions[0]]
    for index, (lesson, order) in enumerate(zip(lessons, swapped, strict=True)):
        data.update(
            {
                f"lessons-{index}-id": lesson.pk,
                f"lessons-{index}-module": module.pk,
                f"lessons-{index}-title": lesson.title,
                f"lessons-{index}-kind": lesson.kind,
                f"lessons-{index}-order": order,
                f"lessons-{index}-duration_seconds": lesson.duration_seconds,
            }
        )

    response = _signed_in(instructor).post(f"/admin/courses/module/{module.pk}/change/", data)

    assert response.status_code == 302, response.context["errors"] if response.context else ""
    assert list(module.lessons.order_by("order").values_list("pk", flat=True)) == [
        lessons[-1].pk,
        *[lesson.pk for lesson in lessons[1:-1]],
        lessons[0].pk,
    ]
    assert sorted(module.lessons.values_list("order", flat=True)) == sorted(positions)


def _question_form(quiz_pk: int, **question: Any) -> dict[str, Any]:
    return {
        "lesson": Lesson.objects.get(quiz__pk=quiz_pk).pk,
        "time_limit_seconds": "",
        "max_attempts": "",
        "pass_mark_percent": "70",
        "question_bank_sample_size": "",
        "negative_marking": "0",
        "reveals_answers": "on",
        "feedback": "after_submit",
        **_management("questions", 1, 0),
        "questions-0-order": "",
        "questions-0-points": "1",
        "questions-0-explanation": "",
        **{f"questions-0-{name}": value for name, value in question.items()},
    }


def test_questions_and_choices_are_written_inline_on_the_quiz(instructor, course):
    quiz = QuizFactory(lesson__module=course.modules.first(), lesson__order=40)

    response = _signed_in(instructor).post(
        f"/admin/courses/quiz/{quiz.pk}/change/",
        _question_form(
            quiz.pk,
            kind="single",
            text="Capital of France?",
            choices_text="Lyon\n* Paris\nNice",
        ),
    )

    assert response.status_code == 302
    question = Question.objects.get(quiz=quiz)
    assert question.order == 1
    assert list(question.choices.values_list("text", "is_correct", "order")) == [
        ("Lyon", False, 1),
        ("Paris", True, 2),
        ("Nice", False, 3),
    ]


def test_an_unanswerable_question_is_refused(instructor, course):
    quiz = QuizFactory(lesson__module=course.modules.first(), lesson__order=40)

    response = _signed_in(instructor).post(
        f"/admin/courses/quiz/{quiz.pk}/change/",
        _question_form(quiz.pk, kind="single", text="Which?", choices_text="a\nb"),
    )

    assert response.status_code == 200
    assert "Mark exactly one choice correct." in response.content.decode()
    assert Question.objects.count() == 0
    assert Choice.objects.count() == 0


def test_short_answers_are_written_one_per_line(instructor, course):
    quiz = QuizFactory(lesson__module=course.modules.first(), lesson__order=40)

    response = _signed_in(instructor).post(
        f"/admin/courses/quiz/{quiz.pk}/change/",
        _question_form(
            quiz.pk,
            kind="short_answer",
            text="Library?",
            accepted_answers_text="pandas\n\nPolars\n",
        ),
    )

    assert response.status_code == 302
    assert Question.objects.get(quiz=quiz).accepted_answers == ["pandas", "Polars"]


def test_instructors_cannot_add_modules_to_someone_elses_course(instructor, other_course):
    response = _signed_in(instructor).post(
        "/admin/courses/module/add/",
        {"course": other_course.pk, "title": "Sneaky", "order": 9, **_management("lessons", 0, 0)},
    )

    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Module.objects.filter(title="Sneaky").exists()


def test_instructors_see_enrollments_of_their_courses_only(instructor, course, other_course):
    from courses.tests.factories import EnrollmentFactory

    mine = EnrollmentFactory(course=course)
    EnrollmentFactory(course=other_course)

    response = _signed_in(instructor).get("/admin/courses/enrollment/")

    assert list(response.context["cl"].result_list) == [mine]


def test_lesson_module_choices_exclude_other_courses(instructor, other_course):
    ModuleFactory(course=other_course, order=5)
    LessonFactory()

    form = _signed_in(instructor).get("/admin/courses/lesson/add/").context["adminform"].form

    assert list(form.fields["module"].queryset) == []


def test_an_instructor_sets_immediate_feedback_and_the_admin_refuses_it_on_an_exam(
    instructor, course
) -> None:
    quiz = QuizFactory(lesson__module=course.modules.first(), lesson__order=41)
    form = _question_form(
        quiz.pk, kind="true_false", text="Water is wet?", choices_text="* True\nFalse"
    )
    client = _signed_in(instructor)

    refused = client.post(
        f"/admin/courses/quiz/{quiz.pk}/change/", {**form, "feedback": "immediate", "is_exam": "on"}
    )
    assert refused.status_code == 200
    assert "An exam shows its feedback after it is submitted." in refused.content.decode()
    quiz.refresh_from_db()
    assert quiz.feedback == Quiz.Feedback.AFTER_SUBMIT

    saved = client.post(f"/admin/courses/quiz/{quiz.pk}/change/", {**form, "feedback": "immediate"})
    assert saved.status_code == 302
    quiz.refresh_from_db()
    assert quiz.feedback == Quiz.Feedback.IMMEDIATE
