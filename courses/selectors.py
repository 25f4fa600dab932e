"""Reads of courses, shaped for their pages and endpoints (each in a fixed number of queries).

Conventions for callers (HTML views, API views, other apps):
- `user` may be anonymous everywhere; what it may see follows `course_visibility_q`.
- Selectors that return one object raise `CourseNotFoundError`/`LessonNotFoundError`/
  `QuizNotFoundError` (404) for anything the user may not see; locked lessons are not an error
  here: `LessonForLearner.access_error` says why and the caller decides (403 in the API).
- Annotated attributes are listed in each selector's docstring.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any
from uuid import UUID

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.postgres.search import SearchQuery, SearchRank
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import connection
from django.db.models import (
    Count,
    Exists,
    ExpressionWrapper,
    F,
    FilteredRelation,
    FloatField,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    prefetch_related_objects,
)
from django.db.models.functions import Coalesce, NullIf
from django.utils import timezone
from django.utils.module_loading import import_string

from core.exceptions import ApplicationError
from core.roles import Role
from core.subqueries import total_subquery
from courses import entitlements
from courses.exceptions import (
    CertificateNotFoundError,
    CourseNotFoundError,
    ExamInProgressError,
    LessonLockedError,
    LessonNotFoundError,
    NotAttemptOwnerError,
    QuizNotFoundError,
)
from courses.models import (
    QUIZ_DEADLINE_GRACE_SECONDS,
    Category,
    Certificate,
    Choice,
    Course,
    CourseReview,
    Enrollment,
    Lesson,
    LessonProgress,
    Module,
    Question,
    Quiz,
    QuizAttempt,
)
from courses.search import SEARCH_CONFIG

# Searched in the database, never read by a page: not fetched with the course.
UNREAD_COURSE_FIELDS = ("search_document",)
CATALOG_SORTS = ("popular", "newest", "rating", "title", "relevance")
EXAM_GRACE = timedelta(seconds=QUIZ_DEADLINE_GRACE_SECONDS)


# --- Visibility and access ------------------------------------------------------------------------


def _is_admin(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.role == Role.ADMIN)


def course_visibility_q(user: Any) -> Q:
    """Courses `user` may open: published ones; their own (any status) for instructors; archived
    ones they are enrolled in; everything for admins."""
    if _is_admin(user):
        return Q()
    visible = Q(status=Course.Status.PUBLISHED)
    if getattr(user, "is_authenticated", False):
        teaches = Course.instructors.through.objects.filter(
            course_id=OuterRef("pk"), user_id=user.pk
        )
        enrolled = Enrollment.objects.filter(course_id=OuterRef("pk"), learner_id=user.pk)
        visible |= Q(Exists(teaches)) | (Q(status=Course.Status.ARCHIVED) & Q(Exists(enrolled)))
    return visible


def course_can_edit(*, user: Any, course: Course) -> bool:
    """Admins and the course's instructors may change it."""
    return _is_admin(user) or (
        getattr(user, "role", None) == Role.INSTRUCTOR and course.is_taught_by(user)
    )


def _running_exams(*, learner_id: Any, course_id: Any) -> QuerySet[QuizAttempt]:
    now = timezone.now()
    return QuizAttempt.objects.filter(
        learner_id=learner_id,
        quiz__is_exam=True,
        quiz__lesson__module__course_id=course_id,
        submitted_at__isnull=True,
    ).filter(Q(deadline__isnull=True) | Q(deadline__gt=now - EXAM_GRACE))


def running_exam_attempt_get(*, learner: Any, course_id: int) -> QuizAttempt | None:
    """The learner's exam attempt still running in the course (it hides the rest), if any."""
    if not getattr(learner, "is_authenticated", False):
        return None
    return (
        _running_exams(learner_id=learner.pk, course_id=course_id)
        .select_related("quiz__lesson")
        .first()
    )


def _viewer_enrollment_and_exam(
    *, user: Any, course: Course
) -> tuple[Enrollment | None, QuizAttempt | None]:
    """The viewer's enrollment and running exam, from what `course_get_for_learner`'s course query
    brought (`viewer_enrollment`, `viewer_running_exam_id`): a query only while an exam runs.
    Attempts without an enrollment are only possible for the course's staff."""
    if not getattr(user, "is_authenticated", False):
        return None, None
    enrollment = getattr(course, "viewer_enrollment", None)  # unset when the join found none
    if course.viewer_running_exam_id is None:
        return enrollment, None
    if enrollment is None and not entitlements.is_course_staff(user, course):
        return None, None
    return enrollment, running_exam_attempt_get(learner=user, course_id=course.pk)


