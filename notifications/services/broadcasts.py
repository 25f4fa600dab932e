"""Notifications for many people at once: an instructor's announcement and a new lesson to a
course's learners, a new course to its instructors' followers. Each fans out in a Celery job
after commit (a course may have thousands of learners), once per recipient and fact."""

from __future__ import annotations

import functools
import uuid
from collections.abc import Iterable
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse

from core.exceptions import ApplicationError, PermissionDeniedError
from core.roles import Role
from courses.models import Course, Enrollment, Lesson
from notifications.models import (
    InstructorFollow,
    Kind,
    LessonAnnouncement,
    Notification,
    Preference,
)
from notifications.services.delivery import (
    course_group,
    group_send,
    notify,
    payload,
    unread_count,
)


def _fan_out(
    *,
    recipients: Iterable[Any],
    kind: str,
    title: str,
    body: str,
    link: str,
    dedupe_key: str,
    live: bool,
) -> int:
    """Give each recipient their copy (email and push as they chose); returns how many copies
    are new. `live=False` leaves the socket message to the caller (one per course group)."""
    created = 0
    for recipient in recipients:
        existed = Notification.objects.filter(recipient=recipient, dedupe_key=dedupe_key).exists()
        notification = notify(
            recipient=recipient,
            kind=kind,
            title=title,
            body=body,
            link=link,
            dedupe_key=dedupe_key,
            live=live,
        )
        created += notification is not None and not existed
    return created


def _course_learners(course: Course) -> Iterable[Any]:
    enrollments = (
        Enrollment.objects.filter(course=course, learner__is_active=True)
        .select_related("learner")
        .order_by("id")
    )
    return (enrollment.learner for enrollment in enrollments.iterator(chunk_size=500))


def _course_group_message(course: Course, dedupe_key: str) -> None:
    """After commit, one message to the course's group: each open socket of its learners passes
    on its own user's copy (course_copy_for_socket)."""
    transaction.on_commit(
        functools.partial(
            group_send,
            group=course_group(course.pk),
            message={"type": "notification.course", "dedupe_key": dedupe_key},
        )
    )


# --- Announcements --------------------------------------------------------------------------------


@transaction.atomic
def course_announcement_send(
    *, course: Course, author: Any, title: str, body: str = "", key: str = ""
) -> int:
    """An instructor's announcement to every learner of a course, once per learner and `key`
    (a retried request with the same key announces nothing twice). The fan-out runs as a job
    after commit (a course may have thousands of learners); returns how many it will reach."""
    if author.role != Role.ADMIN and not course.is_taught_by(author):
        raise PermissionDeniedError("Only the course's instructors can announce to it.")
    title = title.strip()
    errors: dict[str, list[str]] = {}
    if not title:
        errors["title"] = ["An announcement needs a title."]
    elif len(title) > 200:
        errors["title"] = ["At most 200 characters."]
    if len(body) > 500:
        errors["body"] = ["At most 500 characters."]
    if len(key) > 64:
        errors["key"] = ["At most 64 characters."]
    if errors:
        raise ApplicationError("This announcement is invalid.", fields=errors)
    from notifications import tasks  # tasks import this module

    transaction.on_commit(
        functools.partial(
            tasks.course_announcement_deliver.delay,
            course.pk,
            title,
            body,
            f"announcement:{course.pk}:{key or uuid.uuid4().hex}",
        )
    )
    return Enrollment.objects.filter(course=course, learner__is_active=True).count()


@transaction.atomic
def course_announcement_deliver(*, course_id: int, title: str, body: str, dedupe_key: str) -> int:
    """Give every active learner of the course their copy (and email/push as they chose), then
    one message to the course's group: open sockets pass on their own user's copy. Running it
    again creates nothing new. Returns how many copies were created now."""
    course = Course.objects.filter(pk=course_id).first()
    if course is None:
        return 0
    created = _fan_out(
        recipients=_course_learners(course),
        kind=Kind.ANNOUNCEMENT,
        title=title,
        body=body,
        link=reverse("courses:detail", args=[course.slug]),
        dedupe_key=dedupe_key,
        live=False,
    )
    _course_group_message(course, dedupe_key)
    return created


# --- New lessons ----------------------------------------------------------------------------------


@transaction.atomic
def lesson_published_deliver(*, lesson_id: int) -> int:
    """Tell every active learner of a published course about a lesson new to it, once per lesson
    (claimed in LessonAnnouncement: a repeated event, e.g. a course published again, announces
    nothing twice, nor to learners who enrolled in between). Returns the copies created."""
    lesson = Lesson.objects.select_related("module__course").filter(pk=lesson_id).first()
    if lesson is None or lesson.module.course.status != Course.Status.PUBLISHED:
        return 0
    _, claimed = LessonAnnouncement.objects.get_or_create(lesson=lesson)
    if not claimed:
        return 0
    course = lesson.module.course
    dedupe_key = f"lesson-published:{lesson.pk}"
    created = _fan_out(
        recipients=_course_learners(course),
        kind=Kind.LESSON_PUBLISHED,
        title=f"New lesson in “{course.title[:120]}”: {lesson.title[:60]}",
        body=f"{lesson.get_kind_display()} in {lesson.module.title}"[:500],
        link=reverse("courses:lesson", args=[course.slug, lesson.pk]),
        dedupe_key=dedupe_key,
        live=False,
    )
    _course_group_message(course, dedupe_key)
    return created


# --- New courses from followed instructors --------------------------------------------------------


@transaction.atomic
def course_published_deliver(*, course_id: int) -> int:
    """Tell every active follower of the course's instructors that it is published: once per
    follower and course (a course published again after a draft spell notifies nobody twice),
    never an instructor of the course itself. Returns the copies created."""
    course = (
        Course.objects.filter(pk=course_id, status=Course.Status.PUBLISHED)
        .prefetch_related("instructors")
        .first()
    )
    if course is None:
        return 0
    instructors = list(course.instructors.all())
    names = ", ".join(i.display_name or "An instructor" for i in instructors[:3]) or "Lumen"
    follower_ids = InstructorFollow.objects.filter(instructor__in=instructors).values("follower_id")
    followers = (
        get_user_model()
        .objects.filter(pk__in=follower_ids, is_active=True)
        .exclude(pk__in=[instructor.pk for instructor in instructors])
        .order_by("id")
    )
    return _fan_out(
        recipients=followers.iterator(chunk_size=500),
        kind=Kind.COURSE_PUBLISHED,
        title=f"{names} published “{course.title[:150]}”",
        body=course.subtitle[:500],
        link=reverse("courses:detail", args=[course.slug]),
        dedupe_key=f"course-published:{course.pk}",
        live=True,
    )


def course_copy_for_socket(*, user_id: int, dedupe_key: str) -> dict[str, Any] | None:
    """A course broadcast seen by one socket: that user's own copy and unread count, or None
    when they have none (enrolled after it) or turned in-app notifications off for the kind."""
    notification = (
        Notification.objects.filter(recipient_id=user_id, dedupe_key=dedupe_key)
        .exclude(kind__in=Preference.objects.filter(user_id=user_id, in_app=False).values("kind"))
        .first()
    )
    if notification is None:
        return None
    return {
        "type": "notification",
        "notification": payload(notification),
        "unread": unread_count(user_id=user_id),
    }
