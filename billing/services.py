"""Writes: checkout, Stripe webhook events, subscriptions, purchases, refunds and affiliates."""

from __future__ import annotations

import functools
import logging
import secrets
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from djstripe import models as djstripe_models

from billing import events, selectors, stripe_client
from billing.exceptions import (
    AlreadyEntitledError,
    NothingToBuyError,
    NotRefundableError,
    PaymentsNotConfiguredError,
    PlanNotFoundError,
    SelfReferralError,
    StripeUnavailableError,
)
from billing.models import (
    Affiliate,
    Bundle,
    Commission,
    CoursePrice,
    Invoice,
    Plan,
    Purchase,
    Referral,
    Subscription,
)
from courses.models import Course

logger = logging.getLogger(__name__)


# --- customers and checkout -----------------------------------------------------------------------


@transaction.atomic
def customer_get_or_create(*, user: Any) -> djstripe_models.Customer:
    """The user's Stripe customer (dj-stripe's), created at Stripe the first time.

    dj-stripe tags the customer with the user's id (`djstripe_subscriber`) and uses an idempotency
    key per user, so a retry never makes a second customer.
    """
    try:
        customer, _ = djstripe_models.Customer.get_or_create(subscriber=user)
    except stripe_client.StripeError as error:
        raise StripeUnavailableError(
            "The payment provider could not open your billing account; please try again."
        ) from error
    return customer


def checkout_create(
    *,
    user: Any,
    success_url: str,
    cancel_url: str,
    plan_tier: str = "",
    interval: str = "month",
    course: Course | None = None,
    bundle: Bundle | None = None,
    referral_code: str = "",
) -> str:
    """Open Stripe Checkout for a plan, a course or a bundle; returns the Checkout URL."""
    if not stripe_client.is_configured():
        raise PaymentsNotConfiguredError("Payments are not configured on this Lumen site yet.")
    if sum(bool(x) for x in (plan_tier, course, bundle)) != 1:
        raise NothingToBuyError("Choose exactly one plan, course or bundle to buy.")
    if referral_code:
        referral_attribute_from_code(user=user, code=referral_code, strict=False)
    metadata = {"user_id": str(user.pk)}
    if plan_tier:
        plan = selectors.plan_list().filter(tier=plan_tier).first()
        if plan is None:
            raise PlanNotFoundError(f"There is no plan called '{plan_tier}'.")
        if interval not in Subscription.Interval.values:
            raise NothingToBuyError("Choose a monthly or a yearly price.")
        price_id = (
            plan.stripe_monthly_price_id if interval == "month" else plan.stripe_yearly_price_id
        )
        current = selectors.subscription_current_get(user=user)
        if current is not None and current.status != Subscription.Status.INCOMPLETE:
            raise AlreadyEntitledError(
                "You already have a subscription: change your plan from the billing page."
            )
        mode = "subscription"
        metadata.update({"plan": plan.tier, "interval": interval})
    elif course is not None:
        if course.is_free or course.status != Course.Status.PUBLISHED:
            raise NothingToBuyError("This course is not for sale.")
        price = CoursePrice.objects.filter(course=course).first()
        if price is None:
            raise NothingToBuyError("This course is only available with a subscription.")
        if selectors.user_owns_course(user=user, course_id=course.pk):
            raise AlreadyEntitledError("You already own this course.")
        price_id, mode = price.stripe_price_id, "payment"
        metadata["course_id"] = str(course.pk)
    else:  # exactly one of the three was chosen above: the bundle
        assert bundle is not None  # noqa: S101  # narrows the type; the count above guarantees it
        if not bundle.is_active:
            raise NothingToBuyError("This bundle is no longer for sale.")
        price_id, mode = bundle.stripe_price_id, "payment"
        metadata["bundle_id"] = str(bundle.pk)
    if not price_id:
        raise PaymentsNotConfiguredError(
            "This price is not set up at Stripe yet (run `manage.py billing_sync_stripe`)."
        )
    customer = customer_get_or_create(user=user)
    _, url = stripe_client.checkout_session_create(
        mode=mode,
        customer_id=customer.id,
        price_id=price_id,
        success_url=success_url,
        cancel_url=cancel_url,
        metadata=metadata,
        client_reference_id=str(user.pk),
    )
    return url


