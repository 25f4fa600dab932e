"""The learning API (/api/v1/): reviews, learning-mode preferences, relax-mode study clock."""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from courses.markdown import render_markdown
from courses.models import Category, Course, Lesson, Question
from learning import challenges, selectors, services
from learning.models import ChallengeRun, LearningPreference, Mode, ReviewCard, ReviewLog

COURSE_PARAMETER = OpenApiParameter(
    "course", int, description="Only the cards of this course.", required=False
)


def _course_id(request: Request) -> int | None:
    value = request.query_params.get("course")
    if value in (None, ""):
        return None
    if not value.isdigit():
        raise serializers.ValidationError({"course": ["A course id is a positive whole number."]})
    return int(value)


class ReviewCardOutputSerializer(serializers.ModelSerializer):
    question = serializers.SerializerMethodField()
    course = serializers.SerializerMethodField()
    state = serializers.CharField(source="get_state_display")

    class Meta:
        model = ReviewCard
        fields = [
            "id",
            "question",
            "course",
            "state",
            "due",
            "last_review",
            "stability",
            "difficulty",
            "review_count",
            "lapse_count",
        ]

    @staticmethod
    def question_data(card: ReviewCard) -> dict[str, Any]:
        question = card.question
        choices = list(question.choices.all())
        return {
            "id": question.pk,
            "kind": question.kind,
            "text_html": str(render_markdown(question.text)),
            "choices": [{"id": choice.pk, "text": choice.text} for choice in choices],
            "answer": {
                "correct_choice_ids": [choice.pk for choice in choices if choice.is_correct],
                "accepted_answers": question.accepted_answers,
                "explanation_html": str(render_markdown(question.explanation)),
            },
        }

    def get_question(self, card: ReviewCard) -> dict[str, Any]:
        return self.question_data(card)

    def get_course(self, card: ReviewCard) -> dict[str, Any]:
        return {"id": card.course_id, "title": card.course.title}


class ReviewDueListApi(GenericAPIView):
    """The learner's cards due now, the most overdue first (each with its answer, to flip)."""

    permission_classes = [IsAuthenticated]
    serializer_class = ReviewCardOutputSerializer
    queryset = ReviewCard.objects.none()  # the schema's model; get() asks the selector

    @extend_schema(
        parameters=[COURSE_PARAMETER], responses={200: ReviewCardOutputSerializer(many=True)}
    )
    def get(self, request: Request) -> Response:
        cards = selectors.card_list_due(learner=request.user, course_id=_course_id(request))
        page = self.paginate_queryset(cards)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class ReviewCreateApi(APIView):
    """Rate a due card: with a rating, or with whether the learner was right and how long."""

    permission_classes = [IsAuthenticated]

    class ReviewCreateInputSerializer(serializers.Serializer):
        rating = serializers.ChoiceField(
            choices=ReviewLog.Rating.choices,
            required=False,
            help_text="1 again, 2 hard, 3 good, 4 easy. Or send is_correct instead.",
        )
        is_correct = serializers.BooleanField(required=False)
        duration_ms = serializers.IntegerField(
            required=False, min_value=0, max_value=86_400_000, allow_null=True
        )

        def validate(self, data: dict[str, Any]) -> dict[str, Any]:
            if ("rating" in data) == ("is_correct" in data):
                raise serializers.ValidationError("Send either a rating or is_correct.")
            return data

    class ReviewCreateOutputSerializer(serializers.ModelSerializer):
        rating = serializers.CharField(source="get_rating_display")
        card = ReviewCardOutputSerializer()

        class Meta:
            model = ReviewLog
            fields = ["id", "number", "rating", "reviewed_at", "duration_ms", "card"]

    @extend_schema(
        request=ReviewCreateInputSerializer, responses={201: ReviewCreateOutputSerializer}
    )
    def post(self, request: Request, card_id: int) -> Response:
        data = self.ReviewCreateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        duration_ms = values.get("duration_ms")
        rating = values.get("rating") or services.rating_from_answer(
            is_correct=values["is_correct"], duration_ms=duration_ms
        )
        log = services.card_review(
            learner=request.user, card_id=card_id, rating=int(rating), duration_ms=duration_ms
        )
        # Reloaded with its question and choices for the answer.
        log.card = selectors.card_get(learner=request.user, card_id=card_id) or log.card
        return Response(self.ReviewCreateOutputSerializer(log).data, status=status.HTTP_201_CREATED)


class ReviewStatsApi(APIView):
    """Due now and today, reviews today, measured and desired retention."""

    permission_classes = [IsAuthenticated]

    class ReviewStatsOutputSerializer(serializers.Serializer):
        due_now = serializers.IntegerField()
        due_today = serializers.IntegerField()
        total_cards = serializers.IntegerField()
        reviewed_today = serializers.IntegerField()
        retention = serializers.FloatField(allow_null=True)
        desired_retention = serializers.FloatField()

    @extend_schema(parameters=[COURSE_PARAMETER], responses={200: ReviewStatsOutputSerializer})
    def get(self, request: Request) -> Response:
        stats = selectors.review_stats(learner=request.user, course_id=_course_id(request))
        return Response(self.ReviewStatsOutputSerializer(stats).data)