_UNKNOWN: Any = object()


def lesson_access_error(
    *,
    user: Any,
    lesson: Lesson,
    is_enrolled: bool,
    running_exam: QuizAttempt | None = _UNKNOWN,
) -> ApplicationError | None:
    """Why `user` may not open `lesson` (a running exam elsewhere in the course, or no
    entitlement), or None when they may."""
    course = lesson.module.course
    if running_exam is _UNKNOWN:
        running_exam = running_exam_attempt_get(learner=user, course_id=course.pk)
    if running_exam is not None and running_exam.quiz.lesson_id != lesson.pk:
        return ExamInProgressError(
            f"Finish the exam '{running_exam.quiz.lesson.title}' first: the rest of the course "
            "is hidden while it runs.",
            extra={"exam_lesson_id": running_exam.quiz.lesson_id},
        )
    if not entitlements.can_access_lesson(user, lesson, is_enrolled=is_enrolled):
        if is_enrolled:
            message = "Your plan does not include this lesson."
        elif course.is_free:
            message = "Enroll in this course to open this lesson."
        else:
            message = (
                f"This lesson is part of a {course.get_required_plan_display()} course; "
                "enroll to open it."
            )
        return LessonLockedError(message, extra={"course_id": course.pk})
    return None


def enrollment_get(*, learner: Any, course_id: int) -> Enrollment | None:
    """The learner's enrollment in a course, or None (also for anonymous users)."""
    if not getattr(learner, "is_authenticated", False):
        return None
    return Enrollment.objects.filter(learner_id=learner.pk, course_id=course_id).first()


def enrolled_course_ids(*, learner: Any, course_ids: Collection[int]) -> set[int]:
    """Which of `course_ids` the learner is enrolled in (none for anonymous users)."""
    if not getattr(learner, "is_authenticated", False) or not course_ids:
        return set()
    return set(
        Enrollment.objects.filter(learner_id=learner.pk, course_id__in=course_ids).values_list(
            "course_id", flat=True
        )
    )


# --- Search ---------------------------------------------------------------------------------------


def _uses_postgres_search() -> bool:
    return connection.vendor == "postgresql"


def course_search(queryset: QuerySet[Course], term: str) -> QuerySet[Course]:
    """Courses matching `term`: PostgreSQL full-text search (web-search syntax, ranked as
    `search_rank`), or a case-insensitive substring match elsewhere."""
    term = " ".join(term.split())[:200]
    if not term:
        return queryset
    if _uses_postgres_search():
        query = SearchQuery(term, config=SEARCH_CONFIG, search_type="websearch")
        # The stored vector (Course.search_document), matched through its GIN index.
        return queryset.filter(search_document=query).annotate(
            search_rank=SearchRank(F("search_document"), query)
        )
    return queryset.filter(
        Q(title__icontains=term) | Q(subtitle__icontains=term) | Q(description__icontains=term)
    ).annotate(search_rank=Value(0.0))


# --- Annotations ----------------------------------------------------------------------------------


def _percent(done: str, total: str) -> Coalesce:
    return Coalesce(F(done) * 100 / NullIf(F(total), 0), Value(0), output_field=IntegerField())


def with_learner_progress(queryset: QuerySet[Course], user: Any) -> QuerySet[Course]:
    """Annotate `is_enrolled`, `completed_lesson_count` and `progress_percent` (0-100) for `user`
    (False/0/0 for anonymous users)."""
    if not getattr(user, "is_authenticated", False):
        return queryset.annotate(
            is_enrolled=Value(False),
            completed_lesson_count=Value(0),
            progress_percent=Value(0),
        )
    completed = LessonProgress.objects.filter(
        learner_id=user.pk,
        lesson__module__course_id=OuterRef("pk"),
        completed_at__isnull=False,
    )
    return queryset.annotate(
        is_enrolled=Exists(Enrollment.objects.filter(learner_id=user.pk, course_id=OuterRef("pk"))),
        completed_lesson_count=total_subquery(completed, per="learner_id"),
        progress_percent=_percent("completed_lesson_count", "lesson_count"),
    )


def _sorted(queryset: QuerySet[Course], sort: str, *, searching: bool) -> QuerySet[Course]:
    # Published courses only, so `published_at` is never null here; the plain descending orders
    # are those of the indexes courses_course_popular and courses_course_status_pub.
    if sort == "relevance" and searching:
        return queryset.order_by("-search_rank", "-enrollment_count", "-id")
    if sort == "newest":
        return queryset.order_by("-published_at", "-id")
    if sort == "title":
        return queryset.order_by("title", "id")
    if sort == "rating":
        return queryset.order_by("-rating_score", "-rating_count", "-id")
    # "popular": the most enrolled first.
    return queryset.order_by("-enrollment_count", "-published_at", "-id")


