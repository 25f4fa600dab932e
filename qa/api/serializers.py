"""Output serializers of the help center API (inputs live with their views).

Component names start with "Qa" so they never collide with other apps' (courses has its own
Question and Category).
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.serializers import ModelSerializer, Serializer
from qa import reputation, selectors
from qa.models import (
    Answer,
    Category,
    Comment,
    DigestSubscription,
    Flag,
    Follow,
    PostRevision,
    Question,
    StarRating,
    XpAward,
)


def _reputation(obj: Any, annotation: str, user: Any) -> int:
    value = getattr(obj, annotation, None)
    return value if value is not None else selectors.user_reputation_points(user=user)


class QaUserSerializer(Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    reputation = serializers.IntegerField()


class QaCategorySerializer(ModelSerializer):
    question_count = serializers.SerializerMethodField()

    class Meta:
        model = Category
        fields = ["id", "name", "slug", "description", "position", "is_active", "question_count"]

    @extend_schema_field(OpenApiTypes.INT)
    def get_question_count(self, category: Category) -> int:
        return category.question_count


class QaCategoryRefSerializer(Serializer):
    slug = serializers.SlugField()
    name = serializers.CharField()


class QaRefSerializer(Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()


class QaCommentSerializer(ModelSerializer):
    author = serializers.SerializerMethodField()

    class Meta:
        model = Comment
        fields = ["id", "author", "body", "is_hidden", "created_at"]

    @extend_schema_field(QaUserSerializer)
    def get_author(self, comment: Comment) -> dict[str, Any]:
        return {
            "id": comment.author_id,
            "name": comment.author.name,
            "reputation": _reputation(comment, "author_reputation", comment.author),
        }


class QaQuestionSerializer(ModelSerializer):
    """A question as lists show it."""

    asker = serializers.SerializerMethodField()
    category = QaCategoryRefSerializer(allow_null=True)
    tags = serializers.SlugRelatedField(many=True, read_only=True, slug_field="name")
    course = QaRefSerializer(allow_null=True)
    answer_count = serializers.SerializerMethodField()
    rating_count = serializers.SerializerMethodField(
        help_text="Star ratings given to the question's answers."
    )
    url = serializers.SerializerMethodField(help_text="The question's page on the site.")

    class Meta:
        model = Question
        fields = [
            "id",
            "title",
            "status",
            "category",
            "category_source",
            "tags",
            "course",
            "asker",
            "answer_count",
            "rating_count",
            "view_count",
            "is_hidden",
            "created_at",
            "last_activity_at",
            "url",
        ]

    @extend_schema_field(QaUserSerializer)
    def get_asker(self, question: Question) -> dict[str, Any]:
        return {
            "id": question.asker_id,
            "name": question.asker.name,
            "reputation": _reputation(question, "asker_reputation", question.asker),
        }

    @extend_schema_field(OpenApiTypes.INT)
    def get_answer_count(self, question: Question) -> int:
        return question.answer_count  # stored: the answers that are not hidden

    @extend_schema_field(OpenApiTypes.INT)
    def get_rating_count(self, question: Question) -> int:
        return question.rating_count

    @extend_schema_field(OpenApiTypes.STR)
    def get_url(self, question: Question) -> str:
        return question.get_absolute_url()


class QaAnswerSerializer(ModelSerializer):
    author = serializers.SerializerMethodField()
    star_average = serializers.SerializerMethodField(
        help_text="Mean of the star ratings (1-5), null before the first rating."
    )
    ranking_score = serializers.SerializerMethodField(
        help_text="Bayesian average of the stars that answers are ranked by."
    )
    xp_awarded = serializers.SerializerMethodField(
        help_text="The XP the asker awarded this answer (1-10), null if none."
    )
    my_stars = serializers.SerializerMethodField(
        help_text="The stars the caller gave this answer, null if none."
    )
    comments = serializers.SerializerMethodField()

    class Meta:
        model = Answer
        fields = [
            "id",
            "question_id",
            "author",
            "body",
            "body_html",
            "is_accepted",
            "accepted_at",
            "star_count",
            "star_average",
            "ranking_score",
            "xp_awarded",
            "my_stars",
            "is_hidden",
            "comments",
            "created_at",
            "edited_at",
        ]

    @extend_schema_field(QaUserSerializer)
    def get_author(self, answer: Answer) -> dict[str, Any]:
        return {
            "id": answer.author_id,
            "name": answer.author.name,
            "reputation": _reputation(answer, "author_reputation", answer.author),
        }

    @extend_schema_field(OpenApiTypes.FLOAT)
    def get_star_average(self, answer: Answer) -> float | None:
        average = answer.star_average
        return round(average, 2) if average is not None else None

    @extend_schema_field(OpenApiTypes.FLOAT)
    def get_ranking_score(self, answer: Answer) -> float:
        return round(reputation.bayesian_average(answer.star_total, answer.star_count), 3)

    @extend_schema_field(OpenApiTypes.INT)
    def get_xp_awarded(self, answer: Answer) -> int | None:
        try:
            return answer.xp_award.amount
        except XpAward.DoesNotExist:
            return None

    @extend_schema_field(OpenApiTypes.INT)
    def get_my_stars(self, answer: Answer) -> int | None:
        return self.context.get("my_stars", {}).get(answer.pk)

    @extend_schema_field(QaCommentSerializer(many=True))
    def get_comments(self, answer: Answer) -> list[dict[str, Any]]:
        comments = (
            answer.comments.all()
            if "comments" in getattr(answer, "_prefetched_objects_cache", {})
            else []
        )
        return QaCommentSerializer(comments, many=True).data


class QaQuestionDetailSerializer(QaQuestionSerializer):
    """A question with its body, comments and ranked answers."""

    lesson = QaRefSerializer(allow_null=True, help_text="The lesson asked about (id, title).")
    answers = serializers.SerializerMethodField()
    comments = serializers.SerializerMethodField()

    class Meta(QaQuestionSerializer.Meta):
        fields = [
            *QaQuestionSerializer.Meta.fields,
            "body",
            "body_html",
            "lesson",
            "category_explanation",
            "close_reason",
            "duplicate_of_id",
            "edited_at",
            "comments",
            "answers",
        ]

    @extend_schema_field(QaAnswerSerializer(many=True))
    def get_answers(self, question: Question) -> list[dict[str, Any]]:
        answers = self.context.get("answers", [])
        return QaAnswerSerializer(answers, many=True, context=self.context).data

    @extend_schema_field(QaCommentSerializer(many=True))
    def get_comments(self, question: Question) -> list[dict[str, Any]]:
        return QaCommentSerializer(self.context.get("comments", []), many=True).data


class QaXpAwardSerializer(ModelSerializer):
    xp = serializers.IntegerField(source="amount")
    recipient_id = serializers.IntegerField()
    changeable_until = serializers.SerializerMethodField(
        help_text="Until when the asker may still change the award."
    )

    class Meta:
        model = XpAward
        fields = ["answer_id", "xp", "recipient_id", "created_at", "changeable_until"]

    @extend_schema_field(OpenApiTypes.DATETIME)
    def get_changeable_until(self, award: XpAward) -> str:
        return serializers.DateTimeField().to_representation(
            award.created_at + reputation.XP_AWARD_CHANGE_WINDOW
        )


class QaStarRatingSerializer(ModelSerializer):
    star_count = serializers.IntegerField(source="answer.star_count")
    star_average = serializers.SerializerMethodField(
        help_text="The answer's mean after this rating."
    )

    class Meta:
        model = StarRating
        fields = ["answer_id", "stars", "star_count", "star_average", "updated_at"]

    @extend_schema_field(OpenApiTypes.FLOAT)
    def get_star_average(self, rating: StarRating) -> float | None:
        average = rating.answer.star_average
        return round(average, 2) if average is not None else None


class QaFlagSerializer(ModelSerializer):
    class Meta:
        model = Flag
        fields = ["id", "reason", "note", "status", "created_at"]


class QaFlagForModeratorSerializer(QaFlagSerializer):
    """A flag as the moderation queue shows it: what was flagged, by whom, in which thread."""

    flagger = serializers.SerializerMethodField()
    post_kind = serializers.SerializerMethodField(help_text="question, answer or comment.")
    post_id = serializers.SerializerMethodField()
    question_id = serializers.SerializerMethodField(help_text="The thread the post belongs to.")

    class Meta(QaFlagSerializer.Meta):
        fields = [*QaFlagSerializer.Meta.fields, "flagger", "post_kind", "post_id", "question_id"]

    @extend_schema_field(QaRefSerializer)
    def get_flagger(self, flag: Flag) -> dict[str, Any]:
        return {"id": flag.flagger_id, "name": flag.flagger.name}

    @extend_schema_field(OpenApiTypes.STR)
    def get_post_kind(self, flag: Flag) -> str:
        return "question" if flag.question_id else "answer" if flag.answer_id else "comment"

    @extend_schema_field(OpenApiTypes.INT)
    def get_post_id(self, flag: Flag) -> int:
        return flag.question_id or flag.answer_id or flag.comment_id  # type: ignore[return-value]  # exactly one is set

    @extend_schema_field(OpenApiTypes.INT)
    def get_question_id(self, flag: Flag) -> int:
        if flag.question_id:
            return flag.question_id
        if flag.answer_id:
            return flag.answer.question_id  # type: ignore[union-attr]  # set above
        comment = flag.comment
        assert comment is not None  # noqa: S101 - the flag's constraint guarantees one post
        return comment.question_id or comment.answer.question_id  # type: ignore[union-attr,return-value]  # one parent


class QaRevisionSerializer(ModelSerializer):
    """One version of a question or an answer (number 1 is the original)."""

    editor = serializers.SerializerMethodField()

    class Meta:
        model = PostRevision
        fields = ["number", "editor", "title", "body", "note", "created_at"]

    @extend_schema_field(QaRefSerializer(allow_null=True))
    def get_editor(self, revision: PostRevision) -> dict[str, Any] | None:
        if revision.editor is None:
            return None  # a removed account
        return {"id": revision.editor_id, "name": revision.editor.name}


class QaVisibilitySerializer(Serializer):
    kind = serializers.ChoiceField(choices=["question", "answer", "comment"])
    id = serializers.IntegerField()
    is_hidden = serializers.BooleanField()
    hidden_reason = serializers.CharField()


class QaFollowSerializer(ModelSerializer):
    kind = serializers.SerializerMethodField(help_text="question, category or course.")
    target_id = serializers.SerializerMethodField()
    name = serializers.SerializerMethodField(help_text="The question's title, or the name.")

    class Meta:
        model = Follow
        fields = ["kind", "target_id", "name", "created_at"]

    @extend_schema_field(OpenApiTypes.STR)
    def get_kind(self, follow: Follow) -> str:
        return "question" if follow.question_id else "category" if follow.category_id else "course"

    @extend_schema_field(OpenApiTypes.INT)
    def get_target_id(self, follow: Follow) -> int:
        return follow.question_id or follow.category_id or follow.course_id  # type: ignore[return-value]  # exactly one is set

    @extend_schema_field(OpenApiTypes.STR)
    def get_name(self, follow: Follow) -> str:
        if follow.question_id:
            return follow.question.title  # type: ignore[union-attr]  # set above
        if follow.category_id:
            return follow.category.name  # type: ignore[union-attr]  # set above
        return follow.course.title  # type: ignore[union-attr]  # the constraint: one target


class QaFollowingSerializer(Serializer):
    """What the caller follows and how often their digest email comes."""

    frequency = serializers.ChoiceField(choices=DigestSubscription.Frequency.choices)
    notify_as_expert = serializers.BooleanField()
    follows = QaFollowSerializer(many=True)
