"""/api/v1/billing/: plans, checkout, the learner's subscription and entitlements, affiliates."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    inline_serializer,
)
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from billing import selectors, services, stripe_client
from billing.exceptions import NothingToBuyError
from billing.middleware import REFERRAL_COOKIE
from billing.models import PLAN_RANK, Affiliate, Bundle, Plan, Subscription
from core.api import ErrorSerializer
from core.exceptions import NotFoundError
from core.permissions import IsAdmin
from core.serializers import ModelSerializer, Serializer
from courses.models import Course


class PlanListApi(APIView):
    permission_classes = [AllowAny]

    class PlanSerializer(ModelSerializer):
        tier = serializers.CharField(help_text="basic, pro or premium")
        features = serializers.ListField(source="feature_list", child=serializers.CharField())

        class Meta:
            model = Plan
            fields = [
                "tier",
                "name",
                "description",
                "features",
                "currency",
                "monthly_price_cents",
                "yearly_price_cents",
            ]

    @extend_schema(
        responses={
            200: inline_serializer(
                "PlanList",
                {
                    "payments_configured": serializers.BooleanField(),
                    "plans": PlanSerializer(many=True),
                },
            )
        }
    )
    def get(self, request: Request) -> Response:
        """The subscription plans, cheapest first, and whether payments are configured."""
        return Response(
            {
                "payments_configured": stripe_client.is_configured(),
                "plans": self.PlanSerializer(selectors.plan_list(), many=True).data,
            }
        )


class CheckoutCreateApi(APIView):
    permission_classes = [IsAuthenticated]

    class InputSerializer(Serializer):
        class Meta:
            ref_name = "CheckoutInput"

        plan = serializers.ChoiceField(choices=Plan.Tier.choices, required=False)
        interval = serializers.ChoiceField(
            choices=Subscription.Interval.choices, default=Subscription.Interval.MONTH
        )
        course_id = serializers.IntegerField(required=False, min_value=1)
        bundle_id = serializers.IntegerField(required=False, min_value=1)
        success_url = serializers.URLField(required=False)
        cancel_url = serializers.URLField(required=False)

    @extend_schema(
        request=InputSerializer,
        responses={
            201: inline_serializer("CheckoutSession", {"url": serializers.URLField()}),
            502: OpenApiResponse(
                response=ErrorSerializer,
                description="`stripe_unavailable`: the payment provider could not be reached.",
            ),
        },
    )
    def post(self, request: Request) -> Response:
        """Open Stripe Checkout for one plan, course or bundle; answers the Checkout URL."""
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values: dict[str, Any] = data.validated_data
        for name in ("success_url", "cancel_url"):
            # Stripe sends the payer back there: only to this site, never to someone else's.
            if name in values and not url_has_allowed_host_and_scheme(
                values[name], allowed_hosts={request.get_host()}
            ):
                raise serializers.ValidationError({name: ["Give an address on this site."]})
        course = bundle = None
        if "course_id" in values:
            course = Course.objects.filter(pk=values["course_id"]).first()
            if course is None:
                raise NotFoundError("There is no such course.")
        if "bundle_id" in values:
            bundle = Bundle.objects.filter(pk=values["bundle_id"]).first()
            if bundle is None:
                raise NotFoundError("There is no such bundle.")
        if sum(x is not None for x in (values.get("plan"), course, bundle)) != 1:
            raise NothingToBuyError("Give exactly one of plan, course_id or bundle_id.")
        success = values.get("success_url") or request.build_absolute_uri(
            reverse("billing:checkout_success")
        )
        url = services.checkout_create(
            user=request.user,
            plan_tier=values.get("plan", ""),
            interval=values["interval"],
            course=course,
            bundle=bundle,
            referral_code=request.COOKIES.get(REFERRAL_COOKIE, ""),
            success_url=success,
            cancel_url=values.get("cancel_url")
            or request.build_absolute_uri(reverse("billing:checkout_cancel")),
        )
        return Response({"url": url}, status=status.HTTP_201_CREATED)


class SubscriptionDetailApi(APIView):
    permission_classes = [IsAuthenticated]

    class SubscriptionSerializer(ModelSerializer):
        plan = serializers.CharField(source="plan.tier")

        class Meta:
            model = Subscription
            fields = [
                "plan",
                "interval",
                "status",
                "current_period_end",
                "cancel_at_period_end",
                "past_due_since",
            ]

    @extend_schema(
        responses={
            200: inline_serializer(
                "SubscriptionDetail", {"subscription": SubscriptionSerializer(allow_null=True)}
            )
        }
    )
    def get(self, request: Request) -> Response:
        """The caller's current subscription (null when they have none)."""
        subscription = selectors.subscription_current_get(user=request.user)
        data = self.SubscriptionSerializer(subscription).data if subscription else None
        return Response({"subscription": data})


class EntitlementListApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        responses={
            200: inline_serializer(
                "Entitlements",
                {
                    "plan": serializers.CharField(),
                    "purchased_course_ids": serializers.ListField(child=serializers.IntegerField()),
                },
            )
        }
    )
    def get(self, request: Request) -> Response:
        """The plan that currently gives the caller access and the courses they own."""
        rank = selectors.plan_rank_for_user(user=request.user)
        plan = next(tier for tier, value in PLAN_RANK.items() if value == rank)
        return Response(
            {
                "plan": plan,
                "purchased_course_ids": sorted(selectors.purchased_course_ids(user=request.user)),
            }
        )


class AffiliateStatsApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        responses={
            200: inline_serializer(
                "AffiliateStats",
                {
                    "code": serializers.CharField(),
                    "commission_percent": serializers.DecimalField(max_digits=5, decimal_places=2),
                    "clicks": serializers.IntegerField(),
                    "signups": serializers.IntegerField(),
                    "conversions": serializers.IntegerField(),
                    "pending_cents": serializers.IntegerField(),
                    "payable_cents": serializers.IntegerField(),
                    "paid_cents": serializers.IntegerField(),
                    "reversed_cents": serializers.IntegerField(),
                },
            )
        }
    )
    def get(self, request: Request) -> Response:
        """The caller's affiliate figures (404 when they are not an affiliate)."""
        affiliate = Affiliate.objects.filter(user=request.user).first()
        if affiliate is None:
            raise NotFoundError("You are not an affiliate yet.")
        stats = selectors.affiliate_stats(affiliate=affiliate)
        return Response(
            {
                "code": affiliate.code,
                "commission_percent": str(affiliate.commission_percent),
                **stats.__dict__,
            }
        )


class RevenueReportApi(APIView):
    permission_classes = [IsAdmin]

    @extend_schema(
        parameters=[OpenApiParameter("days", int, description="Period length (default 30).")],
        responses={200: inline_serializer("Revenue", {"mrr_cents": serializers.IntegerField()})},
    )
    def get(self, request: Request) -> Response:
        """Revenue figures for the last `days` days (admins only)."""
        raw = request.query_params.get("days", "30")
        if not raw.isdigit() or not 1 <= int(raw) <= 3660:
            raise serializers.ValidationError({"days": ["Give a number of days from 1 to 3660."]})
        end = timezone.now()
        report = selectors.revenue_report(start=end - timedelta(days=int(raw)), end=end)
        return Response(report.__dict__)
