"""Translate the core's domain events into notifications (connected in AppConfig.ready())."""

from __future__ import annotations

from typing import Any

from accounts.models import User
from courses import events
from courses.models import Enrollment
from notifications.models import Kind
from notifications.services import notification_create


def on_learner_enrolled(sender: Any, enrollment: Enrollment, **kwargs: Any) -> None:
    course = enrollment.course
    for instructor in course.instructors.all():
        notification_create(
            recipient=instructor,
            kind=Kind.LEARNER_ENROLLED,
            title=f"{enrollment.learner.name} enrolled in {course.title}",
            link=f"/courses/{course.slug}/",
            dedupe_key=f"enrolled:{enrollment.pk}",
        )


def on_quiz_passed(sender: Any, attempt: Any, learner: User, quiz: Any, **kwargs: Any) -> None:
    notification_create(
        recipient=learner,
        kind=Kind.QUIZ_PASSED,
        title=f"You passed {quiz}",
        body=f"Score: {attempt.score:g} / {attempt.max_score:g}" if attempt.max_score else "",
        dedupe_key=f"quiz-passed:{attempt.pk}",
    )


def on_course_completed(sender: Any, enrollment: Enrollment, **kwargs: Any) -> None:
    course = enrollment.course
    notification_create(
        recipient=enrollment.learner,
        kind=Kind.COURSE_COMPLETED,
        title=f"You completed {course.title}",
        body="Your certificate is ready.",
        link=f"/courses/{course.slug}/",
        dedupe_key=f"course-completed:{enrollment.pk}",
    )


def on_course_published(sender: Any, course: Any, **kwargs: Any) -> None:
    """Learners of the same instructors' other courses hear of a new course (they follow them)."""
    instructor_ids = list(course.instructors.values_list("pk", flat=True))
    learners = (
        User.objects.filter(enrollments__course__instructors__in=instructor_ids, is_active=True)
        .exclude(pk__in=instructor_ids)
        .exclude(enrollments__course=course)
        .distinct()
    )
    for learner in learners:
        notification_create(
            recipient=learner,
            kind=Kind.COURSE_PUBLISHED,
            title=f"New course: {course.title}",
            body=course.subtitle,
            link=f"/courses/{course.slug}/",
            dedupe_key=f"course-published:{course.pk}",
        )


def connect() -> None:
    events.learner_enrolled.connect(on_learner_enrolled, dispatch_uid="notifications_enrolled")
    events.quiz_passed.connect(on_quiz_passed, dispatch_uid="notifications_quiz_passed")
    events.course_completed.connect(on_course_completed, dispatch_uid="notifications_completed")
    events.course_published.connect(on_course_published, dispatch_uid="notifications_published")
