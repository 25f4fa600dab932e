"""Analytics writes: recording events, rolling them up into daily facts, privacy operations.

Other apps record their activity with `event_record` (documented below); it is the only way in.
"""

from __future__ import annotations

import math
import threading
from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone

from analytics.exceptions import NudgeAlreadySentError, UnknownEventKindError
from analytics.models import (
    DailyCourseFact,
    DailyLearnerFact,
    DailyRevenueFact,
    Event,
    Nudge,
    QuestionResponseFact,
)
from courses.models import Course, Lesson

User = get_user_model()

# Kinds that show a person learning (DAU/WAU/MAU, active learners). Publishing a course or paying
# is not learning activity.
ACTIVITY_KINDS = frozenset(
    {
        Event.Kind.LOGIN,
        Event.Kind.ENROLLED,
        Event.Kind.LESSON_VIEWED,
        Event.Kind.HEARTBEAT,
        Event.Kind.LESSON_COMPLETED,
        Event.Kind.QUIZ_SUBMITTED,
        Event.Kind.QUIZ_PASSED,
        Event.Kind.COURSE_COMPLETED,
        Event.Kind.QUESTION_ASKED,
        Event.Kind.QUESTION_ANSWERED,
    }
)
# The most seconds one heartbeat may claim: a player beats every 30 s; a longer claim is capped.
HEARTBEAT_MAX_SECONDS = 60

_local = threading.local()


class _Batch:
    def __init__(self) -> None:
        self.events: list[Event] = []

    def flush(self) -> None:
        if _local.__dict__.get("batch") is self:
            del _local.batch
        Event.objects.bulk_create(self.events, batch_size=1000)


def event_record(
    *,
    kind: str,
    user_id: int | None = None,
    course_id: int | None = None,
    object_id: int | None = None,
    value: int = 0,
    occurred_at: datetime | None = None,
    meta: dict[str, Any] | None = None,
) -> None:
    """Record one analytics event; costs no query until the surrounding transaction commits.

    Inside a transaction, every event recorded is kept in memory and written by ONE bulk INSERT
    when the transaction commits (nothing is written if it rolls back). Outside a transaction
    the event is written at once. Pass ids, not objects, so the caller needs no extra query.
    `kind` is one of `Event.Kind` (raise `UnknownEventKindError` otherwise); `value` holds seconds
    (heartbeat), a percent (quiz attempt) or cents (payment, refund). Keep `meta` small and free
    of personal data.

        from analytics.services import event_record
        event_record(kind="question_asked", user_id=user.pk, course_id=course.pk, object_id=q.pk)
    """
    if kind not in Event.Kind.values:
        raise UnknownEventKindError(f"'{kind}' is not an analytics event kind.")
    event = Event(
        kind=kind,
        user_id=user_id,
        course_id=course_id,
        object_id=object_id,
        value=value,
        occurred_at=occurred_at or timezone.now(),
        meta=meta or {},
    )
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        Event.objects.bulk_create([event])
        return
    batch: _Batch | None = _local.__dict__.get("batch")
    # A batch whose flush is no longer pending belonged to a transaction that rolled back.
    if batch is None or not any(entry[1] == batch.flush for entry in connection.run_on_commit):
        batch = _Batch()
        _local.batch = batch
        transaction.on_commit(batch.flush)
    batch.events.append(event)


def _day_bounds(day: date) -> tuple[datetime, datetime]:
    start = timezone.make_aware(datetime.combine(day, time.min), timezone.get_current_timezone())
    return start, start + timedelta(days=1)


def _course_milestones(start: datetime, end: datetime) -> dict[int, dict[str, int]]:
    """Per course, how many learners completed their first lesson and reached half the course
    on the day [start, end)."""
    completed = Event.objects.filter(kind=Event.Kind.LESSON_COMPLETED, user__isnull=False)
    today = completed.filter(occurred_at__gte=start, occurred_at__lt=end)
    user_ids = set(today.values_list("user_id", flat=True).distinct())
    if not user_ids:
        return {}
    course_ids = set(today.values_list("course_id", flat=True).distinct())
    rows = (
        completed.filter(occurred_at__lt=end, user_id__in=user_ids, course_id__in=course_ids)
        .values("user_id", "course_id")
        .annotate(
            before=Count("object_id", filter=Q(occurred_at__lt=start), distinct=True),
            total=Count("object_id", distinct=True),
        )
    )
    lesson_counts = dict(
        Lesson.objects.filter(module__course_id__in=course_ids)
        .values("module__course_id")
        .annotate(n=Count("id"))
        .values_list("module__course_id", "n")
    )
    result: dict[int, dict[str, int]] = defaultdict(lambda: {"starters": 0, "halfway": 0})
    for row in rows:
        if row["total"] == row["before"]:
            continue  # nothing new today for this learner in this course
        course_milestones = result[row["course_id"]]
        if row["before"] == 0:
            course_milestones["starters"] += 1
        half = math.ceil(lesson_counts.get(row["course_id"], 0) / 2) or 1
        if row["before"] < half <= row["total"]:
            course_milestones["halfway"] += 1
    return result


