"""Writing courses: create, edit, publish, unpublish, archive, delete; the outline and questions."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from io import BytesIO
from pathlib import PurePosixPath
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Count, Max, Sum
from django.utils import timezone
from django.utils.text import slugify
from PIL import Image, ImageOps

from accounts.models import User
from core.roles import Role
from courses import events
from courses.exceptions import CourseHasLearnersError, CourseNotReadyError, InvalidInstructorsError
from courses.models import Category, Choice, Course, Lesson, Module, Question, Quiz, Skill, Tag
from courses.services.counters import course_lessons_add

# Fields course_create and course_update set directly on the model.
COURSE_FIELDS = frozenset(
    {
        "title",
        "slug",
        "subtitle",
        "description",
        "cover_image",
        "cover_image_alt",
        "category",
        "difficulty",
        "language",
        "estimated_hours",
        "required_plan",
        "early_access_until",
        "early_access_plan",
        "what_you_will_learn",
    }
)
COURSE_RELATION_FIELDS = frozenset({"tags", "instructors"})
COVER_RENDITION_WIDTHS = (320, 640, 1280)


def _unique_slug(model: type[Any], text: str, *, exclude_pk: int | None = None) -> str:
    base = slugify(text)[:200] or "untitled"
    taken = set(
        model.objects.filter(slug__startswith=base)
        .exclude(pk=exclude_pk)
        .values_list("slug", flat=True)
    )
    if base not in taken:
        return base
    number = 2
    while f"{base}-{number}" in taken:
        number += 1
    return f"{base}-{number}"


def tags_get_or_create(*, names: Iterable[str]) -> list[Tag]:
    """The tags with these names (trimmed, case-insensitive by slug), created when missing."""
    tags: list[Tag] = []
    for name in names:
        cleaned = " ".join(str(name).split())[:50]
        if not cleaned:
            continue
        tag, _ = Tag.objects.get_or_create(slug=slugify(cleaned)[:60], defaults={"name": cleaned})
        if tag not in tags:
            tags.append(tag)
    return tags


def _set_relations(course: Course, data: dict[str, Any]) -> None:
    if "tags" in data:
        tags = data["tags"] or []
        names = [tag.name if isinstance(tag, Tag) else tag for tag in tags]
        course.tags.set(tags_get_or_create(names=names))
    if "instructors" in data:
        instructors = list(data["instructors"] or [])
        if not instructors:
            raise InvalidInstructorsError(
                "A course needs at least one instructor.",
                fields={"instructors": ["A course needs at least one instructor."]},
            )
        not_teachers = [
            user for user in instructors if user.role not in {Role.INSTRUCTOR, Role.ADMIN}
        ]
        if not_teachers:
            raise InvalidInstructorsError(
                f"{not_teachers[0].email} is not an instructor.",
                fields={"instructors": [f"{not_teachers[0].email} is not an instructor."]},
            )
        course.instructors.set(instructors)


@transaction.atomic
def course_create(*, instructor: User, title: str, **fields: Any) -> Course:
    """Create a draft course taught by `instructor` (slug from the title unless given)."""
    unknown = set(fields) - COURSE_FIELDS - COURSE_RELATION_FIELDS
    if unknown:
        raise TypeError(f"not course fields: {sorted(unknown)}")
    relations = {name: fields.pop(name) for name in COURSE_RELATION_FIELDS if name in fields}
    course = Course(title=title.strip(), **fields)
    if not course.slug:
        course.slug = _unique_slug(Course, course.title)
    course.full_clean()
    course.save()
    if "instructors" in relations:  # the creator always teaches what they create
        others = [user for user in relations["instructors"] or [] if user.pk != instructor.pk]
        relations["instructors"] = [instructor, *others]
    else:
        course.instructors.add(instructor)
    _set_relations(course, relations)
    if course.cover_image:
        _cover_renditions_create(course)
    return course


@transaction.atomic
def course_update(*, course: Course, data: dict[str, Any]) -> Course:
    """Change a course's details (not its status: publish, unpublish and archive do that)."""
    unknown = set(data) - COURSE_FIELDS - COURSE_RELATION_FIELDS
    if unknown:
        raise TypeError(f"not course fields: {sorted(unknown)}")
    previous_cover = course.cover_image.name if course.cover_image else ""
    changed = []
    for field in COURSE_FIELDS & set(data):
        setattr(course, field, data[field])
        changed.append(field)
    if "title" in data and "slug" not in data and not course.slug:
        course.slug = _unique_slug(Course, course.title, exclude_pk=course.pk)
    course.full_clean()
    if changed:
        course.save(update_fields=[*changed, "updated_at"])
    _set_relations(course, {name: data[name] for name in COURSE_RELATION_FIELDS if name in data})
    new_cover = course.cover_image.name if course.cover_image else ""
    if new_cover != previous_cover:
        if new_cover:
            _cover_renditions_create(course)
        else:
            course.cover_thumbnails = {}
            course.save(update_fields=["cover_thumbnails"])
    return course