class PreferenceSerializer(serializers.ModelSerializer):
    class Meta:
        model = LearningPreference
        fields = [
            "mode",
            "desired_retention",
            "study_interval_minutes",
            "break_minutes",
            "autoplay_countdown_seconds",
        ]


class PreferenceApi(APIView):
    """The learner's learning mode and its settings (the profile's learning section)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: PreferenceSerializer})
    def get(self, request: Request) -> Response:
        return Response(PreferenceSerializer(selectors.preference_get(learner=request.user)).data)

    @extend_schema(request=PreferenceSerializer, responses={200: PreferenceSerializer})
    def patch(self, request: Request) -> Response:
        data = PreferenceSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        preference = services.preference_update(learner=request.user, data=data.validated_data)
        return Response(PreferenceSerializer(preference).data)


class CourseModeApi(APIView):
    """The mode for one course: set it, or send null to follow the general mode."""

    permission_classes = [IsAuthenticated]

    class CourseModeInputSerializer(serializers.Serializer):
        mode = serializers.ChoiceField(choices=Mode.choices, allow_null=True)

    class CourseModeOutputSerializer(serializers.Serializer):
        course_id = serializers.IntegerField()
        mode = serializers.ChoiceField(choices=Mode.choices)

    @extend_schema(responses={200: CourseModeOutputSerializer})
    def get(self, request: Request, course_id: int) -> Response:
        course = get_object_or_404(Course, pk=course_id)
        mode = selectors.mode_get(learner=request.user, course=course)
        return Response({"course_id": course.pk, "mode": mode})

    @extend_schema(request=CourseModeInputSerializer, responses={200: CourseModeOutputSerializer})
    def put(self, request: Request, course_id: int) -> Response:
        course = get_object_or_404(Course, pk=course_id)
        data = self.CourseModeInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        mode = services.course_mode_set(
            learner=request.user, course=course, mode=data.validated_data["mode"]
        )
        return Response({"course_id": course.pk, "mode": mode})


class StudyStateSerializer(serializers.Serializer):
    mode = serializers.CharField()
    active_seconds = serializers.IntegerField()
    study_interval_seconds = serializers.IntegerField()
    is_break_due = serializers.BooleanField()
    is_on_break = serializers.BooleanField()
    break_seconds = serializers.IntegerField()
    lessons_in_a_row = serializers.IntegerField()


def study_state(request: Request, activity: Any) -> dict[str, Any]:
    preference = selectors.preference_get(learner=request.user)
    return {
        "mode": preference.mode,
        "active_seconds": activity.active_seconds,
        "study_interval_seconds": preference.study_interval_minutes * 60,
        "is_break_due": preference.mode == Mode.RELAX
        and services.break_is_due(activity=activity, preference=preference),
        "is_on_break": activity.break_started_at is not None,
        "break_seconds": preference.break_minutes * 60,
        "lessons_in_a_row": activity.lessons_in_a_row,
    }


class StudyHeartbeatApi(APIView):
    """The player's heartbeat (every 30 s while the learner is active): relax mode's clock."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={200: StudyStateSerializer})
    def post(self, request: Request) -> Response:
        activity = services.study_heartbeat(learner=request.user)
        return Response(StudyStateSerializer(study_state(request, activity)).data)


