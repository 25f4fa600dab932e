"""The help center API (/api/v1/): thin views over qa.selectors and qa.services.

Reading questions is open to everyone; every write needs a signed-in user, and the services
decide who may do what (asker-only XP awards: 403; values out of range: 400 naming the field).
"""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    inline_serializer,
)
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated, IsAuthenticatedOrReadOnly
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.fields import StrictCharField
from core.pagination import CachedCountPagination, PageNumberPagination
from core.permissions import IsAdmin
from core.query import (
    QueryBooleanField,
    QueryIntegerField,
    QueryParams,
    QueryTextField,
    query_params_parse,
)
from core.serializers import Serializer
from courses.models import Course, Lesson
from qa import selectors, services
from qa.api.serializers import (
    QaAnswerSerializer,
    QaCategorySerializer,
    QaCommentSerializer,
    QaFlagForModeratorSerializer,
    QaFlagSerializer,
    QaFollowingSerializer,
    QaQuestionDetailSerializer,
    QaQuestionSerializer,
    QaRevisionSerializer,
    QaStarRatingSerializer,
    QaVisibilitySerializer,
    QaXpAwardSerializer,
)
from qa.exceptions import NotModeratorError
from qa.models import Answer, Category, Comment, Flag, Question

TAGS = ["help center"]


def _body(request: Request) -> dict[str, Any]:
    """The request's JSON object ({} for anything else, so missing fields are reported)."""
    return request.data if isinstance(request.data, dict) else {}


def _question(request: Request, question_id: int) -> Question:
    return selectors.question_get(question_id=question_id, viewer=request.user)


def _answer(request: Request, answer_id: int) -> Answer:
    return selectors.answer_get(answer_id=answer_id, viewer=request.user)


def _answer_output(request: Request, answer: Answer) -> dict[str, Any]:
    answer = (
        selectors.answer_list_for_question(question=answer.question, viewer=request.user)
        .filter(pk=answer.pk)
        .first()
        or answer
    )
    my_stars = selectors.star_ratings_by_user(user=request.user, answer_ids=[answer.pk])
    return QaAnswerSerializer(answer, context={"my_stars": my_stars}).data


def _comment(request: Request, comment_id: int) -> Comment:
    return selectors.comment_get(comment_id=comment_id, viewer=request.user)


def _question_detail(request: Request, question: Question) -> dict[str, Any]:
    answers = list(selectors.answer_list_for_question(question=question, viewer=request.user))
    context = {
        "answers": answers,
        "comments": list(selectors.question_comment_list(question=question, viewer=request.user)),
        "my_stars": selectors.star_ratings_by_user(
            user=request.user, answer_ids=[answer.pk for answer in answers]
        ),
    }
    return QaQuestionDetailSerializer(question, context=context).data


# --- Questions ----------------------------------------------------------------------------------


class QuestionInputSerializer(Serializer):
    title = serializers.CharField(max_length=200, help_text="At least 10 characters.")
    body = serializers.CharField(max_length=20000, help_text="Markdown, at least 20 characters.")
    category = serializers.SlugRelatedField(
        slug_field="slug",
        queryset=Category.objects.filter(is_active=True),
        required=False,
        allow_null=True,
        help_text="A category slug; leave it out and the classifier chooses.",
    )
    tags = serializers.ListField(
        child=serializers.CharField(max_length=40), required=False, max_length=5
    )
    course = serializers.PrimaryKeyRelatedField(
        queryset=Course.objects.all(), required=False, allow_null=True
    )
    lesson = serializers.PrimaryKeyRelatedField(
        queryset=Lesson.objects.select_related("module"), required=False, allow_null=True
    )


class QuestionUpdateSerializer(Serializer):
    title = serializers.CharField(max_length=200, required=False)
    body = serializers.CharField(max_length=20000, required=False)
    category = serializers.SlugRelatedField(
        slug_field="slug",
        queryset=Category.objects.filter(is_active=True),
        required=False,
        allow_null=True,
    )
    tags = serializers.ListField(
        child=serializers.CharField(max_length=40), required=False, max_length=5
    )
    note = serializers.CharField(max_length=200, required=False, allow_blank=True)


