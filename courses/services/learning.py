"""A learner's way through a course: enrolling, lesson progress, completion and the certificate."""

from __future__ import annotations

import functools
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format

from accounts.models import User
from courses import entitlements, events
from courses.exceptions import (
    CourseNotCompletedError,
    EnrollmentClosedError,
    InvalidPositionError,
    InvalidReadingReportError,
    LessonNotCompletableError,
    NotEnrolledError,
    PlanRequiredError,
)
from courses.models import (
    VIDEO_COMPLETION_THRESHOLD,
    Certificate,
    Course,
    Enrollment,
    Lesson,
    LessonProgress,
    QuizAttempt,
)
from courses.selectors import lesson_access_error
from courses.services.counters import course_enrollments_add

# Time spent is reported by the player; one report counts at most the wall-clock time since the
# previous one (plus some slack for clocks and network) and never more than this many seconds.
MAX_SECONDS_PER_REPORT = 300
REPORT_SLACK_SECONDS = 30


@transaction.atomic
def enrollment_create(*, learner: User, course: Course) -> tuple[Enrollment, bool]:
    """Enroll a learner in a published course they are entitled to; enrolling again returns the
    same enrollment (and False)."""
    existing = Enrollment.objects.filter(learner=learner, course=course).first()
    if existing is not None:
        return existing, False
    if course.status != Course.Status.PUBLISHED:
        raise EnrollmentClosedError(f"'{course.title}' is not open for enrollment.")
    if not entitlements.can_enroll(learner, course):
        if course.early_access_until is not None and course.early_access_until > timezone.now():
            opens = date_format(course.early_access_until, "j F Y")
            raise EnrollmentClosedError(
                f"'{course.title}' is in early access; it opens to everyone on {opens}.",
                extra={"early_access_until": course.early_access_until.isoformat()},
            )
        raise PlanRequiredError(
            f"'{course.title}' needs the {course.get_required_plan_display()} plan.",
            extra={"plan": course.required_plan},
        )
    enrollment, created = Enrollment.objects.get_or_create(learner=learner, course=course)
    if created:
        course_enrollments_add(course_id=course.pk, delta=1)
        transaction.on_commit(
            functools.partial(
                events.learner_enrolled.send, sender=Enrollment, enrollment=enrollment
            )
        )
    return enrollment, created


def _enrollment_for_lesson(learner: User, lesson: Lesson, *, lock: bool = False) -> Enrollment:
    """The learner's enrollment in the lesson's course, checked for access to the lesson."""
    queryset = Enrollment.objects.select_related("course")
    if lock:
        queryset = queryset.select_for_update(of=("self",))
    enrollment = queryset.filter(learner=learner, course_id=lesson.module.course_id).first()
    if enrollment is None:
        raise NotEnrolledError("Enroll in this course to keep track of your progress.")
    error = lesson_access_error(user=learner, lesson=lesson, is_enrolled=True)
    if error is not None:
        raise error
    return enrollment


def _touch(enrollment: Enrollment, lesson: Lesson, now: datetime) -> None:
    enrollment.last_lesson = lesson
    enrollment.last_activity_at = now
    enrollment.save(update_fields=["last_lesson", "last_activity_at", "updated_at"])


# Reopening the lesson one is already on, or the player's reports from it, refresh
# `last_activity_at` at most this often.
RESUME_TOUCH_SECONDS = 300


def _is_fresh_resume_point(enrollment: Enrollment, lesson: Lesson, now: datetime) -> bool:
    """The lesson is already the course's resume point, touched under RESUME_TOUCH_SECONDS ago."""
    return (
        enrollment.last_lesson_id == lesson.pk
        and enrollment.last_activity_at is not None
        and (now - enrollment.last_activity_at).total_seconds() < RESUME_TOUCH_SECONDS
    )


def _touch_unless_fresh(enrollment: Enrollment, lesson: Lesson, now: datetime) -> None:
    """The players' reports (every few seconds) write the enrollment only when it is stale."""
    if not _is_fresh_resume_point(enrollment, lesson, now):
        _touch(enrollment, lesson, now)


def _progress_for_update(learner: User, lesson: Lesson) -> LessonProgress:
    """The learner's progress row for the lesson, locked: one query when it exists (as it does
    for every report after the first), created first when it does not."""
    locked = LessonProgress.objects.select_for_update()
    progress = locked.filter(learner=learner, lesson=lesson).first()
    if progress is None:
        _progress_first_create(learner, lesson)
        progress = locked.get(learner=learner, lesson=lesson)
    return progress