# A Bayesian average: every course starts with RATING_PRIOR_WEIGHT imaginary ratings of
# RATING_PRIOR_MEAN, so one 5-star rating does not outrank a hundred 4.8s.
RATING_PRIOR_MEAN = 3.5
RATING_PRIOR_WEIGHT = 5


def rating_score() -> Any:
    return ExpressionWrapper(
        (F("rating_total") + Value(RATING_PRIOR_MEAN * RATING_PRIOR_WEIGHT))
        / (F("rating_count") + Value(float(RATING_PRIOR_WEIGHT))),
        output_field=FloatField(),
    )


# --- Courses --------------------------------------------------------------------------------------


def course_list(*, user: Any) -> QuerySet[Course]:
    """Every course `user` may open (see course_visibility_q), annotated like the catalog:
    `is_enrolled`, `completed_lesson_count`, `progress_percent`, `rating_score` (the counts
    `enrollment_count`, `lesson_count`, `total_duration_seconds` are stored on the course);
    category, instructors and tags loaded."""
    queryset = (
        Course.objects.filter(course_visibility_q(user))
        .defer(*UNREAD_COURSE_FIELDS)
        .select_related("category")
        .prefetch_related("instructors", "tags")
    )
    return (
        with_learner_progress(queryset, user)
        .annotate(rating_score=rating_score())
        .order_by(F("published_at").desc(nulls_last=True), "-id")
    )


def course_list_for_catalog(
    *,
    user: Any = None,
    search: str = "",
    category: str | None = None,
    difficulty: str | None = None,
    language: str | None = None,
    price: str | None = None,
    sort: str = "popular",
) -> QuerySet[Course]:
    """Published courses matching the search and filters (category slug, difficulty, language,
    price "free"/"paid"), sorted popular|newest|rating|title|relevance, with the annotations of
    `course_list` (progress for a signed-in learner) and category and instructors loaded (not
    tags); 2 queries however many courses."""
    queryset = Course.objects.filter(status=Course.Status.PUBLISHED)
    if category:
        queryset = queryset.filter(category__slug=category)
    if difficulty:
        queryset = queryset.filter(difficulty=difficulty)
    if language:
        queryset = queryset.filter(language=language)
    if price == "free":
        queryset = queryset.filter(required_plan=Course.Plan.FREE)
    elif price == "paid":
        queryset = queryset.exclude(required_plan=Course.Plan.FREE)
    searching = bool(search and search.strip())
    if searching:
        queryset = course_search(queryset, search)
    # No tags: the catalog's cards do not show them (one query fewer per page).
    queryset = (
        queryset.defer(*UNREAD_COURSE_FIELDS)
        .select_related("category")
        .prefetch_related("instructors")
    )
    queryset = with_learner_progress(queryset, user).annotate(rating_score=rating_score())
    return _sorted(queryset, sort, searching=searching)


@dataclass(frozen=True)
class CatalogFacets:
    """The catalog's filters: categories that have published courses (by name, each with
    `course_count` set) and the languages of published courses."""

    categories: list[Category]
    languages: list[str]


def catalog_facets() -> CatalogFacets:
    """Both of the catalog's facets from one grouped query of the published courses."""
    rows = (
        Course.objects.filter(status=Course.Status.PUBLISHED)
        .order_by()
        .values("language", "category_id", "category__name", "category__slug")
        .annotate(total=Count("pk"))
    )
    categories: dict[int, Category] = {}
    languages: set[str] = set()
    for row in rows:
        languages.add(row["language"])
        if row["category_id"] is None:
            continue
        category = categories.get(row["category_id"])
        if category is None:
            category = categories[row["category_id"]] = Category(
                pk=row["category_id"], name=row["category__name"], slug=row["category__slug"]
            )
            category.course_count = 0  # type: ignore[attr-defined]
        category.course_count += row["total"]  # type: ignore[attr-defined]
    return CatalogFacets(
        categories=sorted(categories.values(), key=lambda category: (category.name, category.pk)),
        languages=sorted(languages),
    )


def course_get(*, user: Any, course_id: int | None = None, slug: str | None = None) -> Course:
    """One course `user` may open, by id or slug, with the `course_list` annotations."""
    lookup = {"pk": course_id} if course_id is not None else {"slug": slug}
    course = course_list(user=user).filter(**lookup).first()
    if course is None:
        raise CourseNotFoundError("Course not found.")
    return course