_QUESTION_EXAMPLE = OpenApiExample(
    "Ask without a category",
    value={
        "title": "Docker container exits immediately after docker run",
        "body": "My image builds, but `docker run` stops at once with exit code 0.",
        "tags": ["docker"],
    },
    request_only=True,
)


class QuestionListParams(QueryParams):
    search = QueryTextField(max_length=200, help_text="Full-text search of titles and bodies.")
    category = QueryTextField(max_length=80, help_text="A category slug, e.g. python.")
    tag = QueryTextField(max_length=40, help_text="A tag name, e.g. django.")
    course = QueryIntegerField(
        required=False, min_value=1, help_text="Only questions about this course."
    )
    unanswered = QueryBooleanField(
        required=False, help_text="true: only questions without answers."
    )
    sort = serializers.ChoiceField(
        choices=["newest", "active", "votes", "relevance"],
        required=False,
        error_messages={"invalid_choice": "Choose newest, active, votes or relevance."},
        help_text="newest (default; relevance when searching), active, votes.",
    )


_QUESTION_LIST_PARAMETERS = [
    QuestionListParams,
    OpenApiParameter("page", int, description="A page number (404 past the last page)."),
    OpenApiParameter("page_size", int, description="Questions per page, 1 to 100 (default 20)."),
]


class QuestionListCreateApi(APIView):
    permission_classes = [IsAuthenticatedOrReadOnly]

    @extend_schema(
        tags=TAGS,
        operation_id="questions_list",
        summary="List and search questions",
        parameters=_QUESTION_LIST_PARAMETERS,
        # The list is paginated: document the envelope the response really has.
        responses={
            200: inline_serializer(
                "PaginatedQaQuestionList",
                {
                    "count": serializers.IntegerField(),
                    "next": serializers.URLField(allow_null=True),
                    "previous": serializers.URLField(allow_null=True),
                    "results": QaQuestionSerializer(many=True),
                },
            )
        },
    )
    def get(self, request: Request) -> Response:
        filters = selectors.QuestionFilters(**query_params_parse(QuestionListParams, request))
        questions = selectors.question_list(viewer=request.user, filters=filters)
        paginator = CachedCountPagination()
        page = paginator.paginate_queryset(questions, request, view=self)
        return paginator.get_paginated_response(QaQuestionSerializer(page, many=True).data)

    @extend_schema(
        tags=TAGS,
        operation_id="questions_create",
        summary="Ask a question",
        description=(
            "Without `category` the classifier picks one (`category_source` says how, "
            "`category_explanation` why)."
        ),
        request=QuestionInputSerializer,
        responses={201: QaQuestionDetailSerializer},
        examples=[_QUESTION_EXAMPLE],
    )
    def post(self, request: Request) -> Response:
        serializer = QuestionInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        question = services.question_create(
            asker=request.user,
            title=data["title"],
            body=data["body"],
            category=data.get("category"),
            tags=data.get("tags", []),
            course=data.get("course"),
            lesson=data.get("lesson"),
        )
        question = _question(request, question.pk)
        return Response(_question_detail(request, question), status=status.HTTP_201_CREATED)