def billing_portal_url_create(*, user: Any, return_url: str) -> str:
    """The Stripe customer portal for the user's plan, cards and cancellation."""
    customer = djstripe_models.Customer.objects.filter(subscriber=user).order_by("-created").first()
    if customer is None:
        raise NothingToBuyError("You have no billing account yet: choose a plan first.")
    return stripe_client.billing_portal_session_create(
        customer_id=customer.id, return_url=return_url
    )


# --- webhook events -------------------------------------------------------------------------------


# dj-stripe verifies each delivery's signature, stores each event id once (a replay is not
# processed again) and syncs the object the event names from Stripe's API into its own models, then
# sends the event's signal; billing's receiver calls `stripe_event_apply` with that event.

# The dj-stripe model holding the freshly synced object, by event category.
_SYNCED_MODELS: dict[str, type[Any]] = {
    "checkout": djstripe_models.Session,
    "customer": djstripe_models.Subscription,  # customer.subscription.*
    "invoice": djstripe_models.Invoice,
    "charge": djstripe_models.Charge,
}


def stripe_event_apply(*, event: djstripe_models.Event) -> None:
    """Bring entitlements up to date with a verified Stripe event (runs once per event id).

    It reads the object as dj-stripe just synced it from Stripe's API (the current state, whatever
    order events arrive in), falling back on the event's own snapshot. It runs inside dj-stripe's
    transaction: if it fails, the event is not recorded and Stripe's retry gets another chance.
    """
    handler = STRIPE_EVENT_HANDLERS.get(event.type)
    if handler is None:
        return
    snapshot: dict[str, Any] = event.data["object"]
    model = _SYNCED_MODELS.get(event.type.split(".", 1)[0])
    synced = model.objects.filter(id=snapshot.get("id")).first() if model else None
    # dj-stripe skips the sync of an object Stripe no longer has: its old copy is then staler
    # than the event's.
    if (
        synced is not None
        and synced.stripe_data
        and synced.djstripe_updated >= event.djstripe_created
    ):
        handler(dict(synced.stripe_data))
    else:
        handler(snapshot)


def _id(value: Any) -> str:
    """A Stripe id, whether the field holds the id or the expanded object."""
    if isinstance(value, dict):
        return str(value.get("id") or "")
    return str(value or "")


def _timestamp(value: Any) -> datetime | None:
    return datetime.fromtimestamp(int(value), tz=UTC) if value else None


def _publish(signal: Any, *, sender: type = Subscription, **kwargs: Any) -> None:
    """Send one of billing's events once the webhook's (or the refund's) transaction commits."""
    transaction.on_commit(functools.partial(signal.send, sender=sender, **kwargs))


def _publish_payment(
    signal: Any,
    *,
    user: Any,
    amount_cents: int,
    currency: str,
    reference: str,
    reason: str,
    invoice: Invoice | None = None,
    purchase: Purchase | None = None,
) -> None:
    _publish(
        signal,
        sender=Invoice if invoice is not None else Purchase,
        user=user,
        amount_cents=amount_cents,
        currency=currency,
        reference=reference,
        reason=reason,
        invoice=invoice,
        purchase=purchase,
    )


def _user_for(obj: dict[str, Any]) -> Any:
    """The Lumen user behind a Stripe object: its dj-stripe customer's subscriber, else metadata."""
    from django.contrib.auth import get_user_model

    customer_id = obj.get("customer")
    if isinstance(customer_id, dict):
        customer_id = customer_id.get("id")
    if customer_id:
        customer = (
            djstripe_models.Customer.objects.select_related("subscriber")
            .filter(id=customer_id, subscriber__isnull=False)
            .first()
        )
        if customer is not None:
            return customer.subscriber
    metadata = obj.get("metadata") or {}
    user_id = metadata.get("user_id") or obj.get("client_reference_id")
    if user_id and str(user_id).isdigit():
        return get_user_model().objects.filter(pk=user_id).first()
    return None