def lesson_start(
    *,
    learner: User,
    lesson: Lesson,
    enrollment: Enrollment | None = None,
    progress: LessonProgress | None = None,
) -> LessonProgress:
    """Record that an enrolled learner opened a lesson: it becomes the course's resume point.

    The player passes the enrollment (already checked for access) and progress it loaded, so
    reopening the current lesson writes nothing unless the last activity is older than
    RESUME_TOUCH_SECONDS."""
    now = timezone.now()
    if enrollment is None:
        enrollment = _enrollment_for_lesson(learner, lesson)
    if progress is not None and _is_fresh_resume_point(enrollment, lesson, now):
        return progress
    if progress is None:
        progress = _progress_first_create(learner, lesson)
    _touch(enrollment, lesson, now)  # one UPDATE: nothing to keep atomic with the row above
    return progress


def _progress_first_create(learner: User, lesson: Lesson) -> LessonProgress:
    """The progress row of a lesson the caller saw no row for: one INSERT (get_or_create would
    look first); a row written meanwhile (or one the caller did not look for) is read instead."""
    try:
        with transaction.atomic():
            return LessonProgress.objects.create(learner=learner, lesson=lesson)
    except IntegrityError:
        return LessonProgress.objects.get(learner=learner, lesson=lesson)


def _time_count(
    progress: LessonProgress, *, learner: User, lesson: Lesson, seconds: int, now: datetime
) -> int:
    """Add the active time the player reported to a locked progress row (unsaved): at most the
    wall-clock time since the previous report plus REPORT_SLACK_SECONDS, and never more than
    MAX_SECONDS_PER_REPORT; lesson_time_spent announces what was counted, after commit."""
    since_last_report = max(int((now - progress.updated_at).total_seconds()), 0)
    counted = max(min(seconds, since_last_report + REPORT_SLACK_SECONDS, MAX_SECONDS_PER_REPORT), 0)
    progress.seconds_spent += counted
    if counted > 0:
        transaction.on_commit(
            functools.partial(
                events.lesson_time_spent.send,
                sender=LessonProgress,
                progress=progress,
                learner=learner,
                lesson=lesson,
                seconds=counted,
                at=now,
            )
        )
    return counted


@transaction.atomic
def lesson_position_save(
    *, learner: User, lesson: Lesson, position_seconds: int, seconds_spent_delta: int = 0
) -> LessonProgress:
    """Save the playback position (0..duration) and time spent; a video counts as complete once
    the learner reaches 90% of it."""
    errors: dict[str, list[str]] = {}
    if not isinstance(position_seconds, int) or position_seconds < 0:
        errors["position_seconds"] = ["The position cannot be negative."]
    elif lesson.duration_seconds and position_seconds > lesson.duration_seconds:
        errors["position_seconds"] = [
            f"The position is past the end of the lesson ({lesson.duration_seconds} seconds)."
        ]
    if not isinstance(seconds_spent_delta, int) or seconds_spent_delta < 0:
        errors["seconds_spent"] = ["Time spent cannot be negative."]
    if errors:
        raise InvalidPositionError(next(iter(errors.values()))[0], fields=errors)

    enrollment = _enrollment_for_lesson(learner, lesson, lock=True)
    now = timezone.now()
    progress = _progress_for_update(learner, lesson)
    _time_count(progress, learner=learner, lesson=lesson, seconds=seconds_spent_delta, now=now)
    progress.last_position_seconds = position_seconds
    progress.save(update_fields=["last_position_seconds", "seconds_spent", "updated_at"])
    _touch_unless_fresh(enrollment, lesson, now)
    if (
        lesson.kind == Lesson.Kind.VIDEO
        and lesson.duration_seconds
        and position_seconds >= lesson.duration_seconds * VIDEO_COMPLETION_THRESHOLD
    ):
        progress_complete(progress=progress, enrollment=enrollment, now=now)
    return progress


@transaction.atomic
def lesson_reading_report(
    *, learner: User, lesson: Lesson, seconds_spent_delta: int = 0, has_reached_end: bool = False
) -> LessonProgress:
    """Count an article's active reading time (the limits of position saves) and whether its end
    was reached; the article counts as read, and completes, once its end was reached and the
    time read is at least READING_COMPLETION_SHARE of its estimated reading time."""
    errors: dict[str, list[str]] = {}
    if lesson.kind != Lesson.Kind.ARTICLE:
        message = "Reading reports are for article lessons."
        raise InvalidReadingReportError(message, fields={"lesson": [message]})
    if (
        isinstance(seconds_spent_delta, bool)
        or not isinstance(seconds_spent_delta, int)
        or seconds_spent_delta < 0
    ):
        errors["seconds_spent"] = ["Time spent must be a whole number of seconds, not negative."]
    if not isinstance(has_reached_end, bool):
        errors["reached_end"] = ["Say true or false."]
    if errors:
        raise InvalidReadingReportError(next(iter(errors.values()))[0], fields=errors)

    enrollment = _enrollment_for_lesson(learner, lesson, lock=True)
    now = timezone.now()
    progress = _progress_for_update(learner, lesson)
    _time_count(progress, learner=learner, lesson=lesson, seconds=seconds_spent_delta, now=now)
    if has_reached_end and progress.end_reached_at is None:
        progress.end_reached_at = now
    progress.save(update_fields=["seconds_spent", "end_reached_at", "updated_at"])
    _touch_unless_fresh(enrollment, lesson, now)
    if (
        progress.end_reached_at is not None
        and progress.seconds_spent >= lesson.reading_seconds_to_complete
    ):
        progress_complete(progress=progress, enrollment=enrollment, now=now)
    return progress