def _first_responses(start: datetime, end: datetime) -> list[QuestionResponseFact]:
    """The course questions whose first answer by someone other than the asker came on the day
    [start, end), with the seconds it took (the answer event's value)."""
    answers = Event.objects.filter(
        kind=Event.Kind.QUESTION_ANSWERED,
        course__isnull=False,
        object_id__isnull=False,
        meta__by_asker=False,
    )
    today = set(
        answers.filter(occurred_at__gte=start, occurred_at__lt=end)
        .values_list("object_id", "course_id")
        .distinct()
    )
    if not today:
        return []
    question_ids = {question_id for question_id, _ in today}
    course_ids = {course_id for _, course_id in today}
    first: dict[int, tuple[datetime, int, int]] = {}
    # Filtering by course too lets the (course, occurred_at) index bound the history read.
    for question_id, occurred_at, course_id, seconds in (
        answers.filter(course_id__in=course_ids, object_id__in=question_ids, occurred_at__lt=end)
        .order_by("occurred_at", "id")
        .values_list("object_id", "occurred_at", "course_id", "value")
    ):
        first.setdefault(question_id, (occurred_at, course_id, seconds))
    return [
        QuestionResponseFact(
            question_id=question_id,
            course_id=course_id,
            date=timezone.localtime(occurred_at).date(),
            seconds=seconds,
        )
        for question_id, (occurred_at, course_id, seconds) in first.items()
        if occurred_at >= start
    ]


def _revenue_fact(day: date, events: Any) -> DailyRevenueFact | None:
    money = events.filter(kind__in=[Event.Kind.PAYMENT, Event.Kind.REFUND]).aggregate(
        monthly=Sum(
            "value",
            filter=Q(kind=Event.Kind.PAYMENT, meta__source="subscription")
            & ~Q(meta__interval="year"),
            default=0,
        ),
        yearly=Sum(
            "value",
            filter=Q(kind=Event.Kind.PAYMENT, meta__source="subscription", meta__interval="year"),
            default=0,
        ),
        purchases=Sum(
            "value", filter=Q(kind=Event.Kind.PAYMENT, meta__source="purchase"), default=0
        ),
        refunded=Sum("value", filter=Q(kind=Event.Kind.REFUND), default=0),
        payments=Count("id", filter=Q(kind=Event.Kind.PAYMENT)),
        refunds=Count("id", filter=Q(kind=Event.Kind.REFUND)),
    )
    if not money["payments"] and not money["refunds"]:
        return None
    return DailyRevenueFact.objects.create(
        date=day,
        subscription_monthly_cents=money["monthly"],
        subscription_yearly_cents=money["yearly"],
        purchase_cents=money["purchases"],
        refunds_cents=money["refunded"],
        payments=money["payments"],
        refunds=money["refunds"],
    )


@transaction.atomic
def facts_rollup(*, day: date) -> tuple[int, int]:
    """Rebuild the day's course and learner facts from its events; running it again gives the same
    rows. Returns (course facts, learner facts) written."""
    start, end = _day_bounds(day)
    events = Event.objects.filter(occurred_at__gte=start, occurred_at__lt=end)
    activity = Q(kind__in=ACTIVITY_KINDS)
    heartbeat = Q(kind=Event.Kind.HEARTBEAT)
    DailyCourseFact.objects.filter(date=day).delete()
    DailyLearnerFact.objects.filter(date=day).delete()
    QuestionResponseFact.objects.filter(date=day).delete()
    DailyRevenueFact.objects.filter(date=day).delete()

    responses = _first_responses(start, end)
    QuestionResponseFact.objects.bulk_create(responses, batch_size=1000)
    answered: dict[int, int] = defaultdict(int)
    for response in responses:
        answered[response.course_id] += 1
    _revenue_fact(day, events)

    milestones = _course_milestones(start, end)
    course_rows = (
        events.filter(course__isnull=False)
        .values("course_id")
        .annotate(
            enrollments=Count("id", filter=Q(kind=Event.Kind.ENROLLED)),
            completions=Count("id", filter=Q(kind=Event.Kind.COURSE_COMPLETED)),
            active_learners=Count("user_id", filter=activity, distinct=True),
            lessons_completed=Count("id", filter=Q(kind=Event.Kind.LESSON_COMPLETED)),
            learning_seconds=Sum("value", filter=heartbeat, default=0),
            quiz_attempts=Count("id", filter=Q(kind=Event.Kind.QUIZ_SUBMITTED)),
            quiz_passes=Count("id", filter=Q(kind=Event.Kind.QUIZ_PASSED)),
            questions_asked=Count("id", filter=Q(kind=Event.Kind.QUESTION_ASKED)),
            revenue_cents=Sum("value", filter=Q(kind=Event.Kind.PAYMENT), default=0),
            refunds_cents=Sum("value", filter=Q(kind=Event.Kind.REFUND), default=0),
        )
        .order_by()
    )
    course_facts = [
        DailyCourseFact(
            date=day,
            starters=milestones.get(row["course_id"], {}).get("starters", 0),
            halfway=milestones.get(row["course_id"], {}).get("halfway", 0),
            questions_answered=answered.get(row["course_id"], 0),
            **row,
        )
        for row in course_rows
    ]
    DailyCourseFact.objects.bulk_create(course_facts, batch_size=1000)

    learner_rows = (
        events.filter(activity, user__isnull=False)
        .values("user_id", "course_id")
        .annotate(
            n=Count("id"),
            seconds=Sum("value", filter=heartbeat, default=0),
            lessons=Count("id", filter=Q(kind=Event.Kind.LESSON_COMPLETED)),
            quizzes=Count("id", filter=Q(kind=Event.Kind.QUIZ_SUBMITTED)),
        )
        .order_by()
    )
    learner_facts = [
        DailyLearnerFact(
            date=day,
            learner_id=row["user_id"],
            course_id=row["course_id"],
            events=row["n"],
            learning_seconds=row["seconds"],
            lessons_completed=row["lessons"],
            quiz_attempts=row["quizzes"],
        )
        for row in learner_rows
    ]
    DailyLearnerFact.objects.bulk_create(learner_facts, batch_size=2000)
    return len(course_facts), len(learner_facts)


