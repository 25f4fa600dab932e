"""Q&A and billing activity reach analytics through those apps' domain events; instructor
performance and revenue figures equal independent computations from the raw events."""

from __future__ import annotations

import datetime as dt
import importlib
import statistics
from collections import defaultdict
from datetime import date, timedelta

import pytest
import time_machine
from django.apps import apps
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from analytics import selectors, services
from analytics.models import DailyCourseFact, Event, QuestionResponseFact
from analytics.tests import data
from billing import events as billing_events
from billing.models import Bundle, Invoice, Plan, Purchase, Subscription
from courses.models import Course
from courses.tests.factories import StudentFactory, course_with_outline
from qa.tests.factories import make_answer, make_question

pytestmark = pytest.mark.django_db
END = data.START + timedelta(days=data.DAYS - 1)
RANGE = {"start": data.START.isoformat(), "end": END.isoformat()}
PERIOD = selectors.DateRange(data.START, END)
NOON = dt.datetime(2026, 3, 4, 12, 0, tzinfo=dt.UTC)


def _local_day(moment: dt.datetime) -> date:
    return timezone.localtime(moment).date()


def test_questions_and_answers_are_recorded_from_the_qa_events(
    instructor, student, django_capture_on_commit_callbacks
):
    course = course_with_outline(instructors=[instructor], status=Course.Status.PUBLISHED)
    with django_capture_on_commit_callbacks(execute=True):
        with time_machine.travel(NOON, tick=False):
            question = make_question(asker=student, course=course)
        with time_machine.travel(NOON + timedelta(hours=1), tick=False):
            make_answer(question=question, author=student)  # the asker's own follow-up
        with time_machine.travel(NOON + timedelta(hours=3), tick=False):
            make_answer(question=question, author=instructor)
        with time_machine.travel(NOON + timedelta(hours=5), tick=False):
            make_answer(question=question)
    rows = list(
        Event.objects.order_by("occurred_at").values_list(
            "kind", "user_id", "course_id", "object_id", "value", "meta"
        )
    )
    assert [row for row in rows if row[0] == "question_asked"] == [
        ("question_asked", student.pk, course.pk, question.pk, 0, {})
    ]
    answered = [row for row in rows if row[0] == "question_answered"]
    answer_ids = list(question.answers.order_by("created_at").values_list("pk", flat=True))
    assert [(r[1] == student.pk, r[2], r[3], r[4], r[5]) for r in answered] == [
        (True, course.pk, question.pk, 3600, {"by_asker": True, "answer_id": answer_ids[0]}),
        (False, course.pk, question.pk, 10800, {"by_asker": False, "answer_id": answer_ids[1]}),
        (False, course.pk, question.pk, 18000, {"by_asker": False, "answer_id": answer_ids[2]}),
    ]
    assert answered[1][1] == instructor.pk

    services.facts_rollup(day=_local_day(NOON))
    # The first answer by someone other than the asker: the instructor's, three hours later.
    assert list(
        QuestionResponseFact.objects.values_list("question_id", "course_id", "seconds")
    ) == [(question.pk, course.pk, 10800)]
    fact = DailyCourseFact.objects.get(course=course)
    assert (fact.questions_asked, fact.questions_answered) == (1, 1)


def _qa_events(courses: list[Course], students: list) -> None:
    """Questions in each course; first answers on the same or a later day, some outside the
    period, some only by the asker, some never answered."""
    events = []
    question_id = 1000
    for n, course in enumerate(courses):
        for k, asker in enumerate(students[:6]):
            question_id += 1
            asked = data.at(data.START + timedelta(days=(n * 3 + k * 2) % (data.DAYS + 3)), 600)
            events.append(
                Event(
                    kind="question_asked",
                    user=asker,
                    course=course,
                    object_id=question_id,
                    occurred_at=asked,
                )
            )
            if k == 5:
                continue  # never answered
            self_answer = asked + timedelta(minutes=10)
            events.append(
                Event(
                    kind="question_answered",
                    user=asker,
                    course=course,
                    object_id=question_id,
                    value=600,
                    occurred_at=self_answer,
                    meta={"by_asker": True},
                )
            )
            if k == 4:
                continue  # only the asker answered
            events.extend(
                Event(
                    kind="question_answered",
                    user=students[-1],
                    course=course,
                    object_id=question_id,
                    value=delay_minutes * 60,
                    occurred_at=asked + timedelta(minutes=delay_minutes),
                    meta={"by_asker": False},
                )
                for delay_minutes in (30 + 370 * k + 41 * n, 3000 + 97 * k)
            )
    Event.objects.bulk_create(events)


