"""Test data for the AI tools: a lesson that is not in the demo data, in a course, and learners
on a billing plan (the AI tools come with Pro and above)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import factory
from django.utils import timezone

from accounts.models import User
from billing.models import Plan, Subscription
from courses.models import Course, Lesson
from courses.tests.factories import (  # noqa: F401 - re-exported for the AI tools tests
    CourseFactory,
    EnrollmentFactory,
    LessonFactory,
    ModuleFactory,
    QuestionFactory,
    QuizFactory,
    SkillFactory,
)
from courses.tests.factories import StudentFactory as PlanlessStudentFactory

PLAN_PRICES = {"basic": 900, "pro": 1900, "premium": 3900}


def plan_subscribe(user: User, tier: str) -> Subscription:
    """An active subscription to a plan (the seeded plan row, put back if a transactional test
    elsewhere flushed it)."""
    plan, _ = Plan.objects.get_or_create(
        tier=tier,
        defaults={
            "name": tier.capitalize(),
            "monthly_price_cents": PLAN_PRICES[tier],
            "yearly_price_cents": PLAN_PRICES[tier] * 10,
        },
    )
    return Subscription.objects.create(
        subscriber=user,
        plan=plan,
        status=Subscription.Status.ACTIVE,
        stripe_subscription_id=f"sub_ai_{user.pk}_{tier}",
        current_period_end=timezone.now() + timedelta(days=30),
    )


class StudentFactory(PlanlessStudentFactory):
    """A learner on the Pro plan; `StudentFactory(plan="basic")`, or `plan="free"` for none."""

    class Meta:
        skip_postgeneration_save = True

    @factory.post_generation
    def plan(obj: User, create: bool, extracted: str | None, **kwargs: Any) -> None:  # noqa: N805 - factory_boy passes the object first
        tier = extracted or "pro"
        if create and tier != "free":
            plan_subscribe(obj, tier)


TIDES_TEXT = (Path(__file__).parent / "tides.md").read_text()

VOLCANO_TEXT = """Volcanoes form where molten rock, called magma, rises through the crust.
When magma reaches the surface it is called lava. Shield volcanoes have gentle slopes built from
runny basalt lava, like those of Hawaii. Stratovolcanoes are steep cones of alternating ash and
lava layers, and their sticky magma traps gas, which makes their eruptions explosive. Geologists
watch for ground swelling, small earthquakes and gas emissions to forecast eruptions."""


def tides_course(**course_fields: Any) -> tuple[Course, Lesson, Lesson]:
    """A course with two article lessons: tides and volcanoes."""
    course = CourseFactory(title="Earth science", **course_fields)
    module = ModuleFactory(course=course, order=1, title="Oceans and mountains")
    tides = LessonFactory(module=module, order=1, title="How tides work", body=TIDES_TEXT)
    volcanoes = LessonFactory(module=module, order=2, title="Volcanoes", body=VOLCANO_TEXT)
    return course, tides, volcanoes
