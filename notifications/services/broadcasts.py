"""Notifications for many people at once: an instructor's announcement and a new lesson to a
course's learners, a new course to its instructors' followers. Each fans out in a Celery job
after commit (a course may have thousands of learners), once per recipient and fact."""

from __future__ import annotations

import functools
import hashlib
import logging
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from core.exceptions import ApplicationError, PermissionDeniedError
from core.roles import Role
from courses.models import Course, Enrollment, Lesson
from notifications import webpush_client
from notifications.models import (
    Channels,
    InstructorFollow,
    Kind,
    LessonAnnouncement,
    Notification,
    Preference,
    PushSubscription,
    default_channels,
)
from notifications.services.delivery import (
    course_group,
    group_send,
    group_send_many,
    mail_and_push_on_commit,
    payload,
    unread_count,
    unread_counts,
    user_group,
)

logger = logging.getLogger(__name__)


# Copies are written a chunk of learners at a time: a few queries per chunk, not per learner.
FAN_OUT_CHUNK = 500
# How long a course broadcast's delivery sheet stays in the cache for its sockets to read.
SHEET_SECONDS = 600


@dataclass(frozen=True)
class Copy:
    """One recipient's new copy of a broadcast, with their unread count just after it."""

    notification: Notification
    in_app: bool
    unread: int