def _performance_reference(instructor_courses: set[int], start: date, end: date) -> dict:
    """Straight from the raw events: enrolments, completions, questions and the median time to
    each question's first answer by someone other than its asker, in the period."""
    rows = list(
        Event.objects.filter(course_id__in=instructor_courses)
        .order_by("occurred_at", "id")
        .values()
    )
    counts: dict[str, int] = defaultdict(int)
    first: dict[int, dict] = {}
    for row in rows:
        day = _local_day(row["occurred_at"])
        if row["kind"] == "question_answered" and not row["meta"]["by_asker"]:
            first.setdefault(row["object_id"], row)
        if not start <= day <= end:
            continue
        for kind, key in (
            ("enrolled", "enrollments"),
            ("course_completed", "completions"),
            ("question_asked", "questions_asked"),
        ):
            counts[key] += row["kind"] == kind
    waits = [
        (row["occurred_at"] - asked["occurred_at"]).total_seconds()
        for qid, row in first.items()
        for asked in rows
        if asked["kind"] == "question_asked"
        and asked["object_id"] == qid
        and start <= _local_day(row["occurred_at"]) <= end
    ]
    return {
        **counts,
        "questions_answered": len(waits),
        "median_response_hours": round(statistics.median(waits) / 3600, 2) if waits else None,
    }


def test_instructor_performance_equals_the_raw_events(
    instructor, other_instructor, admin_user, client_for, html_client_for
):
    mine, students = data.generate(instructor=instructor, courses=2)
    theirs, _ = data.generate(instructor=other_instructor, courses=1, seed=11)
    shared = mine[1]
    shared.instructors.add(other_instructor)
    Course.objects.filter(pk=mine[0].pk).update(rating_count=4, rating_total=17)
    Course.objects.filter(pk=shared.pk).update(rating_count=2, rating_total=6)
    Course.objects.filter(pk=theirs[0].pk).update(rating_count=1, rating_total=5)
    _qa_events([*mine, *theirs], students)
    services.facts_backfill(start=data.START - timedelta(days=1), end=END + timedelta(days=5))

    expected_mine = _performance_reference({c.pk for c in mine}, data.START, END)
    rows = {
        row["instructor_id"]: row
        for row in selectors.instructor_performance(course_ids=None, period=PERIOD)
    }
    row = rows[instructor.pk]
    for key, value in expected_mine.items():
        assert row[key] == value, key
    assert row["courses"] == 2
    assert (row["rating_count"], row["average_rating"]) == (6, round(23 / 6, 2))
    assert row["completion_percent"] == round(
        100 * expected_mine["completions"] / expected_mine["enrollments"], 1
    )
    expected_theirs = _performance_reference({shared.pk, theirs[0].pk}, data.START, END)
    for key, value in expected_theirs.items():
        assert rows[other_instructor.pk][key] == value, key
    assert rows[other_instructor.pk]["average_rating"] == round(11 / 3, 2)

    # The instructor's dashboard: their own row only, and its CSV export.
    page = html_client_for(instructor).get("/teach/analytics/", RANGE)
    assert page.status_code == 200
    assert instructor.email in page.content.decode()
    assert other_instructor.email not in page.content.decode()
    export = html_client_for(instructor).get(
        "/teach/analytics/", {**RANGE, "export": "instructors"}
    )
    lines = export.content.decode().splitlines()
    assert lines[0].split(",")[:2] == ["instructor_id", "email"]
    assert len(lines) == 2
    header = lines[0].split(",")
    values = dict(zip(header, lines[1].split(","), strict=True))
    assert values["median_response_hours"] == str(expected_mine["median_response_hours"])

    # The API: a course's summary covers that course only; another's course is refused.
    api = client_for(instructor).get(f"/api/v1/analytics/courses/{mine[0].pk}/summary", RANGE)
    assert api.status_code == 200
    expected_first = _performance_reference({mine[0].pk}, data.START, END)
    (api_row,) = api.json()["instructors"]
    assert api_row["instructor_id"] == instructor.pk
    for key, value in expected_first.items():
        assert api_row[key] == value, key
    refused = client_for(instructor).get(f"/api/v1/analytics/courses/{theirs[0].pk}/summary")
    assert refused.status_code == 403
    platform = client_for(admin_user).get("/api/v1/analytics/platform/summary", RANGE).json()
    assert {r["instructor_id"] for r in platform["instructors"]} == {
        instructor.pk,
        other_instructor.pk,
    }


