"""Test data for the AI tools: a lesson that is not in the demo data, in a course."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from courses.models import Course, Lesson
from courses.tests.factories import (  # noqa: F401 - re-exported for the AI tools tests
    CourseFactory,
    EnrollmentFactory,
    LessonFactory,
    ModuleFactory,
    QuestionFactory,
    QuizFactory,
    SkillFactory,
    StudentFactory,
)

TIDES_TEXT = (Path(__file__).parent / "tides.md").read_text()

VOLCANO_TEXT = """Volcanoes form where molten rock, called magma, rises through the crust.
When magma reaches the surface it is called lava. Shield volcanoes have gentle slopes built from
runny basalt lava, like those of Hawaii. Stratovolcanoes are steep cones of alternating ash and
lava layers, and their sticky magma traps gas, which makes their eruptions explosive. Geologists
watch for ground swelling, small earthquakes and gas emissions to forecast eruptions."""


def tides_course(**course_fields: Any) -> tuple[Course, Lesson, Lesson]:
    """A course with two article lessons: tides and volcanoes."""
    course = CourseFactory(title="Earth science", **course_fields)
    module = ModuleFactory(course=course, order=1, title="Oceans and mountains")
    tides = LessonFactory(module=module, order=1, title="How tides work", body=TIDES_TEXT)
    volcanoes = LessonFactory(module=module, order=2, title="Volcanoes", body=VOLCANO_TEXT)
    return course, tides, volcanoes