def _checkout_session_completed(session: dict[str, Any]) -> None:
    user = _user_for(session)
    if user is None:
        logger.warning("Checkout session %s has no Lumen user", session.get("id"))
        return
    if session.get("mode") != "payment":
        return  # subscriptions arrive as customer.subscription.* events
    if session.get("payment_status") not in {"paid", "no_payment_required"}:
        # A delayed method (a bank debit): the purchase waits for async_payment_succeeded.
        logger.info("Checkout session %s completed unpaid; waiting for payment", session.get("id"))
        return
    metadata = session.get("metadata") or {}
    course = Course.objects.filter(pk=metadata.get("course_id") or 0).first()
    bundle = Bundle.objects.filter(pk=metadata.get("bundle_id") or 0).first()
    if (course is None) == (bundle is None):
        logger.warning("Checkout session %s names no course or bundle", session.get("id"))
        return
    purchase, created = Purchase.objects.get_or_create(
        stripe_checkout_session_id=session["id"],
        defaults={
            "buyer": user,
            "course": course,
            "bundle": bundle,
            "amount_cents": session.get("amount_total") or 0,
            "currency": session.get("currency") or "usd",
            "stripe_payment_intent_id": _id(session.get("payment_intent")),
        },
    )
    if created:
        commission_record(
            user=user,
            source=f"purchase:{purchase.stripe_checkout_session_id}",
            amount_cents=purchase.amount_cents,
            currency=purchase.currency,
        )
        _publish_payment(
            events.payment_succeeded,
            user=user,
            amount_cents=purchase.amount_cents,
            currency=purchase.currency,
            reference=purchase.stripe_checkout_session_id,
            reason="purchase",
            purchase=purchase,
        )


def _plan_for(obj: dict[str, Any]) -> tuple[Plan | None, str]:
    items = (obj.get("items") or {}).get("data") or []
    price = items[0].get("price") if items else None
    if price:
        plan = (
            Plan.objects.filter(stripe_monthly_price_id=price["id"]).first()
            or Plan.objects.filter(stripe_yearly_price_id=price["id"]).first()
        )
        interval = (price.get("recurring") or {}).get("interval") or "month"
        if plan is not None:
            return plan, interval
    metadata = obj.get("metadata") or {}
    return Plan.objects.filter(tier=metadata.get("plan", "")).first(), metadata.get(
        "interval", "month"
    )


def _subscription_upsert(obj: dict[str, Any]) -> None:
    user = _user_for(obj)
    plan, interval = _plan_for(obj)
    if user is None or plan is None:
        logger.warning("Subscription %s: unknown user or plan", obj.get("id"))
        return
    items = (obj.get("items") or {}).get("data") or []
    period_end = obj.get("current_period_end") or (
        items[0].get("current_period_end") if items else None
    )
    status = obj.get("status", Subscription.Status.INCOMPLETE)
    subscription = (
        Subscription.objects.select_for_update().filter(stripe_subscription_id=obj["id"]).first()
    )
    previous_status = subscription.status if subscription is not None else None
    if subscription is None:
        subscription = Subscription(stripe_subscription_id=obj["id"], subscriber=user)
    subscription.plan = plan
    subscription.interval = interval if interval in Subscription.Interval.values else "month"
    subscription.current_period_end = _timestamp(period_end)
    subscription.cancel_at_period_end = bool(obj.get("cancel_at_period_end"))
    if status == Subscription.Status.PAST_DUE:
        subscription.past_due_since = subscription.past_due_since or timezone.now()
    else:
        subscription.past_due_since = None
    if status == Subscription.Status.CANCELED and subscription.canceled_at is None:
        subscription.canceled_at = _timestamp(obj.get("canceled_at")) or timezone.now()
    subscription.status = status
    subscription.save()
    _subscription_events_publish(subscription, previous_status=previous_status)


_ACTIVE_STATUSES = frozenset({Subscription.Status.ACTIVE, Subscription.Status.TRIALING})