def _cover_renditions_create(course: Course) -> None:
    """Store WebP renditions of the cover at the standard widths (for `srcset`)."""
    renditions: dict[str, str] = {}
    stem = PurePosixPath(course.cover_image.name).with_suffix("")
    with course.cover_image.open("rb") as source, Image.open(source) as original:
        image = ImageOps.exif_transpose(original)
        image = image.convert("RGBA" if image.mode in {"RGBA", "LA", "P"} else "RGB")
        for width in COVER_RENDITION_WIDTHS:
            if width >= image.width and renditions:
                break
            rendition = image.copy()
            rendition.thumbnail((width, width * 4), Image.Resampling.LANCZOS)
            buffer = BytesIO()
            rendition.save(buffer, format="WEBP", quality=82, method=4)
            name = default_storage.save(f"{stem}-{width}.webp", ContentFile(buffer.getvalue()))
            renditions[str(width)] = name
    course.cover_thumbnails = renditions
    course.save(update_fields=["cover_thumbnails"])


@dataclass(frozen=True)
class ReadinessProblem:
    field: str
    message: str


def course_readiness_problems(*, course: Course) -> list[ReadinessProblem]:
    """What stops a course from being published (an empty list when it is ready)."""
    problems: list[ReadinessProblem] = []
    lessons = list(
        Lesson.objects.filter(module__course=course)
        .select_related("module", "quiz")
        .prefetch_related("quiz__questions__choices")
    )
    if not lessons:
        problems.append(ReadinessProblem("outline", "Add at least one lesson."))
    if course.cover_image and not course.cover_image_alt.strip():
        problems.append(ReadinessProblem("cover_image_alt", "Describe the cover image."))
    for lesson in lessons:
        where = f"Lesson '{lesson.title}'"
        if lesson.kind == Lesson.Kind.VIDEO and not (lesson.video_file or lesson.video_url):
            problems.append(ReadinessProblem("outline", f"{where} has no video."))
        if lesson.kind == Lesson.Kind.ARTICLE and not lesson.body.strip():
            problems.append(ReadinessProblem("outline", f"{where} has no text."))
        if lesson.kind != Lesson.Kind.QUIZ:
            continue
        quiz = getattr(lesson, "quiz", None)
        if quiz is None:
            problems.append(ReadinessProblem("outline", f"{where} has no quiz settings."))
            continue
        questions = list(quiz.questions.all())
        if not questions:
            problems.append(ReadinessProblem("outline", f"{where} has no questions."))
        for question in questions:
            problem = question_problem(question=question, choices=list(question.choices.all()))
            if problem:
                problems.append(
                    ReadinessProblem("outline", f"{where}, question {question.order}: {problem}")
                )
    return problems


def question_problem(*, question: Question, choices: Sequence[Choice]) -> str:
    """Why a question cannot be answered correctly as written ("" when it can)."""
    correct = sum(1 for choice in choices if choice.is_correct)
    if question.kind == Question.Kind.SHORT_ANSWER:
        if not any(answer.strip() for answer in question.accepted_answers):
            return "add at least one accepted answer."
        return ""
    if question.kind == Question.Kind.TRUE_FALSE and len(choices) != 2:
        return "a true-or-false question has exactly two choices."
    if len(choices) < 2:
        return "add at least two choices."
    if question.kind in {Question.Kind.SINGLE, Question.Kind.TRUE_FALSE} and correct != 1:
        return "mark exactly one choice correct."
    if question.kind == Question.Kind.MULTIPLE and correct < 1:
        return "mark at least one choice correct."
    return ""


