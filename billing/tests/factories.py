"""Billing test data, made the way the webhooks would make it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from billing.models import Bundle, CoursePrice, Plan, Purchase, Subscription


class SubscriptionFactory(DjangoModelFactory):
    class Meta:
        model = Subscription

    plan = factory.LazyFunction(lambda: Plan.objects.get(tier="pro"))
    status = Subscription.Status.ACTIVE
    stripe_subscription_id = factory.Sequence(lambda n: f"sub_test_{n}")
    current_period_end = factory.LazyFunction(lambda: timezone.now() + timedelta(days=30))


def subscribe(user: Any, tier: str, **fields: Any) -> Subscription:
    return SubscriptionFactory(subscriber=user, plan=Plan.objects.get(tier=tier), **fields)


class CoursePriceFactory(DjangoModelFactory):
    class Meta:
        model = CoursePrice

    amount_cents = 4900
    stripe_price_id = factory.Sequence(lambda n: f"price_course_{n}")


class BundleFactory(DjangoModelFactory):
    class Meta:
        model = Bundle
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Bundle {n}")
    slug = factory.Sequence(lambda n: f"bundle-{n}")
    amount_cents = 9900
    stripe_price_id = factory.Sequence(lambda n: f"price_bundle_{n}")

    @factory.post_generation
    def courses(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create and extracted:
            self.courses.set(extracted)


class PurchaseFactory(DjangoModelFactory):
    class Meta:
        model = Purchase

    amount_cents = 4900
    stripe_checkout_session_id = factory.Sequence(lambda n: f"cs_test_p{n}")
    stripe_payment_intent_id = factory.Sequence(lambda n: f"pi_test_{n}")
