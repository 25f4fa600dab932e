"""/api/v1/ai/: the AI tools for API callers (the same services as the pages)."""

from __future__ import annotations

import itertools
import json
from collections.abc import AsyncIterator, Iterator
from typing import Any

from asgiref.sync import sync_to_async
from django.core.handlers.asgi import ASGIRequest
from django.http import StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    inline_serializer,
)
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from ai_tools import selectors, services
from ai_tools.models import ChatMessage, Conversation, LessonSummary, PracticeSet
from ai_tools.providers.base import DIFFICULTIES, QUESTION_KINDS
from core.exceptions import ApplicationError, NotFoundError
from core.pagination import PageNumberPagination
from core.serializers import ModelSerializer, Serializer
from core.throttling import UserRateThrottle
from courses.models import Course, Module
from courses.selectors import course_get, lesson_get

AI_TAG = ["AI tools"]


class AIRateThrottle(UserRateThrottle):
    """AI requests per signed-in user per minute (settings: API_THROTTLE_AI)."""

    scope = "ai"

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        if not request.user or not request.user.is_authenticated:
            return None
        return f"throttle:{self.scope}:{request.user.pk}"


class _AIApi(APIView):
    permission_classes = [IsAuthenticated]
    throttle_classes = [UserRateThrottle, AIRateThrottle]


# --- summaries ------------------------------------------------------------------------------------


class SummaryOutputSerializer(ModelSerializer):
    is_generated = serializers.SerializerMethodField()

    class Meta:
        model = LessonSummary
        fields = [
            "id", "lesson_id", "status", "provider", "summary", "key_points", "takeaways",
            "key_terms", "error", "generated_at", "is_generated",
        ]  # fmt: skip

    def get_is_generated(self, summary: LessonSummary) -> bool:
        """Always true: the content was written by an AI provider, not by the instructor."""
        return True


class SummarizeLessonApi(_AIApi):
    class SummarizeLessonInputSerializer(Serializer):
        lesson_id = serializers.IntegerField(min_value=1)

    @extend_schema(
        tags=AI_TAG,
        summary="Summarise a lesson",
        description=(
            "Key points, takeaways, key terms and a short summary of a lesson the caller may "
            "open. Cached per version of the lesson's text: a ready summary answers 200 at once "
            "(no quota used); otherwise generation starts and the answer is 202 with status "
            "`pending`: poll `GET /ai/summaries/{id}`."
        ),
        request=SummarizeLessonInputSerializer,
        responses={200: SummaryOutputSerializer, 202: SummaryOutputSerializer},
    )
    def post(self, request: Request) -> Response:
        data = self.SummarizeLessonInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        lesson = lesson_get(user=request.user, lesson_id=data.validated_data["lesson_id"])
        summary = services.summary_request(user=request.user, lesson=lesson)
        summary.refresh_from_db()
        code = status.HTTP_200_OK if summary.status == "ready" else status.HTTP_202_ACCEPTED
        return Response(SummaryOutputSerializer(summary).data, status=code)


class SummaryDetailApi(_AIApi):
    throttle_classes = [UserRateThrottle]

    @extend_schema(tags=AI_TAG, summary="A lesson summary", responses=SummaryOutputSerializer)
    def get(self, request: Request, summary_id: int) -> Response:
        summary = LessonSummary.objects.filter(pk=summary_id).select_related("lesson").first()
        if summary is None:
            raise NotFoundError("Summary not found.")
        services.ai_access_check(user=request.user)
        lesson = lesson_get(user=request.user, lesson_id=summary.lesson_id)
        services.lesson_access_check(user=request.user, lesson=lesson)
        return Response(SummaryOutputSerializer(summary).data)


# --- practice questions ------------------------------------------------------------------------


class PracticeSetOutputSerializer(ModelSerializer):
    questions = serializers.SerializerMethodField()
    is_generated = serializers.SerializerMethodField()

    class Meta:
        model = PracticeSet
        fields = [
            "id", "title", "lesson_id", "module_id", "status", "provider", "question_count",
            "kinds", "difficulty", "questions", "error", "answers", "correct_count",
            "submitted_at", "created_at", "is_generated",
        ]  # fmt: skip

    def get_questions(self, practice_set: PracticeSet) -> list[dict[str, Any]]:
        """The questions; answers and explanations only once the set has been submitted."""
        if practice_set.submitted_at is not None:
            return practice_set.questions
        hidden = {"answer", "explanation", "source_sentence"}
        return [
            {key: value for key, value in question.items() if key not in hidden}
            for question in practice_set.questions
        ]

    def get_is_generated(self, practice_set: PracticeSet) -> bool:
        return True


