"""/api/v1/analytics/: the dashboards' figures, the player's heartbeat and the learner's own data.

Instructors read their own courses only (403 on another's course); staff read everything.
"""

from __future__ import annotations

import hmac
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from analytics import selectors, services
from analytics.exceptions import NotEnrolledError
from analytics.models import Event
from core.roles import Role
from core.serializers import Serializer
from courses.models import Course, Enrollment, Lesson

DATE_PARAMETERS = [
    OpenApiParameter("start", str, description="First day, YYYY-MM-DD (default: 29 days ago)."),
    OpenApiParameter("end", str, description="Last day, YYYY-MM-DD (default: today)."),
]


def _period(request: Request) -> selectors.DateRange:
    return selectors.date_range_parse(
        start=request.query_params.get("start"), end=request.query_params.get("end")
    )


class FunnelStepSerializer(Serializer):
    step = serializers.CharField()
    label = serializers.CharField()
    learners = serializers.IntegerField()
    percent = serializers.FloatField()


class DayRowSerializer(Serializer):
    date = serializers.DateField()
    enrollments = serializers.IntegerField()
    completions = serializers.IntegerField()
    lessons_completed = serializers.IntegerField()
    learning_minutes = serializers.FloatField()
    active_learners = serializers.IntegerField()


class EngagementSerializer(Serializer):
    date = serializers.DateField()
    dau = serializers.IntegerField()
    wau = serializers.IntegerField()
    mau = serializers.IntegerField()
    stickiness_percent = serializers.FloatField()


class CohortSerializer(Serializer):
    cohort = serializers.DateField()
    learners = serializers.IntegerField()
    retention = serializers.ListField(child=serializers.FloatField())


class PopularitySerializer(Serializer):
    course_id = serializers.IntegerField()
    title = serializers.CharField()
    enrollments = serializers.IntegerField()
    completions = serializers.IntegerField()
    lessons_completed = serializers.IntegerField()
    learning_seconds = serializers.IntegerField()


class QuizItemSerializer(Serializer):
    question_id = serializers.IntegerField()
    text = serializers.CharField()
    answered = serializers.IntegerField()
    difficulty = serializers.FloatField()
    discrimination = serializers.FloatField()
    flags = serializers.ListField(child=serializers.CharField())


class InstructorPerformanceSerializer(Serializer):
    instructor_id = serializers.IntegerField()
    email = serializers.EmailField()
    courses = serializers.IntegerField()
    rating_count = serializers.IntegerField()
    average_rating = serializers.FloatField(allow_null=True)
    enrollments = serializers.IntegerField()
    completions = serializers.IntegerField()
    completion_percent = serializers.FloatField()
    questions_asked = serializers.IntegerField()
    questions_answered = serializers.IntegerField()
    median_response_hours = serializers.FloatField(
        allow_null=True, help_text="Median hours to a question's first answer by someone else."
    )
    revenue_cents = serializers.IntegerField()
    refunds_cents = serializers.IntegerField()
    net_revenue_cents = serializers.IntegerField()


class AnalyticsRevenueDaySerializer(Serializer):
    date = serializers.DateField()
    revenue_cents = serializers.IntegerField()
    refunds_cents = serializers.IntegerField()


class AnalyticsRevenueCourseSerializer(Serializer):
    course_id = serializers.IntegerField()
    title = serializers.CharField()
    revenue_cents = serializers.IntegerField()
    refunds_cents = serializers.IntegerField()
    net_cents = serializers.IntegerField()


class AnalyticsRevenueSerializer(Serializer):
    mrr_cents = serializers.IntegerField(
        allow_null=True,
        help_text="Platform only: null for a course (subscriptions have none). Invoices refunded "
        "by the period's end are left out.",
    )
    subscription_cents = serializers.IntegerField(allow_null=True)
    purchase_cents = serializers.IntegerField()
    revenue_cents = serializers.IntegerField()
    refunds_cents = serializers.IntegerField()
    subscription_refunds_cents = serializers.IntegerField(allow_null=True)
    purchase_refunds_cents = serializers.IntegerField()
    net_cents = serializers.IntegerField()
    daily = AnalyticsRevenueDaySerializer(many=True)
    by_course = AnalyticsRevenueCourseSerializer(many=True)


