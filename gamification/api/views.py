"""/api/v1/gamification/: leaderboard, achievements, stats, manual XP grants."""

from __future__ import annotations

from dataclasses import asdict

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from core.permissions import IsInstructor
from courses.models import Course
from gamification import selectors, services


class LeaderboardRowSerializer(serializers.Serializer):
    rank = serializers.IntegerField()
    xp = serializers.IntegerField()
    user_id = serializers.IntegerField()
    name = serializers.CharField()
    level = serializers.IntegerField()
    is_me = serializers.BooleanField()


class GamificationLeaderboardApi(APIView):
    permission_classes = [AllowAny]

    class LeaderboardQuerySerializer(serializers.Serializer):
        scope = serializers.ChoiceField(choices=["global", "course"], default="global")
        period = serializers.ChoiceField(choices=["week", "all"], default="week")
        course = serializers.IntegerField(required=False, min_value=1)
        limit = serializers.IntegerField(
            required=False, min_value=1, max_value=selectors.MAX_LIMIT, default=20
        )

    class LeaderboardOutputSerializer(serializers.Serializer):
        scope = serializers.CharField()
        period = serializers.CharField()
        course_id = serializers.IntegerField(allow_null=True)
        week = serializers.CharField(allow_null=True)
        rows = LeaderboardRowSerializer(many=True)
        me = LeaderboardRowSerializer(allow_null=True)

    @extend_schema(
        summary="A leaderboard (global or per course; this week or all time)",
        description="The top learners (hidden ones left out) and, when signed in, your own row "
        "in `me` when you are below the top. Weeks are ISO weeks in UTC.",
        parameters=[LeaderboardQuerySerializer],
        responses={200: LeaderboardOutputSerializer},
    )
    def get(self, request: Request) -> Response:
        params = self.LeaderboardQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        data = params.validated_data
        course_id = data.get("course")
        if data["scope"] == "course":
            if course_id is None:
                raise serializers.ValidationError({"course": ["This field is required."]})
            get_object_or_404(Course, pk=course_id)
        page = selectors.leaderboard_get(
            viewer=request.user,
            scope=data["scope"],
            period=data["period"],
            course_id=course_id,
            limit=data["limit"],
        )
        return Response(self.LeaderboardOutputSerializer(asdict(page)).data)


class GamificationAchievementListApi(APIView):
    permission_classes = [AllowAny]

    class AchievementOutputSerializer(serializers.Serializer):
        code = serializers.CharField(source="achievement.code")
        name = serializers.CharField(source="achievement.name")
        description = serializers.CharField(source="achievement.description")
        icon = serializers.CharField(source="achievement.icon")
        tier = serializers.CharField(source="achievement.tier")
        group = serializers.CharField(source="achievement.group")
        threshold = serializers.IntegerField(source="achievement.threshold")
        unit = serializers.CharField(source="achievement.unit")
        progress = serializers.IntegerField(source="value")
        progress_percent = serializers.IntegerField()
        is_earned = serializers.SerializerMethodField()
        earned_at = serializers.DateTimeField(source="earned.earned_at", allow_null=True)

        def get_is_earned(self, status: selectors.AchievementStatus) -> bool:
            return status.earned is not None

    @extend_schema(
        summary="Every achievement, with the caller's progress and the earned ones",
        responses={200: AchievementOutputSerializer(many=True)},
    )
    def get(self, request: Request) -> Response:
        statuses = selectors.achievement_list_for_user(request.user)
        return Response(self.AchievementOutputSerializer(statuses, many=True).data)


class GamificationStatsApi(APIView):
    permission_classes = [IsAuthenticated]

    class StatsOutputSerializer(serializers.Serializer):
        xp = serializers.IntegerField()
        level = serializers.IntegerField()
        title = serializers.CharField()
        level_floor_xp = serializers.IntegerField()
        next_level_xp = serializers.IntegerField(allow_null=True)
        xp_to_next_level = serializers.IntegerField()
        progress_percent = serializers.IntegerField()
        unlocks = serializers.ListField(child=serializers.CharField())
        current_streak = serializers.IntegerField()
        longest_streak = serializers.IntegerField()
        weekly_streak = serializers.IntegerField()
        streak_freezes = serializers.IntegerField()
        active_days = serializers.IntegerField()
        rank_week = serializers.IntegerField(allow_null=True)
        rank_all = serializers.IntegerField(allow_null=True)
        is_hidden_from_leaderboards = serializers.BooleanField()

    @extend_schema(
        summary="Your XP, level, streaks and ranks", responses={200: StatsOutputSerializer}
    )
    def get(self, request: Request) -> Response:
        return Response(self.StatsOutputSerializer(selectors.stats_get(request.user)).data)


class GamificationXpGrantApi(APIView):
    permission_classes = [IsInstructor]

    class XpGrantInputSerializer(serializers.Serializer):
        user = serializers.IntegerField(min_value=1)
        amount = serializers.IntegerField(
            min_value=-services.MAX_MANUAL_GRANT, max_value=services.MAX_MANUAL_GRANT
        )
        reason = serializers.CharField(max_length=200)
        idempotency_key = serializers.CharField(max_length=100)
        course = serializers.IntegerField(required=False, min_value=1)

    class XpGrantOutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        user_id = serializers.IntegerField()
        amount = serializers.IntegerField()
        action = serializers.CharField()
        reason = serializers.CharField()
        course_id = serializers.IntegerField(allow_null=True)
        created_at = serializers.DateTimeField()

    @extend_schema(
        summary="Grant (or correct) XP by hand",
        description="Administrators grant to anyone; instructors only to learners enrolled in a "
        "course they teach (`course` required). The same idempotency key from the same granter "
        "posts once: a retry answers 200 with the original entry, a first post 201.",
        request=XpGrantInputSerializer,
        responses={201: XpGrantOutputSerializer, 200: XpGrantOutputSerializer},
    )
    def post(self, request: Request) -> Response:
        params = self.XpGrantInputSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        data = params.validated_data
        user = get_object_or_404(User, pk=data["user"])
        course = get_object_or_404(Course, pk=data["course"]) if "course" in data else None
        entry, created = services.xp_grant(
            granted_by=request.user,
            user=user,
            amount=data["amount"],
            reason=data["reason"],
            idempotency_key=data["idempotency_key"],
            course=course,
        )
        return Response(self.XpGrantOutputSerializer(entry).data, status=201 if created else 200)
