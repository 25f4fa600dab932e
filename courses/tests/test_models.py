"""Models: constraints, validation, Markdown that cannot run script, upload validators."""

from __future__ import annotations

from io import BytesIO

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from PIL import Image

from courses.markdown import render_markdown
from courses.models import Course, Enrollment, Lesson, Module, QuizAttempt
from courses.tests.factories import (
    CourseFactory,
    EnrollmentFactory,
    LessonFactory,
    ModuleFactory,
    QuestionFactory,
    QuizFactory,
    StudentFactory,
)
from courses.validators import validate_cover_image, validate_webvtt

# --- Markdown -------------------------------------------------------------------------------------


def test_markdown_renders_formatting_lists_tables_and_code():
    html = render_markdown(
        "# Title\n\nSome **bold** and `code`.\n\n- one\n- two\n\n"
        "| a | b |\n|---|---|\n| 1 | 2 |\n\n```\nprint('hi')\n```"
    )

    assert "<h1>Title</h1>" in html
    assert "<strong>bold</strong>" in html
    assert "<code>code</code>" in html
    assert "<li>one</li>" in html
    assert "<td>1</td>" in html
    assert "<pre><code>print(&#x27;hi&#x27;)" in html or "<pre><code>print('hi')" in html


def test_script_tags_are_removed_with_their_content():
    html = render_markdown("Hello <script>alert('x')</script> world")

    assert html == "<p>Hello  world</p>"


def test_javascript_links_lose_their_target():
    html = render_markdown('[click](javascript:alert(1)) and <a href="JaVaScRiPt:alert(2)">me</a>')

    assert "javascript" not in html.lower()
    inert_link = '<a rel="noopener noreferrer nofollow">'
    assert html == f"<p>{inert_link}click</a> and {inert_link}me</a></p>"


def test_event_handler_attributes_are_stripped():
    html = render_markdown(
        '<img src="https://example.com/x.png" onerror="alert(1)" alt="x">\n\n'
        '<p onclick="steal()" onmouseover="x()">Hi</p>'
    )

    assert "onerror" not in html
    assert "onclick" not in html
    assert "onmouseover" not in html
    assert '<img src="https://example.com/x.png" alt="x">' in html


def test_dangerous_tags_and_data_urls_are_dropped():
    html = render_markdown(
        '<iframe src="https://evil.example"></iframe><style>body{}</style>'
        '<img src="data:text/html;base64,PHNjcmlwdD4=" alt="d">'
        "<form action=/steal><input name=x></form>"
    )

    assert "<iframe" not in html
    assert "<style" not in html
    assert "data:" not in html
    assert "<form" not in html
    assert "<input" not in html


def test_safe_links_get_rel_noopener():
    assert render_markdown("[docs](https://docs.python.org)") == (
        '<p><a href="https://docs.python.org" rel="noopener noreferrer nofollow">docs</a></p>'
    )


def test_code_samples_show_markup_as_text():
    html = render_markdown("    <script>alert(1)</script>")

    assert "<script>" not in html
    assert "&lt;script&gt;" in html


@pytest.mark.django_db
def test_model_html_properties_are_sanitised():
    lesson = LessonFactory(body="<b onclick='x()'>bold</b><script>bad()</script>")

    assert lesson.body_html == "<p><b>bold</b></p>"


# --- Constraints ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_course_slugs_are_unique():
    CourseFactory(slug="same")

    with pytest.raises(IntegrityError), transaction.atomic():
        CourseFactory(slug="same")


@pytest.mark.django_db
def test_a_published_course_needs_a_publication_date():
    with pytest.raises(IntegrityError), transaction.atomic():
        CourseFactory(status=Course.Status.PUBLISHED, published_at=None)


@pytest.mark.django_db
def test_module_order_is_unique_within_a_course_only():
    module = ModuleFactory(order=1)
    ModuleFactory(order=1)  # another course

    with pytest.raises(IntegrityError), transaction.atomic():
        Module.objects.create(course=module.course, title="Again", order=1)


@pytest.mark.django_db
def test_lesson_order_is_unique_within_a_module():
    lesson = LessonFactory(order=3)

    with pytest.raises(IntegrityError), transaction.atomic():
        Lesson.objects.create(module=lesson.module, title="Again", order=3)