def _subscription_events_publish(
    subscription: Subscription, *, previous_status: str | None
) -> None:
    """The facts a status change makes: started, past due, cancelled (each once per change)."""
    status = subscription.status
    if status == previous_status:
        return
    if status in _ACTIVE_STATUSES and previous_status in (None, Subscription.Status.INCOMPLETE):
        _publish(events.subscription_started, subscription=subscription)
    elif status == Subscription.Status.PAST_DUE:
        _publish(events.subscription_past_due, subscription=subscription)
    elif status == Subscription.Status.CANCELED and previous_status is not None:
        _publish(events.subscription_cancelled, subscription=subscription)


def _invoice_upsert(obj: dict[str, Any], *, status: str) -> tuple[Invoice | None, str | None]:
    """The invoice brought up to date, and its status before (None when it is new here)."""
    user = _user_for(obj)
    if user is None:
        logger.warning("Invoice %s: unknown customer", obj.get("id"))
        return None, None
    subscription_id = _id(obj.get("subscription")) or _id(
        ((obj.get("parent") or {}).get("subscription_details") or {}).get("subscription")
    )
    subscription = Subscription.objects.filter(stripe_subscription_id=subscription_id).first()
    invoice, created = Invoice.objects.select_for_update().get_or_create(
        stripe_invoice_id=obj["id"],
        defaults={"customer": user, "status": status},
    )
    previous_status = None if created else invoice.status
    if invoice.status == Invoice.Status.REFUNDED:
        return invoice, previous_status
    invoice.subscription = subscription
    invoice.amount_cents = obj.get("amount_paid") or obj.get("amount_due") or 0
    invoice.currency = obj.get("currency") or "usd"
    # Newer API versions list the payments instead of naming one payment intent and charge.
    payments = (obj.get("payments") or {}).get("data") or [{}]
    invoice.stripe_payment_intent_id = _id(obj.get("payment_intent")) or _id(
        (payments[0].get("payment") or {}).get("payment_intent")
    )
    invoice.stripe_charge_id = _id(obj.get("charge"))
    invoice.hosted_invoice_url = obj.get("hosted_invoice_url") or ""
    invoice.status = status
    if status == Invoice.Status.PAID and invoice.paid_at is None:
        invoice.paid_at = timezone.now()
    invoice.save()
    return invoice, previous_status


def _invoice_paid(obj: dict[str, Any]) -> None:
    invoice, previous_status = _invoice_upsert(obj, status=Invoice.Status.PAID)
    if invoice is None or invoice.status != Invoice.Status.PAID or invoice.amount_cents == 0:
        return
    commission_record(
        user=invoice.customer,
        source=f"invoice:{invoice.stripe_invoice_id}",
        amount_cents=invoice.amount_cents,
        currency=invoice.currency,
    )
    if previous_status == Invoice.Status.PAID:
        return  # invoice.paid and invoice.payment_succeeded report the same payment
    reason = str(obj.get("billing_reason") or "")
    if reason == "subscription_cycle" and invoice.subscription is not None:
        _publish(events.subscription_renewed, subscription=invoice.subscription, invoice=invoice)
    _publish_payment(
        events.payment_succeeded,
        user=invoice.customer,
        amount_cents=invoice.amount_cents,
        currency=invoice.currency,
        reference=invoice.stripe_invoice_id,
        reason=reason,
        invoice=invoice,
    )


def _invoice_payment_failed(obj: dict[str, Any]) -> None:
    invoice, previous_status = _invoice_upsert(obj, status=Invoice.Status.FAILED)
    if invoice is not None and invoice.subscription is not None:
        Subscription.objects.filter(pk=invoice.subscription.pk, past_due_since__isnull=True).update(
            past_due_since=timezone.now()
        )
    # Stripe's retries may fail the invoice again: that is the same fact, told once.
    if (
        invoice is not None
        and invoice.status == Invoice.Status.FAILED
        and previous_status != Invoice.Status.FAILED
    ):
        _publish_payment(
            events.payment_failed,
            user=invoice.customer,
            amount_cents=int(obj.get("amount_due") or invoice.amount_cents),
            currency=invoice.currency,
            reference=invoice.stripe_invoice_id,
            reason=str(obj.get("billing_reason") or ""),
            invoice=invoice,
        )