class GenerateQuestionsApi(_AIApi):
    class GenerateQuestionsInputSerializer(Serializer):
        lesson_id = serializers.IntegerField(min_value=1, required=False)
        module_id = serializers.IntegerField(min_value=1, required=False)
        count = serializers.IntegerField(min_value=1, max_value=20, default=5)
        kinds = serializers.ListField(
            child=serializers.ChoiceField(choices=QUESTION_KINDS),
            min_length=1,
            default=list(QUESTION_KINDS),
        )
        difficulty = serializers.ChoiceField(choices=DIFFICULTIES, default="medium")

        def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
            if ("lesson_id" in attrs) == ("module_id" in attrs):
                raise serializers.ValidationError("Give either lesson_id or module_id.")
            return attrs

    @extend_schema(
        tags=AI_TAG,
        summary="Generate practice questions",
        description=(
            "Writes `count` questions (multiple choice and/or cloze) answerable from a lesson or "
            "from every lesson of a module the caller may open. Answers are hidden until the set "
            "is submitted to `POST /ai/practice-sets/{id}/submit`. 201 when the questions are "
            "ready (reused for the same text and options), 202 while they are being written."
        ),
        request=GenerateQuestionsInputSerializer,
        responses={201: PracticeSetOutputSerializer, 202: PracticeSetOutputSerializer},
    )
    def post(self, request: Request) -> Response:
        data = self.GenerateQuestionsInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        lesson = module = None
        if "lesson_id" in values:
            lesson = lesson_get(user=request.user, lesson_id=values["lesson_id"])
        else:
            module = Module.objects.select_related("course").filter(pk=values["module_id"]).first()
            if module is None:
                raise NotFoundError("Module not found.")
            course_get(user=request.user, course_id=module.course_id)
        practice_set = services.practice_set_create(
            user=request.user,
            lesson=lesson,
            module=module,
            count=values["count"],
            kinds=values["kinds"],
            difficulty=values["difficulty"],
        )
        practice_set.refresh_from_db()
        code = (
            status.HTTP_201_CREATED if practice_set.status == "ready" else status.HTTP_202_ACCEPTED
        )
        return Response(PracticeSetOutputSerializer(practice_set).data, status=code)


class PracticeSetListApi(_AIApi):
    throttle_classes = [UserRateThrottle]

    @extend_schema(
        tags=AI_TAG,
        summary="Your practice sets",
        operation_id="ai_practice_sets_list",
        parameters=[
            OpenApiParameter("page", int, description="A page number (404 past the last page)."),
            OpenApiParameter("page_size", int, description="Sets per page, 1 to 100."),
        ],
        # The list is paginated: document the envelope the response really has.
        responses=inline_serializer(
            "PaginatedPracticeSetList",
            {
                "count": serializers.IntegerField(),
                "next": serializers.URLField(allow_null=True),
                "previous": serializers.URLField(allow_null=True),
                "results": PracticeSetOutputSerializer(many=True),
            },
        ),
    )
    def get(self, request: Request) -> Response:
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(
            selectors.practice_set_list_for_learner(user=request.user), request, view=self
        )
        return paginator.get_paginated_response(PracticeSetOutputSerializer(page, many=True).data)


def _own_practice_set(request: Request, practice_set_id: int) -> PracticeSet:
    practice_set = selectors.practice_set_get_for_learner(
        user=request.user, practice_set_id=practice_set_id
    )
    if practice_set is None:
        raise NotFoundError("Practice set not found.")
    return practice_set


class PracticeSetDetailApi(_AIApi):
    throttle_classes = [UserRateThrottle]

    @extend_schema(tags=AI_TAG, summary="A practice set", responses=PracticeSetOutputSerializer)
    def get(self, request: Request, practice_set_id: int) -> Response:
        return Response(
            PracticeSetOutputSerializer(_own_practice_set(request, practice_set_id)).data
        )


class PracticeSetSubmitApi(_AIApi):
    throttle_classes = [UserRateThrottle]

    class PracticeSetSubmitInputSerializer(Serializer):
        answers = serializers.DictField(
            child=serializers.CharField(allow_blank=True, max_length=500),
            help_text='Answers by question number, e.g. {"1": "Moon", "2": "neap tides"}.',
        )

    @extend_schema(
        tags=AI_TAG,
        summary="Check your answers to a practice set",
        request=PracticeSetSubmitInputSerializer,
        responses=PracticeSetOutputSerializer,
    )
    def post(self, request: Request, practice_set_id: int) -> Response:
        data = self.PracticeSetSubmitInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        practice_set = services.practice_set_submit(
            user=request.user,
            practice_set=_own_practice_set(request, practice_set_id),
            answers=data.validated_data["answers"],
        )
        return Response(PracticeSetOutputSerializer(practice_set).data)


