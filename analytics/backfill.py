"""History that analytics did not record: payment, refund, question and answer events created
from billing's and qa's own tables for the days before those events were captured.

Events of these kinds are recorded from billing's and qa's domain events since they were added; a
deployment that upgrades has purchases, invoices, questions and answers from before. The
backfill creates, for a range of days, every such event missing from the log, as the receivers
would have recorded it (same kind, user, course, object, value, time and meta). An event already
recorded, by the receivers or by an earlier run, is recognised and left alone, so running it
twice changes nothing.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from typing import Any, TypeVar

from django.db import transaction
from django.db.models import Q

from analytics.models import Event
from analytics.services import day_bounds

T = TypeVar("T")
CHUNK = 500  # ids per IN (...): well under SQLite's limit on bound parameters


def _chunks(items: Iterable[T]) -> Iterator[list[T]]:
    chunk: list[T] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _money_event(
    kind: str,
    *,
    source: Any,
    user_id: int,
    course_id: int | None,
    occurred_at: datetime,
    meta: dict[str, Any],
) -> Event:
    return Event(
        kind=kind,
        user_id=user_id,
        course_id=course_id,
        object_id=source.pk,
        value=source.amount_cents,
        occurred_at=occurred_at,
        meta={"currency": source.currency, **meta},
    )


def _money_candidates(lower: datetime, upper: datetime) -> list[Event]:
    """The payment and refund events billing's purchases and invoices stand for in [lower,
    upper): a purchase paid (its creation) and refunded; an invoice paid and refunded."""
    from billing.models import Invoice, Purchase

    def within(field: str) -> Q:
        return Q(**{f"{field}__gte": lower, f"{field}__lt": upper})

    candidates = []
    for purchase in Purchase.objects.filter(within("created_at") | within("refunded_at")):
        meta = {"reference": purchase.stripe_checkout_session_id, "source": "purchase"}
        common = {"source": purchase, "user_id": purchase.buyer_id, "course_id": purchase.course_id}
        if lower <= purchase.created_at < upper:
            candidates.append(
                _money_event(
                    Event.Kind.PAYMENT, occurred_at=purchase.created_at, meta=meta, **common
                )
            )
        if (
            purchase.status == Purchase.Status.REFUNDED
            and purchase.refunded_at is not None
            and lower <= purchase.refunded_at < upper
        ):
            refund_meta = {**meta, "paid_at": purchase.created_at.isoformat()}
            candidates.append(
                _money_event(
                    Event.Kind.REFUND, occurred_at=purchase.refunded_at, meta=refund_meta, **common
                )
            )
    invoices = (
        Invoice.objects.filter(within("paid_at") | within("refunded_at"))
        .filter(amount_cents__gt=0, paid_at__isnull=False)
        .exclude(status=Invoice.Status.FAILED)
        .select_related("subscription")
    )
    for invoice in invoices:
        meta = {
            "reference": invoice.stripe_invoice_id,
            "source": "subscription",
            "interval": invoice.subscription.interval if invoice.subscription else "month",
        }
        common = {"source": invoice, "user_id": invoice.customer_id, "course_id": None}
        if lower <= invoice.paid_at < upper:
            candidates.append(
                _money_event(Event.Kind.PAYMENT, occurred_at=invoice.paid_at, meta=meta, **common)
            )
        if (
            invoice.status == Invoice.Status.REFUNDED
            and invoice.refunded_at is not None
            and lower <= invoice.refunded_at < upper
        ):
            refund_meta = {**meta, "paid_at": invoice.paid_at.isoformat()}
            candidates.append(
                _money_event(
                    Event.Kind.REFUND, occurred_at=invoice.refunded_at, meta=refund_meta, **common
                )
            )
    return candidates


def _money_missing(candidates: list[Event]) -> list[Event]:
    """The candidates not recorded yet. A recorded payment or refund is known by its kind and
    Stripe reference (every event the receivers wrote) or by its kind, source and purchase or
    invoice id (those written since they carry it, including ones whose user was erased)."""
    by_reference: set[tuple[str, str]] = set()
    by_object: set[tuple[str, str, int]] = set()
    kinds = [Event.Kind.PAYMENT, Event.Kind.REFUND]
    for chunk in _chunks({event.meta["reference"] for event in candidates}):
        by_reference.update(
            Event.objects.filter(kind__in=kinds, meta__reference__in=chunk).values_list(
                "kind", "meta__reference"
            )
        )
    for chunk in _chunks({event.object_id for event in candidates}):
        by_object.update(
            Event.objects.filter(kind__in=kinds, object_id__in=chunk).values_list(
                "kind", "meta__source", "object_id"
            )
        )
    return [
        event
        for event in candidates
        if (event.kind, event.meta["reference"]) not in by_reference
        and (event.kind, event.meta["source"], event.object_id) not in by_object
    ]


def _qa_missing(lower: datetime, upper: datetime) -> list[Event]:
    """The question_asked and question_answered events missing for the questions and answers
    posted in [lower, upper) (hidden ones too: they were posted). A recorded question is known
    by its id; a recorded answer by its id (meta.answer_id) or, for those recorded before events
    carried it, by its question, author and time (the receiver used the answer's own time)."""
    from qa.models import Answer, Question

    missing = []
    questions = list(
        Question.objects.filter(created_at__gte=lower, created_at__lt=upper).values_list(
            "pk", "asker_id", "course_id", "created_at"
        )
    )
    for chunk in _chunks(questions):
        recorded = set(
            Event.objects.filter(
                kind=Event.Kind.QUESTION_ASKED, object_id__in=[row[0] for row in chunk]
            ).values_list("object_id", flat=True)
        )
        missing += [
            Event(
                kind=Event.Kind.QUESTION_ASKED,
                user_id=asker_id,
                course_id=course_id,
                object_id=question_id,
                occurred_at=created_at,
            )
            for question_id, asker_id, course_id, created_at in chunk
            if question_id not in recorded
        ]
    answers = list(
        Answer.objects.filter(created_at__gte=lower, created_at__lt=upper).values_list(
            "pk",
            "author_id",
            "created_at",
            "question_id",
            "question__asker_id",
            "question__course_id",
            "question__created_at",
        )
    )
    for chunk in _chunks(answers):
        recorded_ids: set[int] = set()
        recorded_moments: set[tuple[int, int | None, datetime]] = set()
        for question_id, user_id, occurred_at, answer_id in Event.objects.filter(
            kind=Event.Kind.QUESTION_ANSWERED, object_id__in={row[3] for row in chunk}
        ).values_list("object_id", "user_id", "occurred_at", "meta__answer_id"):
            if answer_id is not None:
                recorded_ids.add(answer_id)
            recorded_moments.add((question_id, user_id, occurred_at))
        missing += [
            Event(
                kind=Event.Kind.QUESTION_ANSWERED,
                user_id=author_id,
                course_id=course_id,
                object_id=question_id,
                value=max(0, int((created_at - asked_at).total_seconds())),
                occurred_at=created_at,
                meta={"by_asker": author_id == asker_id, "answer_id": answer_id},
            )
            for answer_id, author_id, created_at, question_id, asker_id, course_id, asked_at in (
                chunk
            )
            if answer_id not in recorded_ids
            and (question_id, author_id, created_at) not in recorded_moments
        ]
    return missing


@transaction.atomic
def events_backfill(*, start: date, end: date) -> dict[str, int]:
    """Create the payment, refund, question and answer events missing for the days `start` to
    `end` (inclusive, local time) from billing's purchases and invoices and qa's questions and
    answers; events already recorded are left alone, so a second run creates none. Returns how
    many events of each kind were created. Rebuild the days' facts afterwards."""
    lower, _ = day_bounds(start)
    _, upper = day_bounds(end)
    missing = _money_missing(_money_candidates(lower, upper)) + _qa_missing(lower, upper)
    Event.objects.bulk_create(missing, batch_size=1000)
    created = Counter(str(event.kind) for event in missing)
    return {kind: created.get(kind, 0) for kind in EVENT_KINDS_BACKFILLED}


EVENT_KINDS_BACKFILLED = (
    Event.Kind.PAYMENT.value,
    Event.Kind.REFUND.value,
    Event.Kind.QUESTION_ASKED.value,
    Event.Kind.QUESTION_ANSWERED.value,
)