class QuestionDetailApi(APIView):
    permission_classes = [IsAuthenticatedOrReadOnly]

    @extend_schema(
        tags=TAGS,
        operation_id="questions_retrieve",
        summary="A question with its comments and ranked answers",
        description="Answers come accepted first, then by the Bayesian average of their stars.",
        responses={200: QaQuestionDetailSerializer},
    )
    def get(self, request: Request, question_id: int) -> Response:
        return Response(_question_detail(request, _question(request, question_id)))

    @extend_schema(
        tags=TAGS,
        operation_id="questions_partial_update",
        summary="Edit a question",
        description=(
            "The asker, users with the edit privilege and moderators; each edit is kept as a "
            "revision. `category: null` clears the category."
        ),
        request=QuestionUpdateSerializer,
        responses={200: QaQuestionDetailSerializer},
        examples=[
            OpenApiExample(
                "Retitle",
                value={"title": "Docker container exits with code 0", "note": "clearer title"},
                request_only=True,
            )
        ],
    )
    def patch(self, request: Request, question_id: int) -> Response:
        question = _question(request, question_id)
        serializer = QuestionUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        services.question_update(
            question=question,
            editor=request.user,
            title=data.get("title"),
            body=data.get("body"),
            category=data.get("category", ...),
            tags=data.get("tags"),
            note=data.get("note", ""),
        )
        return Response(_question_detail(request, _question(request, question_id)))

    @extend_schema(
        tags=TAGS,
        operation_id="questions_destroy",
        summary="Delete a question",
        description="Its asker while it has no answers (else 409); moderators always.",
        responses={204: OpenApiResponse(description="Deleted.")},
    )
    def delete(self, request: Request, question_id: int) -> Response:
        services.question_delete(question=_question(request, question_id), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class QuestionSimilarApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        tags=TAGS,
        operation_id="questions_similar",
        summary="Questions similar to a title (possible duplicates)",
        parameters=[OpenApiParameter("title", str, required=True, description="The draft title.")],
        responses={200: QaQuestionSerializer(many=True)},
    )
    def get(self, request: Request) -> Response:
        if "title" not in request.query_params:
            raise serializers.ValidationError({"title": ["Give the draft title."]})
        title = request.query_params.get("title", "")[:200]
        similar = selectors.question_similar_list(title=title, viewer=request.user)
        return Response(QaQuestionSerializer(similar, many=True).data)


class CloseInputSerializer(Serializer):
    reason = serializers.ChoiceField(choices=Question.CloseReason.choices)
    duplicate_of = serializers.IntegerField(
        required=False, allow_null=True, help_text="For duplicates: the other question's id."
    )


class QuestionCloseApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=TAGS,
        operation_id="questions_close",
        summary="Close a question",
        description="The asker, users with the close privilege, and moderators.",
        request=CloseInputSerializer,
        responses={200: QaQuestionDetailSerializer},
        examples=[
            OpenApiExample(
                "Duplicate", value={"reason": "duplicate", "duplicate_of": 12}, request_only=True
            )
        ],
    )
    def post(self, request: Request, question_id: int) -> Response:
        question = _question(request, question_id)
        serializer = CloseInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        duplicate_id = serializer.validated_data.get("duplicate_of")
        duplicate = (
            Question.objects.filter(pk=duplicate_id, is_hidden=False).first()
            if duplicate_id
            else None
        )
        services.question_close(
            question=question,
            actor=request.user,
            reason=serializer.validated_data["reason"],
            duplicate_of=duplicate,
        )
        return Response(_question_detail(request, _question(request, question_id)))


class QuestionReopenApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=TAGS,
        operation_id="questions_reopen",
        summary="Reopen a closed question",
        request=None,
        responses={200: QaQuestionDetailSerializer},
    )
    def post(self, request: Request, question_id: int) -> Response:
        services.question_reopen(question=_question(request, question_id), actor=request.user)
        return Response(_question_detail(request, _question(request, question_id)))


class FollowOutputSerializer(Serializer):
    following = serializers.BooleanField()


class QuestionFollowApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=TAGS,
        operation_id="questions_follow",
        summary="Follow a question (its activity goes into your digest)",
        request=None,
        responses={200: FollowOutputSerializer},
    )
    def post(self, request: Request, question_id: int) -> Response:
        services.follow_create(follower=request.user, question=_question(request, question_id))
        return Response({"following": True})

    @extend_schema(
        tags=TAGS,
        operation_id="questions_unfollow",
        summary="Stop following a question",
        responses={200: FollowOutputSerializer},
    )
    def delete(self, request: Request, question_id: int) -> Response:
        services.follow_delete(follower=request.user, question=_question(request, question_id))
        return Response({"following": False})


# --- Answers ------------------------------------------------------------------------------------


class AnswerInputSerializer(Serializer):
    body = serializers.CharField(max_length=20000, help_text="Markdown, at least 10 characters.")


class AnswerUpdateSerializer(AnswerInputSerializer):
    note = serializers.CharField(max_length=200, required=False, allow_blank=True)


class QuestionAnswerCreateApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=TAGS,
        operation_id="questions_answers_create",
        summary="Answer a question",
        description="Closed questions take no answers (409). The asker is notified.",
        request=AnswerInputSerializer,
        responses={201: QaAnswerSerializer},
        examples=[
            OpenApiExample(
                "An answer",
                value={"body": "Your `CMD` runs a script that exits; use `exec` to keep it."},
                request_only=True,
            )
        ],
    )
    def post(self, request: Request, question_id: int) -> Response:
        question = _question(request, question_id)
        serializer = AnswerInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        answer = services.answer_create(
            author=request.user, question=question, body=serializer.validated_data["body"]
        )
        return Response(_answer_output(request, answer), status=status.HTTP_201_CREATED)


class AnswerDetailApi(APIView):
    permission_classes = [IsAuthenticatedOrReadOnly]

    @extend_schema(
        tags=TAGS,
        operation_id="answers_retrieve",
        summary="One answer",
        responses={200: QaAnswerSerializer},
    )
    def get(self, request: Request, answer_id: int) -> Response:
        return Response(_answer_output(request, _answer(request, answer_id)))

    @extend_schema(
        tags=TAGS,
        operation_id="answers_partial_update",
        summary="Edit an answer",
        description="Its author, users with the edit privilege and moderators.",
        request=AnswerUpdateSerializer,
        responses={200: QaAnswerSerializer},
        examples=[
            OpenApiExample(
                "Fix a typo", value={"body": "Use `exec` in the entrypoint.", "note": "typo"}
            )
        ],
    )
    def patch(self, request: Request, answer_id: int) -> Response:
        answer = _answer(request, answer_id)
        serializer = AnswerUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        answer = services.answer_update(
            answer=answer,
            editor=request.user,
            body=serializer.validated_data["body"],
            note=serializer.validated_data.get("note", ""),
        )
        return Response(_answer_output(request, answer))

    @extend_schema(
        tags=TAGS,
        operation_id="answers_destroy",
        summary="Delete an answer",
        description=(
            "Its author unless it was accepted or awarded XP (409); moderators always. The "
            "reputation it earned is reversed."
        ),
        responses={204: OpenApiResponse(description="Deleted.")},
    )
    def delete(self, request: Request, answer_id: int) -> Response:
        services.answer_delete(answer=_answer(request, answer_id), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class XpInputSerializer(Serializer):
    xp = serializers.IntegerField(min_value=1, max_value=10, help_text="1 to 10.")


class AnswerRateApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=TAGS,
        operation_id="answers_rate",
        summary="Award XP to an answer (the asker only)",
        description=(
            "Only the question's asker (anyone else: 403), never to their own answer (403), "
            "1-10 XP (else 400 naming `xp`). Once per answer: it may be changed within 10 "
            "minutes (the ledger then holds the new amount, never the sum); after that 409. "
            "The answer's author receives exactly that XP in the gamification ledger."
        ),
        request=XpInputSerializer,
        responses={200: QaXpAwardSerializer},
        examples=[
            OpenApiExample("Award 8 XP", value={"xp": 8}, request_only=True),
            OpenApiExample(
                "Awarded",
                value={
                    "answer_id": 41,
                    "xp": 8,
                    "recipient_id": 7,
                    "created_at": "2026-05-01T09:30:00Z",
                    "changeable_until": "2026-05-01T09:40:00Z",
                },
                response_only=True,
            ),
        ],
    )
    def put(self, request: Request, answer_id: int) -> Response:
        answer = _answer(request, answer_id)
        # The service checks the asker rule before the value: anyone else gets 403 whatever
        # they sent, and a bad value 400 naming the `xp` field.
        award = services.answer_rate(answer=answer, asker=request.user, xp=_body(request).get("xp"))
        return Response(QaXpAwardSerializer(award).data)


class StarsInputSerializer(Serializer):
    stars = serializers.IntegerField(min_value=1, max_value=5, help_text="1 to 5.")


class AnswerStarApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=TAGS,
        operation_id="answers_star",
        summary="Rate an answer with 1-5 stars",
        description=(
            "Anyone signed in except the answer's author (403). One rating per person and "
            "answer: rating again replaces it. 1-5 only (else 400 naming `stars`). At most 30 "
            "ratings an hour (429)."
        ),
        request=StarsInputSerializer,
        responses={200: QaStarRatingSerializer},
        examples=[
            OpenApiExample("Four stars", value={"stars": 4}, request_only=True),
            OpenApiExample(
                "Rated",
                value={
                    "answer_id": 41,
                    "stars": 4,
                    "star_count": 12,
                    "star_average": 4.25,
                    "updated_at": "2026-05-01T09:30:00Z",
                },
                response_only=True,
            ),
        ],
    )
    def put(self, request: Request, answer_id: int) -> Response:
        answer = _answer(request, answer_id)
        rating = services.answer_star(
            answer=answer, rater=request.user, stars=_body(request).get("stars")
        )
        return Response(QaStarRatingSerializer(rating).data)


class AnswerAcceptApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=TAGS,
        operation_id="answers_accept",
        summary="Accept an answer (the asker only)",
        description="Replaces any earlier accepted answer. Anyone but the asker: 403.",
        request=None,
        responses={200: QaAnswerSerializer},
    )
    def post(self, request: Request, answer_id: int) -> Response:
        answer = services.answer_accept(answer=_answer(request, answer_id), actor=request.user)
        return Response(_answer_output(request, answer))

    @extend_schema(
        tags=TAGS,
        operation_id="answers_unaccept",
        summary="Withdraw the acceptance (the asker only)",
        responses={200: QaAnswerSerializer},
    )
    def delete(self, request: Request, answer_id: int) -> Response:
        answer = services.answer_unaccept(answer=_answer(request, answer_id), actor=request.user)
        return Response(_answer_output(request, answer))


# --- Comments and flags ---------------------------------------------------------------------


class CommentInputSerializer(Serializer):
    body = serializers.CharField(max_length=600, help_text="2 to 600 characters.")


_COMMENT_EXAMPLE = OpenApiExample(
    "A comment", value={"body": "Which Docker version is this?"}, request_only=True
)


class QuestionCommentCreateApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=TAGS,
        operation_id="questions_comments_create",
        summary="Comment on a question",
        description="Needs the comment privilege, except on your own question.",
        request=CommentInputSerializer,
        responses={201: QaCommentSerializer},
        examples=[_COMMENT_EXAMPLE],
    )
    def post(self, request: Request, question_id: int) -> Response:
        question = _question(request, question_id)
        serializer = CommentInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        comment = services.comment_create(
            author=request.user, body=serializer.validated_data["body"], question=question
        )
        return Response(QaCommentSerializer(comment).data, status=status.HTTP_201_CREATED)


class AnswerCommentCreateApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=TAGS,
        operation_id="answers_comments_create",
        summary="Comment on an answer",
        description="Needs the comment privilege, except on your answer or your question.",
        request=CommentInputSerializer,
        responses={201: QaCommentSerializer},
        examples=[_COMMENT_EXAMPLE],
    )
    def post(self, request: Request, answer_id: int) -> Response:
        answer = _answer(request, answer_id)
        serializer = CommentInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        comment = services.comment_create(
            author=request.user, body=serializer.validated_data["body"], answer=answer
        )
        return Response(QaCommentSerializer(comment).data, status=status.HTTP_201_CREATED)


class FlagInputSerializer(Serializer):
    reason = serializers.ChoiceField(choices=Flag.Reason.choices)
    note = serializers.CharField(
        max_length=500, required=False, allow_blank=True, help_text="Required for other."
    )


def _flag_schema(kind: str) -> Any:
    return extend_schema(
        tags=TAGS,
        operation_id=f"{kind}s_flag",
        summary=f"Flag a{'n' if kind == 'answer' else ''} {kind}",
        description=(
            "Once per person and post (409 the second time), never your own (403). Three open "
            "flags from different people hide the post until a moderator decides."
        ),
        request=FlagInputSerializer,
        responses={201: QaFlagSerializer},
        examples=[OpenApiExample("Spam", value={"reason": "spam"}, request_only=True)],
    )


