"""The courses API: every endpoint, its permissions per role, error shape and query budget."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from uuid import uuid4

import pytest
import time_machine
from django.utils import timezone

from courses import services
from courses.models import Certificate, Course, Enrollment, Lesson, LessonProgress, QuizAttempt
from courses.tests.factories import (
    CategoryFactory,
    EnrollmentFactory,
    QuestionFactory,
    QuizFactory,
    StudentFactory,
    course_with_outline,
    quiz_lesson,
)

pytestmark = pytest.mark.django_db


def _lessons(course: Course) -> list[Lesson]:
    return list(
        Lesson.objects.filter(module__course=course)
        .select_related("module__course")
        .order_by("module__order", "order")
    )


def _error(response) -> dict:
    return response.json()["error"]


# --- GET/POST /courses ----------------------------------------------------------------------------


def test_anyone_can_list_published_courses(api_client, course, instructor):
    course_with_outline(title="Hidden draft", status=Course.Status.DRAFT, published_at=None)

    response = api_client.get("/api/v1/courses")

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    item = body["results"][0]
    assert item["title"] == "Pandas in practice"
    assert item["status"] == "published"
    assert item["lesson_count"] == 4
    assert item["enrollment_count"] == 0
    assert item["is_enrolled"] is False
    assert item["progress_percent"] == 0
    assert item["instructors"] == [{"id": instructor.pk, "name": instructor.name}]
    assert item["url"] == f"/courses/{course.slug}/"
    assert item["estimated_hours"] == 0.0


def test_instructors_also_see_their_own_drafts(client_for, instructor, other_instructor, course):
    mine = course_with_outline(
        title="My draft", status=Course.Status.DRAFT, published_at=None, instructors=[instructor]
    )
    course_with_outline(
        title="Their draft",
        status=Course.Status.DRAFT,
        published_at=None,
        instructors=[other_instructor],
    )

    response = client_for(instructor).get("/api/v1/courses", {"mine": "true"})

    # Published first (newest first), drafts (no publication date) last.
    assert [item["id"] for item in response.json()["results"]] == [course.pk, mine.pk]
    everything = client_for(instructor).get("/api/v1/courses").json()["results"]
    assert [item["title"] for item in everything] == ["Pandas in practice", "My draft"]


def test_the_course_list_filters_searches_orders_and_paginates(api_client):
    data = CategoryFactory(slug="data")
    for n in range(3):
        course_with_outline(title=f"Data {n}", category=data, subtitle="Pandas and SQL")
    course_with_outline(title="Paid design", required_plan=Course.Plan.PRO, difficulty="advanced")

    assert api_client.get("/api/v1/courses", {"category": "data"}).json()["count"] == 3
    assert api_client.get("/api/v1/courses", {"price": "paid"}).json()["count"] == 1
    assert api_client.get("/api/v1/courses", {"difficulty": "advanced"}).json()["count"] == 1
    assert api_client.get("/api/v1/courses", {"search": "pandas"}).json()["count"] == 3
    ordered = api_client.get("/api/v1/courses", {"ordering": "title", "page_size": 2}).json()
    assert [item["title"] for item in ordered["results"]] == ["Data 0", "Data 1"]
    assert ordered["count"] == 4
    assert ordered["next"] == "http://testserver/api/v1/courses?ordering=title&page=2&page_size=2"


def test_learners_filter_the_courses_they_are_enrolled_in(client_for, api_client, student, course):
    course_with_outline(title="Not mine")
    EnrollmentFactory(course=course, learner=student)

    mine = client_for(student).get("/api/v1/courses", {"enrolled": "true"}).json()

    assert [item["id"] for item in mine["results"]] == [course.pk]
    assert mine["results"][0]["is_enrolled"] is True
    assert api_client.get("/api/v1/courses", {"enrolled": "true"}).json()["count"] == 0


def test_unknown_filter_values_are_a_400(api_client):
    response = api_client.get("/api/v1/courses", {"difficulty": "impossible"})

    assert response.status_code == 400
    assert _error(response)["code"] == "validation_error"
    assert list(_error(response)["fields"]) == ["difficulty"]


def test_the_course_list_has_a_fixed_query_budget(client_for, student, django_assert_num_queries):
    for _ in range(5):
        course = course_with_outline(modules=1, lessons_per_module=2)
        EnrollmentFactory(course=course, learner=student)
    client = client_for(student)

    # count, courses, instructors, tags
    with django_assert_num_queries(4):
        response = client.get("/api/v1/courses")

    assert response.json()["count"] == 5


def test_instructors_create_draft_courses(client_for, instructor):
    CategoryFactory(slug="data")

    response = client_for(instructor).post(
        "/api/v1/courses",
        {
            "title": "Python for data analysis",
            "category": "data",
            "tags": ["python", "pandas"],
            "difficulty": "beginner",
            "estimated_hours": "6.5",
            "what_you_will_learn": ["Load data", "Group it"],
            "description": "Hello <script>x()</script>**there**",
        },
        format="json",
    )

    assert response.status_code == 201
    body = response.json()
    course = Course.objects.get(pk=body["id"])
    assert body["status"] == "draft"
    assert body["slug"] == "python-for-data-analysis"
    assert body["tags"] == ["pandas", "python"]
    assert body["what_you_will_learn"] == ["Load data", "Group it"]
    assert body["description_html"] == "<p>Hello <strong>there</strong></p>"
    assert body["estimated_hours"] == 6.5
    assert list(course.instructors.all()) == [instructor]


def test_an_instructor_names_the_plan_that_opens_the_course_early(client_for, instructor):
    client = client_for(instructor)
    opens = (timezone.now() + timedelta(days=14)).replace(microsecond=0)

    created = client.post(
        "/api/v1/courses",
        {
            "title": "Early bird",
            "early_access_until": opens.isoformat(),
            "early_access_plan": "pro",
        },
        format="json",
    )

    assert created.status_code == 201
    assert created.json()["early_access_plan"] == "pro"
    course = Course.objects.get(pk=created.json()["id"])
    assert (course.early_access_plan, course.early_access_until) == ("pro", opens)

    cleared = client.patch(f"/api/v1/courses/{course.pk}", {"early_access_plan": ""}, format="json")

    assert cleared.status_code == 200
    assert cleared.json()["early_access_plan"] == ""  # the site's early-access plan
    course.refresh_from_db()
    assert course.early_access_plan == ""


def test_an_early_access_plan_that_is_not_a_plan_is_refused(client_for, instructor):
    response = client_for(instructor).post(
        "/api/v1/courses", {"title": "Early bird", "early_access_plan": "gold"}, format="json"
    )

    assert response.status_code == 400
    assert list(_error(response)["fields"]) == ["early_access_plan"]
    assert Course.objects.count() == 0


def test_students_cannot_create_courses(client_for, student):
    response = client_for(student).post("/api/v1/courses", {"title": "Mine"}, format="json")

    assert response.status_code == 403
    assert _error(response) == {
        "code": "permission_denied",
        "message": "This endpoint is for instructors.",
        "fields": {},
    }
    assert Course.objects.count() == 0


def test_anonymous_callers_cannot_create_courses(api_client):
    response = api_client.post("/api/v1/courses", {"title": "Mine"}, format="json")

    assert response.status_code == 401
    assert Course.objects.count() == 0


def test_bad_course_input_names_each_field(client_for, instructor):
    response = client_for(instructor).post(
        "/api/v1/courses",
        {"title": "", "difficulty": "godlike", "category": "nope", "estimated_hours": -1},
        format="json",
    )

    assert response.status_code == 400
    assert sorted(_error(response)["fields"]) == [
        "category",
        "difficulty",
        "estimated_hours",
        "title",
    ]
    assert Course.objects.count() == 0


# --- /courses/{id} --------------------------------------------------------------------------------


def test_anyone_reads_a_published_course(api_client, course):
    response = api_client.get(f"/api/v1/courses/{course.pk}")

    assert response.status_code == 200
    assert response.json()["description_html"] == "<p>Learn <strong>things</strong>.</p>"


def test_drafts_are_not_found_for_anyone_but_their_owners(
    api_client, client_for, instructor, other_instructor, student
):
    draft = course_with_outline(
        status=Course.Status.DRAFT, published_at=None, instructors=[instructor]
    )

    for client in (api_client, client_for(student), client_for(other_instructor)):
        response = client.get(f"/api/v1/courses/{draft.pk}")
        assert response.status_code == 404
        assert _error(response)["code"] == "course_not_found"
    assert client_for(instructor).get(f"/api/v1/courses/{draft.pk}").status_code == 200


def test_unknown_course_ids_are_404(api_client):
    response = api_client.get("/api/v1/courses/999999")

    assert response.status_code == 404
    assert _error(response) == {
        "code": "course_not_found",
        "message": "Course not found.",
        "fields": {},
    }


def test_owners_patch_their_course(client_for, instructor, course):
    response = client_for(instructor).patch(
        f"/api/v1/courses/{course.pk}", {"subtitle": "Fresh"}, format="json"
    )

    assert response.status_code == 200
    course.refresh_from_db()
    assert course.subtitle == "Fresh"
    assert course.title == "Pandas in practice"


def test_owners_put_replaces_the_details(client_for, instructor, course):
    response = client_for(instructor).put(
        f"/api/v1/courses/{course.pk}", {"title": "Renamed", "language": "de"}, format="json"
    )

    assert response.status_code == 200
    course.refresh_from_db()
    assert (course.title, course.language) == ("Renamed", "de")


def test_put_without_the_title_is_a_400(client_for, instructor, course):
    response = client_for(instructor).put(
        f"/api/v1/courses/{course.pk}", {"language": "de"}, format="json"
    )

    assert response.status_code == 400
    assert _error(response)["fields"] == {"title": ["This field is required."]}


def test_admins_change_any_course(client_for, admin_user, course):
    response = client_for(admin_user).patch(
        f"/api/v1/courses/{course.pk}", {"status": "archived"}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["status"] == "archived"


@pytest.mark.parametrize("who", ["student", "other_instructor"])
def test_others_may_not_change_or_delete_a_course(client_for, course, who, request):
    client = client_for(request.getfixturevalue(who))

    patch = client.patch(f"/api/v1/courses/{course.pk}", {"title": "Mine now"}, format="json")
    delete = client.delete(f"/api/v1/courses/{course.pk}")

    assert patch.status_code == delete.status_code == 403
    assert _error(patch)["message"] == "Only the course's instructors and admins can change it."
    course.refresh_from_db()
    assert course.title == "Pandas in practice"


def test_publishing_an_incomplete_course_is_a_400_naming_the_problems(client_for, instructor):
    draft = course_with_outline(
        status=Course.Status.DRAFT, published_at=None, instructors=[instructor], modules=0
    )

    response = client_for(instructor).patch(
        f"/api/v1/courses/{draft.pk}", {"status": "published"}, format="json"
    )

    assert response.status_code == 400
    assert _error(response)["code"] == "course_not_ready"
    assert _error(response)["fields"] == {"outline": ["Add at least one lesson."]}
    draft.refresh_from_db()
    assert draft.status == Course.Status.DRAFT


def test_owners_delete_a_course_without_learners(client_for, instructor, course):
    response = client_for(instructor).delete(f"/api/v1/courses/{course.pk}")

    assert response.status_code == 204
    assert not Course.objects.filter(pk=course.pk).exists()


def test_a_course_with_learners_is_not_deleted(client_for, instructor, course, student):
    EnrollmentFactory(course=course, learner=student)

    response = client_for(instructor).delete(f"/api/v1/courses/{course.pk}")

    assert response.status_code == 409
    assert _error(response)["code"] == "course_has_learners"
    assert Course.objects.filter(pk=course.pk).exists()


# --- Enrollment and progress ----------------------------------------------------------------------


def test_enrolling_is_idempotent(client_for, student, course):
    client = client_for(student)

    first = client.post(f"/api/v1/courses/{course.pk}/enroll")
    second = client.post(f"/api/v1/courses/{course.pk}/enroll")

    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json() == second.json()
    assert first.json()["course_id"] == course.pk
    assert Enrollment.objects.filter(learner=student).count() == 1


def test_enrolling_in_a_draft_is_not_found(client_for, student):
    draft = course_with_outline(status=Course.Status.DRAFT, published_at=None)

    response = client_for(student).post(f"/api/v1/courses/{draft.pk}/enroll")

    assert response.status_code == 404
    assert Enrollment.objects.count() == 0


def test_enrolling_in_an_owned_draft_is_a_400(client_for, instructor):
    draft = course_with_outline(
        status=Course.Status.DRAFT, published_at=None, instructors=[instructor], title="WIP"
    )

    response = client_for(instructor).post(f"/api/v1/courses/{draft.pk}/enroll")

    assert response.status_code == 400
    assert _error(response) == {
        "code": "enrollment_closed",
        "message": "'WIP' is not open for enrollment.",
        "fields": {},
    }


def test_enrolling_in_a_paid_course_without_a_plan_is_a_403(client_for, student):
    paid = course_with_outline(required_plan=Course.Plan.BASIC, title="Paid")

    response = client_for(student).post(f"/api/v1/courses/{paid.pk}/enroll")

    assert response.status_code == 403
    assert response.json()["error"] == {
        "code": "plan_required",
        "message": "'Paid' needs the Basic plan.",
        "fields": {},
        "extra": {"plan": "basic"},
    }


def test_enrolling_needs_a_signed_in_user(api_client, course):
    assert api_client.post(f"/api/v1/courses/{course.pk}/enroll").status_code == 401


def test_progress_per_module_and_lesson(client_for, student, course):
    EnrollmentFactory(course=course, learner=student)
    lessons = _lessons(course)
    services.lesson_complete(learner=student, lesson=lessons[0])
    services.lesson_position_save(
        learner=student, lesson=lessons[1], position_seconds=42, seconds_spent_delta=12
    )

    response = client_for(student).get(f"/api/v1/courses/{course.pk}/progress")

    assert response.status_code == 200
    body = response.json()
    assert (body["percent"], body["completed_lesson_count"], body["lesson_count"]) == (25, 1, 4)
    assert body["seconds_spent"] == 12
    assert body["is_completed"] is False
    assert body["resume"] == {
        "lesson_id": lessons[1].pk,
        "lesson_title": "Lesson 1.2",
        "position_seconds": 42,
    }
    assert [module["percent"] for module in body["modules"]] == [50, 0]
    assert body["modules"][0]["lessons"][1] == {
        "id": lessons[1].pk,
        "title": "Lesson 1.2",
        "kind": "article",
        "is_completed": False,
        "completed_at": None,
        "seconds_spent": 12,
        "last_position_seconds": 42,
    }


def test_progress_needs_an_enrollment(client_for, student, course):
    response = client_for(student).get(f"/api/v1/courses/{course.pk}/progress")

    assert response.status_code == 403
    assert _error(response)["code"] == "not_enrolled"


# --- Lessons --------------------------------------------------------------------------------------


def test_the_lesson_list_shows_ticks_and_locks(client_for, student, course):
    EnrollmentFactory(course=course, learner=student)
    lessons = _lessons(course)
    services.lesson_complete(learner=student, lesson=lessons[2])

    response = client_for(student).get(f"/api/v1/courses/{course.pk}/lessons")

    assert response.status_code == 200
    results = response.json()["results"]
    assert [item["id"] for item in results] == [lesson.pk for lesson in lessons]
    assert [item["is_completed"] for item in results] == [False, False, True, False]
    assert {item["is_locked"] for item in results} == {False}
    assert results[0]["module"] == {
        "id": lessons[0].module_id,
        "title": "Module 1",
        "order": 1,
    }
    assert "body" not in results[0]


def test_visitors_see_the_lesson_list_locked_except_previews(api_client, course):
    first = _lessons(course)[0]
    first.is_free_preview = True
    first.save()

    response = api_client.get(f"/api/v1/courses/{course.pk}/lessons", {"is_free_preview": "true"})

    assert [(item["id"], item["is_locked"]) for item in response.json()["results"]] == [
        (first.pk, False)
    ]
    everything = api_client.get(f"/api/v1/courses/{course.pk}/lessons").json()["results"]
    assert [item["is_locked"] for item in everything] == [False, True, True, True]


def test_the_lesson_list_has_a_fixed_query_budget(client_for, student, django_assert_num_queries):
    big = course_with_outline(modules=3, lessons_per_module=5)
    EnrollmentFactory(course=big, learner=student)
    client = client_for(student)

    # course (+ instructors, tags), count, lessons, running exam
    with django_assert_num_queries(6):
        response = client.get(f"/api/v1/courses/{big.pk}/lessons")

    assert response.json()["count"] == 15


def test_an_enrolled_learner_opens_a_lesson(client_for, student, course):
    EnrollmentFactory(course=course, learner=student)
    lessons = _lessons(course)

    response = client_for(student).get(f"/api/v1/lessons/{lessons[1].pk}")

    assert response.status_code == 200
    body = response.json()
    assert body["lesson"]["body_html"] == "<p>Read this <em>carefully</em>.</p>"
    assert body["lesson"]["course"] == {"id": course.pk, "slug": course.slug, "title": course.title}
    assert body["previous_lesson"] == {
        "id": lessons[0].pk,
        "title": "Lesson 1.1",
        "kind": "article",
    }
    assert body["next_lesson"]["id"] == lessons[2].pk
    assert (body["position"], body["lesson_count"]) == (2, 4)
    assert body["progress"] is None


def test_lesson_content_is_refused_to_the_unenrolled(client_for, api_client, student, course):
    lesson = _lessons(course)[1]

    for client in (client_for(student), api_client):
        response = client.get(f"/api/v1/lessons/{lesson.pk}")
        assert response.status_code == 403
        assert response.json()["error"] == {
            "code": "lesson_locked",
            "message": "Enroll in this course to open this lesson.",
            "fields": {},
            "extra": {"course_id": course.pk},
        }


def test_free_previews_open_for_everyone(api_client, course):
    lesson = _lessons(course)[0]
    lesson.is_free_preview = True
    lesson.save()

    response = api_client.get(f"/api/v1/lessons/{lesson.pk}")

    assert response.status_code == 200
    assert response.json()["lesson"]["is_free_preview"] is True


def test_instructors_open_their_own_lessons(client_for, instructor, course):
    assert (
        client_for(instructor).get(f"/api/v1/lessons/{_lessons(course)[3].pk}").status_code == 200
    )


def test_unknown_lessons_are_404(client_for, student):
    response = client_for(student).get("/api/v1/lessons/424242")

    assert response.status_code == 404
    assert _error(response)["code"] == "lesson_not_found"


def test_completing_a_lesson_twice_is_harmless(client_for, student, course):
    EnrollmentFactory(course=course, learner=student)
    lesson = _lessons(course)[0]
    client = client_for(student)

    first = client.post(f"/api/v1/lessons/{lesson.pk}/complete")
    second = client.post(f"/api/v1/lessons/{lesson.pk}/complete")

    assert first.status_code == second.status_code == 200
    assert first.json()["is_completed"] is True
    assert first.json()["completed_at"] == second.json()["completed_at"]


def test_unticking_a_lesson(client_for, student, course):
    EnrollmentFactory(course=course, learner=student)
    lesson = _lessons(course)[0]
    client = client_for(student)
    client.post(f"/api/v1/lessons/{lesson.pk}/complete")

    response = client.delete(f"/api/v1/lessons/{lesson.pk}/complete")

    assert response.status_code == 200
    assert response.json()["is_completed"] is False


def test_completing_without_an_enrollment_is_a_403(client_for, student, course):
    response = client_for(student).post(f"/api/v1/lessons/{_lessons(course)[0].pk}/complete")

    assert response.status_code == 403
    assert _error(response)["code"] == "not_enrolled"
    assert LessonProgress.objects.count() == 0


def test_saving_the_position(client_for, student, course):
    EnrollmentFactory(course=course, learner=student)
    lesson = _lessons(course)[0]

    response = client_for(student).put(
        f"/api/v1/lessons/{lesson.pk}/position",
        {"position_seconds": 120, "seconds_spent": 10},
        format="json",
    )

    assert response.status_code == 200
    assert response.json()["last_position_seconds"] == 120
    assert response.json()["seconds_spent"] == 10


def test_a_steady_player_report_has_a_query_budget(
    client_for, student, course, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    """Players report every few seconds, so a report after the first (its progress row there,
    the resume point fresh) reads and writes only what it must: the lesson, the running exam,
    the enrollment and the progress row locked, the progress update, the learner's mode for
    relax mode's break, the analytics event, and the savepoint around them."""
    EnrollmentFactory(course=course, learner=student)
    lesson = _lessons(course)[0]
    client = client_for(student)
    url = f"/api/v1/lessons/{lesson.pk}/position"
    with time_machine.travel("2026-03-02 10:00:00Z", tick=False) as clock:
        with django_capture_on_commit_callbacks(execute=True):
            client.put(url, {"position_seconds": 10, "seconds_spent": 10}, format="json")
        clock.shift(10)
        with (
            django_assert_max_num_queries(9),
            django_capture_on_commit_callbacks(execute=True),
        ):
            response = client.put(url, {"position_seconds": 20, "seconds_spent": 10}, format="json")

    assert response.status_code == 200
    assert response.json()["seconds_spent"] == 20