def facts_backfill(*, start: date, end: date) -> list[tuple[date, int, int]]:
    """Rebuild the facts of every day from `start` to `end` inclusive, one transaction per day."""
    done = []
    day = start
    while day <= end:
        done.append((day, *facts_rollup(day=day)))
        day += timedelta(days=1)
    return done


def events_purge_expired(*, now: datetime | None = None) -> int:
    """Delete raw events older than ANALYTICS_RETENTION_DAYS (facts are kept: they hold no more
    than counts per learner and day). Deletes in batches so a big purge never holds long locks."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.ANALYTICS_RETENTION_DAYS)
    deleted = 0
    while True:
        ids = list(Event.objects.filter(occurred_at__lt=cutoff).values_list("id", flat=True)[:5000])
        if not ids:
            return deleted
        deleted += Event.objects.filter(id__in=ids).delete()[0]


def user_analytics_export(*, user_id: int) -> dict[str, Any]:
    """Everything analytics holds about one user, as JSON-ready data (the right of access)."""
    return {
        "events": [
            {
                "kind": kind,
                "occurred_at": occurred_at.isoformat(),
                "course_id": course_id,
                "object_id": object_id,
                "value": value,
                "meta": meta,
            }
            for kind, occurred_at, course_id, object_id, value, meta in Event.objects.filter(
                user_id=user_id
            ).values_list("kind", "occurred_at", "course_id", "object_id", "value", "meta")
        ],
        "daily_facts": list(
            DailyLearnerFact.objects.filter(learner_id=user_id)
            .order_by("date")
            .values(
                "date",
                "course_id",
                "events",
                "learning_seconds",
                "lessons_completed",
                "quiz_attempts",
            )
        ),
    }


@transaction.atomic
def user_analytics_delete(*, user_id: int) -> int:
    """Erase one user's events, learner facts and nudges (the right to erasure). Course facts are
    anonymous counts and stay; payments and refunds stay too, without the user, so that revenue
    rebuilt by `analytics_backfill` still adds up. Returns the number of rows deleted or
    anonymised."""
    events = Event.objects.filter(user_id=user_id)
    money = events.filter(kind__in=[Event.Kind.PAYMENT, Event.Kind.REFUND])
    deleted = money.update(user=None, meta={})
    deleted += events.delete()[0]
    deleted += DailyLearnerFact.objects.filter(learner_id=user_id).delete()[0]
    deleted += Nudge.objects.filter(learner_id=user_id).delete()[0]
    return deleted


@transaction.atomic
def learner_nudge(*, course: Course, learner: Any, sent_by: Any) -> Nudge:
    """Send one reminder e-mail to a learner of the course; at most one per learner and day."""
    nudge, created = Nudge.objects.get_or_create(
        course=course, learner=learner, sent_on=timezone.localdate(), defaults={"sent_by": sent_by}
    )
    if not created:
        raise NudgeAlreadySentError(f"{learner} was already reminded today.")
    subject = f"Pick up where you left off in {course.title}"
    body = (
        f"Hello,\n\nYour instructor thought you might like a reminder: '{course.title}' is "
        "waiting for you. A few minutes today keeps your progress going.\n\nThe Lumen team"
    )
    transaction.on_commit(
        lambda: send_mail(subject, body, None, [learner.email], fail_silently=False)
    )
    return nudge


def events_record_bulk(*, events: Iterable[Event], batch_size: int = 5000) -> int:
    """Write already-built events in large batches (seeding, imports). Returns how many."""
    count = 0
    chunk: list[Event] = []
    for event in events:
        chunk.append(event)
        if len(chunk) >= batch_size:
            Event.objects.bulk_create(chunk, batch_size=batch_size)
            count += len(chunk)
            chunk = []
    if chunk:
        Event.objects.bulk_create(chunk, batch_size=batch_size)
        count += len(chunk)
    return count