def _flag(request: Request, post: Any) -> Response:
    serializer = FlagInputSerializer(data=request.data)
    serializer.is_valid(raise_exception=True)
    flag = services.post_flag(
        flagger=request.user,
        post=post,
        reason=serializer.validated_data["reason"],
        note=serializer.validated_data.get("note", ""),
    )
    return Response(QaFlagSerializer(flag).data, status=status.HTTP_201_CREATED)


class QuestionFlagApi(APIView):
    permission_classes = [IsAuthenticated]

    @_flag_schema("question")
    def post(self, request: Request, question_id: int) -> Response:
        return _flag(request, _question(request, question_id))


class AnswerFlagApi(APIView):
    permission_classes = [IsAuthenticated]

    @_flag_schema("answer")
    def post(self, request: Request, answer_id: int) -> Response:
        return _flag(request, _answer(request, answer_id))


class CommentFlagApi(APIView):
    permission_classes = [IsAuthenticated]

    @_flag_schema("comment")
    def post(self, request: Request, comment_id: int) -> Response:
        comment = get_object_or_404(
            Comment.objects.select_related("question", "answer__question"), pk=comment_id
        )
        question = comment.question or comment.answer.question  # type: ignore[union-attr]
        _question(request, question.pk)  # 404 when the thread is hidden from the caller
        return _flag(request, comment)


# --- Categories -------------------------------------------------------------------------------


class CategoryInputSerializer(Serializer):
    name = StrictCharField(max_length=80)
    description = StrictCharField(max_length=300, required=False, allow_blank=True)
    keywords = StrictCharField(
        required=False, allow_blank=True, help_text="Comma-separated keywords for the fallback."
    )
    position = serializers.IntegerField(min_value=0, required=False)


class CategoryListCreateApi(APIView):
    def get_permissions(self) -> list[Any]:
        return [AllowAny()] if self.request.method == "GET" else [IsAdmin()]

    @extend_schema(
        tags=TAGS,
        operation_id="categories_list",
        summary="The question categories",
        responses={200: QaCategorySerializer(many=True)},
        auth=[{}, {"jwtAuth": []}],
    )
    def get(self, request: Request) -> Response:
        return Response(QaCategorySerializer(selectors.category_list(), many=True).data)

    @extend_schema(
        tags=TAGS,
        operation_id="categories_create",
        summary="Create a category (admins)",
        request=CategoryInputSerializer,
        responses={201: QaCategorySerializer},
        examples=[
            OpenApiExample(
                "Security",
                value={"name": "Security", "keywords": "owasp, xss, csrf, tls"},
                request_only=True,
            )
        ],
    )
    def post(self, request: Request) -> Response:
        serializer = CategoryInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        category = services.category_create(**serializer.validated_data)
        return Response(QaCategorySerializer(category).data, status=status.HTTP_201_CREATED)


# --- Revisions ------------------------------------------------------------------------------


class QuestionRevisionListApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        tags=TAGS,
        operation_id="questions_revisions_list",
        summary="Every version of a question, oldest first",
        description="Number 1 is the question as asked; each edit of the title or body adds one.",
        responses={200: QaRevisionSerializer(many=True)},
        auth=[{}, {"jwtAuth": []}],
    )
    def get(self, request: Request, question_id: int) -> Response:
        question = _question(request, question_id)
        revisions = selectors.question_revision_list(question=question)
        return Response(QaRevisionSerializer(revisions, many=True).data)


class AnswerRevisionListApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        tags=TAGS,
        operation_id="answers_revisions_list",
        summary="Every version of an answer, oldest first",
        responses={200: QaRevisionSerializer(many=True)},
        auth=[{}, {"jwtAuth": []}],
    )
    def get(self, request: Request, answer_id: int) -> Response:
        revisions = selectors.answer_revision_list(answer=_answer(request, answer_id))
        return Response(QaRevisionSerializer(revisions, many=True).data)


# --- Comments -------------------------------------------------------------------------------


class CommentDetailApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=TAGS,
        operation_id="comments_destroy",
        summary="Delete a comment",
        description="Its author, or a moderator of the thread (anyone else: 403).",
        responses={204: OpenApiResponse(description="Deleted.")},
    )
    def delete(self, request: Request, comment_id: int) -> Response:
        services.comment_delete(comment=_comment(request, comment_id), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- Moderation -----------------------------------------------------------------------------


class VisibilityInputSerializer(Serializer):
    is_hidden = serializers.BooleanField(help_text="true hides the post, false shows it again.")
    reason = serializers.CharField(max_length=200, required=False, allow_blank=True)


def _visibility_schema(kind: str) -> Any:
    return extend_schema(
        tags=TAGS,
        operation_id=f"{kind}s_visibility_update",
        summary=f"Hide or show a{'n' if kind == 'answer' else ''} {kind} (moderators)",
        description=(
            "Admins moderate every post; instructors the posts in questions about their "
            "courses (anyone else: 403). A hidden post disappears for everyone but its author "
            "and moderators; hiding upholds the post's open flags, showing dismisses them."
        ),
        request=VisibilityInputSerializer,
        responses={200: QaVisibilitySerializer},
        examples=[
            OpenApiExample(
                "Hide", value={"is_hidden": True, "reason": "Spam link"}, request_only=True
            )
        ],
    )


def _set_visibility(request: Request, kind: str, post: Any) -> Response:
    serializer = VisibilityInputSerializer(data=request.data)
    serializer.is_valid(raise_exception=True)
    if serializer.validated_data["is_hidden"]:
        post = services.post_hide(
            post=post, moderator=request.user, reason=serializer.validated_data.get("reason", "")
        )
    else:
        post = services.post_unhide(post=post, moderator=request.user)
    return Response(
        {
            "kind": kind,
            "id": post.pk,
            "is_hidden": post.is_hidden,
            "hidden_reason": post.hidden_reason,
        }
    )


class QuestionVisibilityApi(APIView):
    permission_classes = [IsAuthenticated]

    @_visibility_schema("question")
    def put(self, request: Request, question_id: int) -> Response:
        return _set_visibility(request, "question", _question(request, question_id))


class AnswerVisibilityApi(APIView):
    permission_classes = [IsAuthenticated]

    @_visibility_schema("answer")
    def put(self, request: Request, answer_id: int) -> Response:
        return _set_visibility(request, "answer", _answer(request, answer_id))


class CommentVisibilityApi(APIView):
    permission_classes = [IsAuthenticated]

    @_visibility_schema("comment")
    def put(self, request: Request, comment_id: int) -> Response:
        return _set_visibility(request, "comment", _comment(request, comment_id))


def _require_moderator_role(request: Request) -> None:
    if not selectors.courses_moderated_by(request.user).exists() and not (
        selectors.user_is_admin(request.user)
    ):
        raise NotModeratorError("Only instructors (for their courses) and admins moderate.")


class FlagListApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=TAGS,
        operation_id="flags_list",
        summary="Open flags on the posts you moderate, oldest first",
        description="Admins see every flag, instructors those on questions about their courses.",
        parameters=[
            OpenApiParameter("status", str, enum=Flag.Status.values, description="open (default)."),
            OpenApiParameter("page", int, description="A page number within the results."),
            OpenApiParameter("page_size", int, description="Flags per page, 1 to 100 (default 20)"),
        ],
        # The list is paginated: document the envelope the response really has.
        responses={
            200: inline_serializer(
                "PaginatedQaFlagForModeratorList",
                {
                    "count": serializers.IntegerField(),
                    "next": serializers.URLField(allow_null=True),
                    "previous": serializers.URLField(allow_null=True),
                    "results": QaFlagForModeratorSerializer(many=True),
                },
            )
        },
    )
    def get(self, request: Request) -> Response:
        _require_moderator_role(request)
        wanted = request.query_params.get("status", Flag.Status.OPEN)
        if wanted not in Flag.Status.values:
            raise serializers.ValidationError(
                {"status": [f"Choose one of: {', '.join(Flag.Status.values)}."]}
            )
        flags = selectors.flag_list_for_moderator(moderator=request.user, status=wanted)
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(flags, request, view=self)
        return paginator.get_paginated_response(QaFlagForModeratorSerializer(page, many=True).data)