@pytest.mark.parametrize(
    ("payload", "fields"),
    [
        (
            {"position_seconds": -5},
            {"position_seconds": ["Ensure this value is greater than or equal to 0."]},
        ),
        (
            {"position_seconds": 301},
            {"position_seconds": ["The position is past the end of the lesson (300 seconds)."]},
        ),
        (
            {"position_seconds": "soon"},
            {"position_seconds": ["Give a whole number (a JSON number)."]},
        ),
        ({}, {"position_seconds": ["This field is required."]}),
    ],
)
def test_bad_positions_are_a_400(client_for, student, course, payload, fields):
    EnrollmentFactory(course=course, learner=student)
    lesson = _lessons(course)[0]

    response = client_for(student).put(
        f"/api/v1/lessons/{lesson.pk}/position", payload, format="json"
    )

    assert response.status_code == 400
    assert _error(response)["fields"] == fields
    assert LessonProgress.objects.count() == 0


def test_reading_an_article_through_the_api_completes_it_by_the_rule(client_for, student, course):
    EnrollmentFactory(course=course, learner=student)
    lesson = _lessons(course)[0]  # 300 seconds' reading: 150 of them with the end reached
    client = client_for(student)

    detail = client.get(f"/api/v1/lessons/{lesson.pk}").json()["lesson"]
    with time_machine.travel("2026-03-02 10:00:00Z", tick=False) as clock:
        first = client.post(
            f"/api/v1/lessons/{lesson.pk}/reading",
            {"seconds_spent": 20, "reached_end": True},
            format="json",
        )
        for _ in range(5):
            clock.shift(30)
            last = client.post(
                f"/api/v1/lessons/{lesson.pk}/reading", {"seconds_spent": 30}, format="json"
            )

    assert detail["reading_seconds_to_complete"] == 150
    assert detail["completion_rule"].startswith("Read to the end to complete")
    assert first.status_code == 200
    assert first.json()["is_completed"] is False
    assert first.json()["end_reached_at"] == "2026-03-02T10:00:00Z"
    assert last.json()["seconds_spent"] == 170
    assert last.json()["is_completed"] is True