class StudyBreakApi(APIView):
    """Start (POST) or end (DELETE) a relax-mode break."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={200: StudyStateSerializer})
    def post(self, request: Request) -> Response:
        activity = services.study_break_start(learner=request.user)
        return Response(StudyStateSerializer(study_state(request, activity)).data)

    @extend_schema(request=None, responses={200: StudyStateSerializer})
    def delete(self, request: Request) -> Response:
        activity = services.study_break_end(learner=request.user)
        return Response(StudyStateSerializer(study_state(request, activity)).data)


class LessonNextApi(APIView):
    """Binge mode: the lesson after this one (across modules) and the autoplay countdown."""

    permission_classes = [IsAuthenticated]

    class LessonNextOutputSerializer(serializers.Serializer):
        next_lesson_id = serializers.IntegerField(allow_null=True)
        next_lesson_title = serializers.CharField(allow_null=True)
        is_module_end = serializers.BooleanField()
        countdown_seconds = serializers.IntegerField()
        lessons_in_a_row = serializers.IntegerField()

    @extend_schema(responses={200: LessonNextOutputSerializer})
    def get(self, request: Request, lesson_id: int) -> Response:
        lesson = get_object_or_404(Lesson.objects.select_related("module"), pk=lesson_id)
        following, is_module_end = selectors.lesson_next(lesson=lesson)
        preference = selectors.preference_get(learner=request.user)
        activity = selectors.study_activity_get(learner=request.user)
        return Response(
            {
                "next_lesson_id": following.pk if following else None,
                "next_lesson_title": following.title if following else None,
                "is_module_end": is_module_end,
                "countdown_seconds": preference.autoplay_countdown_seconds,
                "lessons_in_a_row": activity.lessons_in_a_row,
            }
        )


class ChallengeRunOutputSerializer(serializers.ModelSerializer):
    seconds_left = serializers.SerializerMethodField()
    questions = serializers.SerializerMethodField()

    class Meta:
        model = ChallengeRun
        fields = [
            "id",
            "scope",
            "started_at",
            "deadline",
            "seconds_left",
            "submitted_at",
            "is_expired",
            "correct_count",
            "score",
            "questions",
        ]

    def get_seconds_left(self, run: ChallengeRun) -> int:
        if run.submitted_at or run.is_expired:
            return 0
        return max(0, int((run.deadline - timezone.now()).total_seconds()))

    @extend_schema_field(serializers.ListField(child=serializers.DictField()))
    def get_questions(self, run: ChallengeRun) -> list[dict[str, Any]]:
        questions = {
            question.pk: question
            for question in Question.objects.filter(pk__in=run.question_ids).prefetch_related(
                "choices"
            )
        }
        return [
            {
                "id": pk,
                "kind": questions[pk].kind,
                "text_html": str(render_markdown(questions[pk].text)),
                "choices": [
                    {"id": choice.pk, "text": choice.text} for choice in questions[pk].choices.all()
                ],
            }
            for pk in run.question_ids
            if pk in questions
        ]


class ChallengeRunStartApi(APIView):
    """Start a timed challenge on a course or a category (a running one is returned, clock kept)."""

    permission_classes = [IsAuthenticated]

    class ChallengeRunStartInputSerializer(serializers.Serializer):
        course_id = serializers.IntegerField(required=False, min_value=1)
        category_id = serializers.IntegerField(required=False, min_value=1)

    @extend_schema(
        request=ChallengeRunStartInputSerializer,
        responses={201: ChallengeRunOutputSerializer, 200: ChallengeRunOutputSerializer},
    )
    def post(self, request: Request) -> Response:
        data = self.ChallengeRunStartInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        course = (
            get_object_or_404(Course, pk=values["course_id"]) if "course_id" in values else None
        )
        category = (
            get_object_or_404(Category, pk=values["category_id"])
            if "category_id" in values
            else None
        )
        run, created = challenges.challenge_run_start(
            learner=request.user, course=course, category=category
        )
        return Response(
            ChallengeRunOutputSerializer(run).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class ChallengeRunDetailApi(APIView):
    """A run of the learner's: the clock while it runs, the score once submitted."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: ChallengeRunOutputSerializer})
    def get(self, request: Request, run_id: int) -> Response:
        run = get_object_or_404(ChallengeRun, pk=run_id, learner=request.user)
        return Response(ChallengeRunOutputSerializer(run).data)


class ChallengeRunSubmitApi(APIView):
    """Submit the answers: {question id: choice id or [choice ids]}; refused after the deadline."""

    permission_classes = [IsAuthenticated]

    class ChallengeRunSubmitInputSerializer(serializers.Serializer):
        answers = serializers.DictField(child=serializers.JSONField())

    @extend_schema(
        request=ChallengeRunSubmitInputSerializer, responses={200: ChallengeRunOutputSerializer}
    )
    def post(self, request: Request, run_id: int) -> Response:
        data = self.ChallengeRunSubmitInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        run = challenges.challenge_run_submit(
            learner=request.user, run_id=run_id, answers=data.validated_data["answers"]
        )
        return Response(ChallengeRunOutputSerializer(run).data)


class ChallengeLeaderboardApi(APIView):
    """The best score of each learner on a challenge (?course=<id> or ?category=<id>)."""

    permission_classes = [IsAuthenticated]

    class ChallengeLeaderboardRowSerializer(serializers.Serializer):
        rank = serializers.IntegerField()
        learner_id = serializers.IntegerField()
        name = serializers.CharField()
        best_score = serializers.IntegerField()

    @extend_schema(
        parameters=[
            OpenApiParameter("course", int, required=False),
            OpenApiParameter("category", int, required=False),
        ],
        responses={200: ChallengeLeaderboardRowSerializer(many=True)},
    )
    def get(self, request: Request) -> Response:
        course_id = request.query_params.get("course", "")
        category_id = request.query_params.get("category", "")
        if bool(course_id) == bool(category_id) or not (course_id or category_id).isdigit():
            raise serializers.ValidationError(
                {"course": ["Give one course or category id, a positive whole number."]}
            )
        scope = f"course:{course_id}" if course_id else f"category:{category_id}"
        rows = challenges.challenge_leaderboard(scope=scope)
        return Response(self.ChallengeLeaderboardRowSerializer(rows, many=True).data)
