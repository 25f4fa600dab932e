"""Billing in the admin: catalogue editable, Stripe-driven records read-only, refunds as actions."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from billing import services
from billing.models import (
    Affiliate,
    Bundle,
    Commission,
    CoursePrice,
    Invoice,
    Plan,
    Purchase,
    Referral,
    StripeCustomerErasure,
    Subscription,
)
from core.exceptions import ApplicationError


class ReadOnlyAdmin(admin.ModelAdmin):
    """Written by Stripe's webhooks through the services; the admin only looks."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    list_display = ["name", "tier", "monthly_price_cents", "yearly_price_cents", "is_active"]
    readonly_fields = ["stripe_product_id", "stripe_monthly_price_id", "stripe_yearly_price_id"]


@admin.register(CoursePrice)
class CoursePriceAdmin(admin.ModelAdmin):
    list_display = ["course", "amount_cents", "currency", "stripe_price_id"]
    list_select_related = ["course"]
    autocomplete_fields = ["course"]
    readonly_fields = ["stripe_price_id"]


@admin.register(Bundle)
class BundleAdmin(admin.ModelAdmin):
    list_display = ["name", "amount_cents", "currency", "is_active"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["courses"]
    readonly_fields = ["stripe_price_id"]


@admin.register(Subscription)
class SubscriptionAdmin(ReadOnlyAdmin):
    list_display = ["subscriber", "plan", "interval", "status", "current_period_end"]
    list_filter = ["status", "plan", "interval"]
    list_select_related = ["subscriber", "plan"]
    search_fields = ["subscriber__email", "stripe_subscription_id"]
    actions = ["refund_last_invoice"]

    @admin.action(description="Refund the last invoice and end the subscription")
    def refund_last_invoice(self, request: HttpRequest, queryset: QuerySet[Subscription]) -> None:
        for subscription in queryset.select_related("subscriber"):
            try:
                invoice = services.invoice_refund_last(user=subscription.subscriber)
            except ApplicationError as error:
                self.message_user(request, error.message, messages.ERROR)
            else:
                self.message_user(request, f"Refunded invoice {invoice}.", messages.SUCCESS)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Actions need the change permission; the form itself stays read-only (no editable fields).
        return bool(
            request.user.is_superuser or request.user.has_perm("billing.change_subscription")
        )

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [field.name for field in Subscription._meta.fields]


@admin.register(Purchase)
class PurchaseAdmin(ReadOnlyAdmin):
    list_display = ["buyer", "course", "bundle", "amount_cents", "status", "created_at"]
    list_filter = ["status"]
    list_select_related = ["buyer", "course", "bundle"]
    search_fields = ["buyer__email", "stripe_checkout_session_id", "stripe_payment_intent_id"]
    actions = ["refund"]

    @admin.action(description="Refund through Stripe and revoke access")
    def refund(self, request: HttpRequest, queryset: QuerySet[Purchase]) -> None:
        for purchase in queryset:
            try:
                services.purchase_refund(purchase=purchase)
            except ApplicationError as error:
                self.message_user(request, f"{purchase}: {error.message}", messages.ERROR)
            else:
                self.message_user(request, f"Refunded {purchase}.", messages.SUCCESS)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(request.user.is_superuser or request.user.has_perm("billing.change_purchase"))

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [field.name for field in Purchase._meta.fields]


@admin.register(Invoice)
class InvoiceAdmin(ReadOnlyAdmin):
    list_display = ["stripe_invoice_id", "customer", "amount_cents", "status", "paid_at"]
    list_filter = ["status"]
    list_select_related = ["customer"]
    search_fields = ["customer__email", "stripe_invoice_id"]


@admin.register(Affiliate)
class AffiliateAdmin(admin.ModelAdmin):
    list_display = ["user", "code", "commission_percent", "click_count", "is_active"]
    list_select_related = ["user"]
    search_fields = ["user__email", "code"]
    readonly_fields = ["user", "code", "click_count"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # users join from their affiliate page (affiliate_create)


@admin.register(Referral)
class ReferralAdmin(ReadOnlyAdmin):
    list_display = ["referred_user", "affiliate", "created_at"]
    list_select_related = ["referred_user", "affiliate__user"]


@admin.register(Commission)
class CommissionAdmin(ReadOnlyAdmin):
    list_display = ["affiliate", "source", "amount_cents", "status", "payable_at", "paid_at"]
    list_filter = ["status"]
    list_select_related = ["affiliate__user"]
    actions = ["mark_paid", "release_due"]

    @admin.action(description="Mark payable commissions as paid out")
    def mark_paid(self, request: HttpRequest, queryset: QuerySet[Commission]) -> None:
        count = services.commission_mark_paid(
            commission_ids=list(queryset.values_list("pk", flat=True))
        )
        self.message_user(request, f"{count} commission(s) marked paid.", messages.SUCCESS)

    @admin.action(description="Make commissions past the refund window payable")
    def release_due(self, request: HttpRequest, queryset: QuerySet[Commission]) -> None:
        count = services.commission_release_due()
        self.message_user(request, f"{count} commission(s) are now payable.", messages.SUCCESS)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(request.user.is_superuser or request.user.has_perm("billing.change_commission"))

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [field.name for field in Commission._meta.fields]


@admin.register(StripeCustomerErasure)
class StripeCustomerErasureAdmin(ReadOnlyAdmin):
    """Deleted accounts' erasures at Stripe: the sweep resends the pending ones; a refused one
    needs an operator in Stripe's dashboard."""

    list_display = ["customer_id", "outcome", "attempts", "last_attempt_at", "completed_at"]
    list_filter = ["outcome"]
    search_fields = ["customer_id"]