@pytest.mark.parametrize(
    ("payload", "fields"),
    [
        (
            {"seconds_spent": -1},
            {"seconds_spent": ["Ensure this value is greater than or equal to 0."]},
        ),
        ({"seconds_spent": "long"}, {"seconds_spent": ["Give a whole number (a JSON number)."]}),
        ({"reached_end": "maybe"}, {"reached_end": ["Give true or false (a JSON boolean)."]}),
    ],
)
def test_bad_reading_reports_are_a_400(client_for, student, course, payload, fields):
    EnrollmentFactory(course=course, learner=student)
    lesson = _lessons(course)[0]

    response = client_for(student).post(
        f"/api/v1/lessons/{lesson.pk}/reading", payload, format="json"
    )

    assert response.status_code == 400
    assert _error(response)["fields"] == fields
    assert LessonProgress.objects.count() == 0


def test_reading_reports_need_an_article_and_an_enrollment(client_for, student, course):
    lesson = _lessons(course)[0]
    quiz = QuizFactory(lesson__module=course.modules.first(), lesson__order=11)
    client = client_for(student)

    unenrolled = client.post(f"/api/v1/lessons/{lesson.pk}/reading", {}, format="json")
    EnrollmentFactory(course=course, learner=student)
    on_quiz = client.post(f"/api/v1/lessons/{quiz.lesson_id}/reading", {}, format="json")
    unknown = client.post("/api/v1/lessons/999999/reading", {}, format="json")

    assert (unenrolled.status_code, _error(unenrolled)["code"]) == (403, "not_enrolled")
    assert (on_quiz.status_code, _error(on_quiz)["code"]) == (400, "invalid_reading_report")
    assert unknown.status_code == 404
    assert LessonProgress.objects.count() == 0


