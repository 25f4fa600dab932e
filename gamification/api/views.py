"""The gamification API (/api/v1/gamification/): thin views over selectors and services."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from core.permissions import IsInstructor
from core.query import QueryIntegerField, QueryParams, query_params_parse
from core.serializers import Serializer
from courses.models import Course
from gamification import leaderboards, leagues, selectors, services
from gamification.exceptions import InvalidAwardError, StudyGroupNotFoundError
from gamification.models import StudyGroup


class BoardRowSerializer(Serializer):
    rank = serializers.IntegerField()
    user_id = serializers.IntegerField()
    display_name = serializers.CharField()
    xp = serializers.IntegerField()
    level = serializers.IntegerField()
    is_me = serializers.BooleanField()


class LeaderboardApi(APIView):
    permission_classes = [IsAuthenticated]

    class InputSerializer(QueryParams):
        class Meta:
            ref_name = "LeaderboardQuery"

        scope = serializers.ChoiceField(choices=["global", "course", "group"], default="global")
        period = serializers.ChoiceField(choices=["week", "all"], default="week")
        course = QueryIntegerField(required=False, min_value=1)
        group = QueryIntegerField(required=False, min_value=1)
        limit = QueryIntegerField(required=False, min_value=1, max_value=100, default=10)
        week = serializers.DateField(
            required=False,
            help_text="The Monday of a past week: its final board, recorded when it closed.",
        )

        def validate_week(self, week: dt.date) -> dt.date:
            if week.weekday() != 0:
                raise serializers.ValidationError("Give the Monday that starts the week.")
            if week >= leaderboards.week_start_of(timezone.now()):
                raise serializers.ValidationError(
                    "Only a week that has ended; leave it out for this week."
                )
            return week

        def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
            if "week" in attrs and attrs["period"] != "week":
                raise serializers.ValidationError({"week": ["Only with period=week."]})
            if attrs["scope"] == "course" and "course" not in attrs:
                raise serializers.ValidationError({"course": ["Required when scope is course."]})
            if attrs["scope"] == "group" and "group" not in attrs:
                raise serializers.ValidationError({"group": ["Required when scope is group."]})
            return attrs

    class OutputSerializer(Serializer):
        class Meta:
            ref_name = "Leaderboard"

        scope = serializers.CharField()
        period = serializers.CharField()
        week_start = serializers.DateField(allow_null=True)
        results = BoardRowSerializer(many=True)
        me = BoardRowSerializer(allow_null=True, help_text="Your own row, also outside the top.")

    @extend_schema(
        operation_id="gamification_leaderboard",
        parameters=[InputSerializer],
        responses={200: OutputSerializer},
        summary="A leaderboard (global, course or study group; this week or all time)",
    )
    def get(self, request: Request) -> Response:
        data = query_params_parse(self.InputSerializer, request)
        week_start = None
        if data["scope"] == "group":
            group = StudyGroup.objects.filter(
                pk=data["group"], memberships__user=request.user
            ).first()
            if group is None:
                raise StudyGroupNotFoundError("You are not a member of this study group.")
            week_start = data.get("week")
            board = selectors.study_group_leaderboard(
                group=group, viewer=request.user, period=data["period"], week_start=week_start
            )
        elif "week" in data:
            if data["scope"] == "course":
                get_object_or_404(Course, pk=data["course"], status=Course.Status.PUBLISHED)
            week_start = data["week"]
            board = selectors.leaderboard_history_get(
                scope=data["scope"],
                course_id=data.get("course"),
                week_start=week_start,
                viewer=request.user,
                limit=data["limit"],
            )
        else:
            if data["scope"] == "course":
                get_object_or_404(Course, pk=data["course"], status=Course.Status.PUBLISHED)
            spec = leaderboards.Board(
                scope=data["scope"], period=data["period"], course_id=data.get("course")
            ).resolved()
            week_start = spec.week_start
            board = selectors.leaderboard_get(board=spec, viewer=request.user, limit=data["limit"])
        if data["period"] == "week" and week_start is None:
            week_start = leaderboards.week_start_of(timezone.now())
        payload = {
            "scope": data["scope"],
            "period": data["period"],
            "week_start": week_start,
            "results": board.rows,
            "me": board.me,
        }
        return Response(self.OutputSerializer(payload).data)


class AchievementListApi(APIView):
    permission_classes = [IsAuthenticated]

    class OutputSerializer(Serializer):
        class Meta:
            ref_name = "AchievementStatus"

        code = serializers.CharField(source="achievement.code")
        name = serializers.CharField(source="achievement.name")
        description = serializers.CharField(source="achievement.description")
        group = serializers.CharField(source="achievement.group")
        tier = serializers.CharField(source="achievement.tier")
        icon = serializers.CharField(source="achievement.icon")
        threshold = serializers.IntegerField(source="achievement.threshold")
        progress = serializers.IntegerField()
        is_earned = serializers.BooleanField()
        earned_at = serializers.DateTimeField(allow_null=True)
        assertion_url = serializers.SerializerMethodField()

        def get_assertion_url(self, status_row: Any) -> str | None:
            if status_row.assertion_id is None:
                return None
            request = self.context["request"]
            return request.build_absolute_uri(f"/badges/assertions/{status_row.assertion_id}.json")

    @extend_schema(
        operation_id="gamification_achievements",
        responses={200: OutputSerializer(many=True)},
        summary="Every achievement, with your progress and what you earned",
    )
    def get(self, request: Request) -> Response:
        statuses = selectors.achievement_list_for_user(user=request.user)
        return Response(
            self.OutputSerializer(statuses, many=True, context={"request": request}).data
        )


class XpGrantApi(APIView):
    permission_classes = [IsInstructor]

    class InputSerializer(Serializer):
        class Meta:
            ref_name = "XpGrantInput"

        user = serializers.IntegerField(min_value=1, help_text="The learner's user id.")
        amount = serializers.IntegerField(min_value=-1000, max_value=1000)
        reason = serializers.CharField(max_length=200)
        idempotency_key = serializers.CharField(max_length=150)
        course = serializers.IntegerField(
            min_value=1, required=False, help_text="Required for instructors: one of their courses."
        )

    class OutputSerializer(Serializer):
        class Meta:
            ref_name = "XpGrant"

        id = serializers.IntegerField(source="transaction.pk")
        user = serializers.IntegerField(source="transaction.user_id")
        amount = serializers.IntegerField(source="transaction.amount")
        reason = serializers.CharField(source="transaction.reason")
        course = serializers.IntegerField(source="transaction.course_id", allow_null=True)
        created_at = serializers.DateTimeField(source="transaction.created_at")
        created = serializers.BooleanField(help_text="False when this key was used before.")

    @extend_schema(
        operation_id="gamification_xp_grant",
        request=InputSerializer,
        responses={201: OutputSerializer, 200: OutputSerializer},
        summary="Grant XP by hand (staff and instructors); retrying a key grants once",
        examples=[
            OpenApiExample(
                "Grant",
                value={
                    "user": 42,
                    "amount": 50,
                    "reason": "Best project of the cohort",
                    "idempotency_key": "cohort-7-best-project",
                    "course": 3,
                },
                request_only=True,
            )
        ],
    )
    def post(self, request: Request) -> Response:
        params = self.InputSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        data = params.validated_data
        learner = User.objects.filter(pk=data["user"], is_active=True).first()
        if learner is None:
            raise InvalidAwardError(
                "No such active user.", fields={"user": ["No such active user."]}
            )
        course = None
        if "course" in data:
            course = Course.objects.filter(pk=data["course"]).first()
            if course is None:
                raise InvalidAwardError("No such course.", fields={"course": ["No such course."]})
        result = services.xp_grant(
            granter=request.user,
            user=learner,
            amount=data["amount"],
            reason=data["reason"],
            idempotency_key=data["idempotency_key"],
            course=course,
        )
        code = status.HTTP_201_CREATED if result.created else status.HTTP_200_OK
        return Response(self.OutputSerializer(result).data, status=code)


class LeagueRowSerializer(Serializer):
    rank = serializers.IntegerField()
    user_id = serializers.IntegerField()
    display_name = serializers.CharField()
    xp = serializers.IntegerField(help_text="XP earned this week.")
    zone = serializers.ChoiceField(choices=["promotion", "safe", "demotion"])
    is_me = serializers.BooleanField()


class LeagueWeekSerializer(Serializer):
    week_start = serializers.DateField()
    tier = serializers.IntegerField()
    tier_name = serializers.CharField()
    final_rank = serializers.IntegerField(allow_null=True)
    cohort_size = serializers.IntegerField()
    result = serializers.CharField(help_text="promoted, stayed or demoted; empty until settled.")


class LeagueApi(APIView):
    permission_classes = [IsAuthenticated]

    class OutputSerializer(Serializer):
        class Meta:
            ref_name = "League"

        tier = serializers.IntegerField(help_text="1 (Bronze) to 10 (Diamond).")
        tier_name = serializers.CharField()
        week_start = serializers.DateField()
        promoted_count = serializers.IntegerField()
        demoted_count = serializers.IntegerField()
        results = LeagueRowSerializer(many=True, source="rows", help_text="This week's cohort.")
        me = LeagueRowSerializer(allow_null=True)
        history = LeagueWeekSerializer(many=True)

    @extend_schema(
        operation_id="gamification_league",
        responses={200: OutputSerializer},
        summary="Your weekly league: tier, this week's cohort with its zones, and past weeks",
    )
    def get(self, request: Request) -> Response:
        return Response(self.OutputSerializer(selectors.league_get(user=request.user)).data)


class StatsApi(APIView):
    permission_classes = [IsAuthenticated]

    class OutputSerializer(Serializer):
        class Meta:
            ref_name = "GamificationStats"

        total_xp = serializers.IntegerField()
        level = serializers.IntegerField()
        title = serializers.CharField()
        level_floor = serializers.IntegerField()
        next_level_xp = serializers.IntegerField(allow_null=True)
        xp_to_next = serializers.IntegerField()
        percent_to_next = serializers.IntegerField()
        current_streak = serializers.IntegerField()
        longest_streak = serializers.IntegerField()
        current_weekly_streak = serializers.IntegerField()
        longest_weekly_streak = serializers.IntegerField()
        streak_freezes = serializers.IntegerField()
        rank_all_time = serializers.IntegerField(allow_null=True)
        rank_this_week = serializers.IntegerField(allow_null=True)
        is_hidden_from_leaderboards = serializers.BooleanField()
        league_tier = serializers.IntegerField(
            help_text="Weekly league: 1 (Bronze) to 10 (Diamond)."
        )
        league_tier_name = serializers.CharField()

    @extend_schema(
        operation_id="gamification_stats",
        responses={200: OutputSerializer},
        summary="Your XP, level, progress to the next level, streaks and ranks",
    )
    def get(self, request: Request) -> Response:
        return Response(self.OutputSerializer(stats_payload(request.user)).data)


def stats_payload(user: Any) -> dict[str, Any]:
    stats = selectors.learner_stats_get(user=user)
    progress = selectors.level_progress_for(user=user)
    board_backend = leaderboards.backend()
    all_time = board_backend.standing(leaderboards.Board(), user.pk)
    week = board_backend.standing(
        leaderboards.Board(leaderboards.GLOBAL, leaderboards.WEEK).resolved(), user.pk
    )
    return {
        "total_xp": stats.total_xp,
        "level": progress.level,
        "title": progress.title,
        "level_floor": progress.level_floor,
        "next_level_xp": progress.next_level_xp,
        "xp_to_next": progress.xp_to_next,
        "percent_to_next": progress.percent,
        "current_streak": stats.current_streak,
        "longest_streak": stats.longest_streak,
        "current_weekly_streak": stats.current_weekly_streak,
        "longest_weekly_streak": stats.longest_weekly_streak,
        "streak_freezes": stats.streak_freezes,
        "rank_all_time": all_time.rank if all_time else None,
        "rank_this_week": week.rank if week else None,
        "is_hidden_from_leaderboards": stats.is_hidden_from_leaderboards,
        "league_tier": stats.league_tier,
        "league_tier_name": leagues.tier_name(stats.league_tier),
    }