@pytest.mark.django_db
def test_one_enrollment_per_learner_and_course():
    enrollment = EnrollmentFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        Enrollment.objects.create(learner=enrollment.learner, course=enrollment.course)


@pytest.mark.django_db
def test_one_open_attempt_per_learner_and_quiz():
    quiz = QuizFactory()
    learner = StudentFactory()
    QuizAttempt.objects.create(learner=learner, quiz=quiz, number=1)

    with pytest.raises(IntegrityError), transaction.atomic():
        QuizAttempt.objects.create(learner=learner, quiz=quiz, number=2)


@pytest.mark.django_db
def test_a_cover_image_needs_alt_text():
    course = CourseFactory.build(cover_image="courses/covers/x.png", cover_image_alt=" ")

    with pytest.raises(ValidationError) as error:
        course.clean()

    assert error.value.message_dict == {
        "cover_image_alt": ["Describe the cover image for people who cannot see it."]
    }


@pytest.mark.django_db
def test_a_short_answer_question_needs_an_accepted_answer():
    question = QuestionFactory.build(
        quiz=QuizFactory(), kind="short_answer", accepted_answers=["  "]
    )

    with pytest.raises(ValidationError) as error:
        question.clean()

    assert error.value.messages == ["A short-answer question needs at least one accepted answer."]


@pytest.mark.django_db
def test_only_a_quiz_lesson_holds_a_quiz():
    quiz = QuizFactory.build(lesson=LessonFactory(kind=Lesson.Kind.ARTICLE))

    with pytest.raises(ValidationError) as error:
        quiz.clean()

    assert error.value.messages == ["Only a quiz lesson can hold a quiz."]


def test_learning_outcomes_are_the_non_empty_lines():
    course = Course(what_you_will_learn="Load data\n\n  Clean it  \n")

    assert course.learning_outcomes == ["Load data", "Clean it"]


# --- Upload validators ----------------------------------------------------------------------------


def _image(width: int, height: int, image_format: str, name: str) -> SimpleUploadedFile:
    buffer = BytesIO()
    Image.new("RGB", (width, height), (200, 10, 10)).save(buffer, format=image_format)
    upload = SimpleUploadedFile(name, buffer.getvalue())
    upload._committed = False  # what a freshly assigned upload looks like to a model field
    return upload


def test_a_real_jpeg_cover_passes():
    validate_cover_image(_image(800, 450, "JPEG", "cover.jpg"))


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (
            lambda: _image(800, 450, "GIF", "cover.gif"),
            "Use a JPEG, PNG or WebP image (this one is GIF).",
        ),
        (
            lambda: _image(100, 100, "PNG", "tiny.png"),
            "The image is 100x100 pixels; use at least 320x180.",
        ),
    ],
)
def test_wrong_cover_images_are_refused(upload, message):
    with pytest.raises(ValidationError) as error:
        validate_cover_image(upload())

    assert error.value.messages == [message]


def test_a_file_that_is_not_an_image_is_refused():
    upload = SimpleUploadedFile("cover.png", b"<?php evil(); ?>")
    upload._committed = False

    with pytest.raises(ValidationError) as error:
        validate_cover_image(upload)

    assert error.value.messages == ["This file is not a JPEG, PNG or WebP image, or it is damaged."]


def test_oversized_cover_images_are_refused():
    upload = SimpleUploadedFile("cover.png", b"x" * (5 * 1024 * 1024 + 1))
    upload._committed = False

    with pytest.raises(ValidationError) as error:
        validate_cover_image(upload)

    assert error.value.messages == ["This image is 5.0 MB; choose one of at most 5 MB."]


def test_webvtt_files_must_start_with_the_signature():
    good = SimpleUploadedFile("en.vtt", b"\xef\xbb\xbfWEBVTT\n\n00:00.000 --> 00:01.000\nHi\n")
    good._committed = False
    bad = SimpleUploadedFile("en.vtt", b"1\n00:00:00,000 --> 00:00:01,000\nHi\n")
    bad._committed = False

    validate_webvtt(good)
    with pytest.raises(ValidationError) as error:
        validate_webvtt(bad)

    assert error.value.messages == ["This is not a WebVTT file: it must start with WEBVTT."]
