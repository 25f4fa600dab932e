"""Test data for courses. Users come from accounts' factories (made by the real services)."""

from __future__ import annotations

from typing import Any

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from accounts.tests.factories import (  # noqa: F401 - re-exported for the courses tests
    AdminFactory,
    InstructorFactory,
    StudentFactory,
)
from courses.models import (
    Category,
    Choice,
    Course,
    Enrollment,
    Lesson,
    LessonProgress,
    Module,
    Question,
    Quiz,
    Skill,
    Tag,
)
from courses.services import counters


class CategoryFactory(DjangoModelFactory):
    class Meta:
        model = Category
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Category {n}")
    slug = factory.Sequence(lambda n: f"category-{n}")


class TagFactory(DjangoModelFactory):
    class Meta:
        model = Tag

    name = factory.Sequence(lambda n: f"tag {n}")
    slug = factory.Sequence(lambda n: f"tag-{n}")


class SkillFactory(DjangoModelFactory):
    class Meta:
        model = Skill

    name = factory.Sequence(lambda n: f"Skill {n}")
    slug = factory.Sequence(lambda n: f"skill-{n}")


class CourseFactory(DjangoModelFactory):
    """A published free course taught by a new instructor (pass `instructors=[...]` to choose,
    `status=Course.Status.DRAFT, published_at=None` for a draft)."""

    class Meta:
        model = Course
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Course {n}")
    slug = factory.Sequence(lambda n: f"course-{n}")
    subtitle = "A course made for tests"
    description = "Learn **things**."
    category = factory.SubFactory(CategoryFactory)
    status = Course.Status.PUBLISHED
    published_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def instructors(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        if not create:
            return
        self.instructors.set(extracted if extracted is not None else [InstructorFactory()])


class ModuleFactory(DjangoModelFactory):
    class Meta:
        model = Module

    course = factory.SubFactory(CourseFactory)
    title = factory.Sequence(lambda n: f"Module {n}")
    order = factory.Sequence(lambda n: n + 1)


class LessonFactory(DjangoModelFactory):
    """An article lesson (its course's stored counts follow, as with `lesson_create`)."""

    class Meta:
        model = Lesson

    @classmethod
    def _create(cls, model_class: type[Lesson], *args: Any, **kwargs: Any) -> Lesson:
        lesson = super()._create(model_class, *args, **kwargs)
        counters.course_lessons_add(
            course_id=lesson.module.course_id, lessons=1, seconds=lesson.duration_seconds
        )
        return lesson

    module = factory.SubFactory(ModuleFactory)
    title = factory.Sequence(lambda n: f"Lesson {n}")
    kind = Lesson.Kind.ARTICLE
    order = factory.Sequence(lambda n: n + 1)
    body = "Read this *carefully*."
    duration_seconds = 300


class VideoLessonFactory(LessonFactory):
    kind = Lesson.Kind.VIDEO
    body = ""
    video_url = "https://media.example.com/video.mp4"
    duration_seconds = 100


class QuizFactory(DjangoModelFactory):
    class Meta:
        model = Quiz

    lesson = factory.SubFactory(LessonFactory, kind=Lesson.Kind.QUIZ, body="")
    pass_mark_percent = 50


class QuestionFactory(DjangoModelFactory):
    """A single-choice question with choices "right" (correct) and "wrong"."""

    class Meta:
        model = Question
        skip_postgeneration_save = True

    quiz = factory.SubFactory(QuizFactory)
    kind = Question.Kind.SINGLE
    text = factory.Sequence(lambda n: f"Question {n}?")
    explanation = "Because."
    order = factory.Sequence(lambda n: n + 1)
    points = 1

    @factory.post_generation
    def choices(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        if not create or self.kind == Question.Kind.SHORT_ANSWER:
            return
        wanted = extracted if extracted is not None else [("right", True), ("wrong", False)]
        for position, (text, is_correct) in enumerate(wanted, start=1):
            Choice.objects.create(question=self, text=text, is_correct=is_correct, order=position)


class EnrollmentFactory(DjangoModelFactory):
    """An enrollment made without the entitlement checks of `enrollment_create` (drafts, paid
    courses); the course's `enrollment_count` follows as it does there."""

    class Meta:
        model = Enrollment

    @classmethod
    def _create(cls, model_class: type[Enrollment], *args: Any, **kwargs: Any) -> Enrollment:
        enrollment = super()._create(model_class, *args, **kwargs)
        counters.course_enrollments_add(course_id=enrollment.course_id, delta=1)
        return enrollment

    learner = factory.SubFactory(StudentFactory)
    course = factory.SubFactory(CourseFactory)


class LessonProgressFactory(DjangoModelFactory):
    class Meta:
        model = LessonProgress

    learner = factory.SubFactory(StudentFactory)
    lesson = factory.SubFactory(LessonFactory)


def course_with_outline(
    *, modules: int = 2, lessons_per_module: int = 2, **course_fields: Any
) -> Course:
    """A course with `modules` modules of `lessons_per_module` article lessons each."""
    course = CourseFactory(**course_fields)
    for module_order in range(1, modules + 1):
        module = ModuleFactory(course=course, order=module_order, title=f"Module {module_order}")
        for lesson_order in range(1, lessons_per_module + 1):
            LessonFactory(
                module=module,
                order=lesson_order,
                title=f"Lesson {module_order}.{lesson_order}",
            )
    return course


def quiz_lesson(module: Module, *, order: int, questions: int = 2, **quiz_fields: Any) -> Quiz:
    """A quiz lesson in `module` with `questions` single-choice questions."""
    lesson = LessonFactory(module=module, order=order, kind=Lesson.Kind.QUIZ, body="")
    quiz = QuizFactory(lesson=lesson, **quiz_fields)
    for question_order in range(1, questions + 1):
        QuestionFactory(quiz=quiz, order=question_order)
    return quiz