def _charge_refunded(charge: dict[str, Any]) -> None:
    payment_intent = _id(charge.get("payment_intent"))
    if not payment_intent or not charge.get("refunded", True):
        return  # a partial refund leaves access as it is
    for purchase in Purchase.objects.filter(stripe_payment_intent_id=payment_intent):
        _purchase_mark_refunded(purchase)
    for invoice in Invoice.objects.filter(stripe_payment_intent_id=payment_intent):
        _invoice_mark_refunded(invoice)


def _checkout_session_async_payment_failed(session: dict[str, Any]) -> None:
    # Nothing was granted for the unpaid session, so there is nothing to take back.
    logger.info("Delayed payment failed for Checkout session %s", session.get("id"))
    user = _user_for(session)
    if user is not None and session.get("mode") == "payment":
        _publish_payment(
            events.payment_failed,
            user=user,
            amount_cents=int(session.get("amount_total") or 0),
            currency=str(session.get("currency") or "usd"),
            reference=str(session["id"]),
            reason="purchase",
        )


STRIPE_EVENT_HANDLERS = {
    "checkout.session.completed": _checkout_session_completed,
    "checkout.session.async_payment_succeeded": _checkout_session_completed,
    "checkout.session.async_payment_failed": _checkout_session_async_payment_failed,
    "customer.subscription.created": _subscription_upsert,
    "customer.subscription.updated": _subscription_upsert,
    "customer.subscription.deleted": _subscription_upsert,
    "invoice.paid": _invoice_paid,
    "invoice.payment_succeeded": _invoice_paid,
    "invoice.payment_failed": _invoice_payment_failed,
    "charge.refunded": _charge_refunded,
}


@transaction.atomic
def webhook_endpoint_from_settings(*, url: str) -> djstripe_models.WebhookEndpoint:
    """dj-stripe's record of the endpoint Stripe posts to, holding STRIPE_WEBHOOK_SECRET.

    Endpoints created through dj-stripe's admin carry their own secret and URL
    (/djstripe/webhook/<uuid>/); this one is the endpoint configured by environment variables.
    """
    endpoint = djstripe_models.WebhookEndpoint.objects.filter(
        id=SETTINGS_WEBHOOK_ENDPOINT_ID, secret=settings.STRIPE_WEBHOOK_SECRET
    ).first()
    if endpoint is not None:
        return endpoint
    endpoint, _ = djstripe_models.WebhookEndpoint.objects.update_or_create(
        id=SETTINGS_WEBHOOK_ENDPOINT_ID,
        defaults={
            "secret": settings.STRIPE_WEBHOOK_SECRET,
            "url": url,
            "livemode": settings.STRIPE_LIVE_MODE,
            "enabled_events": ["*"],
            "status": "enabled",
        },
    )
    return endpoint


SETTINGS_WEBHOOK_ENDPOINT_ID = "we_lumen_settings"


# --- refunds --------------------------------------------------------------------------------------


def _purchase_mark_refunded(purchase: Purchase) -> bool:
    updated = Purchase.objects.filter(pk=purchase.pk, status=Purchase.Status.PAID).update(
        status=Purchase.Status.REFUNDED, refunded_at=timezone.now()
    )
    commission_reverse(source=f"purchase:{purchase.stripe_checkout_session_id}")
    if updated:
        _publish_payment(
            events.refund_issued,
            user=purchase.buyer,
            amount_cents=purchase.amount_cents,
            currency=purchase.currency,
            reference=purchase.stripe_checkout_session_id,
            reason="purchase",
            purchase=purchase,
        )
    return bool(updated)


