"""MRR leaves out refunded subscription invoices; revenue is reported net of refunds; history from
before payment and Q&A events were captured is created from billing's and qa's tables, once."""

from __future__ import annotations

import datetime as dt
import importlib
from collections import defaultdict
from datetime import date, timedelta
from io import StringIO

import pytest
import time_machine
from django.apps import apps
from django.core.management import CommandError, call_command
from django.test import TestCase
from django.utils import timezone

from analytics import backfill, selectors, services
from analytics.models import Event, QuestionResponseFact
from analytics.tests import data
from billing import events as billing_events
from billing.models import Bundle, Invoice, Plan, Purchase, Subscription
from courses.models import Course
from courses.tests.factories import StudentFactory, course_with_outline
from qa.tests.factories import make_answer, make_question

pytestmark = pytest.mark.django_db
END = data.START + timedelta(days=data.DAYS - 1)
PERIOD = selectors.DateRange(data.START, END)
END_MOMENT = data.at(END + timedelta(days=1), 0)


def _day(n: int, hour: int = 12) -> dt.datetime:
    return data.at(data.START + timedelta(days=n), hour * 3600)


def _local_day(moment: dt.datetime) -> date:
    return timezone.localtime(moment).date()


def _send(moment: dt.datetime, signal, **kwargs) -> None:
    # Billing sends its events after commit; the events they record are written on commit too.
    with time_machine.travel(moment, tick=False), TestCase.captureOnCommitCallbacks(execute=True):
        signal.send(sender=Invoice, currency="usd", reason="test", **kwargs)


def _subscriptions(buyer) -> tuple[Subscription, Subscription]:
    importlib.import_module("billing.migrations.0002_seed_plans").create_plans(apps, None)
    plan = Plan.objects.get(tier="pro")
    monthly = Subscription.objects.create(
        subscriber=buyer, plan=plan, status="active", stripe_subscription_id="sub_m"
    )
    yearly = Subscription.objects.create(
        subscriber=buyer,
        plan=plan,
        interval="year",
        status="active",
        stripe_subscription_id="sub_y",
    )
    return monthly, yearly


def _invoice(buyer, subscription, cents: int, ref: str, paid: dt.datetime, **extra) -> Invoice:
    return Invoice.objects.create(
        customer=buyer,
        subscription=subscription,
        stripe_invoice_id=ref,
        amount_cents=cents,
        status=extra.pop("status", "paid"),
        paid_at=paid,
        **extra,
    )


def _mrr_from_raw_events(end_moment: dt.datetime) -> int:
    """Monthly invoices paid in the 30 days before `end_moment` plus a twelfth of the yearly ones
    paid in the 365 days before it, leaving out every invoice refunded before it."""
    rows = list(Event.objects.filter(kind__in=["payment", "refund"]).values())
    refunded = {
        r["meta"]["reference"]
        for r in rows
        if r["kind"] == "refund" and r["occurred_at"] < end_moment
    }

    def paid(interval: str, days: int) -> int:
        return sum(
            r["value"]
            for r in rows
            if r["kind"] == "payment"
            and r["meta"].get("source") == "subscription"
            and r["meta"].get("interval") == interval
            and end_moment - r["occurred_at"] <= timedelta(days=days)
            and r["meta"]["reference"] not in refunded
        )

    return paid("month", 30) + round(paid("year", 365) / 12)