# --- Quizzes --------------------------------------------------------------------------------------


@pytest.fixture
def quiz(course):
    quiz = QuizFactory(lesson__module=course.modules.first(), lesson__order=10, max_attempts=2)
    QuestionFactory(quiz=quiz, order=1, text="Which *one*?")
    QuestionFactory(
        quiz=quiz, order=2, kind="short_answer", accepted_answers=["pandas"], text="Library?"
    )
    return quiz


def test_a_quiz_shows_its_questions_without_answers(client_for, student, course, quiz):
    EnrollmentFactory(course=course, learner=student)

    response = client_for(student).get(f"/api/v1/quizzes/{quiz.pk}")

    assert response.status_code == 200
    body = response.json()
    assert body["question_count"] == 2
    assert body["attempts_remaining"] == 2
    assert body["open_attempt_id"] is None
    first = body["questions"][0]
    assert first["text_html"] == "<p>Which <em>one</em>?</p>"
    assert [choice["text"] for choice in first["choices"]] == ["right", "wrong"]
    assert set(first["choices"][0]) == {"id", "text"}
    assert "accepted_answers" not in body["questions"][1]
    assert "pandas" not in response.content.decode()


def test_quizzes_of_locked_lessons_are_refused(client_for, other_student, quiz):
    response = client_for(other_student).get(f"/api/v1/quizzes/{quiz.pk}")

    assert response.status_code == 403
    assert _error(response)["code"] == "lesson_locked"


