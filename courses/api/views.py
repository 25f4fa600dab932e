"""The courses API (/api/v1/): thin views over courses.selectors and courses.services."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import django_filters
from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import exceptions, filters, serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from core.permissions import IsInstructor
from core.query import StrictFilterSet
from core.roles import Role
from core.serializers import ModelSerializer, Serializer
from courses import selectors, services
from courses.api.serializers import (
    CertificateOutputSerializer,
    CourseDetailOutputSerializer,
    CourseOutputSerializer,
    CourseReviewInputSerializer,
    CourseReviewOutputSerializer,
    EnrollmentOutputSerializer,
    LessonListItemSerializer,
    LessonProgressOutputSerializer,
    QuestionOutputSerializer,
    QuestionResultSerializer,
    QuizAttemptOutputSerializer,
)
from courses.exceptions import NotEnrolledError
from courses.models import Category, Certificate, Course, CourseReview, Lesson, Quiz
from courses.validators import CoverImageField

# --- Courses --------------------------------------------------------------------------------------


class CourseFilter(StrictFilterSet):
    category = django_filters.CharFilter(field_name="category__slug", help_text="Category slug.")
    difficulty = django_filters.ChoiceFilter(choices=Course.Difficulty.choices)
    language = django_filters.CharFilter(help_text="Language code, e.g. en.")
    price = django_filters.ChoiceFilter(
        choices=[("free", "Free"), ("paid", "Paid")], method="filter_price"
    )
    status = django_filters.ChoiceFilter(
        choices=Course.Status.choices,
        help_text="Drafts and archived courses are listed for their instructors and admins only.",
    )
    mine = django_filters.BooleanFilter(
        method="filter_mine", help_text="true: only the courses I teach."
    )
    enrolled = django_filters.BooleanFilter(
        method="filter_enrolled", help_text="true: only the courses I am enrolled in."
    )

    class Meta:
        model = Course
        fields = ["category", "difficulty", "language", "price", "status", "mine", "enrolled"]

    def filter_price(self, queryset: QuerySet[Course], name: str, value: str) -> QuerySet[Course]:
        if value == "free":
            return queryset.filter(required_plan=Course.Plan.FREE)
        return queryset.exclude(required_plan=Course.Plan.FREE)

    def filter_mine(self, queryset: QuerySet[Course], name: str, value: bool) -> QuerySet[Course]:
        user = self.request.user if self.request else None
        if not value:
            return queryset
        if not getattr(user, "is_authenticated", False):
            return queryset.none()
        return queryset.filter(pk__in=user.courses_taught.values("pk"))

    def filter_enrolled(
        self, queryset: QuerySet[Course], name: str, value: bool
    ) -> QuerySet[Course]:
        return queryset.filter(is_enrolled=True) if value else queryset


class CourseSearchFilter(filters.SearchFilter):
    """`?search=`: PostgreSQL full-text search on title, subtitle and description (a plain
    substring match on other databases)."""

    def filter_queryset(self, request: Request, queryset: QuerySet, view: Any) -> QuerySet:
        return selectors.course_search(queryset, request.query_params.get(self.search_param, ""))


class CourseInputSerializer(Serializer):
    title = serializers.CharField(max_length=200)
    slug = serializers.SlugField(max_length=220, required=False, allow_blank=True)
    subtitle = serializers.CharField(max_length=300, required=False, allow_blank=True)
    description = serializers.CharField(
        max_length=20000, required=False, allow_blank=True, help_text="Markdown."
    )
    category = serializers.SlugRelatedField(
        slug_field="slug", queryset=Category.objects.all(), required=False, allow_null=True
    )
    tags = serializers.ListField(
        child=serializers.CharField(max_length=50), required=False, max_length=20
    )
    difficulty = serializers.ChoiceField(choices=Course.Difficulty.choices, required=False)
    language = serializers.CharField(max_length=16, required=False)
    estimated_hours = serializers.DecimalField(
        max_digits=5, decimal_places=1, min_value=0, required=False
    )
    required_plan = serializers.ChoiceField(choices=Course.Plan.choices, required=False)
    early_access_until = serializers.DateTimeField(required=False, allow_null=True)
    early_access_plan = serializers.ChoiceField(
        choices=Course.Plan.choices,
        required=False,
        allow_blank=True,
        help_text="The plan that opens the course before early_access_until; blank (the "
        "default): the site's early-access plan.",
    )
    what_you_will_learn = serializers.ListField(
        child=serializers.CharField(max_length=300), required=False, max_length=30
    )
    cover_image = serializers.ImageField(
        required=False,
        allow_null=True,
        _DjangoImageField=CoverImageField,  # the admin's checks: type by content, size, pixels
    )
    cover_image_alt = serializers.CharField(max_length=250, required=False, allow_blank=True)
    instructors = serializers.PrimaryKeyRelatedField(
        many=True,
        queryset=User.objects.filter(role__in=[Role.INSTRUCTOR, Role.ADMIN], is_active=True),
        required=False,
        help_text="User ids of the instructors (replaces the list).",
    )
    status = serializers.ChoiceField(
        choices=Course.Status.choices,
        required=False,
        help_text="published publishes (the outline must be complete); draft unpublishes.",
    )

    def to_service_data(self) -> dict[str, Any]:
        data = dict(self.validated_data)
        if "what_you_will_learn" in data:
            data["what_you_will_learn"] = "\n".join(
                line.strip() for line in data["what_you_will_learn"]
            )
        if data.get("cover_image") is None and "cover_image" in data:
            data["cover_image"] = ""
        return data


_COURSE_EXAMPLE = OpenApiExample(
    "A new course",
    value={
        "title": "Python for data analysis",
        "subtitle": "From spreadsheets to pandas in four weeks",
        "description": "## What this course is\n\nHands-on **pandas**.",
        "category": "data",
        "tags": ["python", "pandas"],
        "difficulty": "beginner",
        "language": "en",
        "estimated_hours": 6.5,
        "what_you_will_learn": ["Load and clean data", "Group and aggregate"],
    },
    request_only=True,
)


def _apply_status(course: Course, wanted: str | None) -> Course:
    if wanted is None or wanted == course.status:
        return course
    if wanted == Course.Status.PUBLISHED:
        return services.course_publish(course=course)
    if wanted == Course.Status.ARCHIVED:
        return services.course_archive(course=course)
    return services.course_unpublish(course=course)


@extend_schema_view(
    get=extend_schema(
        summary="List courses",
        description=(
            "Published courses (and, for instructors, their own drafts; for admins, every "
            "course), newest first. `ordering=-enrollment_count` sorts by popularity, "
            "`ordering=-rating_score` by rating (a Bayesian average, so one 5-star rating does "
            "not outrank many 4.8s)."
        ),
        responses={200: CourseOutputSerializer(many=True)},
    ),
    post=extend_schema(
        summary="Create a course (instructors)",
        description="Creates a draft course taught by the caller.",
        request=CourseInputSerializer,
        responses={201: CourseDetailOutputSerializer},
        examples=[_COURSE_EXAMPLE],
    ),
)
class CourseListCreateApi(GenericAPIView):
    serializer_class = CourseOutputSerializer
    filterset_class = CourseFilter
    filter_backends = [
        django_filters.rest_framework.DjangoFilterBackend,
        CourseSearchFilter,
        filters.OrderingFilter,
    ]
    search_fields = ["title", "subtitle", "description"]
    ordering_fields = ["published_at", "title", "enrollment_count", "created_at", "rating_score"]

    def get_permissions(self) -> list[Any]:
        if self.request.method == "POST":
            return [IsInstructor()]
        return [AllowAny()]

    def get_queryset(self) -> QuerySet[Course]:
        return selectors.course_list(user=self.request.user)

    def get(self, request: Request) -> Response:
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(CourseOutputSerializer(page, many=True).data)

    def post(self, request: Request) -> Response:
        serializer = CourseInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.to_service_data()
        wanted_status = data.pop("status", None)
        title = data.pop("title")
        course = services.course_create(instructor=request.user, title=title, **data)
        _apply_status(course, wanted_status)
        course = selectors.course_get(user=request.user, course_id=course.pk)
        return Response(CourseDetailOutputSerializer(course).data, status=status.HTTP_201_CREATED)


class CourseDetailApi(APIView):
    permission_classes = [AllowAny]
    # JSON, or multipart to upload a cover image (the API's default is JSON only).
    parser_classes = [JSONParser, MultiPartParser]

    def _course(self, request: Request, course_id: int, *, for_change: bool) -> Course:
        course = selectors.course_get(user=request.user, course_id=course_id)
        if for_change:
            if not request.user.is_authenticated:
                raise exceptions.NotAuthenticated()
            if not selectors.course_can_edit(user=request.user, course=course):
                raise exceptions.PermissionDenied(
                    "Only the course's instructors and admins can change it."
                )
        return course

    @extend_schema(summary="Get a course", responses={200: CourseDetailOutputSerializer})
    def get(self, request: Request, course_id: int) -> Response:
        course = self._course(request, course_id, for_change=False)
        return Response(CourseDetailOutputSerializer(course).data)

    def _update(self, request: Request, course_id: int, *, partial: bool) -> Response:
        course = self._course(request, course_id, for_change=True)
        serializer = CourseInputSerializer(data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        data = serializer.to_service_data()
        wanted_status = data.pop("status", None)
        services.course_update(course=course, data=data)
        _apply_status(course, wanted_status)
        course = selectors.course_get(user=request.user, course_id=course.pk)
        return Response(CourseDetailOutputSerializer(course).data)

    @extend_schema(
        summary="Replace a course's details (its instructors and admins)",
        request=CourseInputSerializer,
        responses={200: CourseDetailOutputSerializer},
        examples=[_COURSE_EXAMPLE],
    )
    def put(self, request: Request, course_id: int) -> Response:
        return self._update(request, course_id, partial=False)

    @extend_schema(
        summary="Change some of a course's details, or its status",
        request=CourseInputSerializer,
        responses={200: CourseDetailOutputSerializer},
        examples=[
            OpenApiExample("Publish", value={"status": "published"}, request_only=True),
            OpenApiExample("Retitle", value={"title": "Pandas in practice"}, request_only=True),
        ],
    )
    def patch(self, request: Request, course_id: int) -> Response:
        return self._update(request, course_id, partial=True)

    @extend_schema(
        summary="Delete a course nobody is enrolled in",
        description="A course with learners cannot be deleted (409); archive it instead.",
        responses={204: None, 409: OpenApiResponse(description="The course has learners.")},
    )
    def delete(self, request: Request, course_id: int) -> Response:
        course = self._course(request, course_id, for_change=True)
        services.course_delete(course=course)
        return Response(status=status.HTTP_204_NO_CONTENT)


class CourseEnrollApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Enroll in a course",
        description=(
            "Idempotent: the first call creates the enrollment (201), later calls return the "
            "same one (200). Drafts, archived courses and courses the caller's plan does not "
            "cover are refused."
        ),
        request=None,
        responses={
            201: EnrollmentOutputSerializer,
            200: EnrollmentOutputSerializer,
        },
        examples=[
            OpenApiExample(
                "Enrolled",
                value={
                    "id": 12,
                    "course_id": 3,
                    "enrolled_at": "2026-05-01T09:30:00Z",
                    "completed_at": None,
                    "last_lesson_id": None,
                },
                response_only=True,
            )
        ],
    )
    def post(self, request: Request, course_id: int) -> Response:
        course = selectors.course_get(user=request.user, course_id=course_id)
        enrollment, created = services.enrollment_create(learner=request.user, course=course)
        return Response(
            EnrollmentOutputSerializer(enrollment).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class LessonProgressItemSerializer(Serializer):
    id = serializers.IntegerField(source="lesson.id")
    title = serializers.CharField(source="lesson.title")
    kind = serializers.ChoiceField(source="lesson.kind", choices=Lesson.Kind.choices)
    is_completed = serializers.BooleanField()
    completed_at = serializers.DateTimeField(allow_null=True)
    seconds_spent = serializers.IntegerField()
    last_position_seconds = serializers.IntegerField()


class ModuleProgressSerializer(Serializer):
    id = serializers.IntegerField(source="module.id")
    title = serializers.CharField(source="module.title")
    order = serializers.IntegerField(source="module.order")
    percent = serializers.IntegerField()
    completed_lesson_count = serializers.IntegerField()
    lesson_count = serializers.IntegerField()
    seconds_spent = serializers.IntegerField()
    lessons = LessonProgressItemSerializer(many=True)


class ResumePointSerializer(Serializer):
    lesson_id = serializers.IntegerField()
    lesson_title = serializers.CharField()
    position_seconds = serializers.IntegerField()


class CourseProgressOutputSerializer(Serializer):
    course_id = serializers.IntegerField(source="course.id")
    percent = serializers.IntegerField(help_text="Whole percent of lessons completed.")
    completed_lesson_count = serializers.IntegerField()
    lesson_count = serializers.IntegerField()
    seconds_spent = serializers.IntegerField()
    is_completed = serializers.BooleanField()
    completed_at = serializers.DateTimeField(source="enrollment.completed_at", allow_null=True)
    resume = serializers.SerializerMethodField()
    modules = ModuleProgressSerializer(many=True)

    @extend_schema_field(ResumePointSerializer(allow_null=True))
    def get_resume(self, progress: selectors.CourseProgress) -> dict[str, Any] | None:
        if progress.resume_lesson is None:
            return None
        return {
            "lesson_id": progress.resume_lesson.id,
            "lesson_title": progress.resume_lesson.title,
            "position_seconds": progress.resume_position_seconds,
        }


class CourseProgressApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="My progress in a course",
        description="Per module and lesson: completion, time spent; and where to resume.",
        responses={200: CourseProgressOutputSerializer},
    )
    def get(self, request: Request, course_id: int) -> Response:
        course = selectors.course_get(user=request.user, course_id=course_id)
        enrollment = selectors.enrollment_get(learner=request.user, course_id=course.pk)
        if enrollment is None:
            raise NotEnrolledError("You are not enrolled in this course.")
        progress = selectors.course_progress(
            user=request.user, course=course, enrollment=enrollment
        )
        return Response(CourseProgressOutputSerializer(progress).data)


# --- Lessons --------------------------------------------------------------------------------------


class LessonFilter(StrictFilterSet):
    module = django_filters.NumberFilter(field_name="module_id", help_text="Module id.")
    kind = django_filters.ChoiceFilter(choices=Lesson.Kind.choices)
    is_free_preview = django_filters.BooleanFilter()
    is_completed = django_filters.BooleanFilter(help_text="true: lessons I have completed.")

    class Meta:
        model = Lesson
        fields = ["module", "kind", "is_free_preview", "is_completed"]


@extend_schema_view(
    get=extend_schema(
        summary="A course's lessons, in outline order",
        description="Titles and kinds only (no content), with the caller's completion ticks.",
        responses={200: LessonListItemSerializer(many=True)},
    )
)
class CourseLessonListApi(GenericAPIView):
    permission_classes = [AllowAny]
    serializer_class = LessonListItemSerializer
    filterset_class = LessonFilter
    search_fields = ["title"]
    ordering_fields = ["title", "duration_seconds"]

    def get_queryset(self) -> QuerySet[Lesson]:
        if getattr(self, "swagger_fake_view", False):  # schema generation
            return Lesson.objects.none()
        return selectors.lesson_list_for_course(user=self.request.user, course=self.course)

    def get(self, request: Request, course_id: int) -> Response:
        self.course = selectors.course_get(user=request.user, course_id=course_id)
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        for lesson in page:
            lesson.module.course = self.course  # instructors are prefetched on it
        context = {
            "request": request,
            "is_enrolled": self.course.is_enrolled,
            "running_exam": selectors.running_exam_attempt_get(
                learner=request.user, course_id=self.course.pk
            ),
        }
        return self.get_paginated_response(
            LessonListItemSerializer(page, many=True, context=context).data
        )


class LessonDetailOutputSerializer(ModelSerializer):
    module = serializers.SerializerMethodField()
    course = serializers.SerializerMethodField()
    body_html = serializers.CharField(help_text="The article (or notes), rendered and sanitised.")
    video_url = serializers.CharField(source="video_source", help_text="Empty for non-videos.")
    captions = serializers.SerializerMethodField()
    quiz_id = serializers.SerializerMethodField()
    completion_rule = serializers.CharField(help_text="What completes this lesson, in words.")
    reading_seconds_to_complete = serializers.SerializerMethodField(
        help_text=(
            "Articles: the active reading time (with the end reached) that completes the "
            "lesson; null for other kinds."
        )
    )

    class Meta:
        model = Lesson
        fields = [
            "id",
            "title",
            "kind",
            "order",
            "module",
            "course",
            "duration_seconds",
            "is_free_preview",
            "body_html",
            "video_url",
            "transcript",
            "captions",
            "quiz_id",
            "completion_rule",
            "reading_seconds_to_complete",
        ]

    def get_reading_seconds_to_complete(self, lesson: Lesson) -> int | None:
        return lesson.reading_seconds_to_complete if lesson.kind == Lesson.Kind.ARTICLE else None

    @extend_schema_field(serializers.DictField())
    def get_module(self, lesson: Lesson) -> dict[str, Any]:
        return {"id": lesson.module.id, "title": lesson.module.title, "order": lesson.module.order}

    @extend_schema_field(serializers.DictField())
    def get_course(self, lesson: Lesson) -> dict[str, Any]:
        course = lesson.module.course
        return {"id": course.id, "slug": course.slug, "title": course.title}

    @extend_schema_field(serializers.ListField(child=serializers.DictField()))
    def get_captions(self, lesson: Lesson) -> list[dict[str, Any]]:
        return [
            {
                "language": track.language,
                "label": track.label,
                "is_default": track.is_default,
                "url": track.file.url,
            }
            for track in lesson.captions.all()
        ]

    def get_quiz_id(self, lesson: Lesson) -> int | None:
        quiz = getattr(lesson, "quiz", None) if lesson.kind == Lesson.Kind.QUIZ else None
        return quiz.pk if quiz is not None else None


class LessonLinkOutputSerializer(Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    kind = serializers.ChoiceField(choices=Lesson.Kind.choices)


class LessonForLearnerOutputSerializer(Serializer):
    lesson = LessonDetailOutputSerializer()
    previous_lesson = LessonLinkOutputSerializer(allow_null=True)
    next_lesson = LessonLinkOutputSerializer(allow_null=True)
    position = serializers.IntegerField(help_text="1-based place of the lesson in the course.")
    lesson_count = serializers.IntegerField()
    progress = LessonProgressOutputSerializer(allow_null=True)


class LessonDetailApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        summary="Open a lesson",
        description=(
            "The lesson's content for learners entitled to it: enrolled learners, anyone for a "
            "free preview, and the course's instructors. Others get 403 `lesson_locked`; while "
            "an exam runs in the course, its other lessons answer 403 `exam_in_progress`."
        ),
        responses={200: LessonForLearnerOutputSerializer},
    )
    def get(self, request: Request, lesson_id: int) -> Response:
        view = selectors.lesson_get_for_learner(user=request.user, lesson_id=lesson_id)
        if view.access_error is not None:
            raise view.access_error
        return Response(LessonForLearnerOutputSerializer(view).data)


class LessonCompleteApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Mark a lesson complete",
        description=(
            "Articles and videos can be marked complete any time; a quiz lesson once one of "
            "the caller's attempts passed. Completing twice is harmless."
        ),
        request=None,
        responses={200: LessonProgressOutputSerializer},
    )
    def post(self, request: Request, lesson_id: int) -> Response:
        lesson = selectors.lesson_get(user=request.user, lesson_id=lesson_id)
        progress = services.lesson_complete(learner=request.user, lesson=lesson)
        return Response(LessonProgressOutputSerializer(progress).data)

    @extend_schema(
        summary="Untick a lesson",
        request=None,
        responses={200: LessonProgressOutputSerializer},
    )
    def delete(self, request: Request, lesson_id: int) -> Response:
        lesson = selectors.lesson_get(user=request.user, lesson_id=lesson_id)
        progress = services.lesson_uncomplete(learner=request.user, lesson=lesson)
        return Response(LessonProgressOutputSerializer(progress).data)


class LessonPositionInputSerializer(Serializer):
    position_seconds = serializers.IntegerField(
        min_value=0, help_text="Playback position, between 0 and the lesson's duration."
    )
    seconds_spent = serializers.IntegerField(
        min_value=0,
        default=0,
        help_text="Seconds watched or read since the previous report.",
    )


class LessonPositionApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Save the playback position",
        description=(
            "Players call this every few seconds; the position is restored on any device. "
            "Reaching 90% of a video completes it."
        ),
        request=LessonPositionInputSerializer,
        responses={200: LessonProgressOutputSerializer},
        examples=[
            OpenApiExample("Ten seconds later", value={"position_seconds": 95, "seconds_spent": 10})
        ],
    )
    def put(self, request: Request, lesson_id: int) -> Response:
        lesson = selectors.lesson_get(user=request.user, lesson_id=lesson_id)
        serializer = LessonPositionInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        progress = services.lesson_position_save(
            learner=request.user,
            lesson=lesson,
            position_seconds=serializer.validated_data["position_seconds"],
            seconds_spent_delta=serializer.validated_data["seconds_spent"],
        )
        return Response(LessonProgressOutputSerializer(progress).data)


class LessonReadingInputSerializer(Serializer):
    seconds_spent = serializers.IntegerField(
        min_value=0, default=0, help_text="Seconds of active reading since the previous report."
    )
    reached_end = serializers.BooleanField(
        default=False, help_text="True once the end of the article has come into view."
    )


class LessonReadingApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Report reading an article",
        description=(
            "Readers call this while an article lesson is read. Time counts at most the "
            "wall-clock time since the previous report (plus 30 seconds) and 300 seconds a "
            "report. The article completes once its end was reached and the time read is at "
            "least half its estimated reading time (`reading_seconds_to_complete` on the "
            "lesson). Other kinds of lesson answer 400 `invalid_reading_report`."
        ),
        request=LessonReadingInputSerializer,
        responses={200: LessonProgressOutputSerializer},
        examples=[
            OpenApiExample(
                "Fifteen seconds read, end reached",
                value={"seconds_spent": 15, "reached_end": True},
                request_only=True,
            )
        ],
    )
    def post(self, request: Request, lesson_id: int) -> Response:
        lesson = selectors.lesson_get(user=request.user, lesson_id=lesson_id)
        serializer = LessonReadingInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        progress = services.lesson_reading_report(
            learner=request.user,
            lesson=lesson,
            seconds_spent_delta=serializer.validated_data["seconds_spent"],
            has_reached_end=serializer.validated_data["reached_end"],
        )
        return Response(LessonProgressOutputSerializer(progress).data)


# --- Quizzes --------------------------------------------------------------------------------------


class QuizOutputSerializer(Serializer):
    id = serializers.IntegerField()
    lesson_id = serializers.IntegerField()
    course_id = serializers.IntegerField(source="lesson.module.course_id")
    title = serializers.CharField(source="lesson.title")
    time_limit_seconds = serializers.IntegerField(allow_null=True)
    max_attempts = serializers.IntegerField(allow_null=True)
    pass_mark_percent = serializers.IntegerField()
    negative_marking = serializers.DecimalField(max_digits=3, decimal_places=2)
    is_exam = serializers.BooleanField()
    feedback = serializers.ChoiceField(
        choices=Quiz.Feedback.choices,
        help_text=(
            "`immediate`: each answer can be checked while the attempt runs "
            "(`/quiz-attempts/{id}/questions/{question_id}/check`); `after_submit`: feedback "
            "comes with the graded attempt."
        ),
    )
    question_count = serializers.SerializerMethodField(help_text="Questions in each attempt.")
    attempts_used = serializers.SerializerMethodField()
    attempts_remaining = serializers.IntegerField(
        allow_null=True, help_text="null: unlimited attempts."
    )
    has_passed = serializers.BooleanField()
    best_percent = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)
    open_attempt_id = serializers.SerializerMethodField()
    questions = serializers.SerializerMethodField(
        help_text=(
            "The questions without their answers; empty for exams and for quizzes that draw "
            "a random subset (the attempt lists its own)."
        )
    )

    def get_question_count(self, quiz: Any) -> int:
        total = len(quiz.questions.all())
        sample = quiz.question_bank_sample_size
        return min(sample, total) if sample else total

    def get_attempts_used(self, quiz: Any) -> int:
        return len(quiz.my_attempts)

    def get_open_attempt_id(self, quiz: Any) -> int | None:
        return quiz.open_attempt.pk if quiz.open_attempt is not None else None

    @extend_schema_field(QuestionOutputSerializer(many=True))
    def get_questions(self, quiz: Any) -> list[dict[str, Any]]:
        if quiz.is_exam or quiz.question_bank_sample_size:
            return []
        return QuestionOutputSerializer(quiz.questions.all(), many=True).data


class QuizDetailApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        summary="A quiz's settings and questions (never the answers)",
        responses={200: QuizOutputSerializer},
    )
    def get(self, request: Request, quiz_id: int) -> Response:
        quiz = selectors.quiz_get_for_learner(user=request.user, quiz_id=quiz_id)
        if quiz.access_error is not None:
            raise quiz.access_error
        return Response(QuizOutputSerializer(quiz).data)


class QuizAttemptStartInputSerializer(Serializer):
    answers = serializers.DictField(
        child=serializers.JSONField(),
        required=False,
        help_text=(
            "Optional. With answers, the attempt is started and graded in this one call "
            "(keyed by question id as for `/quiz-attempts/{id}/submit`); without, it is only "
            "started."
        ),
    )


class QuizAttemptStartApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Start an attempt, or take one in a single call",
        description=(
            "Without `answers`: draws the attempt's questions (a random subset and shuffled "
            "when the quiz says so) and sets its deadline; while an attempt is running this "
            "returns it (200) instead of starting another. With `answers`: the attempt is "
            "started and graded on the server at once (201, or 200 when the answers completed "
            "the attempt already running). Refused (409 `attempt_limit_reached`) once the "
            "attempts are used up. A timed quiz, an exam or a quiz drawing a random subset "
            "is started first so its clock runs before its questions are seen: answers to it "
            "without a running attempt are refused (409 `attempt_start_required`). Answers to "
            "another quiz's questions, unknown question or choice ids are a 400 "
            "`invalid_answer`, and no attempt is used up. The two-step flow "
            "(`/quiz-attempts/{id}/submit`) works as before."
        ),
        request=QuizAttemptStartInputSerializer,
        responses={201: QuizAttemptOutputSerializer, 200: QuizAttemptOutputSerializer},
        examples=[
            OpenApiExample(
                "Taken in one call",
                value={"answers": {"41": 7, "42": [9, 11], "43": "list comprehension"}},
                request_only=True,
            )
        ],
    )
    def post(self, request: Request, quiz_id: int) -> Response:
        quiz = selectors.quiz_get_for_learner(user=request.user, quiz_id=quiz_id)
        # An empty body (whatever its content type) only starts an attempt, as it always has.
        serializer = QuizAttemptStartInputSerializer(data=request.data if request.body else {})
        serializer.is_valid(raise_exception=True)
        if "answers" in serializer.validated_data:
            attempt, created = services.quiz_attempt_take(
                learner=request.user, quiz=quiz, answers=serializer.validated_data["answers"]
            )
        else:
            attempt, created = services.quiz_attempt_start(learner=request.user, quiz=quiz)
        attempt = selectors.quiz_attempt_get_for_learner(user=request.user, attempt_id=attempt.pk)
        return Response(
            QuizAttemptOutputSerializer(attempt).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class QuizAttemptSubmitInputSerializer(Serializer):
    answers = serializers.DictField(
        child=serializers.JSONField(),
        help_text=(
            "Keyed by question id: a choice id (single choice, true/false), a list of choice "
            "ids (multiple choice) or text (short answer). Unanswered questions may be left out."
        ),
    )


class QuizAttemptSubmitApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Submit an attempt to be graded",
        description=(
            "Graded on the server. Wrong answers cost the quiz's negative marking; the score "
            "never goes below 0. Refused after the deadline (plus a few seconds' grace), for "
            "questions not drawn for this attempt, and for an attempt already submitted."
        ),
        request=QuizAttemptSubmitInputSerializer,
        responses={200: QuizAttemptOutputSerializer},
        examples=[
            OpenApiExample(
                "Answers",
                value={"answers": {"41": 7, "42": [9, 11], "43": "list comprehension"}},
                request_only=True,
            )
        ],
    )
    def post(self, request: Request, attempt_id: int) -> Response:
        attempt = selectors.quiz_attempt_get_for_learner(user=request.user, attempt_id=attempt_id)
        serializer = QuizAttemptSubmitInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.quiz_attempt_submit(
            learner=request.user, attempt=attempt, answers=serializer.validated_data["answers"]
        )
        attempt = selectors.quiz_attempt_get_for_learner(user=request.user, attempt_id=attempt_id)
        return Response(QuizAttemptOutputSerializer(attempt).data)


class QuizAttemptQuestionCheckInputSerializer(Serializer):
    answer = serializers.JSONField(
        help_text=(
            "A choice id (single choice, true/false), a list of choice ids (multiple choice) or "
            "text (short answer)."
        )
    )


class QuizAttemptQuestionCheckApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Check one answer now (immediate feedback)",
        description=(
            "For quizzes whose `feedback` is `immediate`: the answer is saved and graded at "
            "once, as the submit will grade it, and the question comes back with "
            "`is_correct`, `points_awarded`, the right answer and the explanation. A checked "
            "answer is locked: checking it again with the same answer returns the same "
            "result, another answer (here, in autosave or in the submit) is a 409 "
            "`answer_locked`. A quiz with feedback after submission answers 409 "
            "`immediate_feedback_off`; an empty answer, a question not drawn for the attempt "
            "or an unknown choice is a 400 `invalid_answer`."
        ),
        request=QuizAttemptQuestionCheckInputSerializer,
        responses={200: QuestionResultSerializer},
        examples=[OpenApiExample("A single choice", value={"answer": 7}, request_only=True)],
    )
    def post(self, request: Request, attempt_id: int, question_id: int) -> Response:
        attempt = selectors.quiz_attempt_get_for_learner(user=request.user, attempt_id=attempt_id)
        serializer = QuizAttemptQuestionCheckInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.quiz_attempt_question_check(
            learner=request.user,
            attempt=attempt,
            question_id=question_id,
            answer=serializer.validated_data["answer"],
        )
        attempt = selectors.quiz_attempt_get_for_learner(user=request.user, attempt_id=attempt_id)
        question = next(q for q in attempt.drawn_questions if q.pk == question_id)
        context = {"reveals_answers": attempt.quiz.reveals_answers}
        return Response(QuestionResultSerializer(question, context=context).data)


class QuizAttemptDetailApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="One of my attempts",
        description="Its questions in the order shown and, once graded, the score and feedback.",
        responses={200: QuizAttemptOutputSerializer},
    )
    def get(self, request: Request, attempt_id: int) -> Response:
        attempt = selectors.quiz_attempt_get_for_learner(user=request.user, attempt_id=attempt_id)
        return Response(QuizAttemptOutputSerializer(attempt).data)


# --- Certificates ---------------------------------------------------------------------------------


class CertificateFilter(StrictFilterSet):
    course = django_filters.NumberFilter(field_name="course_id", help_text="Course id.")

    class Meta:
        model = Certificate
        fields = ["course"]


@extend_schema_view(
    get=extend_schema(
        summary="My certificates",
        responses={200: CertificateOutputSerializer(many=True)},
    )
)
class CertificateListApi(GenericAPIView):
    permission_classes = [IsAuthenticated]
    serializer_class = CertificateOutputSerializer
    filterset_class = CertificateFilter
    search_fields = ["course_title"]
    ordering_fields = ["issued_at", "course_title"]

    def get_queryset(self) -> QuerySet[Certificate]:
        return selectors.certificate_list_for_learner(user=self.request.user)

    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(
            CertificateOutputSerializer(page, many=True, context={"request": request}).data
        )


class CertificateVerifyApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        summary="Verify a certificate (public)",
        description="Anyone holding the certificate's id can check who earned it, and when.",
        parameters=[OpenApiParameter("public_id", OpenApiTypes.UUID, OpenApiParameter.PATH)],
        responses={200: CertificateOutputSerializer},
        auth=[],
    )
    def get(self, request: Request, public_id: UUID) -> Response:
        certificate = selectors.certificate_get_public(public_id=public_id)
        return Response(CertificateOutputSerializer(certificate, context={"request": request}).data)


class CourseReviewListApi(GenericAPIView):
    """Anyone may read a course's ratings; the course must be one they may open."""

    permission_classes = [AllowAny]
    serializer_class = CourseReviewOutputSerializer

    def get_queryset(self) -> QuerySet[CourseReview]:
        course = selectors.course_get(user=self.request.user, course_id=self.kwargs["course_id"])
        return selectors.review_list_for_course(course=course)

    @extend_schema(summary="List a course's ratings", description="Newest first.")
    def get(self, request: Request, course_id: int) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(CourseReviewOutputSerializer(page, many=True).data)


class CourseReviewApi(APIView):
    """The caller's own rating of a course."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Rate a course",
        description=(
            "1-5 stars and an optional comment, by a learner enrolled in the course who has "
            "finished at least one lesson. One rating per learner: a second call replaces the "
            "first (200); the first answers 201."
        ),
        request=CourseReviewInputSerializer,
        responses={201: CourseReviewOutputSerializer, 200: CourseReviewOutputSerializer},
    )
    def put(self, request: Request, course_id: int) -> Response:
        course = selectors.course_get(user=request.user, course_id=course_id)
        serializer = CourseReviewInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        review, created = services.review_submit(
            learner=request.user, course=course, **serializer.validated_data
        )
        return Response(
            CourseReviewOutputSerializer(review).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )

    @extend_schema(summary="Withdraw your rating of a course", responses={204: None})
    def delete(self, request: Request, course_id: int) -> Response:
        course = selectors.course_get(user=request.user, course_id=course_id)
        if not services.review_delete(learner=request.user, course=course):
            raise exceptions.NotFound("You have not rated this course.")
        return Response(status=status.HTTP_204_NO_CONTENT)