def _outline_prefetch(user: Any) -> Prefetch:
    """Modules, and their lessons with the quiz and (for a signed-in viewer) the viewer's own
    progress row joined in: `lesson.viewer_progress`, None where there is none."""
    lessons = Lesson.objects.order_by("order", "id").select_related("quiz")
    if getattr(user, "is_authenticated", False):
        lessons = lessons.annotate(
            viewer_progress=FilteredRelation(
                "progress_records", condition=Q(progress_records__learner_id=user.pk)
            )
        ).select_related("viewer_progress")
    return Prefetch(
        "modules",
        queryset=Module.objects.order_by("order", "id").prefetch_related(
            Prefetch("lessons", queryset=lessons)
        ),
    )


def course_get_for_learner(
    *,
    user: Any,
    slug: str | None = None,
    course_id: int | None = None,
    with_tags: bool = True,
    with_instructors: bool = True,
) -> Course:
    """A course page: the course with its outline (`course.modules.all`, `module.lessons.all`)
    and, for `user`: `course.enrollment` (or None), `course.progress_percent`,
    `course.completed_lesson_count`, `course.lesson_count`, `course.resume_lesson` (or None),
    `course.running_exam` (or None); per module `module.completed_lesson_count`,
    `module.lesson_count`; per lesson `lesson.progress` (or None), `lesson.is_completed`,
    `lesson.is_locked`. A fixed number of queries whatever the size of the outline.

    Without `with_instructors` (a page that does not list them) the course only knows whether
    `user` teaches it (`Course.is_taught_by`), from its own query. Apps add what these pages read
    about the viewer to the course's query (settings.COURSE_VIEWER_LOADERS) and to its
    instructors' (settings.COURSE_INSTRUCTOR_LOADERS)."""
    lookup = {"pk": course_id} if course_id is not None else {"slug": slug}
    queryset = (
        Course.objects.filter(course_visibility_q(user))
        .filter(**lookup)
        .defer(*UNREAD_COURSE_FIELDS)
        .select_related("category")
        .prefetch_related(_outline_prefetch(user))
    )
    signed_in = getattr(user, "is_authenticated", False)
    if with_instructors:
        instructors = get_user_model()._default_manager.all()
        if signed_in:
            for path in settings.COURSE_INSTRUCTOR_LOADERS:
                instructors = import_string(path)(instructors, user)
        queryset = queryset.prefetch_related(Prefetch("instructors", queryset=instructors))
    if signed_in:
        # The viewer's enrollment (a LEFT JOIN: at most one row per learner and course) and the
        # id of an exam they have running in the course, in the course's own query.
        exam = _running_exams(learner_id=user.pk, course_id=OuterRef("pk")).values("pk")[:1]
        queryset = queryset.annotate(
            viewer_enrollment=FilteredRelation(
                "enrollments", condition=Q(enrollments__learner_id=user.pk)
            ),
            viewer_running_exam_id=Subquery(exam),
        ).select_related("viewer_enrollment")
        if not with_instructors:
            teaches = Course.instructors.through.objects.filter(
                course_id=OuterRef("pk"), user_id=user.pk
            )
            queryset = queryset.annotate(taught_by_viewer=Exists(teaches))
        for path in settings.COURSE_VIEWER_LOADERS:
            queryset = import_string(path)(queryset, user)
    if with_tags:
        queryset = queryset.prefetch_related("tags")
    course = queryset.first()
    if course is None:
        raise CourseNotFoundError("Course not found.")
    course.viewer_id = user.pk if signed_in else None  # whom the loaders' answers are for
    _attach_learner_outline(course, user)
    return course