def test_taking_a_quiz_from_start_to_grade(client_for, student, course, quiz):
    EnrollmentFactory(course=course, learner=student)
    client = client_for(student)

    started = client.post(f"/api/v1/quizzes/{quiz.pk}/attempts")
    # An empty JSON request (no answers) resumes it too: only answers grade in one call.
    resumed = client.post(
        f"/api/v1/quizzes/{quiz.pk}/attempts", data="", content_type="application/json"
    )

    assert (started.status_code, resumed.status_code) == (201, 200)
    attempt = started.json()
    assert resumed.json()["id"] == attempt["id"]
    assert attempt["state"] == "in_progress"
    assert attempt["score"] is None
    single, short = attempt["questions"]
    assert single["is_correct"] is None
    assert single["correct_choice_ids"] is None
    right = next(c["id"] for c in single["choices"] if c["text"] == "right")

    graded = client.post(
        f"/api/v1/quiz-attempts/{attempt['id']}/submit",
        {"answers": {str(single["id"]): right, str(short["id"]): " PANDAS "}},
        format="json",
    )

    assert graded.status_code == 200
    body = graded.json()
    assert (body["state"], body["score"], body["max_score"], body["percent"], body["passed"]) == (
        "submitted",
        "2.00",
        "2.00",
        "100.00",
        True,
    )
    assert body["questions"][0]["correct_choice_ids"] == [right]
    assert body["questions"][0]["explanation_html"] == "<p>Because.</p>"
    assert body["questions"][1]["accepted_answers"] == ["pandas"]
    assert body["questions"][1]["answer"] == "PANDAS"
    assert client.get(f"/api/v1/quiz-attempts/{attempt['id']}").json() == body
    assert LessonProgress.objects.get(learner=student, lesson=quiz.lesson).completed_at is not None