@transaction.atomic
def course_publish(*, course: Course) -> Course:
    """Publish a complete course (every lesson has content, every quiz answerable questions)."""
    course = Course.objects.select_for_update().get(pk=course.pk)
    if course.status == Course.Status.PUBLISHED:
        return course
    problems = course_readiness_problems(course=course)
    if problems:
        fields: dict[str, list[str]] = {}
        for problem in problems:
            fields.setdefault(problem.field, []).append(problem.message)
        raise CourseNotReadyError(
            f"'{course.title}' is not ready to publish: {problems[0].message}", fields=fields
        )
    first_published_at = course.published_at
    course.status = Course.Status.PUBLISHED
    course.published_at = course.published_at or timezone.now()
    course.save(update_fields=["status", "published_at", "updated_at"])
    transaction.on_commit(
        functools.partial(events.course_published.send, sender=Course, course=course)
    )
    if first_published_at is not None:
        # Published again: the lessons added since it first went out are new to its learners.
        added = Lesson.objects.filter(
            module__course=course, created_at__gt=first_published_at
        ).order_by("module__order", "order")
        for lesson in added:
            _lesson_published_on_commit(lesson)
    return course


@transaction.atomic
def course_unpublish(*, course: Course) -> Course:
    """Take a course back to draft: it leaves the catalog and takes no new enrollments."""
    course = Course.objects.select_for_update().get(pk=course.pk)
    if course.status != Course.Status.DRAFT:
        course.status = Course.Status.DRAFT
        course.save(update_fields=["status", "updated_at"])
    return course


@transaction.atomic
def course_archive(*, course: Course) -> Course:
    """Archive a course: enrolled learners keep it, nobody new can find or join it."""
    course = Course.objects.select_for_update().get(pk=course.pk)
    if course.status != Course.Status.ARCHIVED:
        course.status = Course.Status.ARCHIVED
        course.save(update_fields=["status", "updated_at"])
    return course


@transaction.atomic
def course_delete(*, course: Course) -> None:
    """Delete a course nobody has enrolled in; one with learners can only be archived."""
    if course.enrollments.exists():
        raise CourseHasLearnersError(
            f"'{course.title}' has learners; archive it instead of deleting it."
        )
    course.delete()


def _next_order(queryset: Any) -> int:
    return (queryset.aggregate(highest=Max("order"))["highest"] or 0) + 1


@transaction.atomic
def module_create(
    *, course: Course, title: str, summary: str = "", order: int | None = None
) -> Module:
    """Add a module to a course, after the last one unless an order is given."""
    module = Module(
        course=course,
        title=title,
        summary=summary,
        order=order if order is not None else _next_order(course.modules.all()),
    )
    module.full_clean()
    module.save()
    return module


@transaction.atomic
def lesson_create(
    *,
    module: Module,
    title: str,
    kind: str,
    order: int | None = None,
    quiz_settings: dict[str, Any] | None = None,
    **fields: Any,
) -> Lesson:
    """Add a lesson to a module (a quiz lesson gets its quiz, with `quiz_settings`)."""
    lesson = Lesson(
        module=module,
        title=title,
        kind=kind,
        order=order if order is not None else _next_order(module.lessons.all()),
        **fields,
    )
    lesson.full_clean()
    lesson.save()
    course_lessons_add(course_id=module.course_id, lessons=1, seconds=lesson.duration_seconds)
    if kind == Lesson.Kind.QUIZ:
        quiz = Quiz(lesson=lesson, **(quiz_settings or {}))
        quiz.full_clean()
        quiz.save()
    elif quiz_settings:
        raise TypeError("quiz_settings only apply to quiz lessons")
    if _course_is_published(module.course_id) and _lesson_has_content(lesson):
        _lesson_published_on_commit(lesson)
    return lesson


@transaction.atomic
def lesson_save(*, lesson: Lesson, is_new: bool) -> Lesson:
    """Save a lesson edited in the admin (validated by its form). A lesson that becomes visible
    in a published course (new there, moved there, or given its first video or text) is
    announced with `lesson_published` once the save commits."""
    previous = None
    if not is_new and lesson.pk is not None:
        # Locked: two saves of the same lesson must not both move the course's counts from
        # the same old duration.
        previous = (
            Lesson.objects.select_for_update().select_related("module").filter(pk=lesson.pk).first()
        )
    lesson.save()
    course_id = lesson.module.course_id
    if previous is None:
        course_lessons_add(course_id=course_id, lessons=1, seconds=lesson.duration_seconds)
    elif previous.module.course_id != course_id:
        course_lessons_add(
            course_id=previous.module.course_id, lessons=-1, seconds=-previous.duration_seconds
        )
        course_lessons_add(course_id=course_id, lessons=1, seconds=lesson.duration_seconds)
    else:
        course_lessons_add(
            course_id=course_id,
            lessons=0,
            seconds=lesson.duration_seconds - previous.duration_seconds,
        )
    if not _course_is_published(course_id) or not _lesson_has_content(lesson):
        return lesson
    if (
        previous is None
        or previous.module.course_id != course_id
        or not _lesson_has_content(previous)
    ):
        _lesson_published_on_commit(lesson)
    return lesson