def _attach_learner_outline(course: Course, user: Any) -> None:
    enrollment, running_exam = _viewer_enrollment_and_exam(user=user, course=course)
    completed_total = 0
    first_incomplete: Lesson | None = None
    lessons_by_id: dict[int, Lesson] = {}
    # Entitlement answers depend on a lesson only through its course and its free-preview flag
    # (see courses.entitlements), so two checks cover the outline, however long it is.
    locked: dict[bool, bool] = {}
    for module in course.modules.all():
        module.lesson_count = 0
        module.completed_lesson_count = 0
        for lesson in module.lessons.all():
            lesson.module = module  # no query for lesson.module.course below
            module.course = course
            # Progress counts for an enrolled learner only (rows outlive an unenrolment).
            progress = getattr(lesson, "viewer_progress", None) if enrollment else None
            lesson.progress = progress
            lesson.is_completed = bool(progress and progress.completed_at)
            if running_exam is not None:
                lesson.is_locked = running_exam.quiz.lesson_id != lesson.pk
            else:
                if lesson.is_free_preview not in locked:
                    locked[lesson.is_free_preview] = (
                        lesson_access_error(
                            user=user,
                            lesson=lesson,
                            is_enrolled=enrollment is not None,
                            running_exam=None,
                        )
                        is not None
                    )
                lesson.is_locked = locked[lesson.is_free_preview]
            module.lesson_count += 1
            if lesson.is_completed:
                module.completed_lesson_count += 1
                completed_total += 1
            elif first_incomplete is None:
                first_incomplete = lesson
            lessons_by_id[lesson.pk] = lesson
    course.enrollment = enrollment
    course.running_exam = running_exam
    course.completed_lesson_count = completed_total
    course.lesson_count = len(lessons_by_id)
    course.progress_percent = (
        completed_total * 100 // course.lesson_count if course.lesson_count else 0
    )
    resume = None
    if enrollment is not None:
        last = lessons_by_id.get(enrollment.last_lesson_id or 0)
        resume = last if last is not None and not last.is_completed else first_incomplete
        resume = resume or last
    course.resume_lesson = resume


# --- Lessons --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LessonLink:
    id: int
    title: str
    kind: str


@dataclass(frozen=True)
class LessonForLearner:
    """What the lesson player needs; `access_error` is None when the content may be shown."""

    lesson: Lesson
    course: Course
    enrollment: Enrollment | None
    progress: LessonProgress | None
    previous_lesson: LessonLink | None
    next_lesson: LessonLink | None
    access_error: ApplicationError | None
    running_exam: QuizAttempt | None
    position: int  # 1-based place of the lesson in the course
    lesson_count: int

    @property
    def can_access(self) -> bool:
        return self.access_error is None

    @property
    def resume_position_seconds(self) -> int:
        return self.progress.last_position_seconds if self.progress else 0


def _lesson_queryset(user: Any) -> QuerySet[Lesson]:
    visible_courses = Course.objects.filter(course_visibility_q(user)).values("pk")
    return Lesson.objects.filter(module__course__in=visible_courses).select_related(
        "module__course__category", "quiz"
    )


def lesson_get_for_learner(
    *, user: Any, lesson_id: int, course_slug: str | None = None
) -> LessonForLearner:
    """A lesson of a course `user` may open (404 otherwise, also when `course_slug` is not its
    course), with captions, progress, previous/next lessons and why it is locked, if it is."""
    lesson = (
        _lesson_queryset(user)
        .prefetch_related("captions", "module__course__instructors")
        .filter(pk=lesson_id)
        .first()
    )
    if lesson is None or (course_slug is not None and lesson.module.course.slug != course_slug):
        raise LessonNotFoundError("Lesson not found.")
    course = lesson.module.course
    enrollment = enrollment_get(learner=user, course_id=course.pk)
    running_exam = running_exam_attempt_get(learner=user, course_id=course.pk)
    progress = None
    if enrollment is not None:
        progress = LessonProgress.objects.filter(learner_id=user.pk, lesson_id=lesson.pk).first()
    siblings = list(
        Lesson.objects.filter(module__course_id=course.pk)
        .order_by("module__order", "module_id", "order", "id")
        .values_list("id", "title", "kind")
    )
    index = next(i for i, (pk, _, _) in enumerate(siblings) if pk == lesson.pk)
    previous_lesson = LessonLink(*siblings[index - 1]) if index > 0 else None
    next_lesson = LessonLink(*siblings[index + 1]) if index + 1 < len(siblings) else None
    return LessonForLearner(
        lesson=lesson,
        course=course,
        enrollment=enrollment,
        progress=progress,
        previous_lesson=previous_lesson,
        next_lesson=next_lesson,
        access_error=lesson_access_error(
            user=user,
            lesson=lesson,
            is_enrolled=enrollment is not None,
            running_exam=running_exam,
        ),
        running_exam=running_exam,
        position=index + 1,
        lesson_count=len(siblings),
    )