def test_answers_to_another_quiz_are_a_400(client_for, student, course, quiz):
    EnrollmentFactory(course=course, learner=student)
    elsewhere = QuestionFactory()
    client = client_for(student)
    attempt_id = client.post(f"/api/v1/quizzes/{quiz.pk}/attempts").json()["id"]

    response = client.post(
        f"/api/v1/quiz-attempts/{attempt_id}/submit",
        {"answers": {str(elsewhere.pk): 1}},
        format="json",
    )

    assert response.status_code == 400
    assert _error(response) == {
        "code": "invalid_answer",
        "message": f"Question {elsewhere.pk} belongs to another quiz.",
        "fields": {
            f"answers.{elsewhere.pk}": [f"Question {elsewhere.pk} belongs to another quiz."]
        },
    }
    assert QuizAttempt.objects.get(pk=attempt_id).submitted_at is None


def test_answers_must_be_an_object(client_for, student, course, quiz):
    EnrollmentFactory(course=course, learner=student)
    client = client_for(student)
    attempt_id = client.post(f"/api/v1/quizzes/{quiz.pk}/attempts").json()["id"]

    response = client.post(
        f"/api/v1/quiz-attempts/{attempt_id}/submit", {"answers": [1, 2]}, format="json"
    )

    assert response.status_code == 400
    assert list(_error(response)["fields"]) == ["answers"]


