"""Translate the courses domain events into analytics events (after commit: one INSERT each)."""

from __future__ import annotations

from typing import Any

from analytics.models import Event
from analytics.services import event_record
from courses import events


def on_learner_enrolled(sender: Any, enrollment: Any, **kwargs: Any) -> None:
    event_record(
        kind=Event.Kind.ENROLLED,
        user_id=enrollment.learner_id,
        course_id=enrollment.course_id,
        occurred_at=enrollment.enrolled_at,
    )


def on_lesson_completed(
    sender: Any, progress: Any, learner: Any, lesson: Any, **kwargs: Any
) -> None:
    # lesson.module is loaded by the service that completed it; module_id alone needs no query
    # only if the caller selected it, so read the course through the cached relation.
    event_record(
        kind=Event.Kind.LESSON_COMPLETED,
        user_id=learner.pk,
        course_id=lesson.module.course_id,
        object_id=lesson.pk,
    )


def on_quiz_attempt_submitted(
    sender: Any, attempt: Any, learner: Any, quiz: Any, **kwargs: Any
) -> None:
    event_record(
        kind=Event.Kind.QUIZ_SUBMITTED,
        user_id=learner.pk,
        course_id=quiz.lesson.module.course_id,
        object_id=attempt.pk,
        value=int(attempt.percent or 0),
        meta={"quiz_id": quiz.pk, "passed": bool(attempt.passed)},
    )


def on_quiz_passed(sender: Any, attempt: Any, learner: Any, quiz: Any, **kwargs: Any) -> None:
    event_record(
        kind=Event.Kind.QUIZ_PASSED,
        user_id=learner.pk,
        course_id=quiz.lesson.module.course_id,
        object_id=attempt.pk,
        value=int(attempt.percent or 0),
        meta={"quiz_id": quiz.pk},
    )


def on_course_completed(sender: Any, enrollment: Any, **kwargs: Any) -> None:
    event_record(
        kind=Event.Kind.COURSE_COMPLETED,
        user_id=enrollment.learner_id,
        course_id=enrollment.course_id,
        occurred_at=enrollment.completed_at,
    )


def on_course_published(sender: Any, course: Any, **kwargs: Any) -> None:
    event_record(kind=Event.Kind.COURSE_PUBLISHED, course_id=course.pk)


def on_user_logged_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    event_record(kind=Event.Kind.LOGIN, user_id=user.pk)


def connect() -> None:
    from django.contrib.auth.signals import user_logged_in

    events.learner_enrolled.connect(on_learner_enrolled, dispatch_uid="analytics_enrolled")
    events.lesson_completed.connect(on_lesson_completed, dispatch_uid="analytics_lesson")
    events.quiz_attempt_submitted.connect(on_quiz_attempt_submitted, dispatch_uid="analytics_quiz")
    events.quiz_passed.connect(on_quiz_passed, dispatch_uid="analytics_quiz_passed")
    events.course_completed.connect(on_course_completed, dispatch_uid="analytics_course_done")
    events.course_published.connect(on_course_published, dispatch_uid="analytics_published")
    user_logged_in.connect(on_user_logged_in, dispatch_uid="analytics_login")