class SummarySerializer(Serializer):
    start = serializers.DateField()
    end = serializers.DateField()
    funnel = FunnelStepSerializer(many=True)
    daily = DayRowSerializer(many=True)
    engagement = EngagementSerializer()
    cohorts = CohortSerializer(many=True)
    popularity = PopularitySerializer(many=True)
    quiz_items = QuizItemSerializer(many=True)
    instructors = InstructorPerformanceSerializer(many=True)
    revenue = AnalyticsRevenueSerializer()


def _summary(course_ids: list[int] | None, period: selectors.DateRange) -> dict[str, Any]:
    return {
        "start": period.start,
        "end": period.end,
        "funnel": selectors.funnel(course_ids=course_ids, period=period),
        "daily": selectors.daily_series(course_ids=course_ids, period=period),
        "engagement": selectors.engagement(course_ids=course_ids, day=period.end),
        "cohorts": selectors.cohort_retention(course_ids=course_ids, period=period),
        "popularity": selectors.course_popularity(course_ids=course_ids, period=period),
        "quiz_items": selectors.quiz_item_analysis(course_ids=course_ids),
        "instructors": selectors.instructor_performance(course_ids=course_ids, period=period),
        "revenue": selectors.revenue_summary(course_ids=course_ids, period=period),
    }


def _course_for_analytics(user: Any, course_id: int) -> Course:
    course = get_object_or_404(Course.objects.only("id"), pk=course_id)
    if selectors.user_is_analytics_staff(user):
        return course
    if user.role != Role.INSTRUCTOR or not course.instructors.filter(pk=user.pk).exists():
        raise PermissionDenied("You can only see the analytics of courses you teach.")
    return course


class CourseAnalyticsSummaryApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=DATE_PARAMETERS,
        responses={200: SummarySerializer},
        summary="A course's funnel, daily figures, engagement, cohorts and quiz items",
    )
    def get(self, request: Request, course_id: int) -> Response:
        course = _course_for_analytics(request.user, course_id)
        return Response(SummarySerializer(_summary([course.pk], _period(request))).data)


class PlatformAnalyticsSummaryApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=DATE_PARAMETERS,
        responses={200: SummarySerializer},
        summary="The whole platform's figures (staff only)",
    )
    def get(self, request: Request) -> Response:
        if not selectors.user_is_analytics_staff(request.user):
            raise PermissionDenied("Platform analytics are for staff.")
        return Response(SummarySerializer(_summary(None, _period(request))).data)


class AtRiskLearnerSerializer(Serializer):
    enrollment_id = serializers.IntegerField()
    learner_id = serializers.IntegerField()
    email = serializers.EmailField()
    course_id = serializers.IntegerField()
    course_title = serializers.CharField()
    last_activity_at = serializers.DateTimeField(allow_null=True)
    failed_attempts = serializers.IntegerField()
    reasons = serializers.ListField(child=serializers.CharField())
    stuck_lesson = serializers.CharField(help_text="The lesson the learner is stuck on, or empty.")


class CourseAtRiskLearnerListApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=[
            OpenApiParameter("inactive_days", int, description="Days without activity (7)."),
            OpenApiParameter(
                "stuck_days",
                int,
                description="Days on the same unfinished lesson (ANALYTICS_STUCK_DAYS, 7).",
            ),
        ],
        responses={200: AtRiskLearnerSerializer(many=True)},
        summary="Learners of a course who are inactive, stuck on a lesson or failing a quiz",
    )
    def get(self, request: Request, course_id: int) -> Response:
        course = _course_for_analytics(request.user, course_id)
        days = serializers.IntegerField(min_value=1, max_value=365, default=7).run_validation(
            request.query_params.get("inactive_days", 7)
        )
        stuck_days = serializers.IntegerField(
            min_value=1, max_value=365, default=selectors.stuck_days_setting()
        ).run_validation(request.query_params.get("stuck_days", selectors.stuck_days_setting()))
        rows = selectors.at_risk_learner_list(
            course_ids=[course.pk], inactive_days=days, stuck_days=stuck_days
        )
        return Response(AtRiskLearnerSerializer([row.__dict__ for row in rows], many=True).data)