@transaction.atomic
def lesson_complete(*, learner: User, lesson: Lesson) -> LessonProgress:
    """Mark a lesson complete: articles and videos any time, a quiz once an attempt passed.
    Completing again changes nothing; the lesson_completed event fires on the first completion."""
    enrollment = _enrollment_for_lesson(learner, lesson, lock=True)
    if (
        lesson.kind == Lesson.Kind.QUIZ
        and not QuizAttempt.objects.filter(
            learner=learner, quiz__lesson=lesson, passed=True
        ).exists()
    ):
        raise LessonNotCompletableError("Pass the quiz to complete this lesson.")
    now = timezone.now()
    progress = _progress_for_update(learner, lesson)
    progress_complete(progress=progress, enrollment=enrollment, now=now)
    _touch(enrollment, lesson, now)
    return progress


@transaction.atomic
def lesson_uncomplete(*, learner: User, lesson: Lesson) -> LessonProgress:
    """The learner unticks a lesson; completing it again later sends no second event, and a
    finished course stays finished. An article then needs its end reached again before the
    reading rule completes it (the time already read still counts)."""
    _enrollment_for_lesson(learner, lesson, lock=True)
    progress = _progress_for_update(learner, lesson)
    if progress.completed_at is not None:
        progress.completed_at = None
        progress.end_reached_at = None
        progress.save(update_fields=["completed_at", "end_reached_at", "updated_at"])
    return progress


def progress_complete(
    *, progress: LessonProgress, enrollment: Enrollment, now: datetime | None = None
) -> None:
    """Complete a locked progress row (once) and then, maybe, the course; for the services only,
    which have checked the rules and hold the locks."""
    now = now or timezone.now()
    if progress.completed_at is not None:
        return
    progress.completed_at = now
    is_first_completion = progress.first_completed_at is None
    if is_first_completion:
        progress.first_completed_at = now
    progress.save(update_fields=["completed_at", "first_completed_at", "updated_at"])
    if is_first_completion:
        transaction.on_commit(
            functools.partial(
                events.lesson_completed.send,
                sender=LessonProgress,
                progress=progress,
                learner=progress.learner,
                lesson=progress.lesson,
            )
        )
    _course_completion_check(enrollment, now)


def _course_completion_check(enrollment: Enrollment, now: datetime) -> None:
    """When every lesson of the course is complete: complete the enrollment once, issue the
    certificate and send course_completed."""
    enrollment = (
        Enrollment.objects.select_for_update()
        .select_related("course", "learner")
        .get(pk=enrollment.pk)
    )
    if enrollment.completed_at is not None:
        return
    total = Lesson.objects.filter(module__course_id=enrollment.course_id).count()
    done = LessonProgress.objects.filter(
        learner_id=enrollment.learner_id,
        lesson__module__course_id=enrollment.course_id,
        completed_at__isnull=False,
    ).count()
    if total == 0 or done < total:
        return
    enrollment.completed_at = now
    enrollment.save(update_fields=["completed_at", "updated_at"])
    certificate = certificate_issue(enrollment=enrollment)
    transaction.on_commit(
        functools.partial(
            events.course_completed.send,
            sender=Enrollment,
            enrollment=enrollment,
            certificate=certificate,
        )
    )


@transaction.atomic
def certificate_issue(*, enrollment: Enrollment) -> Certificate:
    """The certificate of a completed enrollment, issued once with the names as they are now."""
    if enrollment.completed_at is None:
        raise CourseNotCompletedError("The course is not complete yet.")
    certificate, _ = Certificate.objects.get_or_create(
        learner=enrollment.learner,
        course=enrollment.course,
        defaults={
            "issued_at": enrollment.completed_at,
            "learner_name": enrollment.learner.name[:200],
            "course_title": enrollment.course.title[:200],
        },
    )
    return certificate
