"""Output serializers shared by several course endpoints (inputs live with their views)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.serializers import ModelSerializer, Serializer
from courses import selectors
from courses.models import (
    CaptionTrack,
    Category,
    Certificate,
    Course,
    CourseReview,
    Enrollment,
    Lesson,
    LessonProgress,
    Module,
    Question,
    QuizAttempt,
)


class CategoryOutputSerializer(ModelSerializer):
    class Meta:
        model = Category
        fields = ["id", "name", "slug"]


class InstructorOutputSerializer(Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class CourseOutputSerializer(ModelSerializer):
    """A course card: what the catalog shows, with the caller's progress when enrolled."""

    category = CategoryOutputSerializer(allow_null=True)
    tags = serializers.SlugRelatedField(many=True, read_only=True, slug_field="name")
    instructors = InstructorOutputSerializer(many=True)
    estimated_hours = serializers.DecimalField(
        max_digits=5, decimal_places=1, coerce_to_string=False
    )
    cover_image_url = serializers.SerializerMethodField()
    cover_srcset = serializers.CharField()
    is_free = serializers.BooleanField()
    enrollment_count = serializers.IntegerField()
    lesson_count = serializers.IntegerField()
    total_duration_seconds = serializers.IntegerField()
    is_enrolled = serializers.BooleanField()
    progress_percent = serializers.IntegerField(
        help_text="0-100, for the caller; 0 if not enrolled."
    )
    url = serializers.SerializerMethodField(help_text="The course's page on the site.")
    average_rating = serializers.FloatField(
        allow_null=True, help_text="Learners' mean rating, 1-5; null before the first rating."
    )
    rating_count = serializers.IntegerField()

    class Meta:
        model = Course
        fields = [
            "id",
            "title",
            "slug",
            "subtitle",
            "status",
            "difficulty",
            "language",
            "estimated_hours",
            "required_plan",
            "is_free",
            "published_at",
            "early_access_until",
            "early_access_plan",
            "category",
            "tags",
            "instructors",
            "cover_image_url",
            "cover_image_alt",
            "cover_srcset",
            "enrollment_count",
            "lesson_count",
            "total_duration_seconds",
            "is_enrolled",
            "progress_percent",
            "average_rating",
            "rating_count",
            "url",
        ]

    @extend_schema_field(serializers.URLField(allow_null=True))  # null without a cover
    def get_cover_image_url(self, course: Course) -> str | None:
        return course.cover_image.url if course.cover_image else None

    def get_url(self, course: Course) -> str:
        return f"/courses/{course.slug}/"


class CourseDetailOutputSerializer(CourseOutputSerializer):
    description_html = serializers.CharField(help_text="The description, rendered and sanitised.")
    what_you_will_learn = serializers.ListField(
        child=serializers.CharField(), source="learning_outcomes"
    )

    class Meta(CourseOutputSerializer.Meta):
        fields = [
            *CourseOutputSerializer.Meta.fields,
            "description",
            "description_html",
            "what_you_will_learn",
            "created_at",
            "updated_at",
        ]


class EnrollmentOutputSerializer(ModelSerializer):
    course_id = serializers.IntegerField()
    last_lesson_id = serializers.IntegerField(allow_null=True)

    class Meta:
        model = Enrollment
        fields = ["id", "course_id", "enrolled_at", "completed_at", "last_lesson_id"]


class ModuleRefSerializer(ModelSerializer):
    class Meta:
        model = Module
        fields = ["id", "title", "order"]


class LessonProgressOutputSerializer(ModelSerializer):
    lesson_id = serializers.IntegerField()
    is_completed = serializers.BooleanField()

    class Meta:
        model = LessonProgress
        fields = [
            "lesson_id",
            "is_completed",
            "started_at",
            "completed_at",
            "seconds_spent",
            "last_position_seconds",
            "end_reached_at",
        ]
        extra_kwargs = {
            "end_reached_at": {
                "help_text": "When the end of an article came into view (null until then, and "
                "again after the learner unticks the lesson)."
            }
        }


class LessonListItemSerializer(ModelSerializer):
    module = ModuleRefSerializer()
    is_completed = serializers.BooleanField()
    last_position_seconds = serializers.IntegerField()
    is_locked = serializers.SerializerMethodField(
        help_text="True when the caller may not open the lesson's content."
    )

    class Meta:
        model = Lesson
        fields = [
            "id",
            "title",
            "kind",
            "order",
            "module",
            "duration_seconds",
            "is_free_preview",
            "is_completed",
            "last_position_seconds",
            "is_locked",
        ]

    def get_is_locked(self, lesson: Lesson) -> bool:
        return (
            selectors.lesson_access_error(
                user=self.context["request"].user,
                lesson=lesson,
                is_enrolled=self.context["is_enrolled"],
                running_exam=self.context["running_exam"],
            )
            is not None
        )


class CaptionTrackOutputSerializer(ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = CaptionTrack
        fields = ["language", "label", "is_default", "url"]

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, track: CaptionTrack) -> str:
        return track.file.url