def lesson_get_for_player(*, user: Any, course_slug: str, lesson_id: int) -> LessonForLearner:
    """The lesson player's data in one pass: the course outline (`course_get_for_learner`) and,
    from it, the lesson (with its captions), previous/next, progress and why it is locked.
    A fixed number of queries whatever the size of the course."""
    course = course_get_for_learner(
        user=user, slug=course_slug, with_tags=False, with_instructors=False
    )
    ordered = [lesson for module in course.modules.all() for lesson in module.lessons.all()]
    index = next((i for i, lesson in enumerate(ordered) if lesson.pk == lesson_id), None)
    if index is None:
        raise LessonNotFoundError("Lesson not found.")
    lesson = ordered[index]
    if lesson.kind == Lesson.Kind.VIDEO:
        prefetch_related_objects([lesson], "captions")
    previous_lesson = ordered[index - 1] if index > 0 else None
    next_lesson = ordered[index + 1] if index + 1 < len(ordered) else None
    return LessonForLearner(
        lesson=lesson,
        course=course,
        enrollment=course.enrollment,
        progress=lesson.progress,
        previous_lesson=(
            LessonLink(previous_lesson.pk, previous_lesson.title, previous_lesson.kind)
            if previous_lesson
            else None
        ),
        next_lesson=(
            LessonLink(next_lesson.pk, next_lesson.title, next_lesson.kind) if next_lesson else None
        ),
        access_error=lesson_access_error(
            user=user,
            lesson=lesson,
            is_enrolled=course.enrollment is not None,
            running_exam=course.running_exam,
        ),
        running_exam=course.running_exam,
        position=index + 1,
        lesson_count=len(ordered),
    )


def lesson_get(*, user: Any, lesson_id: int) -> Lesson:
    """A lesson of a course `user` may open (module and course loaded), for the services."""
    lesson = _lesson_queryset(user).filter(pk=lesson_id).first()
    if lesson is None:
        raise LessonNotFoundError("Lesson not found.")
    return lesson


def lesson_list_for_course(*, user: Any, course: Course) -> QuerySet[Lesson]:
    """The course's lessons in outline order, with the module loaded and, for `user`,
    `is_completed` and `last_position_seconds` annotated."""
    queryset = (
        Lesson.objects.filter(module__course_id=course.pk)
        .select_related("module")
        .order_by("module__order", "module_id", "order", "id")
    )
    if not getattr(user, "is_authenticated", False):
        return queryset.annotate(is_completed=Value(False), last_position_seconds=Value(0))
    mine = LessonProgress.objects.filter(learner_id=user.pk, lesson_id=OuterRef("pk"))
    return queryset.annotate(
        is_completed=Exists(mine.filter(completed_at__isnull=False)),
        last_position_seconds=Coalesce(
            Subquery(mine.values("last_position_seconds")[:1]), Value(0)
        ),
    )


# --- Progress -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LessonProgressSummary:
    lesson: Lesson
    is_completed: bool
    completed_at: Any
    seconds_spent: int
    last_position_seconds: int


@dataclass(frozen=True)
class ModuleProgressSummary:
    module: Module
    lessons: list[LessonProgressSummary]
    completed_lesson_count: int
    lesson_count: int
    percent: int
    seconds_spent: int


@dataclass(frozen=True)
class CourseProgress:
    course: Course
    enrollment: Enrollment
    modules: list[ModuleProgressSummary] = field(default_factory=list)
    completed_lesson_count: int = 0
    lesson_count: int = 0
    percent: int = 0
    seconds_spent: int = 0
    resume_lesson: Lesson | None = None
    resume_position_seconds: int = 0

    @property
    def is_completed(self) -> bool:
        return self.enrollment.completed_at is not None