@transaction.atomic
def module_save(*, module: Module) -> Module:
    """Save a module edited in the admin; moved to another course, its lessons' counts move
    with it."""
    previous_course_id = (
        Module.objects.select_for_update()
        .filter(pk=module.pk)
        .values_list("course_id", flat=True)
        .first()
        if module.pk is not None
        else None
    )
    module.save()
    if previous_course_id is not None and previous_course_id != module.course_id:
        totals = Lesson.objects.filter(module_id=module.pk).aggregate(
            lessons=Count("pk"), seconds=Sum("duration_seconds")
        )
        lessons, seconds = totals["lessons"], totals["seconds"] or 0
        course_lessons_add(course_id=previous_course_id, lessons=-lessons, seconds=-seconds)
        course_lessons_add(course_id=module.course_id, lessons=lessons, seconds=seconds)
    return module


def _course_is_published(course_id: int) -> bool:
    # Read from the database: a Course instance held by the caller may predate a status change.
    return Course.objects.filter(pk=course_id, status=Course.Status.PUBLISHED).exists()


def _lesson_has_content(lesson: Lesson) -> bool:
    """A video with its video, an article with its text; a quiz lesson opens as it is."""
    if lesson.kind == Lesson.Kind.VIDEO:
        return bool(lesson.video_file or lesson.video_url)
    if lesson.kind == Lesson.Kind.ARTICLE:
        return bool(lesson.body.strip())
    return True


def _lesson_published_on_commit(lesson: Lesson) -> None:
    transaction.on_commit(
        functools.partial(events.lesson_published.send, sender=Lesson, lesson=lesson)
    )


@transaction.atomic
def lesson_quiz_ensure(*, lesson: Lesson) -> Quiz | None:
    """A quiz lesson always has its quiz (default settings until edited); None for others."""
    if lesson.kind != Lesson.Kind.QUIZ:
        return None
    quiz, _ = Quiz.objects.get_or_create(lesson=lesson)
    return quiz


@transaction.atomic
def question_create(
    *,
    quiz: Quiz,
    kind: str,
    text: str,
    choices: Sequence[tuple[str, bool]] = (),
    accepted_answers: Sequence[str] = (),
    explanation: str = "",
    points: int = 1,
    skills: Iterable[str] = (),
    order: int | None = None,
) -> Question:
    """Add a question with its choices (text, is_correct) or accepted answers to a quiz."""
    question = Question(
        quiz=quiz,
        kind=kind,
        text=text,
        explanation=explanation,
        points=points,
        accepted_answers=[answer.strip() for answer in accepted_answers if answer.strip()],
        order=order if order is not None else _next_order(quiz.questions.all()),
    )
    question.full_clean()
    question.save()
    question_choices_set(question=question, choices=choices)
    skill_objects = [
        Skill.objects.get_or_create(slug=slugify(name)[:110], defaults={"name": name})[0]
        for name in skills
    ]
    question.skills.set(skill_objects)
    return question


@transaction.atomic
def question_choices_set(
    *, question: Question, choices: Sequence[tuple[str, bool]]
) -> list[Choice]:
    """Make a question's choices exactly these (text, is_correct), in order; a choice whose text
    is kept keeps its id, so earlier attempts still point at it."""
    existing = {choice.text: choice for choice in question.choices.all()}
    kept: list[Choice] = []
    for position, (text, is_correct) in enumerate(choices, start=1):
        text = text.strip()
        choice = existing.pop(text, None) or Choice(question=question, text=text)
        choice.is_correct = bool(is_correct)
        choice.order = position
        choice.full_clean()
        choice.save()
        kept.append(choice)
    if existing:
        Choice.objects.filter(pk__in=[choice.pk for choice in existing.values()]).delete()
    return kept


@transaction.atomic
def category_get_or_create(*, name: str) -> Category:
    """The category with this name, created when missing."""
    category, _ = Category.objects.get_or_create(
        slug=slugify(name)[:80], defaults={"name": name.strip()}
    )
    return category


def estimated_hours_from_outline(*, course: Course) -> Decimal:
    """The course's lesson durations added up, in hours rounded to one decimal."""
    seconds = sum(
        Lesson.objects.filter(module__course=course).values_list("duration_seconds", flat=True)
    )
    return (Decimal(seconds) / Decimal(3600)).quantize(Decimal("0.1"))