def _invoice_mark_refunded(invoice: Invoice) -> bool:
    now = timezone.now()
    updated = Invoice.objects.filter(pk=invoice.pk, status=Invoice.Status.PAID).update(
        status=Invoice.Status.REFUNDED, refunded_at=now
    )
    ended = 0
    if updated and invoice.subscription_id:
        # The period that was refunded is not owed any more: the plan ends now.
        ended = (
            Subscription.objects.filter(pk=invoice.subscription_id)
            .exclude(status=Subscription.Status.CANCELED)
            .update(status=Subscription.Status.CANCELED, canceled_at=now)
        )
    commission_reverse(source=f"invoice:{invoice.stripe_invoice_id}")
    if updated:
        _publish_payment(
            events.refund_issued,
            user=invoice.customer,
            amount_cents=invoice.amount_cents,
            currency=invoice.currency,
            reference=invoice.stripe_invoice_id,
            reason="invoice",
            invoice=invoice,
        )
    if ended:
        subscription = Subscription.objects.get(pk=invoice.subscription_id)
        _publish(events.subscription_cancelled, subscription=subscription)
    return bool(updated)


@transaction.atomic
def purchase_refund(*, purchase: Purchase) -> Purchase:
    """Refund a purchase in full through Stripe; access to its courses ends at once."""
    purchase = Purchase.objects.select_for_update().get(pk=purchase.pk)
    if purchase.status != Purchase.Status.PAID or not purchase.stripe_payment_intent_id:
        raise NotRefundableError("This purchase has already been refunded or was never paid.")
    stripe_client.refund_create(
        payment_intent_id=purchase.stripe_payment_intent_id,
        idempotency_key=f"lumen-refund-purchase-{purchase.pk}",
    )
    _purchase_mark_refunded(purchase)
    purchase.refresh_from_db()
    return purchase


@transaction.atomic
def invoice_refund_last(*, user: Any) -> Invoice:
    """Refund the user's last paid invoice through Stripe and end the subscription it paid for."""
    invoice = (
        Invoice.objects.select_for_update()
        .filter(customer=user, status=Invoice.Status.PAID)
        .exclude(stripe_payment_intent_id="")
        .order_by("-paid_at", "-id")
        .first()
    )
    if invoice is None:
        raise NotRefundableError(f"{user} has no paid invoice to refund.")
    stripe_client.refund_create(
        payment_intent_id=invoice.stripe_payment_intent_id,
        idempotency_key=f"lumen-refund-invoice-{invoice.pk}",
    )
    if invoice.subscription is not None and invoice.subscription.status != "canceled":
        stripe_client.subscription_cancel(
            subscription_id=invoice.subscription.stripe_subscription_id
        )
    _invoice_mark_refunded(invoice)
    invoice.refresh_from_db()
    return invoice


# --- affiliates -----------------------------------------------------------------------------------


@transaction.atomic
def affiliate_create(*, user: Any) -> Affiliate:
    """Make the user an affiliate with a fresh referral code (joining twice returns the same)."""
    affiliate, _ = Affiliate.objects.get_or_create(
        user=user,
        defaults={
            "code": secrets.token_urlsafe(6).replace("_", "x").replace("-", "y").lower(),
            "commission_percent": Decimal(str(settings.AFFILIATE_COMMISSION_PERCENT)),
        },
    )
    return affiliate


def affiliate_click_record(*, code: str) -> Affiliate | None:
    """Count a visit through a referral link; returns the affiliate, or None for a bad code."""
    affiliate = Affiliate.objects.filter(code=code, is_active=True).first()
    if affiliate is not None:
        Affiliate.objects.filter(pk=affiliate.pk).update(click_count=F("click_count") + 1)
    return affiliate


@transaction.atomic
def referral_attribute_from_code(*, user: Any, code: str, strict: bool = True) -> Referral | None:
    """Credit the affiliate with this code for the user (once; never themselves).

    `strict` raises on a self-referral; otherwise (the cookie at sign-up or checkout) it is
    ignored quietly, as is an unknown code or a user already referred.
    """
    affiliate = Affiliate.objects.filter(code=code, is_active=True).first()
    if affiliate is None:
        return None
    if affiliate.user_id == user.pk:
        if strict:
            raise SelfReferralError("You cannot refer yourself.")
        return None
    referral, _ = Referral.objects.get_or_create(
        referred_user=user, defaults={"affiliate": affiliate}
    )
    return referral


