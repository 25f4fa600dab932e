"""Billing pages: pricing, checkout return pages, the billing page, affiliates; the webhook."""

from __future__ import annotations

import json
import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST
from djstripe import models as djstripe_models

from billing import selectors, services, stripe_client
from billing.middleware import REFERRAL_COOKIE
from billing.models import Affiliate, Bundle
from core.exceptions import ApplicationError
from courses.models import Course

logger = logging.getLogger(__name__)


@require_GET
def pricing(request: HttpRequest) -> HttpResponse:
    current = (
        selectors.subscription_current_get(user=request.user)
        if request.user.is_authenticated
        else None
    )
    return render(
        request,
        "billing/pricing.html",
        {
            "plans": list(selectors.plan_list()),
            "bundles": list(selectors.bundle_list()),
            "current_subscription": current,
            "payments_configured": stripe_client.is_configured(),
        },
    )


@login_required
@require_POST
def checkout(request: HttpRequest) -> HttpResponse:
    """Send the learner to Stripe Checkout for the chosen plan, course or bundle."""
    course = bundle = None
    if request.POST.get("course"):
        course = get_object_or_404(Course, pk=_int(request.POST["course"]))
    if request.POST.get("bundle"):
        bundle = get_object_or_404(Bundle, pk=_int(request.POST["bundle"]))
    try:
        url = services.checkout_create(
            user=request.user,
            plan_tier=request.POST.get("plan", ""),
            interval=request.POST.get("interval", "month"),
            course=course,
            bundle=bundle,
            referral_code=request.COOKIES.get(REFERRAL_COOKIE, ""),
            success_url=request.build_absolute_uri(reverse("billing:checkout_success"))
            + "?session_id={CHECKOUT_SESSION_ID}",
            cancel_url=request.build_absolute_uri(reverse("billing:checkout_cancel")),
        )
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("billing:pricing")
    return HttpResponseRedirect(url)


def _int(value: str) -> int:
    return int(value) if value.isdigit() else 0


@login_required
@require_GET
def checkout_success(request: HttpRequest) -> HttpResponse:
    return render(request, "billing/checkout_success.html")


@require_GET
def checkout_cancel(request: HttpRequest) -> HttpResponse:
    return render(request, "billing/checkout_cancel.html")


@login_required
@require_GET
def account(request: HttpRequest) -> HttpResponse:
    """The learner's plan, purchases and invoices, and the way to the customer portal."""
    return render(
        request,
        "billing/account.html",
        {
            "subscription": selectors.subscription_current_get(user=request.user),
            "purchases": list(selectors.purchase_list_for_user(user=request.user)),
            "invoices": list(selectors.invoice_list_for_user(user=request.user)),
        },
    )


@login_required
@require_POST
def portal(request: HttpRequest) -> HttpResponse:
    try:
        url = services.billing_portal_url_create(
            user=request.user, return_url=request.build_absolute_uri(reverse("billing:account"))
        )
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("billing:account")
    return HttpResponseRedirect(url)


@login_required
def affiliate_dashboard(request: HttpRequest) -> HttpResponse:
    """Join the affiliate program (POST) or see its link, figures and commissions."""
    if request.method == "POST":
        services.affiliate_create(user=request.user)
        messages.success(request, "Welcome to the affiliate program: share your link below.")
        return redirect("billing:affiliate")
    affiliate = Affiliate.objects.filter(user=request.user).first()
    context: dict[str, object] = {"affiliate": affiliate}
    if affiliate is not None:
        context.update(
            stats=selectors.affiliate_stats(affiliate=affiliate),
            commissions=list(selectors.commission_list_for_affiliate(affiliate=affiliate)[:50]),
            referral_link=request.build_absolute_uri(reverse("billing:pricing"))
            + f"?ref={affiliate.code}",
        )
    return render(request, "billing/affiliate.html", context)


@csrf_exempt  # Stripe cannot send a CSRF token; the signature authenticates the request
@require_POST
def stripe_webhook(request: HttpRequest) -> HttpResponse:
    """Stripe's events, handed to dj-stripe: signature verified, each event id processed once."""
    try:
        stripe_client.webhook_signature_verify(
            payload=request.body, signature_header=request.headers.get("Stripe-Signature", "")
        )
    except ApplicationError as error:
        return JsonResponse(
            {"error": {"code": error.code, "message": error.message}}, status=error.status_code
        )
    event_id = _event_id(request.body)
    if not event_id:
        return JsonResponse(
            {"error": {"code": "invalid_event", "message": "The body is not a Stripe event."}},
            status=400,
        )
    duplicate = djstripe_models.Event.objects.filter(id=event_id).exists()
    endpoint = services.webhook_endpoint_from_settings(url=request.build_absolute_uri())
    # dj-stripe stores the delivery, verifies it again, syncs the object and sends the event's
    # signal (billing.receivers apply it). A failure rolls the event back and is kept on the
    # trigger; the error answer (503 here, 500 for a bug) makes Stripe deliver it again.
    try:
        trigger = djstripe_models.WebhookEventTrigger.from_request(
            request, webhook_endpoint=endpoint
        )
    except stripe_client.StripeError:
        # dj-stripe rolled the event back and kept the error on the trigger; Stripe retries.
        logger.exception("Stripe could not be reached while processing event %s", event_id)
        return JsonResponse(
            {
                "error": {
                    "code": "stripe_unavailable",
                    "message": "Stripe could not be reached; deliver the event again later.",
                }
            },
            status=503,
        )
    if not trigger.valid:
        return JsonResponse(
            {"error": {"code": "invalid_signature", "message": "The webhook was not valid."}},
            status=400,
        )
    return JsonResponse({"received": True, "duplicate": duplicate})


def _event_id(body: bytes) -> str:
    try:
        data = json.loads(body)
    except ValueError:
        return ""
    if not isinstance(data, dict) or "livemode" not in data:
        return ""
    return str(data.get("id") or "")