def course_progress(*, user: Any, course: Course, enrollment: Enrollment) -> CourseProgress:
    """A learner's progress in a course: per module and lesson, percent complete (whole
    percent, rounded down), time spent, and where to resume (lesson and playback position)."""
    modules = list(
        Module.objects.filter(course_id=course.pk)
        .order_by("order", "id")
        .prefetch_related(Prefetch("lessons", queryset=Lesson.objects.order_by("order", "id")))
    )
    progress_by_lesson = {
        progress.lesson_id: progress
        for progress in LessonProgress.objects.filter(
            learner_id=user.pk, lesson__module__course_id=course.pk
        )
    }
    summaries: list[ModuleProgressSummary] = []
    lessons_by_id: dict[int, LessonProgressSummary] = {}
    first_incomplete: LessonProgressSummary | None = None
    for module in modules:
        lesson_summaries = []
        for lesson in module.lessons.all():
            progress = progress_by_lesson.get(lesson.pk)
            summary = LessonProgressSummary(
                lesson=lesson,
                is_completed=bool(progress and progress.completed_at),
                completed_at=progress.completed_at if progress else None,
                seconds_spent=progress.seconds_spent if progress else 0,
                last_position_seconds=progress.last_position_seconds if progress else 0,
            )
            lesson_summaries.append(summary)
            lessons_by_id[lesson.pk] = summary
            if not summary.is_completed and first_incomplete is None:
                first_incomplete = summary
        done = sum(1 for summary in lesson_summaries if summary.is_completed)
        summaries.append(
            ModuleProgressSummary(
                module=module,
                lessons=lesson_summaries,
                completed_lesson_count=done,
                lesson_count=len(lesson_summaries),
                percent=done * 100 // len(lesson_summaries) if lesson_summaries else 0,
                seconds_spent=sum(summary.seconds_spent for summary in lesson_summaries),
            )
        )
    total = len(lessons_by_id)
    done_total = sum(summary.completed_lesson_count for summary in summaries)
    last = lessons_by_id.get(enrollment.last_lesson_id or 0)
    resume = last if last is not None and not last.is_completed else first_incomplete
    resume = resume or last
    return CourseProgress(
        course=course,
        enrollment=enrollment,
        modules=summaries,
        completed_lesson_count=done_total,
        lesson_count=total,
        percent=done_total * 100 // total if total else 0,
        seconds_spent=sum(summary.seconds_spent for summary in summaries),
        resume_lesson=resume.lesson if resume else None,
        resume_position_seconds=resume.last_position_seconds if resume else 0,
    )


def enrollment_list_for_dashboard(*, user: Any) -> QuerySet[Enrollment]:
    """The learner's enrollments, most recently active first, with the course (and its
    category), `last_lesson`, and annotated `lesson_count`, `completed_lesson_count`,
    `progress_percent`, `seconds_spent` and `resume_position_seconds` (in `last_lesson`); filter
    on `completed_at` for "in progress" and "recently completed". One query however many (the
    dashboard names no instructors)."""
    completed = LessonProgress.objects.filter(
        learner_id=OuterRef("learner_id"),
        lesson__module__course_id=OuterRef("course_id"),
        completed_at__isnull=False,
    )
    spent = (
        LessonProgress.objects.filter(
            learner_id=OuterRef("learner_id"), lesson__module__course_id=OuterRef("course_id")
        )
        .order_by()
        .values("learner_id")
        .annotate(total=Sum("seconds_spent"))
        .values("total")[:1]
    )
    return (
        Enrollment.objects.filter(learner_id=user.pk)
        .select_related("course__category", "last_lesson__module")
        .annotate(
            lesson_count=F("course__lesson_count"),
            completed_lesson_count=total_subquery(completed, per="learner_id"),
            progress_percent=_percent("completed_lesson_count", "lesson_count"),
            seconds_spent=Coalesce(Subquery(spent, output_field=IntegerField()), Value(0)),
            resume_position_seconds=Coalesce(
                Subquery(
                    LessonProgress.objects.filter(
                        learner_id=OuterRef("learner_id"), lesson_id=OuterRef("last_lesson_id")
                    ).values("last_position_seconds")[:1]
                ),
                Value(0),
            ),
        )
        .order_by(F("last_activity_at").desc(nulls_last=True), "-enrolled_at", "-id")
    )


# --- Quizzes --------------------------------------------------------------------------------------


def quiz_get_for_learner(*, user: Any, quiz_id: int) -> Quiz:
    """A quiz of a course `user` may open, with its questions and choices (in authored order;
    never show `is_correct` or `accepted_answers` from here), and for `user`:
    `quiz.my_attempts` (newest first), `quiz.open_attempt`, `quiz.attempts_remaining` (None for
    unlimited), `quiz.has_passed`, `quiz.best_percent` and `quiz.access_error`."""
    visible_courses = Course.objects.filter(course_visibility_q(user)).values("pk")
    quiz = (
        Quiz.objects.filter(lesson__module__course__in=visible_courses, pk=quiz_id)
        .select_related("lesson__module__course")
        .prefetch_related(
            Prefetch(
                "questions",
                queryset=Question.objects.order_by("order", "id").prefetch_related(
                    Prefetch("choices", queryset=Choice.objects.order_by("order", "id"))
                ),
            ),
            "lesson__module__course__instructors",
        )
        .first()
    )
    if quiz is None:
        raise QuizNotFoundError("Quiz not found.")
    attempts: list[QuizAttempt] = []
    if getattr(user, "is_authenticated", False):
        attempts = list(
            QuizAttempt.objects.filter(learner_id=user.pk, quiz_id=quiz.pk).order_by("-number")
        )
    quiz.my_attempts = attempts
    quiz.open_attempt = next((a for a in attempts if a.submitted_at is None), None)
    quiz.attempts_remaining = (
        max(quiz.max_attempts - len(attempts), 0) if quiz.max_attempts is not None else None
    )
    quiz.has_passed = any(attempt.passed for attempt in attempts)
    graded = [attempt.percent for attempt in attempts if attempt.percent is not None]
    quiz.best_percent = max(graded) if graded else None
    enrollment = enrollment_get(learner=user, course_id=quiz.lesson.module.course_id)
    quiz.access_error = lesson_access_error(
        user=user, lesson=quiz.lesson, is_enrolled=enrollment is not None
    )
    return quiz


