"""The revision, learning-mode and challenge API (/api/v1/reviews, /learning, /challenges)."""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.query import QueryIntegerField, QueryParams, query_params_parse
from core.serializers import Serializer
from courses.models import Category, Course
from learning import selectors, services
from learning.models import ChallengeRun, Mode


class ChoiceSerializer(Serializer):
    id = serializers.IntegerField()
    text = serializers.CharField()


class ReviewCardChoiceSerializer(Serializer):
    id = serializers.IntegerField(allow_null=True, help_text="Null on AI practice cards.")
    text = serializers.CharField()


class ReviewCardSerializer(Serializer):
    id = serializers.IntegerField()
    course = serializers.IntegerField(source="course_id")
    course_title = serializers.CharField(source="course.title")
    question = serializers.CharField(source="prompt_text")
    kind = serializers.CharField(
        help_text="A quiz question's kind, or `practice` for an AI practice question."
    )
    choices = ReviewCardChoiceSerializer(source="choice_list", many=True)
    answer = serializers.ListField(
        source="answers", child=serializers.CharField(), help_text="Shown after the learner tries."
    )
    explanation = serializers.CharField(source="explanation_text")
    due = serializers.DateTimeField()
    state = serializers.IntegerField()
    stability = serializers.FloatField(allow_null=True)
    difficulty = serializers.FloatField(allow_null=True)


class ReviewDueApi(APIView):
    permission_classes = [IsAuthenticated]

    class ParamsSerializer(QueryParams):
        course = QueryIntegerField(required=False, min_value=1, help_text="One course.")

        class Meta:
            ref_name = "ReviewDueQuery"

    @extend_schema(
        operation_id="reviews_due",
        parameters=[ParamsSerializer],
        responses={200: ReviewCardSerializer(many=True)},
        summary="Your review cards due now (oldest first, at most 100)",
    )
    def get(self, request: Request) -> Response:
        params = query_params_parse(self.ParamsSerializer, request)
        cards = selectors.due_cards(learner=request.user, course_id=params.get("course"))[:100]
        return Response(ReviewCardSerializer(cards, many=True).data)


class ReviewSubmitApi(APIView):
    permission_classes = [IsAuthenticated]

    class InputSerializer(Serializer):
        rating = serializers.JSONField(help_text="again|hard|good|easy or 1-4.")
        duration_ms = serializers.IntegerField(required=False, min_value=0, max_value=3_600_000)

        class Meta:
            ref_name = "ReviewInput"

    class OutputSerializer(Serializer):
        card = serializers.IntegerField(source="card_id")
        rating = serializers.IntegerField()
        reviewed_at = serializers.DateTimeField()
        due = serializers.DateTimeField(source="due_after")
        stability = serializers.FloatField(source="stability_after", allow_null=True)
        difficulty = serializers.FloatField(source="difficulty_after", allow_null=True)

        class Meta:
            ref_name = "ReviewResult"

    @extend_schema(
        operation_id="reviews_submit",
        request=InputSerializer,
        responses={201: OutputSerializer},
        summary="Rate a due card; FSRS schedules its next review (409 if already reviewed)",
    )
    def post(self, request: Request, card_id: int) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        log = services.review_submit(
            learner=request.user,
            card_id=card_id,
            rating=data.validated_data["rating"],
            duration_ms=data.validated_data.get("duration_ms"),
        )
        return Response(self.OutputSerializer(log).data, status=status.HTTP_201_CREATED)


class ReviewStatsApi(APIView):
    permission_classes = [IsAuthenticated]

    class OutputSerializer(Serializer):
        due_now = serializers.IntegerField()
        due_today = serializers.IntegerField()
        reviewed_today = serializers.IntegerField()
        total_cards = serializers.IntegerField()
        retention_percent = serializers.IntegerField(allow_null=True)

        class Meta:
            ref_name = "ReviewStats"

    @extend_schema(operation_id="reviews_stats", responses={200: OutputSerializer})
    def get(self, request: Request) -> Response:
        return Response(self.OutputSerializer(selectors.review_stats(learner=request.user)).data)


class PreferenceApi(APIView):
    permission_classes = [IsAuthenticated]

    class Serializer(Serializer):
        mode = serializers.ChoiceField(choices=Mode.choices, required=False)
        desired_retention = serializers.FloatField(required=False, min_value=0.7, max_value=0.97)
        relax_interval_minutes = serializers.IntegerField(
            required=False, min_value=5, max_value=120
        )
        binge_countdown_seconds = serializers.IntegerField(
            required=False, min_value=3, max_value=30
        )

        class Meta:
            ref_name = "LearningPreference"

    @extend_schema(operation_id="learning_preferences", responses={200: Serializer})
    def get(self, request: Request) -> Response:
        return Response(self.Serializer(services.preference_get(user=request.user)).data)

    @extend_schema(
        operation_id="learning_preferences_update", request=Serializer, responses={200: Serializer}
    )
    def patch(self, request: Request) -> Response:
        data = self.Serializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        preference = services.preference_update(user=request.user, **data.validated_data)
        return Response(self.Serializer(preference).data)


