"""The billing entitlement rules, as courses asks them."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from billing.tests.factories import BundleFactory, PurchaseFactory, subscribe
from courses import entitlements
from courses.models import Course, Lesson
from courses.tests.factories import (
    AdminFactory,
    InstructorFactory,
    StudentFactory,
    course_with_outline,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def courses_by_plan(plans) -> dict[str, Course]:
    return {plan: course_with_outline(required_plan=plan, modules=1) for plan in Course.Plan.values}


@pytest.mark.parametrize(
    ("tier", "open_plans"),
    [
        (None, {"free"}),
        ("basic", {"free", "basic"}),
        ("pro", {"free", "basic", "pro"}),
        ("premium", {"free", "basic", "pro", "premium"}),
    ],
)
def test_a_plan_opens_its_tier_and_the_tiers_below(courses_by_plan, tier, open_plans):
    student = StudentFactory()
    if tier:
        subscribe(student, tier)
    allowed = {
        plan for plan, course in courses_by_plan.items() if entitlements.can_enroll(student, course)
    }
    assert allowed == open_plans


@pytest.mark.parametrize("status", ["canceled", "incomplete", "unpaid", "incomplete_expired"])
def test_a_subscription_that_is_over_opens_nothing_paid(courses_by_plan, status):
    student = StudentFactory()
    subscribe(student, "premium", status=status)
    assert not entitlements.can_enroll(student, courses_by_plan["basic"])


def test_anonymous_users_enroll_nowhere_but_see_free_previews(courses_by_plan):
    anonymous = AnonymousUser()
    assert not entitlements.can_enroll(anonymous, courses_by_plan["free"])
    lesson = Lesson.objects.filter(module__course=courses_by_plan["pro"]).first()
    assert not entitlements.can_access_lesson(anonymous, lesson, is_enrolled=False)
    lesson.is_free_preview = True
    assert entitlements.can_access_lesson(anonymous, lesson, is_enrolled=False)


def test_staff_and_the_courses_instructors_always_get_in(courses_by_plan):
    course = courses_by_plan["premium"]
    instructor = course.instructors.first()
    assert entitlements.can_enroll(instructor, course)
    assert entitlements.can_enroll(AdminFactory(), course)
    assert not entitlements.can_enroll(InstructorFactory(), course)


def test_buying_a_course_or_a_bundle_opens_exactly_those_courses(courses_by_plan):
    student = StudentFactory()
    basic, pro, premium = (courses_by_plan[p] for p in ("basic", "pro", "premium"))
    PurchaseFactory(buyer=student, course=basic)
    bundle = BundleFactory(courses=[pro])
    PurchaseFactory(buyer=student, bundle=bundle)

    assert entitlements.can_enroll(student, basic)
    assert entitlements.can_enroll(student, pro)
    assert not entitlements.can_enroll(student, premium)
    assert not entitlements.can_enroll(StudentFactory(), pro)


def test_a_refunded_purchase_opens_nothing(courses_by_plan):
    student = StudentFactory()
    PurchaseFactory(buyer=student, course=courses_by_plan["pro"], status="refunded")
    assert not entitlements.can_enroll(student, courses_by_plan["pro"])


def test_enrolment_alone_does_not_open_a_paid_lesson(courses_by_plan):
    student = StudentFactory()
    lesson = Lesson.objects.filter(module__course=courses_by_plan["pro"]).first()
    assert not entitlements.can_access_lesson(student, lesson, is_enrolled=True)
    subscribe(student, "pro")
    assert entitlements.can_access_lesson(student, lesson, is_enrolled=True)
    assert not entitlements.can_access_lesson(student, lesson, is_enrolled=False)


def test_early_access_opens_to_premium_before_its_date_and_to_pro_after(plans):
    opens_at = timezone.now() + timedelta(days=10)
    course = course_with_outline(required_plan=Course.Plan.PRO, early_access_until=opens_at)
    premium, pro, basic = StudentFactory(), StudentFactory(), StudentFactory()
    subscribe(premium, "premium")
    subscribe(pro, "pro")
    subscribe(basic, "basic")

    with time_machine.travel(opens_at - timedelta(minutes=1)):
        assert entitlements.can_enroll(premium, course)
        assert not entitlements.can_enroll(pro, course)
        assert not entitlements.can_enroll(basic, course)
    with time_machine.travel(opens_at + timedelta(minutes=1)):
        assert entitlements.can_enroll(premium, course)
        assert entitlements.can_enroll(pro, course)
        assert not entitlements.can_enroll(basic, course)


def test_a_course_naming_its_early_access_plan_opens_early_to_that_plan(plans, settings):
    settings.BILLING_EARLY_ACCESS_PLAN = "premium"
    opens_at = timezone.now() + timedelta(days=10)
    course = course_with_outline(
        required_plan=Course.Plan.BASIC,
        early_access_until=opens_at,
        early_access_plan=Course.Plan.PRO,
    )
    pro, basic = StudentFactory(), StudentFactory()
    subscribe(pro, "pro")
    subscribe(basic, "basic")

    with time_machine.travel(opens_at - timedelta(minutes=1)):
        assert entitlements.can_enroll(pro, course)
        assert not entitlements.can_enroll(basic, course)
        assert entitlements.course_offer(basic, course).context["plan"].tier == "pro"
    with time_machine.travel(opens_at + timedelta(minutes=1)):
        assert entitlements.can_enroll(basic, course)


def test_early_access_is_closed_to_buyers_of_the_course_until_its_date(plans):
    opens_at = timezone.now() + timedelta(days=3)
    course = course_with_outline(required_plan=Course.Plan.BASIC, early_access_until=opens_at)
    buyer = StudentFactory()
    PurchaseFactory(buyer=buyer, course=course)
    assert not entitlements.can_enroll(buyer, course)
    with time_machine.travel(opens_at + timedelta(seconds=1)):
        assert entitlements.can_enroll(buyer, course)


def test_the_billing_rules_are_registered_at_start_up():
    from django.apps import apps

    entitlements.reset_provider()
    apps.get_app_config("billing").ready()
    assert type(entitlements._provider).__name__ == "SubscriptionEntitlements"


def test_ai_tools_need_pro_or_above(plans):
    from billing.entitlements import can_use_ai_tools

    basic, pro, premium, nobody = (StudentFactory() for _ in range(4))
    subscribe(basic, "basic")
    subscribe(pro, "pro")
    subscribe(premium, "premium")
    assert [can_use_ai_tools(u) for u in (basic, pro, premium, nobody)] == [
        False,
        True,
        True,
        False,
    ]
    assert can_use_ai_tools(InstructorFactory())
    assert not can_use_ai_tools(AnonymousUser())


def test_the_release_task_makes_due_commissions_payable(plans):
    from billing import services
    from billing.models import Commission
    from billing.tasks import release_commissions

    affiliate = services.affiliate_create(user=StudentFactory())
    customer = StudentFactory()
    services.referral_attribute_from_code(user=customer, code=affiliate.code)
    services.commission_record(user=customer, source="invoice:x", amount_cents=100, currency="usd")
    Commission.objects.update(payable_at=timezone.now() - timedelta(seconds=1))
    assert release_commissions.delay().get() == 1
    assert Commission.objects.get().status == "payable"


def test_celery_beat_releases_commissions_daily(settings):
    from celery.schedules import crontab

    from lms.celery import app

    (entry,) = [
        entry
        for entry in settings.CELERY_BEAT_SCHEDULE.values()
        if entry["task"] == "billing.release_commissions"
    ]
    assert entry["schedule"] == crontab(hour=3, minute=30)
    app.loader.import_default_modules()
    assert "billing.release_commissions" in app.tasks


def _first_lesson(course: Course) -> Lesson:
    return Lesson.objects.select_related("module__course").filter(module__course=course).first()


def test_the_courses_staff_open_its_lessons_unenrolled_and_without_a_plan(courses_by_plan):
    lesson = _first_lesson(courses_by_plan["premium"])
    instructor = lesson.module.course.instructors.first()

    assert entitlements.can_access_lesson(instructor, lesson, is_enrolled=False)
    assert entitlements.can_access_lesson(instructor, lesson, is_enrolled=True)
    assert entitlements.can_access_lesson(AdminFactory(), lesson, is_enrolled=False)
    assert not entitlements.can_access_lesson(InstructorFactory(), lesson, is_enrolled=True)


def test_an_enrolled_learner_opens_a_free_lesson_without_a_query(
    courses_by_plan, django_assert_num_queries
):
    """Every player report asks: the plan's answer comes first, the instructors not at all."""
    lesson = _first_lesson(courses_by_plan["free"])
    learner = StudentFactory()

    with django_assert_num_queries(0):
        assert entitlements.can_access_lesson(learner, lesson, is_enrolled=True)