def test_refunded_subscription_invoices_leave_mrr_and_revenue_is_net_of_refunds(
    instructor, admin_user, client_for
):
    buyer = StudentFactory()
    monthly, yearly = _subscriptions(buyer)
    course = course_with_outline(instructors=[instructor], title="Mine")
    invoices = {
        # reference: (subscription, cents, paid day, refund day or None)
        "in_a": (monthly, 1500, 5, 8),  # paid and refunded in the window: out of MRR
        "in_b": (monthly, 1700, -20, 2),  # paid before the window: never in it
        "in_c": (monthly, 1900, 15, 25),  # refunded after the period: in MRR on its last day
        "in_e": (monthly, 2300, 18, None),
        "in_y": (yearly, 24000, -100, 10),  # a yearly invoice refunded: out of MRR
    }
    for ref, (subscription, cents, paid_day, refund_day) in invoices.items():
        invoice = _invoice(buyer, subscription, cents, ref, _day(paid_day))
        _send(
            _day(paid_day),
            billing_events.payment_succeeded,
            user=buyer,
            amount_cents=cents,
            reference=ref,
            invoice=invoice,
        )
        if refund_day is not None:
            _send(
                _day(refund_day),
                billing_events.refund_issued,
                user=buyer,
                amount_cents=cents,
                reference=ref,
                invoice=invoice,
            )
    # A refund recorded before refunds carried the paid time: matched to its payment by reference.
    legacy = _invoice(buyer, monthly, 2100, "in_d", _day(12))
    _send(
        _day(12),
        billing_events.payment_succeeded,
        user=buyer,
        amount_cents=2100,
        reference="in_d",
        invoice=legacy,
    )
    Event.objects.create(
        kind="refund",
        user=buyer,
        value=2100,
        occurred_at=_day(14),
        meta={
            "currency": "usd",
            "reference": "in_d",
            "source": "subscription",
            "interval": "month",
        },
    )
    purchase = Purchase.objects.create(
        buyer=buyer, course=course, amount_cents=4900, stripe_checkout_session_id="cs_1"
    )
    for signal, n in ((billing_events.payment_succeeded, 3), (billing_events.refund_issued, 4)):
        _send(
            _day(n),
            signal,
            user=buyer,
            amount_cents=4900,
            reference="cs_1",
            purchase=purchase,
        )
    refund_events = Event.objects.filter(kind="refund", meta__reference="in_a").get()
    assert (refund_events.object_id, refund_events.meta["paid_at"]) == (
        Invoice.objects.get(stripe_invoice_id="in_a").pk,
        _day(5).isoformat(),
    )
    services.facts_backfill(start=data.START - timedelta(days=101), end=END + timedelta(days=6))

    platform = selectors.revenue_summary(course_ids=None, period=PERIOD)
    assert platform["mrr_cents"] == _mrr_from_raw_events(END_MOMENT) == 1900 + 2300
    # Later, once in_c is refunded too, only in_e is left.
    later = selectors.DateRange(END, END + timedelta(days=6))
    assert (
        selectors.revenue_summary(course_ids=None, period=later)["mrr_cents"]
        == _mrr_from_raw_events(data.at(END + timedelta(days=7), 0))
        == 2300
    )
    rows = list(Event.objects.filter(kind__in=["payment", "refund"]).values())
    in_period = [r for r in rows if data.START <= _local_day(r["occurred_at"]) <= END]

    def total(kind: str, source: str | None = None) -> int:
        return sum(
            r["value"]
            for r in in_period
            if r["kind"] == kind and (source is None or r["meta"]["source"] == source)
        )

    assert platform["subscription_refunds_cents"] == total("refund", "subscription") == 29300
    assert platform["purchase_refunds_cents"] == total("refund", "purchase") == 4900
    assert platform["refunds_cents"] == total("refund")
    assert platform["net_cents"] == total("payment") - total("refund")
    by_course = {row["course_id"]: row["net_cents"] for row in platform["by_course"]}
    assert by_course == {course.pk: 0}
    (performance,) = selectors.instructor_performance(
        course_ids=None, period=PERIOD, instructor_ids=[instructor.pk]
    )
    assert (performance["revenue_cents"], performance["net_revenue_cents"]) == (4900, 0)
    api = client_for(admin_user).get(
        "/api/v1/analytics/platform/summary", {"start": data.START, "end": END}
    )
    assert api.json()["revenue"]["mrr_cents"] == 4200
    assert api.json()["revenue"]["subscription_refunds_cents"] == 29300