def test_late_answers_are_refused(client_for, student, course, quiz):
    EnrollmentFactory(course=course, learner=student)
    quiz.time_limit_seconds = 30
    quiz.save()
    client = client_for(student)
    with time_machine.travel("2026-06-01 10:00:00Z", tick=False) as clock:
        attempt = client.post(f"/api/v1/quizzes/{quiz.pk}/attempts").json()
        assert attempt["seconds_left"] == 30
        clock.shift(timedelta(minutes=5))
        response = client.post(
            f"/api/v1/quiz-attempts/{attempt['id']}/submit", {"answers": {}}, format="json"
        )

    assert response.status_code == 409
    assert _error(response)["code"] == "attempt_deadline_passed"
    assert QuizAttempt.objects.get(pk=attempt["id"]).submitted_at is None


def test_the_attempt_limit_is_a_409(client_for, student, course, quiz):
    EnrollmentFactory(course=course, learner=student)
    client = client_for(student)
    for _ in range(2):
        attempt_id = client.post(f"/api/v1/quizzes/{quiz.pk}/attempts").json()["id"]
        client.post(f"/api/v1/quiz-attempts/{attempt_id}/submit", {"answers": {}}, format="json")

    response = client.post(f"/api/v1/quizzes/{quiz.pk}/attempts")

    assert response.status_code == 409
    assert _error(response)["message"] == "You have used all 2 attempts at this quiz."
    assert QuizAttempt.objects.count() == 2


def _right_answers(quiz) -> dict[str, object]:
    single, short = quiz.questions.order_by("order")
    return {str(single.pk): single.choices.get(is_correct=True).pk, str(short.pk): "pandas"}


def test_a_quiz_is_taken_and_graded_in_one_call(client_for, student, course, quiz):
    EnrollmentFactory(course=course, learner=student)
    client = client_for(student)

    response = client.post(
        f"/api/v1/quizzes/{quiz.pk}/attempts", {"answers": _right_answers(quiz)}, format="json"
    )

    assert response.status_code == 201
    body = response.json()
    assert (body["state"], body["number"], body["score"], body["percent"], body["passed"]) == (
        "submitted",
        1,
        "2.00",
        "100.00",
        True,
    )
    attempt = QuizAttempt.objects.get()
    assert attempt.submitted_at is not None
    assert LessonProgress.objects.get(learner=student, lesson=quiz.lesson).completed_at is not None
    # The two-step flow is untouched: the next POST without answers starts attempt 2.
    started = client.post(f"/api/v1/quizzes/{quiz.pk}/attempts")
    assert (started.status_code, started.json()["state"], started.json()["number"]) == (
        201,
        "in_progress",
        2,
    )


def test_one_call_answers_complete_the_attempt_already_running(client_for, student, course, quiz):
    EnrollmentFactory(course=course, learner=student)
    client = client_for(student)
    running = client.post(f"/api/v1/quizzes/{quiz.pk}/attempts").json()

    response = client.post(
        f"/api/v1/quizzes/{quiz.pk}/attempts", {"answers": _right_answers(quiz)}, format="json"
    )

    assert response.status_code == 200
    assert (response.json()["id"], response.json()["state"]) == (running["id"], "submitted")
    assert QuizAttempt.objects.count() == 1


@pytest.mark.parametrize("kind", ["another_quiz", "unknown_question", "unknown_choice"])
def test_bad_one_call_answers_are_a_400_and_use_up_no_attempt(
    client_for, student, course, quiz, kind
):
    EnrollmentFactory(course=course, learner=student)
    single = quiz.questions.get(order=1)
    if kind == "another_quiz":
        elsewhere = QuestionFactory()
        answers, message = (
            {str(elsewhere.pk): 1},
            f"Question {elsewhere.pk} belongs to another quiz.",
        )
    elif kind == "unknown_question":
        answers, message = {"999999": 1}, "Question 999999 is not part of this attempt."
    else:
        answers, message = (
            {str(single.pk): 999999},
            "Choice 999999 is not a choice of this question.",
        )

    response = client_for(student).post(
        f"/api/v1/quizzes/{quiz.pk}/attempts", {"answers": answers}, format="json"
    )

    assert response.status_code == 400
    assert _error(response)["code"] == "invalid_answer"
    assert _error(response)["message"] == message
    assert QuizAttempt.objects.count() == 0
    assert client_for(student).get(f"/api/v1/quizzes/{quiz.pk}").json()["attempts_remaining"] == 2


def test_one_call_answers_must_be_an_object(client_for, student, course, quiz):
    EnrollmentFactory(course=course, learner=student)

    response = client_for(student).post(
        f"/api/v1/quizzes/{quiz.pk}/attempts", {"answers": [1, 2]}, format="json"
    )

    assert response.status_code == 400
    assert list(_error(response)["fields"]) == ["answers"]
    assert QuizAttempt.objects.count() == 0


def test_one_call_respects_the_attempt_limit(client_for, student, course, quiz):
    EnrollmentFactory(course=course, learner=student)
    client = client_for(student)
    for _ in range(2):
        client.post(f"/api/v1/quizzes/{quiz.pk}/attempts", {"answers": {}}, format="json")

    response = client.post(
        f"/api/v1/quizzes/{quiz.pk}/attempts", {"answers": _right_answers(quiz)}, format="json"
    )

    assert response.status_code == 409
    assert _error(response)["code"] == "attempt_limit_reached"
    assert QuizAttempt.objects.count() == 2
    assert not QuizAttempt.objects.filter(passed=True).exists()