def _plans() -> None:
    importlib.import_module("billing.migrations.0002_seed_plans").create_plans(apps, None)


def _pay(moment: dt.datetime, signal, **kwargs) -> None:
    # Billing sends its events after commit; the events they record are written on commit too.
    with time_machine.travel(moment, tick=False), TestCase.captureOnCommitCallbacks(execute=True):
        signal.send(sender=Purchase, currency="usd", reason="test", **kwargs)


def test_revenue_from_billing_events_equals_the_raw_events(
    instructor, other_instructor, admin_user, client_for, html_client_for
):
    _plans()
    buyer = StudentFactory()
    mine = course_with_outline(instructors=[instructor], title="Mine")
    theirs = course_with_outline(instructors=[other_instructor], title="Theirs")
    bundle = Bundle.objects.create(name="All", slug="all", amount_cents=9900)
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

    def purchase(course: Course | None, cents: int, ref: str) -> Purchase:
        return Purchase.objects.create(
            buyer=buyer,
            course=course,
            bundle=None if course else bundle,
            amount_cents=cents,
            stripe_checkout_session_id=ref,
        )

    def invoice(subscription: Subscription, cents: int, ref: str) -> Invoice:
        return Invoice.objects.create(
            customer=buyer,
            subscription=subscription,
            stripe_invoice_id=ref,
            amount_cents=cents,
            status="paid",
        )

    day = lambda n, hour=12: data.at(data.START + timedelta(days=n), hour * 3600)  # noqa: E731
    paid_mine = purchase(mine, 4900, "cs_1")
    _pay(
        day(1),
        billing_events.payment_succeeded,
        user=buyer,
        amount_cents=4900,
        reference="cs_1",
        purchase=paid_mine,
    )
    _pay(
        day(2),
        billing_events.payment_succeeded,
        user=buyer,
        amount_cents=2500,
        reference="cs_2",
        purchase=purchase(mine, 2500, "cs_2"),
    )
    _pay(
        day(3),
        billing_events.payment_succeeded,
        user=buyer,
        amount_cents=7000,
        reference="cs_3",
        purchase=purchase(theirs, 7000, "cs_3"),
    )
    _pay(
        day(4),
        billing_events.payment_succeeded,
        user=buyer,
        amount_cents=9900,
        reference="cs_4",
        purchase=purchase(None, 9900, "cs_4"),
    )
    # A monthly invoice before the MRR window (more than 30 days before the end) and one in it.
    _pay(
        day(-15),
        billing_events.payment_succeeded,
        user=buyer,
        amount_cents=1900,
        reference="in_0",
        invoice=invoice(monthly, 1900, "in_0"),
    )
    _pay(
        day(18),
        billing_events.payment_succeeded,
        user=buyer,
        amount_cents=1900,
        reference="in_1",
        invoice=invoice(monthly, 1900, "in_1"),
    )
    _pay(
        day(-100),
        billing_events.payment_succeeded,
        user=buyer,
        amount_cents=19000,
        reference="in_2",
        invoice=invoice(yearly, 19000, "in_2"),
    )
    _pay(
        day(6),
        billing_events.refund_issued,
        user=buyer,
        amount_cents=4900,
        reference="cs_1",
        purchase=paid_mine,
    )
    services.facts_backfill(start=data.START - timedelta(days=101), end=END)

    raw = list(Event.objects.filter(kind__in=["payment", "refund"]).values())
    assert len(raw) == 8
    in_period = [r for r in raw if data.START <= _local_day(r["occurred_at"]) <= END]
    paid = [r for r in in_period if r["kind"] == "payment"]
    refunded = [r for r in in_period if r["kind"] == "refund"]
    end_moment = data.at(END + timedelta(days=1), 0)
    expected_mrr = sum(
        r["value"]
        for r in raw
        if r["kind"] == "payment"
        and r["meta"].get("interval") == "month"
        and end_moment - r["occurred_at"] <= timedelta(days=30)
    ) + round(
        sum(
            r["value"]
            for r in raw
            if r["meta"].get("interval") == "year"
            and end_moment - r["occurred_at"] <= timedelta(days=365)
        )
        / 12
    )
    platform = selectors.revenue_summary(course_ids=None, period=PERIOD)
    assert platform["mrr_cents"] == expected_mrr == 1900 + round(19000 / 12)
    assert platform["revenue_cents"] == sum(r["value"] for r in paid)
    assert platform["refunds_cents"] == sum(r["value"] for r in refunded) == 4900
    assert platform["purchase_cents"] == sum(
        r["value"] for r in paid if r["meta"]["source"] == "purchase"
    )
    assert sum(d["revenue_cents"] for d in platform["daily"]) == platform["revenue_cents"]
    per_course = {r["course_id"]: r["net_cents"] for r in platform["by_course"]}
    expected_per_course: dict[int, int] = defaultdict(int)
    for r in in_period:
        if r["course_id"]:
            expected_per_course[r["course_id"]] += r["value"] * (
                1 if r["kind"] == "payment" else -1
            )
    assert per_course == dict(expected_per_course) == {mine.pk: 2500, theirs.pk: 7000}

    # The instructor sees their own course's money only, never the platform's subscriptions.
    mine_only = selectors.revenue_summary(course_ids=[mine.pk], period=PERIOD)
    assert (mine_only["mrr_cents"], mine_only["revenue_cents"], mine_only["refunds_cents"]) == (
        None,
        7400,
        4900,
    )
    performance = selectors.instructor_performance(
        course_ids=[mine.pk], period=PERIOD, instructor_ids=[instructor.pk]
    )
    assert performance[0]["net_revenue_cents"] == 2500
    page = html_client_for(instructor).get("/teach/analytics/", RANGE).content.decode()
    assert "Mine" in page
    assert "Theirs" not in page
    assert "MRR" not in page
    export = html_client_for(instructor).get(
        "/teach/analytics/", {**RANGE, "export": "revenue_courses"}
    )
    assert export.content.decode().splitlines() == [
        "course_id,title,revenue_cents,refunds_cents,net_cents",
        f"{mine.pk},Mine,7400,4900,2500",
    ]
    staff_page = html_client_for(admin_user).get("/staff/analytics/", RANGE).content.decode()
    assert f"MRR on {END}" in staff_page
    api = client_for(instructor).get(f"/api/v1/analytics/courses/{mine.pk}/summary", RANGE).json()
    assert api["revenue"]["net_cents"] == 2500
    assert api["revenue"]["mrr_cents"] is None
    assert (
        client_for(instructor).get(f"/api/v1/analytics/courses/{theirs.pk}/summary").status_code
        == 403
    )
    platform_api = client_for(admin_user).get("/api/v1/analytics/platform/summary", RANGE).json()
    assert platform_api["revenue"]["mrr_cents"] == expected_mrr


def test_revenue_and_performance_cost_a_fixed_number_of_queries(instructor):
    courses, students = data.generate(instructor=instructor, learners=3, courses=1)
    _qa_events(courses, students)
    services.facts_backfill(start=data.START, end=END)
    with CaptureQueriesContext(connection) as small:
        selectors.instructor_performance(course_ids=None, period=PERIOD)
        selectors.revenue_summary(course_ids=None, period=PERIOD)
    more, others = data.generate(instructor=instructor, learners=10, courses=3, seed=5)
    _qa_events(more, others)
    services.facts_backfill(start=data.START, end=END)
    with CaptureQueriesContext(connection) as large:
        selectors.instructor_performance(course_ids=None, period=PERIOD)
        selectors.revenue_summary(course_ids=None, period=PERIOD)
    assert len(small) == len(large) == 5