class FlagResolveInputSerializer(Serializer):
    uphold = serializers.BooleanField(
        help_text="true hides the post (upholding its flags); false dismisses this flag."
    )


class FlagResolveApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=TAGS,
        operation_id="flags_resolve",
        summary="Uphold or dismiss a flag (moderators)",
        request=FlagResolveInputSerializer,
        responses={200: QaFlagForModeratorSerializer},
        examples=[OpenApiExample("Uphold", value={"uphold": True}, request_only=True)],
    )
    def post(self, request: Request, flag_id: int) -> Response:
        serializer = FlagResolveInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        flag = get_object_or_404(Flag, pk=flag_id)
        flag = services.flag_resolve(
            flag=flag, moderator=request.user, uphold=serializer.validated_data["uphold"]
        )
        return Response(QaFlagForModeratorSerializer(flag).data)


# --- Follows and digests ----------------------------------------------------------------------


class CategoryFollowApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=TAGS,
        operation_id="categories_follow",
        summary="Follow a category (its new questions go into your digest)",
        request=None,
        responses={200: FollowOutputSerializer},
    )
    def post(self, request: Request, slug: str) -> Response:
        category = get_object_or_404(Category, slug=slug, is_active=True)
        services.follow_create(follower=request.user, category=category)
        return Response({"following": True})

    @extend_schema(
        tags=TAGS,
        operation_id="categories_unfollow",
        summary="Stop following a category",
        responses={200: FollowOutputSerializer},
    )
    def delete(self, request: Request, slug: str) -> Response:
        category = get_object_or_404(Category, slug=slug)
        services.follow_delete(follower=request.user, category=category)
        return Response({"following": False})


class CourseQuestionsFollowApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=TAGS,
        operation_id="courses_questions_follow",
        summary="Follow a course's questions (they go into your digest)",
        request=None,
        responses={200: FollowOutputSerializer},
    )
    def post(self, request: Request, course_id: int) -> Response:
        course = get_object_or_404(Course, pk=course_id, status=Course.Status.PUBLISHED)
        services.follow_create(follower=request.user, course=course)
        return Response({"following": True})

    @extend_schema(
        tags=TAGS,
        operation_id="courses_questions_unfollow",
        summary="Stop following a course's questions",
        responses={200: FollowOutputSerializer},
    )
    def delete(self, request: Request, course_id: int) -> Response:
        course = get_object_or_404(Course, pk=course_id)
        services.follow_delete(follower=request.user, course=course)
        return Response({"following": False})


class DigestInputSerializer(Serializer):
    frequency = serializers.ChoiceField(
        choices=["off", "daily", "weekly"], help_text="How often the digest email comes."
    )
    notify_as_expert = serializers.BooleanField(
        required=False,
        help_text="Email new questions in categories where you are a top answerer.",
    )


def _following(request: Request) -> dict[str, Any]:
    subscription = selectors.digest_subscription_get(user=request.user)
    return {
        "frequency": subscription.frequency,
        "notify_as_expert": subscription.notify_as_expert,
        "follows": list(selectors.follow_list(user=request.user)),
    }


class FollowingApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=TAGS,
        operation_id="questions_following_retrieve",
        summary="What you follow, and how often your digest comes",
        responses={200: QaFollowingSerializer},
    )
    def get(self, request: Request) -> Response:
        return Response(QaFollowingSerializer(_following(request)).data)

    @extend_schema(
        tags=TAGS,
        operation_id="questions_following_update",
        summary="Choose the digest frequency (off, daily or weekly)",
        request=DigestInputSerializer,
        responses={200: QaFollowingSerializer},
        examples=[OpenApiExample("Daily", value={"frequency": "daily"}, request_only=True)],
    )
    def put(self, request: Request) -> Response:
        serializer = DigestInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        current = selectors.digest_subscription_get(user=request.user)
        services.digest_subscription_update(
            user=request.user,
            frequency=serializer.validated_data["frequency"],
            notify_as_expert=serializer.validated_data.get(
                "notify_as_expert", current.notify_as_expert
            ),
        )
        return Response(QaFollowingSerializer(_following(request)).data)