def _history(instructor):
    """Billing and Q&A rows written with no analytics event (as before events were captured),
    some of whose events were recorded anyway: by the receivers before payment events carried
    ids, or kept without their user by an erasure."""
    buyer, asker, helper = StudentFactory(), StudentFactory(), StudentFactory()
    monthly, yearly = _subscriptions(buyer)
    course = course_with_outline(instructors=[instructor], status=Course.Status.PUBLISHED)
    bundle = Bundle.objects.create(name="All", slug="all", amount_cents=9900)

    def purchase(n: int, ref: str, refunded: int | None = None, **choice) -> Purchase:
        with time_machine.travel(_day(n), tick=False):
            made = Purchase.objects.create(
                buyer=buyer, amount_cents=4900 + n, stripe_checkout_session_id=ref, **choice
            )
        if refunded is not None:
            Purchase.objects.filter(pk=made.pk).update(
                status="refunded", refunded_at=_day(refunded)
            )
        return made

    purchase(1, "cs_1", refunded=3, course=course)
    purchase(2, "cs_2", bundle=bundle)
    erased = purchase(8, "cs_8", course=course)
    purchase(40, "cs_late", course=course)  # after the range
    _invoice(buyer, monthly, 1900, "in_1", _day(4))
    _invoice(buyer, yearly, 19000, "in_2", _day(5), status="refunded", refunded_at=_day(6))
    _invoice(buyer, monthly, 1900, "in_3", None, status="failed")
    _invoice(buyer, monthly, 1900, "in_4", _day(7))
    # Recorded by the receivers before events carried ids; kept without its user by an erasure.
    Event.objects.create(
        kind="payment",
        user=buyer,
        value=1900,
        occurred_at=_day(7, 13),
        meta={
            "currency": "usd",
            "reference": "in_4",
            "source": "subscription",
            "interval": "month",
        },
    )
    Event.objects.create(
        kind="payment",
        course=course,
        object_id=erased.pk,
        value=4908,
        occurred_at=_day(8),
        meta={"currency": "usd", "source": "purchase"},
    )
    with time_machine.travel(_day(2), tick=False):
        first = make_question(asker=asker, course=course)
    with time_machine.travel(_day(2, 13), tick=False):
        make_answer(question=first, author=asker)
    with time_machine.travel(_day(3, 9), tick=False):
        make_answer(question=first, author=helper)
    with time_machine.travel(_day(4), tick=False):
        second = make_question(asker=helper, course=course)
    with time_machine.travel(_day(5), tick=False):
        recorded = make_answer(question=second, author=asker)
    Event.objects.create(
        kind="question_asked",
        user=helper,
        course=course,
        object_id=second.pk,
        occurred_at=second.created_at,
    )
    Event.objects.create(
        kind="question_answered",
        user=asker,
        course=course,
        object_id=second.pk,
        value=86400,
        occurred_at=recorded.created_at,
        meta={"by_asker": False},
    )
    return course, first, second


def _events() -> list[tuple]:
    return sorted(
        Event.objects.values_list(
            "kind", "user_id", "course_id", "object_id", "value", "occurred_at"
        ),
        key=repr,
    )