# --- study buddy ---------------------------------------------------------------------------------


class ChatMessageOutputSerializer(ModelSerializer):
    is_generated = serializers.SerializerMethodField()

    class Meta:
        model = ChatMessage
        fields = ["id", "role", "content", "citations", "provider", "created_at", "is_generated"]

    def get_is_generated(self, message: ChatMessage) -> bool:
        """True for the study buddy's answers."""
        return message.role == ChatMessage.Role.ASSISTANT


class StudyBuddyOutputSerializer(Serializer):
    conversation_id = serializers.IntegerField()
    message = ChatMessageOutputSerializer()


def _sse(event: str, payload: dict[str, Any]) -> bytes:
    return f"event: {event}\ndata: {json.dumps(payload)}\n\n".encode()


async def _sent_as_ready(chunks: Iterator[bytes]) -> AsyncIterator[bytes]:
    """`chunks` for an ASGI server, each sent as soon as it is made. Making one is synchronous
    (the service's queries and its DeepSeek call), so it runs in the request's own thread."""
    step = sync_to_async(next, thread_sensitive=True)
    while (chunk := await step(chunks, None)) is not None:
        yield chunk


class StudyBuddyApi(_AIApi):
    class StudyBuddyInputSerializer(Serializer):
        course_id = serializers.IntegerField(min_value=1)
        question = serializers.CharField(max_length=services.MAX_QUESTION_LENGTH)
        conversation_id = serializers.IntegerField(min_value=1, required=False)
        stream = serializers.BooleanField(default=False)

    @extend_schema(
        tags=AI_TAG,
        summary="Ask the study buddy",
        description=(
            "Answers a question from the course's lessons (only those the caller may open), "
            "citing the passages used. Without `conversation_id` a new conversation starts. "
            "With `stream: true` (or `Accept: text/event-stream`) the answer is sent as "
            "server-sent events: `conversation`, then `chunk` events ({text}), then `done` "
            "(the saved message) or `error`."
        ),
        request=StudyBuddyInputSerializer,
        responses={
            200: StudyBuddyOutputSerializer,
            (200, "text/event-stream"): OpenApiResponse(
                response=OpenApiTypes.STR, description="Server-sent events."
            ),
        },
    )
    def post(self, request: Request) -> Response | StreamingHttpResponse:
        data = self.StudyBuddyInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        course: Course = course_get(user=request.user, course_id=values["course_id"])
        if "conversation_id" in values:
            conversation = selectors.conversation_get_for_learner(
                user=request.user, conversation_id=values["conversation_id"]
            )
            if conversation is None or conversation.course_id != course.pk:
                raise NotFoundError("Conversation not found.")
        else:
            conversation = services.conversation_create(user=request.user, course=course)
        events = services.study_buddy_reply(
            user=request.user, conversation=conversation, question=values["question"]
        )
        wants_stream = values["stream"] or "text/event-stream" in request.headers.get("Accept", "")
        if not wants_stream:
            message = None
            for event in events:
                message = event.message or message
            return Response(
                StudyBuddyOutputSerializer(
                    {"conversation_id": conversation.pk, "message": message}
                ).data
            )
        # The first event runs the checks (quota, entitlement): refusals are still plain 4xx.
        first = next(events)

        def stream() -> Iterator[bytes]:
            yield _sse("conversation", {"conversation_id": conversation.pk})
            try:
                for item in itertools.chain([first], events):
                    if item.kind == "chunk":
                        yield _sse("chunk", {"text": item.text})
                    else:
                        yield _sse("done", ChatMessageOutputSerializer(item.message).data)
            except ApplicationError as error:
                yield _sse("error", {"code": error.code, "message": error.message})

        # Each server streams only its own kind of iterator (Django buffers the other whole), so
        # under ASGI (the Procfile's `ws` process, where nginx sends this endpoint) the events go
        # out through an async iterator and under WSGI through the generator itself.
        asgi = isinstance(request._request, ASGIRequest)
        content = _sent_as_ready(stream()) if asgi else stream()
        response = StreamingHttpResponse(content, content_type="text/event-stream")
        response["Cache-Control"] = "no-cache"
        response["X-Accel-Buffering"] = "no"
        return response


class ConversationOutputSerializer(ModelSerializer):
    class Meta:
        model = Conversation
        fields = ["id", "course_id", "title", "created_at", "updated_at"]


