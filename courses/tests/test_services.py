"""The rules of courses: authoring, enrollment, progress, completion, quizzes and their events."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from io import BytesIO
from typing import Any

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from courses import entitlements, events, services
from courses.exceptions import (
    AttemptAlreadySubmittedError,
    AttemptDeadlinePassedError,
    AttemptLimitReachedError,
    CourseHasLearnersError,
    CourseNotReadyError,
    EnrollmentClosedError,
    ExamInProgressError,
    InvalidAnswerError,
    InvalidInstructorsError,
    InvalidPositionError,
    LessonLockedError,
    LessonNotCompletableError,
    NotAttemptOwnerError,
    NotEnrolledError,
    PlanRequiredError,
)
from courses.models import (
    Certificate,
    Choice,
    Course,
    Enrollment,
    Lesson,
    LessonProgress,
    Question,
    QuizAttempt,
    Tag,
)
from courses.services.learning import RESUME_TOUCH_SECONDS
from courses.tests.factories import (
    CourseFactory,
    EnrollmentFactory,
    LessonFactory,
    ModuleFactory,
    QuestionFactory,
    QuizFactory,
    StudentFactory,
    VideoLessonFactory,
    course_with_outline,
    quiz_lesson,
)

pytestmark = pytest.mark.django_db

EVENT_NAMES = (
    "learner_enrolled",
    "lesson_completed",
    "quiz_attempt_submitted",
    "quiz_passed",
    "course_completed",
    "course_published",
    "lesson_time_spent",
)


@pytest.fixture
def sent() -> Iterator[dict[str, list[dict[str, Any]]]]:
    """Every domain event sent during the test, by name, with its keyword arguments."""
    received: dict[str, list[dict[str, Any]]] = {name: [] for name in EVENT_NAMES}
    receivers = {}
    for name in EVENT_NAMES:

        def receiver(sender: Any, _name: str = name, **kwargs: Any) -> None:
            kwargs.pop("signal", None)
            received[_name].append(kwargs)

        receivers[name] = receiver
        getattr(events, name).connect(receiver, weak=False)
    yield received
    for name, receiver in receivers.items():
        getattr(events, name).disconnect(receiver)


def png_upload(width: int = 1400, height: int = 800, name: str = "cover.png") -> SimpleUploadedFile:
    buffer = BytesIO()
    Image.new("RGB", (width, height), (30, 120, 200)).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


@pytest.fixture
def media_root(tmp_path: Any, settings: Any) -> Any:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


# --- Authoring ------------------------------------------------------------------------------------


def test_course_create_makes_a_draft_taught_by_its_creator_with_a_unique_slug(instructor):
    CourseFactory(slug="python-basics")

    course = services.course_create(
        instructor=instructor, title="Python basics", tags=["Python", "python ", "Beginners"]
    )

    assert course.status == Course.Status.DRAFT
    assert course.slug == "python-basics-2"
    assert list(course.instructors.all()) == [instructor]
    assert sorted(course.tags.values_list("name", flat=True)) == ["Beginners", "Python"]
    assert Tag.objects.count() == 2


def test_course_create_refuses_a_cover_image_without_alt_text(instructor, media_root):
    with pytest.raises(ValidationError) as error:
        services.course_create(instructor=instructor, title="Covered", cover_image=png_upload())

    assert error.value.message_dict == {
        "cover_image_alt": ["Describe the cover image for people who cannot see it."]
    }
    assert Course.objects.count() == 0


def test_course_create_stores_responsive_cover_renditions(instructor, media_root):
    course = services.course_create(
        instructor=instructor,
        title="Covered",
        cover_image=png_upload(1400, 800),
        cover_image_alt="A blue square",
    )

    assert sorted(course.cover_thumbnails, key=int) == ["320", "640", "1280"]
    for width, name in course.cover_thumbnails.items():
        with default_storage.open(name) as stored, Image.open(stored) as image:
            assert image.format == "WEBP"
            assert image.width == int(width)
    assert course.cover_srcset.count("w, ") == 2


def test_course_update_changes_details_and_replaces_tags(course):
    updated = services.course_update(
        course=course, data={"subtitle": "Now with more pandas", "tags": ["data"]}
    )

    course.refresh_from_db()
    assert updated.subtitle == course.subtitle == "Now with more pandas"
    assert list(course.tags.values_list("name", flat=True)) == ["data"]


def test_course_update_refuses_students_as_instructors(course, instructor, student):
    with pytest.raises(InvalidInstructorsError) as error:
        services.course_update(course=course, data={"instructors": [student]})

    assert error.value.message == f"{student.email} is not an instructor."
    assert list(course.instructors.all()) == [instructor]


def test_course_publish_refuses_an_incomplete_outline_and_changes_nothing(instructor, sent):
    course = CourseFactory(status=Course.Status.DRAFT, published_at=None, instructors=[instructor])
    module = ModuleFactory(course=course)
    LessonFactory(module=module, title="Empty article", body="")
    quiz = QuizFactory(lesson__module=module, lesson__title="Checkpoint")
    QuestionFactory(quiz=quiz, order=1, choices=[("a", False), ("b", False)])

    with pytest.raises(CourseNotReadyError) as error:
        services.course_publish(course=course)

    assert error.value.fields == {
        "outline": [
            "Lesson 'Empty article' has no text.",
            "Lesson 'Checkpoint', question 1: mark exactly one choice correct.",
        ]
    }
    course.refresh_from_db()
    assert course.status == Course.Status.DRAFT
    assert course.published_at is None
    assert sent["course_published"] == []


def test_course_publish_refuses_a_course_without_lessons(instructor):
    course = CourseFactory(status=Course.Status.DRAFT, published_at=None, instructors=[instructor])

    with pytest.raises(CourseNotReadyError) as error:
        services.course_publish(course=course)

    assert (
        error.value.message == f"'{course.title}' is not ready to publish: Add at least one lesson."
    )


def test_course_publish_sets_the_date_and_sends_the_event_once(
    instructor, sent, django_capture_on_commit_callbacks
):
    course = course_with_outline(status=Course.Status.DRAFT, published_at=None)

    with time_machine.travel("2026-03-01 10:00:00Z", tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            services.course_publish(course=course)
        with django_capture_on_commit_callbacks(execute=True):
            services.course_publish(course=course)

    course.refresh_from_db()
    assert course.status == Course.Status.PUBLISHED
    assert course.published_at.isoformat() == "2026-03-01T10:00:00+00:00"
    assert [kwargs["course"].pk for kwargs in sent["course_published"]] == [course.pk]


def test_unpublish_and_archive_change_the_status(course):
    assert services.course_unpublish(course=course).status == Course.Status.DRAFT
    assert services.course_archive(course=course).status == Course.Status.ARCHIVED


def test_a_course_with_learners_cannot_be_deleted(course, student):
    EnrollmentFactory(course=course, learner=student)

    with pytest.raises(CourseHasLearnersError):
        services.course_delete(course=course)

    assert Course.objects.filter(pk=course.pk).exists()


def test_a_course_without_learners_is_deleted_with_its_outline(course):
    services.course_delete(course=course)

    assert not Course.objects.filter(pk=course.pk).exists()
    assert Lesson.objects.count() == 0


def test_question_choices_set_keeps_the_ids_of_kept_choices():
    question = QuestionFactory(choices=[("Paris", True), ("Lyon", False)])
    paris = question.choices.get(text="Paris")

    services.question_choices_set(
        question=question, choices=[("Marseille", False), ("Paris", True)]
    )

    assert list(question.choices.values_list("text", "is_correct", "order")) == [
        ("Marseille", False, 1),
        ("Paris", True, 2),
    ]
    assert question.choices.get(text="Paris").pk == paris.pk


# --- Enrollment -----------------------------------------------------------------------------------


def test_enrolling_twice_returns_the_same_enrollment_and_one_event(
    course, student, sent, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first, first_created = services.enrollment_create(learner=student, course=course)
    with django_capture_on_commit_callbacks(execute=True):
        second, second_created = services.enrollment_create(learner=student, course=course)

    assert (first_created, second_created) == (True, False)
    assert first.pk == second.pk
    assert Enrollment.objects.filter(learner=student, course=course).count() == 1
    assert [kwargs["enrollment"].pk for kwargs in sent["learner_enrolled"]] == [first.pk]


@pytest.mark.parametrize("status", [Course.Status.DRAFT, Course.Status.ARCHIVED])
def test_drafts_and_archived_courses_refuse_enrollment(student, status, sent):
    course = course_with_outline(status=status, title="Closed course")

    with pytest.raises(EnrollmentClosedError) as error:
        services.enrollment_create(learner=student, course=course)

    assert error.value.message == "'Closed course' is not open for enrollment."
    assert Enrollment.objects.count() == 0


def test_paid_courses_need_a_plan_until_billing_says_otherwise(student):
    course = course_with_outline(required_plan=Course.Plan.PRO, title="Pro course")

    with pytest.raises(PlanRequiredError) as error:
        services.enrollment_create(learner=student, course=course)

    assert error.value.message == "'Pro course' needs the Pro plan."
    assert error.value.extra == {"plan": "pro"}
    assert Enrollment.objects.count() == 0


def test_a_registered_entitlement_provider_decides(student):
    course = course_with_outline(required_plan=Course.Plan.PRO)

    class EveryoneIsPro(entitlements.DefaultEntitlements):
        def can_enroll(self, user: Any, course: Course) -> bool:
            return True

    entitlements.register_provider(EveryoneIsPro())

    enrollment, created = services.enrollment_create(learner=student, course=course)

    assert created is True
    assert enrollment.course == course


def test_early_access_courses_open_on_their_date(student):
    with time_machine.travel("2026-01-01 00:00:00Z", tick=False):
        course = course_with_outline(
            early_access_until=timezone.now() + timedelta(days=10), title="Soon"
        )
        with pytest.raises(EnrollmentClosedError) as error:
            services.enrollment_create(learner=student, course=course)
        assert (
            error.value.message
            == "'Soon' is in early access; it opens to everyone on 11 January 2026."
        )

    with time_machine.travel("2026-01-12 00:00:00Z", tick=False):
        _, created = services.enrollment_create(learner=student, course=course)
    assert created is True


# --- Lesson progress ------------------------------------------------------------------------------


@pytest.fixture
def enrolled(course, student) -> Enrollment:
    return EnrollmentFactory(course=course, learner=student)


def _lessons(course: Course) -> list[Lesson]:
    return list(
        Lesson.objects.filter(module__course=course)
        .select_related("module__course")
        .order_by("module__order", "order")
    )


def test_lesson_start_makes_the_lesson_the_resume_point(course, student, enrolled):
    lesson = _lessons(course)[1]

    with time_machine.travel("2026-02-02 08:00:00Z", tick=False):
        progress = services.lesson_start(learner=student, lesson=lesson)

    enrolled.refresh_from_db()
    assert progress.lesson == lesson
    assert progress.completed_at is None
    assert enrolled.last_lesson == lesson
    assert enrolled.last_activity_at.isoformat() == "2026-02-02T08:00:00+00:00"


def test_reopening_the_current_lesson_refreshes_the_resume_time_only_now_and_then(
    course, student, enrolled
):
    lesson = _lessons(course)[1]
    with time_machine.travel("2026-02-02 08:00:00Z", tick=False):
        progress = services.lesson_start(learner=student, lesson=lesson)
    enrolled.refresh_from_db()

    with time_machine.travel("2026-02-02 08:04:00Z", tick=False):
        services.lesson_start(
            learner=student, lesson=lesson, enrollment=enrolled, progress=progress
        )
    enrolled.refresh_from_db()
    assert enrolled.last_activity_at.isoformat() == "2026-02-02T08:00:00+00:00"

    with time_machine.travel("2026-02-02 08:06:00Z", tick=False):
        services.lesson_start(
            learner=student, lesson=lesson, enrollment=enrolled, progress=progress
        )
    enrolled.refresh_from_db()
    assert enrolled.last_activity_at.isoformat() == "2026-02-02T08:06:00+00:00"

    other = _lessons(course)[2]
    with time_machine.travel("2026-02-02 08:07:00Z", tick=False):
        services.lesson_start(learner=student, lesson=other, enrollment=enrolled, progress=None)
    enrolled.refresh_from_db()
    assert enrolled.last_lesson == other
    assert LessonProgress.objects.filter(learner=student, lesson=other).exists()


def test_starting_a_lesson_again_without_its_progress_keeps_the_one_row(course, student, enrolled):
    """A caller that did not load the progress (or lost a race for it) gets the existing row,
    not a second one and not an error."""
    lesson = _lessons(course)[1]
    first = services.lesson_start(learner=student, lesson=lesson)
    LessonProgress.objects.filter(pk=first.pk).update(seconds_spent=42)

    again = services.lesson_start(learner=student, lesson=_lessons(course)[2])
    again = services.lesson_start(learner=student, lesson=lesson)

    assert (again.pk, again.seconds_spent) == (first.pk, 42)
    assert LessonProgress.objects.filter(learner=student, lesson=lesson).count() == 1
    enrolled.refresh_from_db()
    assert enrolled.last_lesson == lesson


def test_progress_needs_an_enrollment(course, student):
    lesson = _lessons(course)[0]

    with pytest.raises(NotEnrolledError):
        services.lesson_start(learner=student, lesson=lesson)
    with pytest.raises(NotEnrolledError):
        services.lesson_position_save(learner=student, lesson=lesson, position_seconds=5)

    assert LessonProgress.objects.count() == 0


@pytest.fixture
def video(course) -> Lesson:
    lesson = VideoLessonFactory(module=course.modules.first(), order=99, duration_seconds=100)
    return Lesson.objects.select_related("module__course").get(pk=lesson.pk)


@pytest.mark.parametrize(
    ("position", "message"),
    [
        (-1, "The position cannot be negative."),
        (101, "The position is past the end of the lesson (100 seconds)."),
    ],
)
def test_impossible_positions_are_refused_and_nothing_changes(
    video, student, enrolled, position, message
):
    LessonProgress.objects.create(learner=student, lesson=video, last_position_seconds=40)

    with pytest.raises(InvalidPositionError) as error:
        services.lesson_position_save(learner=student, lesson=video, position_seconds=position)

    assert error.value.fields == {"position_seconds": [message]}
    assert LessonProgress.objects.get(learner=student, lesson=video).last_position_seconds == 40


def test_time_spent_counts_at_most_the_time_since_the_last_report(video, student, enrolled):
    with time_machine.travel("2026-02-02 08:00:00Z", tick=False) as clock:
        services.lesson_position_save(
            learner=student, lesson=video, position_seconds=10, seconds_spent_delta=10
        )
        clock.shift(20)
        services.lesson_position_save(
            learner=student, lesson=video, position_seconds=30, seconds_spent_delta=20
        )
        clock.shift(10)
        progress = services.lesson_position_save(
            learner=student, lesson=video, position_seconds=35, seconds_spent_delta=3600
        )

    # 10 (first report, within the slack) + 20 + at most 10 seconds elapsed + 30 slack
    assert progress.seconds_spent == 10 + 20 + 40
    assert progress.last_position_seconds == 35


def test_time_counted_is_announced_after_commit_and_time_refused_is_not(
    video, student, enrolled, sent, django_capture_on_commit_callbacks
):
    with time_machine.travel("2026-02-02 08:00:00Z", tick=False) as clock:
        with django_capture_on_commit_callbacks(execute=True):
            services.lesson_position_save(
                learner=student, lesson=video, position_seconds=10, seconds_spent_delta=10
            )
        clock.shift(5)
        with django_capture_on_commit_callbacks(execute=True):
            # No active time reported: a position save alone announces nothing.
            services.lesson_position_save(learner=student, lesson=video, position_seconds=12)
        clock.shift(15)
        with django_capture_on_commit_callbacks(execute=True):
            services.lesson_position_save(
                learner=student, lesson=video, position_seconds=30, seconds_spent_delta=3600
            )

    assert [(e["learner"], e["lesson"], e["seconds"]) for e in sent["lesson_time_spent"]] == [
        (student, video, 10),
        (student, video, 15 + 30),  # the time since the last report plus the slack, not 3600
    ]
    assert sent["lesson_time_spent"][1]["at"] == datetime(2026, 2, 2, 8, 0, 20, tzinfo=UTC)


def test_a_video_completes_at_ninety_percent_once(
    video, student, enrolled, sent, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        progress = services.lesson_position_save(learner=student, lesson=video, position_seconds=89)
    assert progress.completed_at is None

    with django_capture_on_commit_callbacks(execute=True):
        services.lesson_position_save(learner=student, lesson=video, position_seconds=90)
        services.lesson_position_save(learner=student, lesson=video, position_seconds=100)

    progress.refresh_from_db()
    assert progress.completed_at is not None
    assert [kwargs["lesson"].pk for kwargs in sent["lesson_completed"]] == [video.pk]


@pytest.fixture
def article(course) -> Lesson:
    """An article whose instructor estimated 300 seconds of reading: 150 read complete it."""
    lesson = LessonFactory(module=course.modules.first(), order=98, duration_seconds=300)
    return Lesson.objects.select_related("module__course").get(pk=lesson.pk)


def test_player_reports_move_the_resume_point_at_once_and_its_time_every_five_minutes(
    video, article, student, enrolled
):
    """A player reports every few seconds: the enrollment (the course's resume point and last
    activity) is written when the lesson changes, or when its last activity is five minutes old,
    not on every report."""
    start = datetime(2026, 2, 2, 8, 0, tzinfo=UTC)
    with time_machine.travel(start, tick=False) as clock:
        services.lesson_position_save(learner=student, lesson=video, position_seconds=10)
        enrolled.refresh_from_db()
        assert (enrolled.last_lesson_id, enrolled.last_activity_at) == (video.pk, start)

        clock.shift(RESUME_TOUCH_SECONDS - 1)
        services.lesson_position_save(learner=student, lesson=video, position_seconds=20)
        enrolled.refresh_from_db()
        assert enrolled.last_activity_at == start  # fresh: not written again

        clock.shift(1)
        services.lesson_position_save(learner=student, lesson=video, position_seconds=30)
        enrolled.refresh_from_db()
        assert enrolled.last_activity_at == start + timedelta(seconds=300)

        clock.shift(5)
        services.lesson_reading_report(learner=student, lesson=article, seconds_spent_delta=5)
        enrolled.refresh_from_db()
        assert enrolled.last_lesson_id == article.pk  # another lesson: at once
        assert enrolled.last_activity_at == start + timedelta(seconds=305)

    assert LessonProgress.objects.get(learner=student, lesson=video).last_position_seconds == 30


def test_an_article_completes_once_its_end_is_reached_and_half_its_reading_time_is_read(
    article, student, enrolled, sent, django_capture_on_commit_callbacks
):
    assert article.reading_seconds_to_complete == 150
    with time_machine.travel("2026-02-02 08:00:00Z", tick=False) as clock:
        with django_capture_on_commit_callbacks(execute=True):
            # The end in view at once (a quick scroll) is not enough on its own.
            progress = services.lesson_reading_report(
                learner=student, lesson=article, seconds_spent_delta=5, has_reached_end=True
            )
        assert (progress.seconds_spent, progress.completed_at) == (5, None)
        assert progress.end_reached_at == datetime(2026, 2, 2, 8, 0, tzinfo=UTC)
        for _ in range(9):
            clock.shift(15)
            with django_capture_on_commit_callbacks(execute=True):
                progress = services.lesson_reading_report(
                    learner=student, lesson=article, seconds_spent_delta=15
                )
        assert (progress.seconds_spent, progress.completed_at) == (140, None)
        clock.shift(15)
        with django_capture_on_commit_callbacks(execute=True):
            progress = services.lesson_reading_report(
                learner=student, lesson=article, seconds_spent_delta=15
            )

    assert progress.seconds_spent == 155
    assert progress.completed_at == datetime(2026, 2, 2, 8, 2, 30, tzinfo=UTC)
    assert [kwargs["lesson"].pk for kwargs in sent["lesson_completed"]] == [article.pk]
    # Every counted report was announced for analytics and relax mode.
    assert sum(e["seconds"] for e in sent["lesson_time_spent"]) == 155


def test_reading_time_without_reaching_the_end_never_completes_an_article(
    article, student, enrolled
):
    with time_machine.travel("2026-02-02 08:00:00Z", tick=False) as clock:
        for _ in range(20):
            clock.shift(300)
            progress = services.lesson_reading_report(
                learner=student, lesson=article, seconds_spent_delta=300
            )

    assert progress.seconds_spent == 30 + 19 * 300  # the first report: the slack only
    assert progress.end_reached_at is None
    assert progress.completed_at is None


def test_reading_time_has_the_same_limits_as_the_player_position(article, student, enrolled):
    with time_machine.travel("2026-02-02 08:00:00Z", tick=False) as clock:
        services.lesson_reading_report(learner=student, lesson=article, seconds_spent_delta=10)
        clock.shift(10)
        # An inflated report counts the time since the previous one plus the slack, no more.
        progress = services.lesson_reading_report(
            learner=student, lesson=article, seconds_spent_delta=3600, has_reached_end=True
        )

    assert progress.seconds_spent == 10 + 10 + 30
    assert progress.completed_at is None


def test_unticking_a_read_article_needs_its_end_reached_again(article, student, enrolled):
    with time_machine.travel("2026-02-02 08:00:00Z", tick=False) as clock:
        for _ in range(11):
            clock.shift(15)
            services.lesson_reading_report(
                learner=student, lesson=article, seconds_spent_delta=15, has_reached_end=True
            )
        services.lesson_uncomplete(learner=student, lesson=article)
        clock.shift(15)
        unticked = services.lesson_reading_report(
            learner=student, lesson=article, seconds_spent_delta=15
        )
        assert (unticked.completed_at, unticked.end_reached_at) == (None, None)
        clock.shift(15)
        again = services.lesson_reading_report(
            learner=student, lesson=article, seconds_spent_delta=0, has_reached_end=True
        )

    assert again.completed_at is not None


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"seconds_spent_delta": -1}, "seconds_spent", "Time spent must be a whole number"),
        ({"seconds_spent_delta": "15"}, "seconds_spent", "Time spent must be a whole number"),
        ({"has_reached_end": "yes"}, "reached_end", "Say true or false."),
    ],
)
def test_bad_reading_reports_are_refused_and_nothing_changes(
    article, student, enrolled, changes, field, message
):
    from courses.exceptions import InvalidReadingReportError

    with pytest.raises(InvalidReadingReportError) as error:
        services.lesson_reading_report(learner=student, lesson=article, **changes)

    assert error.value.status_code == 400
    assert error.value.fields[field][0].startswith(message)
    assert not LessonProgress.objects.filter(lesson=article).exists()


def test_reading_reports_are_for_articles_only(video, student, enrolled):
    from courses.exceptions import InvalidReadingReportError

    with pytest.raises(InvalidReadingReportError) as error:
        services.lesson_reading_report(
            learner=student, lesson=video, seconds_spent_delta=10, has_reached_end=True
        )

    assert error.value.message == "Reading reports are for article lessons."
    assert not LessonProgress.objects.filter(lesson=video).exists()


def test_an_article_without_a_duration_is_estimated_from_its_words(course):
    module = course.modules.first()
    long_read = LessonFactory(module=module, duration_seconds=0, body="word " * 1000)
    short = LessonFactory(module=module, duration_seconds=0, body="Hi.")

    assert (long_read.reading_seconds_estimate, long_read.reading_seconds_to_complete) == (300, 150)
    assert (short.reading_seconds_estimate, short.reading_seconds_to_complete) == (30, 15)


def test_completing_a_lesson_twice_counts_once(
    course, student, enrolled, sent, django_capture_on_commit_callbacks
):
    lesson = _lessons(course)[0]

    with django_capture_on_commit_callbacks(execute=True):
        first = services.lesson_complete(learner=student, lesson=lesson)
    with django_capture_on_commit_callbacks(execute=True):
        second = services.lesson_complete(learner=student, lesson=lesson)

    assert first.completed_at == second.completed_at
    assert LessonProgress.objects.filter(learner=student).count() == 1
    assert len(sent["lesson_completed"]) == 1
    assert sent["lesson_completed"][0]["learner"] == student


def test_unticking_and_completing_again_sends_no_second_event(
    course, student, enrolled, sent, django_capture_on_commit_callbacks
):
    lesson = _lessons(course)[0]

    with django_capture_on_commit_callbacks(execute=True):
        services.lesson_complete(learner=student, lesson=lesson)
        unticked = services.lesson_uncomplete(learner=student, lesson=lesson)
        assert unticked.completed_at is None
        again = services.lesson_complete(learner=student, lesson=lesson)

    assert again.completed_at is not None
    assert len(sent["lesson_completed"]) == 1


def test_a_quiz_lesson_completes_only_after_a_passed_attempt(course, student, enrolled):
    quiz = quiz_lesson(course.modules.first(), order=50)
    lesson = Lesson.objects.select_related("module__course").get(pk=quiz.lesson_id)

    with pytest.raises(LessonNotCompletableError) as error:
        services.lesson_complete(learner=student, lesson=lesson)

    assert error.value.message == "Pass the quiz to complete this lesson."
    assert not LessonProgress.objects.filter(lesson=lesson).exists()


def test_finishing_every_lesson_completes_the_course_once_with_a_certificate(
    course, student, enrolled, sent, django_capture_on_commit_callbacks
):
    lessons = _lessons(course)
    with (
        time_machine.travel("2026-04-01 12:00:00Z", tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        for lesson in lessons:
            services.lesson_complete(learner=student, lesson=lesson)
        services.lesson_uncomplete(learner=student, lesson=lessons[0])
        services.lesson_complete(learner=student, lesson=lessons[0])

    enrolled.refresh_from_db()
    assert enrolled.completed_at.isoformat() == "2026-04-01T12:00:00+00:00"
    certificate = Certificate.objects.get()
    assert (certificate.learner, certificate.course) == (student, course)
    assert certificate.learner_name == student.name
    assert certificate.course_title == "Pandas in practice"
    assert certificate.issued_at == enrolled.completed_at
    assert len(sent["course_completed"]) == 1
    assert sent["course_completed"][0]["certificate"] == certificate
    assert len(sent["lesson_completed"]) == 4


def test_a_course_is_not_complete_while_a_lesson_is_left(course, student, enrolled):
    for lesson in _lessons(course)[:-1]:
        services.lesson_complete(learner=student, lesson=lesson)

    enrolled.refresh_from_db()
    assert enrolled.completed_at is None
    assert Certificate.objects.count() == 0


def test_locked_lessons_refuse_progress(student):
    course = course_with_outline(required_plan=Course.Plan.PRO)
    EnrollmentFactory(course=course, learner=student)

    class NoPlan(entitlements.DefaultEntitlements):
        def can_access_lesson(self, user: Any, lesson: Lesson, *, is_enrolled: bool) -> bool:
            return False

    entitlements.register_provider(NoPlan())

    with pytest.raises(LessonLockedError) as error:
        services.lesson_complete(learner=student, lesson=_lessons(course)[0])

    assert error.value.message == "Your plan does not include this lesson."
    assert LessonProgress.objects.count() == 0


# --- Quizzes --------------------------------------------------------------------------------------


@pytest.fixture
def quiz_module(course):
    return course.modules.order_by("order").last()


def _quiz_with(module: Any, **settings: Any) -> Any:
    quiz = QuizFactory(lesson__module=module, lesson__order=90, **settings)
    return type(quiz).objects.select_related("lesson__module__course").get(pk=quiz.pk)


def _attempt(attempt_id: int) -> QuizAttempt:
    return QuizAttempt.objects.select_related("quiz__lesson__module__course").get(pk=attempt_id)


def test_an_attempt_draws_every_question_in_order_without_shuffling(quiz_module, student, enrolled):
    quiz = _quiz_with(quiz_module)
    questions = [QuestionFactory(quiz=quiz, order=n) for n in (1, 2, 3)]

    attempt, created = services.quiz_attempt_start(learner=student, quiz=quiz)

    assert created is True
    assert attempt.number == 1
    assert attempt.deadline is None
    assert attempt.question_ids == [question.pk for question in questions]
    assert attempt.choice_order == {
        str(question.pk): list(question.choices.values_list("pk", flat=True))
        for question in questions
    }


def test_an_attempt_draws_a_random_subset_from_the_bank(quiz_module, student, enrolled):
    quiz = _quiz_with(quiz_module, question_bank_sample_size=3)
    bank = {QuestionFactory(quiz=quiz, order=n).pk for n in range(1, 9)}

    drawn = []
    for _ in range(12):
        attempt, _ = services.quiz_attempt_start(learner=student, quiz=quiz)
        assert len(attempt.question_ids) == 3
        assert set(attempt.question_ids) <= bank
        # Without shuffling the subset keeps the authored order.
        assert attempt.question_ids == sorted(attempt.question_ids)
        drawn.append(tuple(attempt.question_ids))
        services.quiz_attempt_submit(learner=student, attempt=attempt, answers={})

    assert len(set(drawn)) > 1  # 12 draws of 3 among 8 are not all the same


def test_shuffling_changes_question_and_choice_order_but_never_true_false(
    quiz_module, student, enrolled
):
    quiz = _quiz_with(quiz_module, shuffle_questions=True, shuffle_choices=True)
    for n in range(1, 7):
        QuestionFactory(quiz=quiz, order=n, choices=[(f"c{i}", i == 0) for i in range(5)])
    true_false = QuestionFactory(
        quiz=quiz,
        order=7,
        kind=Question.Kind.TRUE_FALSE,
        choices=[("True", True), ("False", False)],
    )

    question_orders = set()
    choice_orders = set()
    for _ in range(10):
        attempt, _ = services.quiz_attempt_start(learner=student, quiz=quiz)
        question_orders.add(tuple(attempt.question_ids))
        first_choice_question = next(q for q in attempt.question_ids if q != true_false.pk)
        choice_orders.add(tuple(attempt.choice_order[str(first_choice_question)]))
        assert attempt.choice_order[str(true_false.pk)] == list(
            true_false.choices.values_list("pk", flat=True)
        )
        services.quiz_attempt_submit(learner=student, attempt=attempt, answers={})

    assert len(question_orders) > 1
    assert len(choice_orders) > 1


def test_starting_while_an_attempt_runs_returns_it(quiz_module, student, enrolled):
    quiz = _quiz_with(quiz_module)
    QuestionFactory(quiz=quiz)

    first, _ = services.quiz_attempt_start(learner=student, quiz=quiz)
    again, created = services.quiz_attempt_start(learner=student, quiz=quiz)

    assert created is False
    assert again.pk == first.pk
    assert QuizAttempt.objects.count() == 1


def test_the_attempt_limit_is_enforced(quiz_module, student, enrolled):
    quiz = _quiz_with(quiz_module, max_attempts=2)
    QuestionFactory(quiz=quiz)
    for _ in range(2):
        attempt, _ = services.quiz_attempt_start(learner=student, quiz=quiz)
        services.quiz_attempt_submit(learner=student, attempt=attempt, answers={})

    with pytest.raises(AttemptLimitReachedError) as error:
        services.quiz_attempt_start(learner=student, quiz=quiz)

    assert error.value.message == "You have used all 2 attempts at this quiz."
    assert QuizAttempt.objects.filter(learner=student).count() == 2


def test_attempts_need_an_enrollment(quiz_module, other_student):
    quiz = _quiz_with(quiz_module)
    QuestionFactory(quiz=quiz)

    with pytest.raises(NotEnrolledError):
        services.quiz_attempt_start(learner=other_student, quiz=quiz)

    assert QuizAttempt.objects.count() == 0


def _choice(question: Question, text: str) -> int:
    return question.choices.get(text=text).pk


@pytest.fixture
def graded_quiz(quiz_module):
    """Four questions worth 1, 2, 1 and 2 points; 25% negative marking; pass mark 60%."""
    quiz = _quiz_with(quiz_module, negative_marking=Decimal("0.25"), pass_mark_percent=60)
    single = QuestionFactory(quiz=quiz, order=1, points=1)
    multiple = QuestionFactory(
        quiz=quiz,
        order=2,
        points=2,
        kind=Question.Kind.MULTIPLE,
        choices=[("a", True), ("b", True), ("c", False)],
    )
    true_false = QuestionFactory(
        quiz=quiz,
        order=3,
        kind=Question.Kind.TRUE_FALSE,
        choices=[("True", False), ("False", True)],
    )
    short = QuestionFactory(
        quiz=quiz,
        order=4,
        points=2,
        kind=Question.Kind.SHORT_ANSWER,
        accepted_answers=["List Comprehension", "listcomp"],
    )
    return quiz, single, multiple, true_false, short


def test_grading_all_right_passes_and_completes_the_quiz_lesson(
    graded_quiz, student, enrolled, sent, django_capture_on_commit_callbacks
):
    quiz, single, multiple, true_false, short = graded_quiz
    attempt, _ = services.quiz_attempt_start(learner=student, quiz=quiz)

    with django_capture_on_commit_callbacks(execute=True):
        graded = services.quiz_attempt_submit(
            learner=student,
            attempt=attempt,
            answers={
                str(single.pk): _choice(single, "right"),
                str(multiple.pk): [_choice(multiple, "b"), _choice(multiple, "a")],
                str(true_false.pk): _choice(true_false, "False"),
                str(short.pk): "  list   COMPREHENSION ",
            },
        )

    assert (graded.score, graded.max_score, graded.percent, graded.passed) == (
        Decimal("6.00"),
        Decimal("6.00"),
        Decimal("100.00"),
        True,
    )
    assert graded.results[str(short.pk)] == {
        "is_answered": True,
        "is_correct": True,
        "points": "2",
    }
    progress = LessonProgress.objects.get(learner=student, lesson=quiz.lesson)
    assert progress.completed_at == graded.submitted_at
    assert [kwargs["attempt"].pk for kwargs in sent["quiz_attempt_submitted"]] == [attempt.pk]
    assert [kwargs["attempt"].pk for kwargs in sent["quiz_passed"]] == [attempt.pk]
    assert [kwargs["lesson"].pk for kwargs in sent["lesson_completed"]] == [quiz.lesson_id]


def test_negative_marking_takes_off_a_share_of_each_wrong_answer(graded_quiz, student, enrolled):
    quiz, single, multiple, true_false, short = graded_quiz
    attempt, _ = services.quiz_attempt_start(learner=student, quiz=quiz)

    graded = services.quiz_attempt_submit(
        learner=student,
        attempt=attempt,
        answers={
            str(single.pk): _choice(single, "right"),  # +1
            str(multiple.pk): [_choice(multiple, "a")],  # not the exact set: -0.5
            str(true_false.pk): _choice(true_false, "False"),  # +1
            # short answer left out: 0
        },
    )

    assert graded.score == Decimal("1.50")
    assert graded.percent == Decimal("25.00")
    assert graded.passed is False
    assert graded.results[str(multiple.pk)] == {
        "is_answered": True,
        "is_correct": False,
        "points": "-0.50",
    }
    assert graded.results[str(short.pk)] == {
        "is_answered": False,
        "is_correct": False,
        "points": "0",
    }
    assert not LessonProgress.objects.filter(lesson=quiz.lesson).exists()


def test_the_score_never_goes_below_zero(
    graded_quiz, student, enrolled, sent, django_capture_on_commit_callbacks
):
    quiz, single, multiple, true_false, short = graded_quiz
    attempt, _ = services.quiz_attempt_start(learner=student, quiz=quiz)

    with django_capture_on_commit_callbacks(execute=True):
        graded = services.quiz_attempt_submit(
            learner=student,
            attempt=attempt,
            answers={
                str(single.pk): _choice(single, "wrong"),
                str(multiple.pk): [_choice(multiple, "c")],
                str(true_false.pk): _choice(true_false, "True"),
                str(short.pk): "a for loop",
            },
        )

    assert graded.score == Decimal("0.00")
    assert graded.percent == Decimal("0.00")
    assert len(sent["quiz_attempt_submitted"]) == 1
    assert sent["quiz_passed"] == []


def test_answers_to_another_quizs_questions_are_refused(graded_quiz, student, enrolled, course):
    quiz, single, *_ = graded_quiz
    elsewhere = QuestionFactory()
    attempt, _ = services.quiz_attempt_start(learner=student, quiz=quiz)

    with pytest.raises(InvalidAnswerError) as error:
        services.quiz_attempt_submit(
            learner=student,
            attempt=attempt,
            answers={str(single.pk): _choice(single, "right"), str(elsewhere.pk): 1},
        )

    assert error.value.fields == {
        f"answers.{elsewhere.pk}": [f"Question {elsewhere.pk} belongs to another quiz."]
    }
    attempt.refresh_from_db()
    assert attempt.submitted_at is None
    assert attempt.answers == {}


def test_answers_to_questions_not_drawn_are_refused(quiz_module, student, enrolled):
    quiz = _quiz_with(quiz_module, question_bank_sample_size=1)
    first = QuestionFactory(quiz=quiz, order=1)
    second = QuestionFactory(quiz=quiz, order=2)
    attempt, _ = services.quiz_attempt_start(learner=student, quiz=quiz)
    (left_out,) = {first.pk, second.pk} - set(attempt.question_ids)

    with pytest.raises(InvalidAnswerError) as error:
        services.quiz_attempt_submit(learner=student, attempt=attempt, answers={str(left_out): 1})

    assert error.value.message == f"Question {left_out} is not part of this attempt."


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        ("not a number", "Answer this question with one choice id."),
        ([1, 2], "Answer this question with one choice id."),
        (999999, "Choice 999999 is not a choice of this question."),
    ],
)
def test_malformed_answers_are_refused(graded_quiz, student, enrolled, answer, message):
    quiz, single, *_ = graded_quiz
    attempt, _ = services.quiz_attempt_start(learner=student, quiz=quiz)

    with pytest.raises(InvalidAnswerError) as error:
        services.quiz_attempt_submit(learner=student, attempt=attempt, answers={single.pk: answer})

    assert error.value.fields == {f"answers.{single.pk}": [message]}


def test_a_submitted_attempt_cannot_be_submitted_again(graded_quiz, student, enrolled):
    quiz, single, *_ = graded_quiz
    attempt, _ = services.quiz_attempt_start(learner=student, quiz=quiz)
    services.quiz_attempt_submit(learner=student, attempt=attempt, answers={})

    with pytest.raises(AttemptAlreadySubmittedError):
        services.quiz_attempt_submit(
            learner=student, attempt=attempt, answers={str(single.pk): _choice(single, "right")}
        )

    assert _attempt(attempt.pk).score == Decimal("0.00")


def test_nobody_submits_someone_elses_attempt(graded_quiz, student, enrolled, other_student):
    quiz, *_ = graded_quiz
    attempt, _ = services.quiz_attempt_start(learner=student, quiz=quiz)

    with pytest.raises(NotAttemptOwnerError):
        services.quiz_attempt_submit(learner=other_student, attempt=attempt, answers={})

    assert _attempt(attempt.pk).submitted_at is None


def test_answers_after_the_deadline_and_grace_are_refused(graded_quiz, student, enrolled):
    quiz, single, *_ = graded_quiz
    quiz.time_limit_seconds = 60
    quiz.save()
    with time_machine.travel("2026-05-01 09:00:00Z", tick=False) as clock:
        attempt, _ = services.quiz_attempt_start(learner=student, quiz=quiz)
        assert attempt.deadline.isoformat() == "2026-05-01T09:01:00+00:00"
        services.quiz_attempt_answer_save(
            learner=student, attempt=attempt, answers={str(single.pk): _choice(single, "right")}
        )
        clock.shift(60 + services.DEADLINE_GRACE_SECONDS + 1)

        with pytest.raises(AttemptDeadlinePassedError) as error:
            services.quiz_attempt_submit(learner=student, attempt=attempt, answers={})

        assert error.value.message == (
            "Time is up for this attempt; answers can no longer be changed."
        )
        attempt.refresh_from_db()
        assert attempt.submitted_at is None
        assert attempt.state == QuizAttempt.State.EXPIRED

        # The next start grades the expired attempt with the answers saved in time.
        second, created = services.quiz_attempt_start(learner=student, quiz=quiz)

    attempt.refresh_from_db()
    assert created is True
    assert second.number == 2
    assert attempt.submitted_at == attempt.deadline
    assert attempt.score == Decimal("1.00")


def test_answers_within_the_grace_period_count(graded_quiz, student, enrolled):
    quiz, single, *_ = graded_quiz
    quiz.time_limit_seconds = 60
    quiz.save()
    with time_machine.travel("2026-05-01 09:00:00Z", tick=False) as clock:
        attempt, _ = services.quiz_attempt_start(learner=student, quiz=quiz)
        clock.shift(60 + services.DEADLINE_GRACE_SECONDS)
        graded = services.quiz_attempt_submit(
            learner=student, attempt=attempt, answers={str(single.pk): _choice(single, "right")}
        )

    assert graded.score == Decimal("1.00")


def test_an_exam_hides_the_rest_of_the_course_while_it_runs(course, quiz_module, student, enrolled):
    exam = _quiz_with(quiz_module, is_exam=True)
    QuestionFactory(quiz=exam)
    other_lesson = _lessons(course)[0]
    attempt, _ = services.quiz_attempt_start(learner=student, quiz=exam)

    with pytest.raises(ExamInProgressError) as error:
        services.lesson_complete(learner=student, lesson=other_lesson)

    assert error.value.extra == {"exam_lesson_id": exam.lesson_id}
    services.quiz_attempt_submit(learner=student, attempt=attempt, answers={})
    assert services.lesson_complete(learner=student, lesson=other_lesson).completed_at is not None


def test_grading_compares_short_answers_without_case_or_spacing():
    assert services.normalize_short_answer("  Hello\tWORLD ") == "hello world"


def test_choices_deleted_after_an_attempt_started_do_not_break_grading(
    graded_quiz, student, enrolled
):
    quiz, single, *_ = graded_quiz
    attempt, _ = services.quiz_attempt_start(learner=student, quiz=quiz)
    Choice.objects.filter(question=single, text="wrong").delete()

    graded = services.quiz_attempt_submit(
        learner=student, attempt=attempt, answers={str(single.pk): _choice(single, "right")}
    )

    assert graded.results[str(single.pk)]["is_correct"] is True


def test_certificates_are_issued_once_per_learner_and_course(course, student):
    enrollment = EnrollmentFactory(course=course, learner=student, completed_at=timezone.now())

    first = services.certificate_issue(enrollment=enrollment)
    second = services.certificate_issue(enrollment=enrollment)

    assert first.pk == second.pk
    assert Certificate.objects.count() == 1


def test_another_learner_is_not_affected(course, student, enrolled):
    other = StudentFactory()
    EnrollmentFactory(course=course, learner=other)
    services.lesson_complete(learner=student, lesson=_lessons(course)[0])

    assert not LessonProgress.objects.filter(learner=other).exists()
