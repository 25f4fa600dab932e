"""The counts stored on each course (learners, lessons, total duration) stay those of its rows,
whichever write changes them, and `manage.py courses_recount` repairs them if they drift."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command

from accounts.models import User
from courses import selectors, services
from courses.exceptions import EnrollmentClosedError
from courses.models import Course, Enrollment, Lesson
from courses.tests.factories import (
    CourseFactory,
    EnrollmentFactory,
    InstructorFactory,
    LessonFactory,
    ModuleFactory,
    StudentFactory,
)

pytestmark = pytest.mark.django_db


def _counts(course: Course) -> tuple[int, int, int]:
    course.refresh_from_db(fields=["enrollment_count", "lesson_count", "total_duration_seconds"])
    return course.enrollment_count, course.lesson_count, course.total_duration_seconds


def _article(module, title: str, seconds: int) -> Lesson:
    return services.lesson_create(
        module=module, title=title, kind=Lesson.Kind.ARTICLE, body="Text.", duration_seconds=seconds
    )


def test_enrolling_counts_each_learner_once(student: User, other_student: User) -> None:
    course = CourseFactory()

    services.enrollment_create(learner=student, course=course)
    services.enrollment_create(learner=student, course=course)  # again: the same enrollment
    services.enrollment_create(learner=other_student, course=course)

    assert _counts(course) == (2, 0, 0)
    assert selectors.course_get(user=None, course_id=course.pk).enrollment_count == 2


def test_a_refused_enrollment_counts_nothing(student: User) -> None:
    draft = CourseFactory(status=Course.Status.DRAFT, published_at=None)

    with pytest.raises(EnrollmentClosedError):
        services.enrollment_create(learner=student, course=draft)

    assert _counts(draft) == (0, 0, 0)


def test_an_enrollment_deleted_or_its_learner_deleted_counts_no_more(
    student: User, other_student: User
) -> None:
    course = CourseFactory()
    services.enrollment_create(learner=student, course=course)
    services.enrollment_create(learner=other_student, course=course)

    Enrollment.objects.get(learner=student, course=course).delete()  # as the admin does
    assert _counts(course) == (1, 0, 0)
    other_student.delete()  # the enrollment goes with the account
    assert _counts(course) == (0, 0, 0)


def test_lessons_added_edited_and_deleted_move_the_lesson_count_and_duration() -> None:
    course = CourseFactory(status=Course.Status.DRAFT, published_at=None)
    module = ModuleFactory(course=course, order=1)
    first = _article(module, "One", 300)
    second = _article(module, "Two", 120)
    assert _counts(course) == (0, 2, 420)

    first.duration_seconds = 500
    services.lesson_save(lesson=first, is_new=False)  # edited in the admin
    assert _counts(course) == (0, 2, 620)

    added = Lesson(module=module, title="Three", kind=Lesson.Kind.ARTICLE, order=3, body="x")
    added.duration_seconds = 60
    services.lesson_save(lesson=added, is_new=True)  # added in the admin
    assert _counts(course) == (0, 3, 680)

    second.delete()
    assert _counts(course) == (0, 2, 560)
    module.delete()  # its lessons go with it
    assert _counts(course) == (0, 0, 0)


def test_publishing_a_course_and_giving_a_lesson_its_content_change_no_count() -> None:
    course = CourseFactory(status=Course.Status.DRAFT, published_at=None)
    module = ModuleFactory(course=course, order=1)
    lesson = services.lesson_create(
        module=module, title="Video", kind=Lesson.Kind.VIDEO, duration_seconds=90
    )
    assert _counts(course) == (0, 1, 90)

    lesson.video_url = "https://media.example.com/v.mp4"
    services.lesson_save(lesson=lesson, is_new=False)  # the lesson becomes publishable
    services.course_publish(course=course)
    assert _counts(course) == (0, 1, 90)
    services.course_unpublish(course=course)
    services.course_archive(course=course)
    assert _counts(course) == (0, 1, 90)


def test_a_lesson_or_a_module_moved_to_another_course_moves_its_counts() -> None:
    source, target = CourseFactory(), CourseFactory()
    module = ModuleFactory(course=source, order=1)
    lesson = _article(module, "Moves alone", 100)
    _article(module, "Moves with its module", 40)
    target_module = ModuleFactory(course=target, order=1)

    lesson.module = target_module
    services.lesson_save(lesson=lesson, is_new=False)
    assert (_counts(source), _counts(target)) == ((0, 1, 40), (0, 1, 100))

    module.course = target
    module.order = 2
    services.module_save(module=module)
    assert (_counts(source), _counts(target)) == ((0, 0, 0), (0, 2, 140))


def test_the_catalog_sorts_by_the_stored_enrollment_count(student: User) -> None:
    quiet, busy = CourseFactory(title="Quiet"), CourseFactory(title="Busy")
    for learner in (student, StudentFactory()):
        services.enrollment_create(learner=learner, course=busy)
    services.enrollment_create(learner=StudentFactory(), course=quiet)

    titles = [course.title for course in selectors.course_list_for_catalog(sort="popular")]

    assert titles == ["Busy", "Quiet"]


def test_recount_repairs_counts_that_drifted() -> None:
    course = CourseFactory()
    LessonFactory(module=ModuleFactory(course=course, order=1), duration_seconds=200)
    EnrollmentFactory(course=course)
    untouched = CourseFactory()
    # A write around the services (a bulk load, a restore) leaves the counts behind.
    Course.objects.filter(pk=course.pk).update(
        enrollment_count=7, lesson_count=0, total_duration_seconds=5
    )

    assert services.course_counts_drift() == [course.pk]
    assert services.course_counts_recount() == Course.objects.count()

    assert _counts(course) == (1, 1, 200)
    assert _counts(untouched) == (0, 0, 0)
    assert services.course_counts_drift() == []


def test_courses_recount_command_checks_then_repairs(capsys: pytest.CaptureFixture[str]) -> None:
    course = CourseFactory()
    EnrollmentFactory(course=course)
    other = CourseFactory()
    Course.objects.filter(pk__in=[course.pk, other.pk]).update(enrollment_count=3)

    with pytest.raises(CommandError, match=r"2 course\(s\)"):
        call_command("courses_recount", "--check")
    assert _counts(course)[0] == 3  # --check changes nothing

    call_command("courses_recount", "--course", str(course.pk))
    assert (_counts(course)[0], _counts(other)[0]) == (1, 3)
    call_command("courses_recount")
    assert "2 course(s); 1 had drifted" in capsys.readouterr().out.splitlines()[-1]
    call_command("courses_recount", "--check")
    assert capsys.readouterr().out.strip() == "Every course's counts match its rows."


def test_the_migration_fills_the_counts_of_existing_courses() -> None:
    course = CourseFactory()
    LessonFactory(module=ModuleFactory(course=course, order=1), duration_seconds=30)
    LessonFactory(module=ModuleFactory(course=course, order=2), duration_seconds=45)
    EnrollmentFactory(course=course)
    EnrollmentFactory(course=course)
    Course.objects.update(enrollment_count=0, lesson_count=0, total_duration_seconds=0)
    migration = importlib.import_module("courses.migrations.0005_course_counters")

    migration.fill_counts(apps, None)

    assert _counts(course) == (2, 2, 75)


def test_deleting_a_course_with_its_outline_is_not_blocked_by_its_counts() -> None:
    course = CourseFactory(instructors=[InstructorFactory()])
    LessonFactory(module=ModuleFactory(course=course, order=1))
    # Drifted low: taking a lesson away must not go below zero (the column's CHECK).
    Course.objects.filter(pk=course.pk).update(lesson_count=0, total_duration_seconds=0)

    services.course_delete(course=course)

    assert not Course.objects.filter(pk=course.pk).exists()