class LessonLinkSerializer(Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    kind = serializers.ChoiceField(choices=Lesson.Kind.choices)


class CourseRefSerializer(ModelSerializer):
    class Meta:
        model = Course
        fields = ["id", "slug", "title"]


class ChoiceOutputSerializer(Serializer):
    id = serializers.IntegerField()
    text = serializers.CharField()


class QuestionOutputSerializer(ModelSerializer):
    """A question as a learner sees it before answering: no correct answers."""

    text_html = serializers.CharField()
    choices = serializers.SerializerMethodField()

    class Meta:
        model = Question
        fields = ["id", "kind", "text_html", "points", "choices"]

    @extend_schema_field(ChoiceOutputSerializer(many=True))
    def get_choices(self, question: Question) -> list[dict[str, Any]]:
        choices = getattr(question, "ordered_choices", None)
        if choices is None:
            choices = list(question.choices.all())
        return [{"id": choice.id, "text": choice.text} for choice in choices]


class QuestionResultSerializer(QuestionOutputSerializer):
    """A question of an attempt: the learner's answer and, once graded, the feedback."""

    answer = serializers.JSONField(
        help_text="The learner's answer: a choice id, a list of choice ids, text, or null."
    )
    is_correct = serializers.SerializerMethodField()
    points_awarded = serializers.SerializerMethodField()
    correct_choice_ids = serializers.SerializerMethodField(
        help_text="Only after grading, and only when the quiz reveals answers."
    )
    accepted_answers = serializers.SerializerMethodField(
        help_text="Only after grading, and only when the quiz reveals answers."
    )
    explanation_html = serializers.SerializerMethodField(
        help_text="Only after grading, and only when the quiz reveals answers."
    )

    class Meta(QuestionOutputSerializer.Meta):
        fields = [
            *QuestionOutputSerializer.Meta.fields,
            "answer",
            "is_correct",
            "points_awarded",
            "correct_choice_ids",
            "accepted_answers",
            "explanation_html",
        ]

    def _reveals(self, question: Question) -> bool:
        return bool(question.result is not None and self.context["reveals_answers"])

    def get_is_correct(self, question: Question) -> bool | None:
        return question.result["is_correct"] if question.result is not None else None

    @extend_schema_field(OpenApiTypes.DECIMAL)
    def get_points_awarded(self, question: Question) -> str | None:
        return question.result["points"] if question.result is not None else None

    def get_correct_choice_ids(self, question: Question) -> list[int] | None:
        if not self._reveals(question) or question.kind == Question.Kind.SHORT_ANSWER:
            return None
        return [choice.id for choice in question.ordered_choices if choice.is_correct]

    def get_accepted_answers(self, question: Question) -> list[str] | None:
        if not self._reveals(question) or question.kind != Question.Kind.SHORT_ANSWER:
            return None
        return list(question.accepted_answers)

    def get_explanation_html(self, question: Question) -> str | None:
        return question.explanation_html if self._reveals(question) else None


class QuizAttemptOutputSerializer(ModelSerializer):
    quiz_id = serializers.IntegerField()
    lesson_id = serializers.IntegerField(source="quiz.lesson_id")
    state = serializers.ChoiceField(choices=QuizAttempt.State.choices)
    seconds_left = serializers.IntegerField(
        allow_null=True, help_text="Until the deadline; null without a time limit."
    )
    pass_mark_percent = serializers.IntegerField(source="quiz.pass_mark_percent")
    score = serializers.DecimalField(max_digits=8, decimal_places=2, allow_null=True)
    max_score = serializers.DecimalField(max_digits=8, decimal_places=2, allow_null=True)
    percent = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)
    questions = serializers.SerializerMethodField()

    class Meta:
        model = QuizAttempt
        fields = [
            "id",
            "quiz_id",
            "lesson_id",
            "number",
            "state",
            "started_at",
            "deadline",
            "seconds_left",
            "submitted_at",
            "score",
            "max_score",
            "percent",
            "passed",
            "pass_mark_percent",
            "questions",
        ]

    @extend_schema_field(QuestionResultSerializer(many=True))
    def get_questions(self, attempt: QuizAttempt) -> list[dict[str, Any]]:
        context = {**self.context, "reveals_answers": attempt.quiz.reveals_answers}
        return QuestionResultSerializer(attempt.drawn_questions, many=True, context=context).data


class CertificateOutputSerializer(ModelSerializer):
    course = CourseRefSerializer()
    verification_url = serializers.SerializerMethodField(
        help_text="The public page where anyone can check the certificate."
    )

    class Meta:
        model = Certificate
        fields = [
            "public_id",
            "learner_name",
            "course_title",
            "issued_at",
            "course",
            "verification_url",
        ]

    @extend_schema_field(OpenApiTypes.URI)
    def get_verification_url(self, certificate: Certificate) -> str:
        request = self.context.get("request")
        path = certificate.get_absolute_url()
        return request.build_absolute_uri(path) if request is not None else path


class ReviewerSerializer(Serializer):
    id = serializers.IntegerField()
    display_name = serializers.CharField()


class CourseReviewOutputSerializer(ModelSerializer):
    learner = ReviewerSerializer()

    class Meta:
        model = CourseReview
        fields = ["id", "course_id", "learner", "rating", "comment", "created_at", "updated_at"]


class CourseReviewInputSerializer(Serializer):
    rating = serializers.IntegerField(min_value=1, max_value=5)
    comment = serializers.CharField(
        required=False, allow_blank=True, max_length=2000, default="", trim_whitespace=True
    )