@pytest.mark.parametrize(
    "settings_changes",
    [{"time_limit_seconds": 60}, {"is_exam": True}, {"question_bank_sample_size": 1}],
)
def test_timed_quizzes_exams_and_question_banks_must_be_started_first(
    client_for, student, course, quiz, settings_changes
):
    EnrollmentFactory(course=course, learner=student)
    for name, value in settings_changes.items():
        setattr(quiz, name, value)
    quiz.save()
    client = client_for(student)

    refused = client.post(
        f"/api/v1/quizzes/{quiz.pk}/attempts", {"answers": _right_answers(quiz)}, format="json"
    )

    assert refused.status_code == 409
    assert _error(refused)["code"] == "attempt_start_required"
    assert QuizAttempt.objects.count() == 0
    # Started first, the clock runs; answers sent to the running attempt then count.
    running = client.post(f"/api/v1/quizzes/{quiz.pk}/attempts").json()
    drawn = {str(question["id"]) for question in running["questions"]}
    answers = {key: value for key, value in _right_answers(quiz).items() if key in drawn}
    graded = client.post(f"/api/v1/quizzes/{quiz.pk}/attempts", {"answers": answers}, format="json")
    assert (graded.status_code, graded.json()["state"]) == (200, "submitted")
    assert graded.json()["percent"] == "100.00"


def test_someone_elses_attempt_is_not_found(client_for, student, other_student, course, quiz):
    EnrollmentFactory(course=course, learner=student)
    attempt_id = client_for(student).post(f"/api/v1/quizzes/{quiz.pk}/attempts").json()["id"]
    intruder = client_for(other_student)

    assert intruder.get(f"/api/v1/quiz-attempts/{attempt_id}").status_code == 404
    response = intruder.post(
        f"/api/v1/quiz-attempts/{attempt_id}/submit", {"answers": {}}, format="json"
    )
    assert response.status_code == 404
    assert QuizAttempt.objects.get(pk=attempt_id).submitted_at is None


def test_unknown_quizzes_and_attempts_are_404(client_for, student):
    client = client_for(student)

    assert _error(client.get("/api/v1/quizzes/777"))["code"] == "quiz_not_found"
    assert client.post("/api/v1/quizzes/777/attempts").status_code == 404
    assert client.get("/api/v1/quiz-attempts/777").status_code == 404


def test_exams_and_question_banks_do_not_list_questions_up_front(client_for, student, course):
    EnrollmentFactory(course=course, learner=student)
    exam = quiz_lesson(course.modules.first(), order=11, is_exam=True)

    body = client_for(student).get(f"/api/v1/quizzes/{exam.pk}").json()

    assert body["questions"] == []
    assert body["question_count"] == 2


# --- Certificates ---------------------------------------------------------------------------------


def test_finishing_a_course_gives_a_certificate_anyone_can_verify(
    client_for, api_client, student, course
):
    EnrollmentFactory(course=course, learner=student)
    client = client_for(student)
    for lesson in _lessons(course):
        client.post(f"/api/v1/lessons/{lesson.pk}/complete")

    mine = client.get("/api/v1/certificates")

    assert mine.status_code == 200
    (certificate,) = mine.json()["results"]
    assert certificate["course_title"] == "Pandas in practice"
    assert certificate["learner_name"] == student.name
    assert certificate["verification_url"] == (
        f"http://testserver/certificates/{certificate['public_id']}/"
    )
    public = api_client.get(f"/api/v1/certificates/{certificate['public_id']}")
    assert public.status_code == 200
    assert public.json() == certificate


def test_unknown_certificates_are_404(api_client):
    response = api_client.get(f"/api/v1/certificates/{uuid4()}")

    assert response.status_code == 404
    assert _error(response)["code"] == "certificate_not_found"


def test_the_certificate_list_has_a_fixed_query_budget(
    client_for, student, django_assert_num_queries
):
    for n in range(4):
        certificate_course = course_with_outline(modules=1, lessons_per_module=1)
        Certificate.objects.create(
            learner=student,
            course=certificate_course,
            learner_name="Sam",
            course_title=f"Course {n}",
            issued_at=timezone.now() - timedelta(days=n),
        )
    Certificate.objects.create(
        learner=StudentFactory(), course=certificate_course, learner_name="X", course_title="X"
    )
    client = client_for(student)

    with django_assert_num_queries(2):  # count, certificates with courses
        response = client.get("/api/v1/certificates", {"ordering": "-issued_at"})

    assert [item["course_title"] for item in response.json()["results"]] == [
        "Course 0",
        "Course 1",
        "Course 2",
        "Course 3",
    ]


def test_certificates_need_a_signed_in_user(api_client):
    assert api_client.get("/api/v1/certificates").status_code == 401


def test_decimal_money_like_fields_stay_numbers(client_for, instructor, course):
    course.estimated_hours = Decimal("2.5")
    course.save()

    assert (
        client_for(instructor).get(f"/api/v1/courses/{course.pk}").json()["estimated_hours"] == 2.5
    )