class HeartbeatApi(APIView):
    """The player reports that a lesson was opened (`viewed`). Learning time is NOT counted here:
    its one source is courses' `lesson_time_spent` event (the player's position saves and reading
    heartbeats, held to courses' anti-inflation limits), so a client reporting both is never
    counted twice. `seconds` is still accepted from older players and ignored."""

    permission_classes = [IsAuthenticated]

    class InputSerializer(Serializer):
        lesson_id = serializers.IntegerField(min_value=1)
        seconds = serializers.IntegerField(
            min_value=1,
            max_value=services.HEARTBEAT_MAX_SECONDS,
            required=False,
            help_text="Ignored: learning time comes from the courses' time reports.",
        )
        viewed = serializers.BooleanField(
            default=False, help_text="True on the first beat after opening the lesson."
        )

    @extend_schema(request=InputSerializer, responses={204: None}, summary="Record a lesson view")
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        lesson = get_object_or_404(
            Lesson.objects.select_related("module").only("id", "module__course_id"),
            pk=data.validated_data["lesson_id"],
        )
        course_id = lesson.module.course_id
        if not Enrollment.objects.filter(learner=request.user, course_id=course_id).exists():
            raise NotEnrolledError("Enroll in the course to record learning activity.")
        if data.validated_data["viewed"]:
            services.event_record(
                kind=Event.Kind.LESSON_VIEWED,
                user_id=request.user.pk,
                course_id=course_id,
                object_id=lesson.pk,
            )
        return Response(status=204)


class MyStatsApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        responses={
            200: inline_serializer(
                "LearnerStats",
                {
                    "week_minutes": serializers.FloatField(),
                    "streak_days": serializers.IntegerField(),
                    "progress": inline_serializer(
                        "LearnerCourseProgress",
                        {
                            "course_id": serializers.IntegerField(),
                            "title": serializers.CharField(),
                            "lessons": serializers.IntegerField(),
                            "completed": serializers.IntegerField(),
                            "percent": serializers.IntegerField(),
                            "is_completed": serializers.BooleanField(),
                        },
                        many=True,
                    ),
                },
            )
        },
        summary="My learning this week, my streak and my progress",
    )
    def get(self, request: Request) -> Response:
        return Response(selectors.learner_stats(learner=request.user))


class MyAnalyticsDataApi(APIView):
    """A user's analytics data: download it (GET) or erase it (DELETE)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        responses={
            200: inline_serializer(
                "AnalyticsExport",
                {
                    "events": serializers.ListField(child=serializers.DictField()),
                    "daily_facts": serializers.ListField(child=serializers.DictField()),
                },
            )
        },
        summary="Export everything analytics holds about me",
    )
    def get(self, request: Request) -> Response:
        return Response(services.user_analytics_export(user_id=request.user.pk))

    @extend_schema(
        responses={
            200: inline_serializer("AnalyticsErased", {"deleted": serializers.IntegerField()})
        },
        summary="Erase my analytics events and daily figures",
    )
    def delete(self, request: Request) -> Response:
        return Response({"deleted": services.user_analytics_delete(user_id=request.user.pk)})


def metrics_view(request: HttpRequest) -> HttpResponse:
    """Prometheus metrics: a bearer METRICS_TOKEN or a staff session; open without a token only
    outside production (where no token is configured)."""
    token = settings.METRICS_TOKEN
    header = request.headers.get("Authorization", "")
    if (token and hmac.compare_digest(header.encode(), f"Bearer {token}".encode())) or (
        getattr(request, "user", None) is not None
        and selectors.user_is_analytics_staff(request.user)
    ):
        allowed = True
    else:
        allowed = not token and not settings.IS_PRODUCTION
    if not allowed:
        return HttpResponse("Metrics need a token or a staff account.", status=403)
    return HttpResponse(generate_latest(), content_type=CONTENT_TYPE_LATEST)