def _chunks(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    chunk: list[Any] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _channels_of(user_ids: list[int], kind: str) -> dict[int, Channels]:
    """Where `kind` reaches each user: their choice, else the kind's defaults (one query)."""
    fallback = default_channels(kind)
    chosen = {
        preference.user_id: Channels(preference.in_app, preference.email, preference.push)
        for preference in Preference.objects.filter(user_id__in=user_ids, kind=kind)
    }
    return {user_id: chosen.get(user_id, fallback) for user_id in user_ids}


def _fan_out(
    *,
    recipients: Iterable[Any],
    kind: str,
    title: str,
    body: str,
    link: str,
    dedupe_key: str,
) -> list[Copy]:
    """Give each recipient their copy, once per `dedupe_key`, unless they turned every channel
    off for the kind; email and push go out after commit as they chose. Returns the copies
    created now (a second run creates none)."""
    created_at = timezone.now()
    copies: list[Copy] = []
    for chunk in _chunks(recipients, FAN_OUT_CHUNK):
        copies += _fan_out_chunk(
            chunk,
            kind=kind,
            title=title[:200],
            body=body[:500],
            link=link[:500],
            dedupe_key=dedupe_key[:200],
            created_at=created_at,
        )
    return copies


def _fan_out_chunk(
    recipients: list[Any],
    *,
    kind: str,
    title: str,
    body: str,
    link: str,
    dedupe_key: str,
    created_at: Any,
) -> list[Copy]:
    by_id = {recipient.pk: recipient for recipient in recipients}
    channels = _channels_of(list(by_id), kind)
    for attempt in range(3):
        existing = set(
            Notification.objects.filter(
                recipient_id__in=list(by_id), dedupe_key=dedupe_key
            ).values_list("recipient_id", flat=True)
        )
        rows = [
            Notification(
                recipient=recipient,
                kind=kind,
                title=title,
                body=body,
                link=link,
                dedupe_key=dedupe_key,
                created_at=created_at,
            )
            for user_id, recipient in by_id.items()
            if user_id not in existing
            and (channels[user_id].in_app or channels[user_id].email or channels[user_id].push)
        ]
        try:
            with transaction.atomic():
                created = Notification.objects.bulk_create(rows)
            break
        except IntegrityError:  # another run of the same fact wrote some of them: look again
            if attempt == 2:
                raise
    pushable: set[int] = set()
    if webpush_client.is_configured():  # only devices the learners subscribed get a push job
        pushable = set(
            PushSubscription.objects.filter(
                user_id__in=[row.recipient_id for row in created]
            ).values_list("user_id", flat=True)
        )
    for row in created:
        chosen = channels[row.recipient_id]
        mail_and_push_on_commit(
            row,
            email=chosen.email and bool(by_id[row.recipient_id].email),
            push=chosen.push and row.recipient_id in pushable,
        )
    counts = unread_counts(
        user_ids=[row.recipient_id for row in created if channels[row.recipient_id].in_app]
    )
    return [
        Copy(
            notification=row,
            in_app=channels[row.recipient_id].in_app,
            unread=counts.get(row.recipient_id, 0),
        )
        for row in created
    ]


def _course_learners(course: Course) -> Iterable[Any]:
    enrollments = (
        Enrollment.objects.filter(course=course, learner__is_active=True)
        .select_related("learner")
        .order_by("id")
    )
    return (enrollment.learner for enrollment in enrollments.iterator(chunk_size=FAN_OUT_CHUNK))


def _sheet_key(dedupe_key: str) -> str:
    return f"notifications:sheet:{hashlib.sha256(dedupe_key.encode()).hexdigest()[:32]}"


def _shared_payload(notification: Notification) -> dict[str, Any]:
    """What every copy of a broadcast has in common (each socket adds its id and count)."""
    shared = payload(notification)
    del shared["id"]
    return shared


def _course_live(course: Course, dedupe_key: str, copies: list[Copy]) -> None:
    """After commit, the live part of a course broadcast, with no query per socket: the
    delivery sheet (each recipient's copy id and unread count) goes into the cache as one
    value, then one message with what the copies share goes to the course's group. Each server
    process reads the sheet once (course_sheet_load) and its sockets pick their own line."""
    live = [copy for copy in copies if copy.in_app]
    if not live:
        return  # nothing new (a repeated job), or nobody wants it in the app
    sheet = {copy.notification.recipient_id: (copy.notification.pk, copy.unread) for copy in live}
    message = {
        "type": "notification.course",
        "dedupe_key": dedupe_key,
        "notification": _shared_payload(live[0].notification),
    }
    transaction.on_commit(
        functools.partial(_course_live_send, course.pk, dedupe_key, sheet, message)
    )


def _course_live_send(
    course_id: int, dedupe_key: str, sheet: dict[int, tuple[int, int]], message: dict[str, Any]
) -> None:
    try:
        cache.set(_sheet_key(dedupe_key), sheet, timeout=SHEET_SECONDS)
    except Exception:  # the sockets read their copies from the database instead
        logger.warning("delivery sheet of %s not cached", dedupe_key, exc_info=True)
    group_send(group=course_group(course_id), message=message)


def course_sheet_load(*, dedupe_key: str) -> dict[int, tuple[int, int]] | None:
    """A course broadcast's delivery sheet from the cache: {user id: (copy id, unread count)},
    or None when it is not there (evicted, the cache down, or another process's local-memory
    cache): then each socket asks the database (course_copy_for_socket)."""
    try:
        return cache.get(_sheet_key(dedupe_key))
    except Exception:
        logger.warning("delivery sheet of %s not read", dedupe_key, exc_info=True)
        return None


def course_copy_from_sheet(
    *, sheet: dict[int, tuple[int, int]], user_id: int, event: dict[str, Any]
) -> dict[str, Any] | None:
    """One socket's message from a loaded sheet, or None when its user has no copy to hear live
    (enrolled after the broadcast, or turned the kind off in the app)."""
    line = sheet.get(user_id)
    if line is None:
        return None
    copy_id, unread = line
    notification = {"id": copy_id, **event["notification"]}
    return {"type": "notification", "notification": notification, "unread": unread}


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
    copies = _fan_out(
        recipients=_course_learners(course),
        kind=Kind.ANNOUNCEMENT,
        title=title,
        body=body,
        link=reverse("courses:detail", args=[course.slug]),
        dedupe_key=dedupe_key,
    )
    _course_live(course, dedupe_key, copies)
    return len(copies)


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
    copies = _fan_out(
        recipients=_course_learners(course),
        kind=Kind.LESSON_PUBLISHED,
        title=f"New lesson in “{course.title[:120]}”: {lesson.title[:60]}",
        body=f"{lesson.get_kind_display()} in {lesson.module.title}"[:500],
        link=reverse("courses:lesson", args=[course.slug, lesson.pk]),
        dedupe_key=dedupe_key,
    )
    _course_live(course, dedupe_key, copies)
    return len(copies)


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
    copies = _fan_out(
        recipients=followers.iterator(chunk_size=FAN_OUT_CHUNK),
        kind=Kind.COURSE_PUBLISHED,
        title=f"{names} published “{course.title[:150]}”",
        body=course.subtitle[:500],
        link=reverse("courses:detail", args=[course.slug]),
        dedupe_key=f"course-published:{course.pk}",
    )
    messages = [
        (
            user_group(copy.notification.recipient_id),
            {
                "type": "notification.new",
                "notification": payload(copy.notification),
                "unread": copy.unread,
            },
        )
        for copy in copies
        if copy.in_app
    ]
    if messages:  # each follower's open tabs, with no query per follower
        transaction.on_commit(functools.partial(group_send_many, messages))
    return len(copies)


def course_copy_for_socket(*, user_id: int, dedupe_key: str) -> dict[str, Any] | None:
    """A course broadcast seen by one socket, from the database (when its delivery sheet is not
    in the cache): that user's own copy and unread count, or None when they have none (enrolled
    after it) or turned in-app notifications off for the kind."""
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