def test_the_backfill_creates_the_missing_history_once(instructor):
    course, first, second = _history(instructor)
    before = len(_events())

    created = backfill.events_backfill(start=data.START, end=END)

    assert created == {"payment": 4, "refund": 2, "question_asked": 1, "question_answered": 2}
    assert len(_events()) == before + 9
    # Every purchase, paid invoice, question and answer in the range now has exactly one event.
    for ref in ("cs_1", "cs_2", "in_1", "in_2", "in_4"):
        assert Event.objects.filter(kind="payment", meta__reference=ref).count() == 1, ref
    assert not Event.objects.filter(meta__reference__in=["in_3", "cs_late"]).exists()
    purchase = Purchase.objects.get(stripe_checkout_session_id="cs_1")
    refund = Event.objects.get(kind="refund", meta__reference="cs_1")
    assert (refund.user_id, refund.course_id, refund.object_id, refund.value) == (
        purchase.buyer_id,
        course.pk,
        purchase.pk,
        4901,
    )
    assert (refund.occurred_at, refund.meta["paid_at"]) == (_day(3), _day(1).isoformat())
    yearly = Event.objects.get(kind="payment", meta__reference="in_2")
    assert (yearly.meta["interval"], yearly.occurred_at, yearly.course_id) == (
        "year",
        _day(5),
        None,
    )
    answers = Event.objects.filter(kind="question_answered", object_id=first.pk).order_by(
        "occurred_at"
    )
    assert [(a.value, a.meta["by_asker"]) for a in answers] == [(3600, True), (75600, False)]

    # A second run creates nothing and changes nothing.
    snapshot = _events()
    assert backfill.events_backfill(start=data.START, end=END) == dict.fromkeys(
        ["payment", "refund", "question_asked", "question_answered"], 0
    )
    assert _events() == snapshot

    # The facts built from the history equal the raw events.
    services.facts_backfill(start=data.START, end=END)
    platform = selectors.revenue_summary(course_ids=None, period=PERIOD)
    paid = Event.objects.filter(kind="payment").values_list("value", flat=True)
    assert platform["revenue_cents"] == sum(paid) == 4901 + 4902 + 4908 + 1900 + 19000 + 1900
    assert platform["refunds_cents"] == 4901 + 19000
    assert platform["mrr_cents"] == _mrr_from_raw_events(END_MOMENT) == 1900 + 1900
    assert list(
        QuestionResponseFact.objects.order_by("question_id").values_list("question_id", "seconds")
    ) == [(first.pk, 75600), (second.pk, 86400)]


def test_the_backfill_command_creates_then_rolls_up_and_refuses_bad_ranges(instructor, settings):
    _history(instructor)
    out = StringIO()
    with time_machine.travel(_day(30), tick=False):
        call_command(
            "analytics_backfill_events",
            start=data.START.isoformat(),
            end=END.isoformat(),
            stdout=out,
        )
        assert (
            "Created 4 payment, 2 refund, 1 question_asked, 2 question_answered." in out.getvalue()
        )
        again = StringIO()
        call_command(
            "analytics_backfill_events",
            start=data.START.isoformat(),
            end=END.isoformat(),
            stdout=again,
        )
        assert (
            "Created 0 payment, 0 refund, 0 question_asked, 0 question_answered."
            in again.getvalue()
        )
        money = defaultdict(int)
        for kind, value in Event.objects.filter(kind__in=["payment", "refund"]).values_list(
            "kind", "value"
        ):
            money[kind] += value
        assert (
            selectors.revenue_summary(course_ids=None, period=PERIOD)["revenue_cents"]
            == money["payment"]
        )
        settings.ANALYTICS_RETENTION_DAYS = 20
        with pytest.raises(CommandError, match="ANALYTICS_RETENTION_DAYS"):
            call_command("analytics_backfill_events", start=data.START.isoformat())
        with pytest.raises(CommandError, match="YYYY-MM-DD"):
            call_command("analytics_backfill_events", start="march")


def test_an_erased_users_payments_keep_what_revenue_needs_and_are_not_backfilled_again(
    instructor, django_capture_on_commit_callbacks
):
    buyer = StudentFactory()
    monthly, _ = _subscriptions(buyer)
    invoice = _invoice(buyer, monthly, 1900, "in_1", _day(3))
    # Recorded by the receiver before payment events carried the invoice id.
    Event.objects.create(
        kind="payment",
        user=buyer,
        value=1900,
        occurred_at=_day(3),
        meta={
            "currency": "usd",
            "reference": "in_1",
            "source": "subscription",
            "interval": "month",
        },
    )
    services.user_analytics_delete(user_id=buyer.pk)
    event = Event.objects.get()
    assert (event.user_id, event.object_id, event.meta) == (
        None,
        invoice.pk,
        {"currency": "usd", "source": "subscription", "interval": "month"},
    )
    assert backfill.events_backfill(start=data.START, end=END)["payment"] == 0
    services.facts_backfill(start=data.START, end=END)
    platform = selectors.revenue_summary(course_ids=None, period=PERIOD)
    assert (platform["subscription_cents"], platform["mrr_cents"]) == (1900, 1900)