class ChallengeQuestionSerializer(Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    text = serializers.CharField()
    choices = ChoiceSerializer(many=True)


class ChallengeSerializer(Serializer):
    id = serializers.IntegerField()
    course = serializers.IntegerField(source="course_id", allow_null=True)
    category = serializers.IntegerField(source="category_id", allow_null=True)
    started_at = serializers.DateTimeField()
    deadline = serializers.DateTimeField()
    submitted_at = serializers.DateTimeField(allow_null=True)
    score = serializers.IntegerField(allow_null=True)
    correct_count = serializers.IntegerField()
    questions = serializers.SerializerMethodField()

    def get_questions(self, run: ChallengeRun) -> list[dict[str, Any]]:
        from courses.models import Question

        questions = {
            q.pk: q
            for q in Question.objects.filter(pk__in=run.question_ids).prefetch_related("choices")
        }
        return [
            {
                "id": q.pk,
                "kind": q.kind,
                "text": q.text,
                "choices": [{"id": c.pk, "text": c.text} for c in q.choices.all()],
            }
            for pk in run.question_ids
            if (q := questions.get(pk)) is not None
        ]


class ChallengeStartApi(APIView):
    permission_classes = [IsAuthenticated]

    class InputSerializer(Serializer):
        course = serializers.IntegerField(min_value=1, required=False, help_text="A course id.")
        category = serializers.IntegerField(
            min_value=1,
            required=False,
            help_text="A category id: questions from its published courses you are enrolled in.",
        )

        class Meta:
            ref_name = "ChallengeStart"

        def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
            if ("course" in attrs) == ("category" in attrs):
                raise serializers.ValidationError(
                    {"course": ["Give either a course or a category."]}
                )
            return attrs

    @extend_schema(
        operation_id="challenges_start",
        request=InputSerializer,
        responses={201: ChallengeSerializer},
        summary="Start a timed challenge on a course or across a category (a running one is "
        "returned with its original deadline)",
    )
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        if "course" in data.validated_data:
            course = get_object_or_404(
                Course, pk=data.validated_data["course"], status=Course.Status.PUBLISHED
            )
            run = services.challenge_start(learner=request.user, course=course)
        else:
            category = get_object_or_404(Category, pk=data.validated_data["category"])
            run = services.challenge_start(learner=request.user, category=category)
        return Response(ChallengeSerializer(run).data, status=status.HTTP_201_CREATED)


class ChallengeDetailApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(operation_id="challenges_detail", responses={200: ChallengeSerializer})
    def get(self, request: Request, run_id: int) -> Response:
        run = get_object_or_404(ChallengeRun, pk=run_id, learner=request.user)
        return Response(ChallengeSerializer(run).data)


class ChallengeSubmitApi(APIView):
    permission_classes = [IsAuthenticated]

    class InputSerializer(Serializer):
        answers = serializers.DictField(
            child=serializers.JSONField(), help_text="{question id: choice id | [ids] | text}"
        )

        class Meta:
            ref_name = "ChallengeAnswers"

    @extend_schema(
        operation_id="challenges_submit",
        request=InputSerializer,
        responses={200: ChallengeSerializer},
        summary="Submit the answers; refused with 409 after the server's deadline",
    )
    def post(self, request: Request, run_id: int) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        run = services.challenge_submit(
            learner=request.user, run_id=run_id, answers=data.validated_data["answers"]
        )
        return Response(ChallengeSerializer(run).data)


class ChallengeLeaderboardApi(APIView):
    permission_classes = [IsAuthenticated]

    class OutputSerializer(Serializer):
        rank = serializers.IntegerField()
        user_id = serializers.IntegerField()
        display_name = serializers.CharField()
        score = serializers.IntegerField()

        class Meta:
            ref_name = "ChallengeBoardRow"

    class ParamsSerializer(QueryParams):
        course = QueryIntegerField(required=False, min_value=1, help_text="A course's board.")
        category = QueryIntegerField(required=False, min_value=1, help_text="A category's board.")

        class Meta:
            ref_name = "ChallengeBoardQuery"

        def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
            if ("course" in attrs) == ("category" in attrs):
                raise serializers.ValidationError(
                    {"course": ["Give a course id or a category id (one of them)."]}
                )
            return attrs

    @extend_schema(
        operation_id="challenges_leaderboard",
        parameters=[ParamsSerializer],
        responses={200: OutputSerializer(many=True)},
        summary="A challenge's leaderboard: a course's or a category's (give exactly one)",
    )
    def get(self, request: Request) -> Response:
        params = query_params_parse(self.ParamsSerializer, request)
        if "course" in params:
            get_object_or_404(Course, pk=params["course"], status=Course.Status.PUBLISHED)
            rows = selectors.challenge_leaderboard(course_id=params["course"])
        else:
            get_object_or_404(Category, pk=params["category"])
            rows = selectors.challenge_leaderboard(category_id=params["category"])
        return Response(self.OutputSerializer(rows, many=True).data)