def quiz_attempt_get_for_learner(*, user: Any, attempt_id: int) -> QuizAttempt:
    """One of the user's own attempts (404 for anyone else's) with the quiz and course loaded,
    `attempt.drawn_questions` in the order shown, each with `question.ordered_choices` in the
    attempt's order and, once graded, `question.result` ({"is_answered", "is_correct",
    "points"}) and `question.answer`."""
    attempt = (
        QuizAttempt.objects.filter(pk=attempt_id, learner_id=getattr(user, "pk", None))
        .select_related("quiz__lesson__module__course")
        .first()
    )
    if attempt is None:
        raise NotAttemptOwnerError("Quiz attempt not found.")
    questions = {
        question.pk: question
        for question in Question.objects.filter(pk__in=attempt.question_ids).prefetch_related(
            "choices", "skills"
        )
    }
    drawn = []
    for question_id in attempt.question_ids:
        question = questions.get(question_id)
        if question is None:
            continue
        choices = {choice.pk: choice for choice in question.choices.all()}
        order = attempt.choice_order.get(str(question_id), [])
        question.ordered_choices = [choices[pk] for pk in order if pk in choices]
        question.result = attempt.results.get(str(question_id))
        question.answer = attempt.answers.get(str(question_id))
        drawn.append(question)
    attempt.drawn_questions = drawn
    return attempt


quiz_get_for_attempt = quiz_attempt_get_for_learner


def quiz_attempt_list_for_learner(*, user: Any, quiz: Quiz) -> QuerySet[QuizAttempt]:
    """The user's attempts at a quiz, newest first."""
    return QuizAttempt.objects.filter(learner_id=user.pk, quiz_id=quiz.pk).order_by("-number")


# --- Certificates ---------------------------------------------------------------------------------


# --- Reviews --------------------------------------------------------------------------------------


def review_list_for_course(*, course: Course) -> QuerySet[CourseReview]:
    """The course's ratings, newest first, with their authors (one query per page)."""
    return (
        CourseReview.objects.filter(course_id=course.pk, learner__is_active=True)
        .select_related("learner")
        .order_by("-updated_at", "-id")
    )


@dataclass(frozen=True)
class CoursePageReviews:
    newest: list[CourseReview]  # the newest ratings, at most `limit`, with their authors
    mine: CourseReview | None  # the signed-in learner's own rating, wherever it ranks


def reviews_for_course_page(*, course: Course, user: Any, limit: int) -> CoursePageReviews:
    """The course page's ratings and the learner's own, in one query: the newest `limit` and
    the learner's (which, when it is not among them, is older than all of them, so it sorts
    last and the newest are still the first `limit` rows)."""
    reviews = review_list_for_course(course=course)
    wanted = Q(pk__in=reviews.values("pk")[:limit])
    if getattr(user, "is_authenticated", False):
        wanted |= Q(learner_id=user.pk)
    rows = list(
        CourseReview.objects.filter(course_id=course.pk)
        .filter(wanted)
        .select_related("learner")
        .order_by("-updated_at", "-id")
    )
    mine = next((row for row in rows if row.learner_id == getattr(user, "pk", None)), None)
    return CoursePageReviews(newest=rows[:limit], mine=mine)


def certificate_list_for_learner(*, user: Any) -> QuerySet[Certificate]:
    """The learner's certificates, newest first, with their courses."""
    return (
        Certificate.objects.filter(learner_id=user.pk)
        .select_related("course")
        .order_by("-issued_at", "-id")
    )


def certificate_get_public(*, public_id: UUID | str) -> Certificate:
    """A certificate by its public id, for anyone verifying it (404 when unknown)."""
    try:
        certificate = (
            Certificate.objects.select_related("course").filter(public_id=public_id).first()
        )
    except (ValueError, TypeError, DjangoValidationError):  # not a UUID
        certificate = None
    if certificate is None:
        raise CertificateNotFoundError("Certificate not found.")
    return certificate