def commission_record(*, user: Any, source: str, amount_cents: int, currency: str) -> None:
    """One commission for a referred customer's payment (`source` names it; repeats ignored)."""
    referral = Referral.objects.select_related("affiliate").filter(referred_user=user).first()
    if referral is None or not referral.affiliate.is_active:
        return
    amount = (Decimal(amount_cents) * referral.affiliate.commission_percent / 100).quantize(
        Decimal("1")
    )
    Commission.objects.get_or_create(
        source=source,
        defaults={
            "affiliate": referral.affiliate,
            "referral": referral,
            "amount_cents": int(amount),
            "currency": currency,
            "payable_at": timezone.now() + timedelta(days=settings.BILLING_REFUND_WINDOW_DAYS),
        },
    )


def commission_reverse(*, source: str) -> int:
    """Reverse the commission on a refunded payment (unless it was already paid out)."""
    return Commission.objects.filter(
        source=source, status__in=[Commission.Status.PENDING, Commission.Status.PAYABLE]
    ).update(status=Commission.Status.REVERSED, reversed_at=timezone.now())


@transaction.atomic
def commission_release_due() -> int:
    """Pending commissions whose refund window has closed become payable."""
    return Commission.objects.filter(
        status=Commission.Status.PENDING, payable_at__lte=timezone.now()
    ).update(status=Commission.Status.PAYABLE)


@transaction.atomic
def commission_mark_paid(*, commission_ids: list[int]) -> int:
    """Record the payout of payable commissions."""
    return Commission.objects.filter(
        pk__in=commission_ids, status=Commission.Status.PAYABLE
    ).update(status=Commission.Status.PAID, paid_at=timezone.now())


# --- plan sync ------------------------------------------------------------------------------------


@transaction.atomic
def stripe_catalog_sync() -> list[str]:
    """Create the missing Stripe products and prices for plans, course prices and bundles."""
    done: list[str] = []
    for plan in Plan.objects.select_for_update():
        if not plan.stripe_product_id:
            plan.stripe_product_id = stripe_client.product_create(
                name=f"Lumen {plan.name}", description=plan.description, lookup=f"plan-{plan.tier}"
            )
        for interval, field, cents in (
            ("month", "stripe_monthly_price_id", plan.monthly_price_cents),
            ("year", "stripe_yearly_price_id", plan.yearly_price_cents),
        ):
            if not getattr(plan, field):
                setattr(
                    plan,
                    field,
                    stripe_client.price_create(
                        product_id=plan.stripe_product_id,
                        amount_cents=cents,
                        currency=plan.currency,
                        interval=interval,
                        lookup=f"plan-{plan.tier}-{interval}",
                    ),
                )
                done.append(f"{plan.name} {interval}ly price")
        plan.save()
    for price in (
        CoursePrice.objects.select_for_update().filter(stripe_price_id="").select_related("course")
    ):
        product = stripe_client.product_create(
            name=price.course.title, description="", lookup=f"course-{price.course_id}"
        )
        price.stripe_price_id = stripe_client.price_create(
            product_id=product,
            amount_cents=price.amount_cents,
            currency=price.currency,
            interval=None,
            lookup=f"course-{price.course_id}",
        )
        price.save(update_fields=["stripe_price_id", "updated_at"])
        done.append(f"course '{price.course.title}'")
    for bundle in Bundle.objects.select_for_update().filter(stripe_price_id=""):
        product = stripe_client.product_create(
            name=bundle.name, description=bundle.description[:500], lookup=f"bundle-{bundle.pk}"
        )
        bundle.stripe_price_id = stripe_client.price_create(
            product_id=product,
            amount_cents=bundle.amount_cents,
            currency=bundle.currency,
            interval=None,
            lookup=f"bundle-{bundle.pk}",
        )
        bundle.save(update_fields=["stripe_price_id", "updated_at"])
        done.append(f"bundle '{bundle.name}'")
    return done
