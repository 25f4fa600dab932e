from __future__ import annotations

import pytest

from courses.services.authoring import course_publish
from courses.services.learning import enrollment_create
from courses.tests.factories import CourseFactory, course_with_outline
from notifications.models import Kind, Notification

pytestmark = pytest.mark.django_db


def test_enrolment_notifies_the_instructors_once(
    instructor, student, django_capture_on_commit_callbacks
):
    course = CourseFactory(instructors=[instructor])
    with django_capture_on_commit_callbacks(execute=True):
        enrollment_create(learner=student, course=course)
    with django_capture_on_commit_callbacks(execute=True):
        enrollment_create(learner=student, course=course)  # enrolling again sends no event
    notifications = list(Notification.objects.filter(recipient=instructor))
    assert len(notifications) == 1
    assert notifications[0].kind == Kind.LEARNER_ENROLLED
    assert notifications[0].title == f"{student.name} enrolled in {course.title}"
    assert not Notification.objects.filter(recipient=student).exists()


def test_new_course_notifies_learners_of_the_same_instructor(
    instructor, student, other_student, django_capture_on_commit_callbacks
):
    first = CourseFactory(instructors=[instructor])
    with django_capture_on_commit_callbacks(execute=True):
        enrollment_create(learner=student, course=first)
    draft = course_with_outline(instructors=[instructor], status="draft", published_at=None)
    with django_capture_on_commit_callbacks(execute=True):
        course_publish(course=draft)
    received = Notification.objects.filter(recipient=student, kind=Kind.COURSE_PUBLISHED)
    assert [n.title for n in received] == [f"New course: {draft.title}"]
    assert not Notification.objects.filter(recipient=other_student).exists()
