"""Translate other apps' domain events (courses, Q&A, billing) into analytics events.

Every event handled here is sent after commit by its app, so each costs one INSERT and never
records a write that rolled back."""

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


def on_lesson_time_spent(
    sender: Any, learner: Any, lesson: Any, seconds: int, at: Any, **kwargs: Any
) -> None:
    # The single source of learning time: what courses counted from the player's reports, after
    # its anti-inflation limits (the analytics heartbeat endpoint no longer adds seconds).
    event_record(
        kind=Event.Kind.HEARTBEAT,
        user_id=learner.pk,
        course_id=lesson.module.course_id,
        object_id=lesson.pk,
        value=seconds,
        occurred_at=at,
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


def on_question_posted(sender: Any, question: Any, **kwargs: Any) -> None:
    event_record(
        kind=Event.Kind.QUESTION_ASKED,
        user_id=question.asker_id,
        course_id=question.course_id,
        object_id=question.pk,
        occurred_at=question.created_at,
    )


def on_answer_posted(sender: Any, answer: Any, question: Any, **kwargs: Any) -> None:
    # value: seconds since the question was asked (the response time if it is the first answer);
    # by_asker marks an asker answering their own question, which is no response.
    event_record(
        kind=Event.Kind.QUESTION_ANSWERED,
        user_id=answer.author_id,
        course_id=question.course_id,
        object_id=question.pk,
        value=max(0, int((answer.created_at - question.created_at).total_seconds())),
        occurred_at=answer.created_at,
        meta={"by_asker": answer.author_id == question.asker_id, "answer_id": answer.pk},
    )


def _money_meta(currency: str, reference: str, invoice: Any, purchase: Any) -> dict[str, Any]:
    meta: dict[str, Any] = {"currency": currency, "reference": reference}
    if purchase is not None:
        meta["source"] = "purchase"
    else:
        meta["source"] = "subscription"
        # The paid path hands over the invoice with its subscription loaded (no query).
        subscription = invoice.subscription if invoice is not None else None
        meta["interval"] = subscription.interval if subscription is not None else "month"
    return meta


def _money_object_id(invoice: Any, purchase: Any) -> int | None:
    # The purchase's or the invoice's id (meta.source says which): what the billing backfill
    # matches, also after an erasure removed the Stripe reference.
    source = purchase if purchase is not None else invoice
    return source.pk if source is not None else None


def on_payment_succeeded(
    sender: Any,
    user: Any,
    amount_cents: int,
    currency: str,
    reference: str,
    invoice: Any = None,
    purchase: Any = None,
    **kwargs: Any,
) -> None:
    event_record(
        kind=Event.Kind.PAYMENT,
        user_id=user.pk,
        course_id=purchase.course_id if purchase is not None else None,
        object_id=_money_object_id(invoice, purchase),
        value=amount_cents,
        meta=_money_meta(currency, reference, invoice, purchase),
    )


def on_refund_issued(
    sender: Any,
    user: Any,
    amount_cents: int,
    currency: str,
    reference: str,
    invoice: Any = None,
    purchase: Any = None,
    **kwargs: Any,
) -> None:
    meta = _money_meta(currency, reference, invoice, purchase)
    # When the refunded money was paid: MRR leaves out a refunded invoice only while its payment
    # is in MRR's window.
    paid_at = purchase.created_at if purchase is not None else getattr(invoice, "paid_at", None)
    if paid_at is not None:
        meta["paid_at"] = paid_at.isoformat()
    event_record(
        kind=Event.Kind.REFUND,
        user_id=user.pk,
        course_id=purchase.course_id if purchase is not None else None,
        object_id=_money_object_id(invoice, purchase),
        value=amount_cents,
        meta=meta,
    )


def connect() -> None:
    from django.contrib.auth.signals import user_logged_in

    from billing import events as billing_events
    from qa import events as qa_events

    events.learner_enrolled.connect(on_learner_enrolled, dispatch_uid="analytics_enrolled")
    events.lesson_completed.connect(on_lesson_completed, dispatch_uid="analytics_lesson")
    events.lesson_time_spent.connect(on_lesson_time_spent, dispatch_uid="analytics_time_spent")
    events.quiz_attempt_submitted.connect(on_quiz_attempt_submitted, dispatch_uid="analytics_quiz")
    events.quiz_passed.connect(on_quiz_passed, dispatch_uid="analytics_quiz_passed")
    events.course_completed.connect(on_course_completed, dispatch_uid="analytics_course_done")
    events.course_published.connect(on_course_published, dispatch_uid="analytics_published")
    user_logged_in.connect(on_user_logged_in, dispatch_uid="analytics_login")
    qa_events.question_posted.connect(on_question_posted, dispatch_uid="analytics_question")
    qa_events.answer_posted.connect(on_answer_posted, dispatch_uid="analytics_answer")
    billing_events.payment_succeeded.connect(on_payment_succeeded, dispatch_uid="analytics_paid")
    billing_events.refund_issued.connect(on_refund_issued, dispatch_uid="analytics_refund")