class ConversationListApi(_AIApi):
    throttle_classes = [UserRateThrottle]

    @extend_schema(
        tags=AI_TAG,
        summary="Your study-buddy conversations about a course",
        parameters=[OpenApiParameter("course_id", int, required=True)],
        responses=ConversationOutputSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        course_id = request.query_params.get("course_id", "")
        if not course_id.isdigit():
            raise ApplicationError("Give course_id.", fields={"course_id": ["A number."]})
        course = course_get(user=request.user, course_id=int(course_id))
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(
            selectors.conversation_list_for_learner(user=request.user, course=course),
            request,
            view=self,
        )
        return paginator.get_paginated_response(ConversationOutputSerializer(page, many=True).data)


class ConversationMessageListApi(_AIApi):
    throttle_classes = [UserRateThrottle]

    @extend_schema(
        tags=AI_TAG,
        summary="The messages of one of your conversations",
        responses=ChatMessageOutputSerializer(many=True),
    )
    def get(self, request: Request, conversation_id: int) -> Response:
        conversation = selectors.conversation_get_for_learner(
            user=request.user, conversation_id=conversation_id
        )
        if conversation is None:
            raise NotFoundError("Conversation not found.")
        return Response(
            ChatMessageOutputSerializer(
                selectors.chat_message_list(conversation=conversation), many=True
            ).data
        )


# --- skill gaps ----------------------------------------------------------------------------------


class RecommendationSerializer(Serializer):
    lesson_id = serializers.IntegerField()
    title = serializers.CharField()
    url = serializers.CharField()
    reason = serializers.CharField()


class SkillMasterySerializer(Serializer):
    skill_id = serializers.IntegerField()
    name = serializers.CharField()
    slug = serializers.CharField()
    correct = serializers.IntegerField()
    answered = serializers.IntegerField()
    mastery = serializers.FloatField(help_text="Estimated probability of a right answer, 0-1.")
    confidence = serializers.FloatField(help_text="0-1: how sure the estimate is.")
    confidence_label = serializers.CharField()
    recommendations = RecommendationSerializer(many=True)
    advice = serializers.CharField(
        help_text="AI-generated study advice (weakest skills only; empty otherwise)."
    )


class SkillGapReportSerializer(Serializer):
    skills = SkillMasterySerializer(many=True)
    weakest = SkillMasterySerializer(many=True)
    attempts_used = serializers.IntegerField()
    reviews_used = serializers.IntegerField(
        help_text="Reviews of revision cards made from quiz questions that the estimate used."
    )
    lessons_completed = serializers.IntegerField()
    advice_provider = serializers.CharField(
        help_text="Who wrote the advice: `local` or `deepseek` (empty when there is none)."
    )
    advice_error = serializers.CharField(
        help_text="Why there is no advice when the AI service failed; the figures still hold."
    )


class AnalyzeSkillGapsApi(_AIApi):
    class AnalyzeSkillGapsInputSerializer(Serializer):
        course_id = serializers.IntegerField(min_value=1, required=False)

    @extend_schema(
        tags=AI_TAG,
        summary="Analyse your skill gaps",
        description=(
            "Per skill tag of the quiz questions you answered: mastery (a Beta-Binomial "
            "estimate), confidence, the weakest skills and the lessons to revisit, with reasons, "
            "and AI-generated study advice for the weakest skills (one quota unit when there is "
            "a weak skill)."
        ),
        request=AnalyzeSkillGapsInputSerializer,
        responses=SkillGapReportSerializer,
    )
    def post(self, request: Request) -> Response:
        data = self.AnalyzeSkillGapsInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.ai_access_check(user=request.user)
        course = None
        if "course_id" in data.validated_data:
            course = course_get(user=request.user, course_id=data.validated_data["course_id"])
        report = services.skill_gap_analyze(user=request.user, course=course)
        return Response(SkillGapReportSerializer(report).data)


# --- plan and quota -------------------------------------------------------------------------------


class AIUsageApi(_AIApi):
    throttle_classes = [UserRateThrottle]

    class AIUsageOutputSerializer(Serializer):
        plan = serializers.CharField(help_text="Billing plan: free, basic, pro, premium, or staff.")
        can_use = serializers.BooleanField(help_text="Whether the plan includes the AI tools.")
        required_plan = serializers.CharField()
        daily_limit = serializers.IntegerField()
        used_today = serializers.IntegerField()
        remaining_today = serializers.IntegerField()
        prompt_tokens_today = serializers.IntegerField()
        completion_tokens_today = serializers.IntegerField()

    @extend_schema(
        tags=AI_TAG,
        summary="Your AI plan and quota",
        description=(
            "Whether your billing plan includes the AI tools, its daily request quota (UTC days) "
            "and how much of it is left today. Cached summaries and practice sets cost nothing."
        ),
        responses=AIUsageOutputSerializer,
    )
    def get(self, request: Request) -> Response:
        allowance = selectors.ai_allowance_get(user=request.user)
        return Response(self.AIUsageOutputSerializer(allowance).data)
