"""Edges of the default entitlement rules (no billing provider registered)."""

from __future__ import annotations

import pytest

from accounts.models import User
from courses import entitlements
from courses.models import Course, Lesson
from courses.tests.factories import EnrollmentFactory, course_with_outline

pytestmark = pytest.mark.django_db


def _locked_lesson(course: Course) -> Lesson:
    lesson = Lesson.objects.filter(module__course=course).order_by("module__order", "order")[0]
    Lesson.objects.filter(pk=lesson.pk).update(is_free_preview=False)
    lesson.refresh_from_db()
    return lesson


def test_the_courses_instructor_may_enroll_in_a_paid_course(instructor: User) -> None:
    course = course_with_outline(instructors=[instructor], required_plan=Course.Plan.PRO)

    assert entitlements.can_enroll(instructor, course) is True


def test_without_is_enrolled_the_enrollment_is_looked_up(
    student: User, other_student: User
) -> None:
    course = course_with_outline()
    lesson = _locked_lesson(course)
    EnrollmentFactory(learner=student, course=course)

    assert entitlements.can_access_lesson(student, lesson) is True
    assert entitlements.can_access_lesson(other_student, lesson) is False
