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
from django.db.models import Case, Count, F, Max, Min, Q, Sum, Value, When
from django.utils import timezone

from analytics.exceptions import NudgeAlreadySentError, UnknownEventKindError
from analytics.models import (
    DailyCourseFact,
    DailyLearnerFact,
    DailyRevenueFact,
    Event,
    LearnerCohortFact,
    Nudge,
    QuestionResponseFact,
    WeeklyLearnerFact,
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


def day_bounds(day: date) -> tuple[datetime, datetime]:
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


def _paid_on(meta: dict[str, Any], paid_by_reference: dict[str, datetime]) -> str | None:
    """The local day a refunded invoice was paid: the refund event's `paid_at` (recorded since
    refunds carry it), else its payment event's, matched by the Stripe reference."""
    paid_at: datetime | str | None = meta.get("paid_at") or paid_by_reference.get(
        meta.get("reference") or ""
    )
    if paid_at is None:
        return None
    if isinstance(paid_at, str):
        paid_at = datetime.fromisoformat(paid_at)
    return timezone.localtime(paid_at).date().isoformat()


def _revenue_fact(day: date, events: Any) -> DailyRevenueFact | None:
    subscription = Q(meta__source="subscription")
    money = events.filter(kind__in=[Event.Kind.PAYMENT, Event.Kind.REFUND]).aggregate(
        monthly=Sum(
            "value",
            filter=Q(kind=Event.Kind.PAYMENT) & subscription & ~Q(meta__interval="year"),
            default=0,
        ),
        yearly=Sum(
            "value",
            filter=Q(kind=Event.Kind.PAYMENT, meta__interval="year") & subscription,
            default=0,
        ),
        purchases=Sum(
            "value", filter=Q(kind=Event.Kind.PAYMENT, meta__source="purchase"), default=0
        ),
        refunded=Sum("value", filter=Q(kind=Event.Kind.REFUND), default=0),
        subscription_refunded=Sum(
            "value", filter=Q(kind=Event.Kind.REFUND) & subscription, default=0
        ),
        payments=Count("id", filter=Q(kind=Event.Kind.PAYMENT)),
        refunds=Count("id", filter=Q(kind=Event.Kind.REFUND)),
    )
    if not money["payments"] and not money["refunds"]:
        return None
    refunded_invoices: list[dict[str, Any]] = []
    if money["subscription_refunded"]:
        refunds = list(
            events.filter(subscription, kind=Event.Kind.REFUND)
            .order_by("occurred_at", "id")
            .values_list("value", "meta")
        )
        references = [
            meta["reference"]
            for _, meta in refunds
            if meta.get("reference") and "paid_at" not in meta
        ]
        # Latest first, so the earliest payment of a reference is the one the dict keeps.
        paid_by_reference: dict[str, datetime] = (
            dict(
                Event.objects.filter(kind=Event.Kind.PAYMENT, meta__reference__in=references)
                .order_by("-occurred_at")
                .values_list("meta__reference", "occurred_at")
            )
            if references
            else {}
        )
        refunded_invoices = [
            {
                "paid_on": _paid_on(meta, paid_by_reference),
                "interval": meta.get("interval") or "month",
                "cents": cents,
            }
            for cents, meta in refunds
        ]
    return DailyRevenueFact.objects.create(
        date=day,
        subscription_monthly_cents=money["monthly"],
        subscription_yearly_cents=money["yearly"],
        purchase_cents=money["purchases"],
        refunds_cents=money["refunded"],
        subscription_refunds_cents=money["subscription_refunded"],
        refunded_invoices=refunded_invoices,
        payments=money["payments"],
        refunds=money["refunds"],
    )


def week_start(day: date) -> date:
    """The Monday of the ISO week holding `day`."""
    return day - timedelta(days=day.weekday())


def _weekday_mask(week: date) -> Any:
    """The SQL sum of one bit per distinct weekday active among a group's daily facts."""
    bits = [
        Max(Case(When(date=week + timedelta(days=n), then=Value(1 << n)), default=Value(0)))
        for n in range(7)
    ]
    mask = bits[0]
    for bit in bits[1:]:
        mask = mask + bit
    return mask


@transaction.atomic
def weekly_facts_rollup(*, week: date) -> int:
    """Rebuild the week's `WeeklyLearnerFact` rows from its daily learner facts (one per learner
    and course, one per learner for everything) and bring the learners' first-active weeks
    (`LearnerCohortFact`) up to date; running it again gives the same rows. Returns rows written."""
    week = week_start(week)
    daily = DailyLearnerFact.objects.filter(date__gte=week, date__lt=week + timedelta(days=7))
    WeeklyLearnerFact.objects.filter(week=week).delete()
    mask = _weekday_mask(week)
    per_day = {
        field: Sum(
            Case(
                When(date=week + timedelta(days=n), then=F("learning_seconds")),
                default=Value(0),
            )
        )
        for n, field in enumerate(WeeklyLearnerFact.WEEKDAY_SECONDS)
    }
    rows = [
        WeeklyLearnerFact(week=week, learning_seconds=sum(row[f] for f in per_day), **row)
        for row in daily.filter(course__isnull=False)
        .values("learner_id", "course_id")
        .annotate(days=mask, **per_day)
        .order_by()
    ]
    rows += [
        WeeklyLearnerFact(week=week, learning_seconds=sum(row[f] for f in per_day), **row)
        for row in daily.values("learner_id").annotate(days=mask, **per_day).order_by()
    ]
    WeeklyLearnerFact.objects.bulk_create(rows, batch_size=2000)
    _cohorts_update(week, {(row.learner_id, row.course_id) for row in rows})
    return len(rows)


def _cohorts_update(week: date, active: set[tuple[int, int | None]]) -> None:
    """After `week` was rebuilt: a learner active in it whose first week is later (or unknown)
    now starts in it; one whose first week it was and who is no longer active in it starts in
    their next active week (or has no cohort)."""
    known = {
        (learner_id, course_id): (pk, first)
        for pk, learner_id, course_id, first in LearnerCohortFact.objects.filter(
            Q(learner_id__in=WeeklyLearnerFact.objects.filter(week=week).values("learner_id"))
            | Q(week=week)
        ).values_list("pk", "learner_id", "course_id", "week")
    }
    LearnerCohortFact.objects.bulk_create(
        [
            LearnerCohortFact(learner_id=learner_id, course_id=course_id, week=week)
            for learner_id, course_id in active - known.keys()
        ],
        batch_size=2000,
    )
    moved = [
        LearnerCohortFact(pk=pk, week=week)
        for pair, (pk, first) in known.items()
        if pair in active and first > week
    ]
    gone = [
        (pair, pk) for pair, (pk, first) in known.items() if first == week and pair not in active
    ]
    for (learner_id, course_id), pk in gone:
        later = WeeklyLearnerFact.objects.filter(learner_id=learner_id, course_id=course_id)
        if course_id is None:
            later = WeeklyLearnerFact.objects.filter(learner_id=learner_id, course__isnull=True)
        first = later.aggregate(first=Min("week"))["first"]
        if first is None:
            LearnerCohortFact.objects.filter(pk=pk).delete()
        else:
            moved.append(LearnerCohortFact(pk=pk, week=first))
    LearnerCohortFact.objects.bulk_update(moved, ["week"], batch_size=1000)


def facts_rollup(*, day: date, weekly: bool = True) -> tuple[int, int]:
    """Rebuild the day's course and learner facts from its events, then (unless `weekly` is
    False) its week's weekly learner facts; running it again gives the same rows. Returns
    (course facts, learner facts) written."""
    written = _daily_facts_rollup(day)
    if weekly:
        weekly_facts_rollup(week=day)
    return written


@transaction.atomic
def _daily_facts_rollup(day: date) -> tuple[int, int]:
    start, end = day_bounds(day)
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
    """Rebuild the facts of every day from `start` to `end` inclusive, one transaction per day,
    then the weekly facts of every week they touch (each once)."""
    done = []
    day = start
    while day <= end:
        done.append((day, *facts_rollup(day=day, weekly=False)))
        day += timedelta(days=1)
    weekly_facts_backfill(start=start, end=end)
    return done


def weekly_facts_backfill(*, start: date, end: date) -> list[tuple[date, int]]:
    """Rebuild the weekly learner facts (and first-active weeks) of every week touching `start`
    to `end`, oldest first, from the daily facts only (no event is read: this also works for days
    whose events were purged)."""
    done = []
    week = week_start(start)
    while week <= end:
        done.append((week, weekly_facts_rollup(week=week)))
        week += timedelta(days=7)
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
    """Everything analytics holds about one user, as JSON-ready data (the right of access). The
    weekly facts and first-active weeks are sums of the daily facts listed here, so they are not
    listed again (erasure deletes them too)."""
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
    anonymous counts and stay; payments and refunds stay too, without the user and the Stripe
    reference (what they were for, their interval, currency and paid time stay), so that revenue
    rebuilt by `analytics_backfill` still adds up and `analytics_backfill_events` does not count
    them twice. Returns the number of rows deleted or anonymised."""
    events = Event.objects.filter(user_id=user_id)
    money = list(events.filter(kind__in=[Event.Kind.PAYMENT, Event.Kind.REFUND]))
    object_ids = _money_object_ids_by_reference(
        [e.meta["reference"] for e in money if e.object_id is None and e.meta.get("reference")]
    )
    for event in money:
        if event.object_id is None:
            event.object_id = object_ids.get(
                (event.meta.get("source", ""), event.meta.get("reference", ""))
            )
        event.user_id = None
        event.meta = {key: event.meta[key] for key in MONEY_META_KEPT if key in event.meta}
    Event.objects.bulk_update(money, ["user", "object_id", "meta"], batch_size=1000)
    deleted = len(money)
    deleted += events.delete()[0]
    deleted += DailyLearnerFact.objects.filter(learner_id=user_id).delete()[0]
    deleted += WeeklyLearnerFact.objects.filter(learner_id=user_id).delete()[0]
    deleted += LearnerCohortFact.objects.filter(learner_id=user_id).delete()[0]
    deleted += Nudge.objects.filter(learner_id=user_id).delete()[0]
    return deleted


# What a payment or refund keeps of its meta once its user is erased: nothing that names them.
MONEY_META_KEPT = ("source", "interval", "currency", "paid_at")


def _money_object_ids_by_reference(references: list[str]) -> dict[tuple[str, str], int]:
    """{(source, Stripe reference): purchase or invoice id} for events recorded before payment
    events carried the id."""
    if not references:
        return {}
    from billing.models import Invoice, Purchase

    found = {
        ("purchase", reference): pk
        for pk, reference in Purchase.objects.filter(
            stripe_checkout_session_id__in=references
        ).values_list("pk", "stripe_checkout_session_id")
    }
    found.update(
        {
            ("subscription", reference): pk
            for pk, reference in Invoice.objects.filter(
                stripe_invoice_id__in=references
            ).values_list("pk", "stripe_invoice_id")
        }
    )
    return found


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
