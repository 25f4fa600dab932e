"""Revision with the keyboard alone, and binge mode's cancellable, motion-aware autoplay."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core.files.base import ContentFile
from django.test import override_settings
from django.utils import timezone
from playwright.sync_api import Browser, BrowserContext, Page, expect

from courses import services as course_services
from courses.models import Lesson
from courses.tests.factories import (
    CourseFactory,
    EnrollmentFactory,
    StudentFactory,
    course_with_outline,
    quiz_lesson,
)
from learning import services
from learning.models import ReviewCard, ReviewLog
from tests.browser.conftest import (
    AXE_SCRIPT,
    DESKTOP,
    assert_no_axe_violations,
    close_context,
    log_in,
    open_context,
)

END_VIDEO = "() => document.getElementById('lesson-video').dispatchEvent(new Event('ended'))"
SAMPLE_VIDEO = Path(__file__).resolve().parents[2] / "static" / "samples" / "lumen-sample.webm"


def test_reviewing_due_cards_with_the_keyboard_alone(
    page: Page, browser_context: BrowserContext, live_server: Any
) -> None:
    student = StudentFactory()
    course = course_with_outline(modules=1, lessons_per_module=1)
    quiz = quiz_lesson(course.modules.get(), order=5, questions=2, max_attempts=None)
    EnrollmentFactory(learner=student, course=course)
    attempt, _ = course_services.quiz_attempt_start(learner=student, quiz=quiz)
    course_services.quiz_attempt_submit(learner=student, attempt=attempt, answers={})
    # Submitting made the two cards (rated "again"); let their first step pass.
    ReviewCard.objects.filter(learner=student).update(due=timezone.now() - dt.timedelta(hours=1))
    log_in(browser_context, student, live_server)

    page.goto("/review/")
    expect(page.get_by_text("2 cards due now")).to_be_visible()
    # A card made from a choice question shows its choices, as the quiz did.
    choices = page.get_by_role("list", name="Choices")
    expect(choices.get_by_role("listitem")).to_have_text(["right", "wrong"])
    assert_no_axe_violations(page, "review")
    answer = page.locator("#review-answer")
    expect(answer).not_to_have_attribute("open", "")
    page.keyboard.press("Space")
    expect(answer).to_have_attribute("open", "")
    expect(page.get_by_text("Answer:")).to_be_visible()
    page.keyboard.press("3")
    expect(page.get_by_text("1 card due now")).to_be_visible()
    page.keyboard.press("Space")
    page.keyboard.press("1")
    expect(page.get_by_role("heading", name="All caught up!")).to_be_visible()
    assert sorted(ReviewLog.objects.filter(source="review").values_list("rating", flat=True)) == [
        1,
        3,
    ]


def _binge_course(student: Any) -> tuple[Any, Lesson, Lesson]:
    course = CourseFactory()
    module = course_services.module_create(course=course, title="Only module")
    video = course_services.lesson_create(
        module=module, title="Clip", kind=Lesson.Kind.VIDEO, duration_seconds=60
    )
    video.video_file.save("clip.webm", ContentFile(SAMPLE_VIDEO.read_bytes()))
    after = course_services.lesson_create(
        module=module, title="After the clip", kind=Lesson.Kind.ARTICLE, body="Next!"
    )
    EnrollmentFactory(learner=student, course=course)
    services.preference_update(user=student, mode="binge", binge_countdown_seconds=5)
    return course, video, after


@pytest.mark.parametrize("motion", ["no-preference", "reduce"])
def test_binge_plays_the_next_lesson_unless_cancelled_or_motion_is_reduced(
    browser: Browser, live_server: Any, tmp_path: Path, motion: str
) -> None:
    with override_settings(MEDIA_ROOT=tmp_path):
        student = StudentFactory()
        course, video, after = _binge_course(student)
        context = open_context(
            browser, base_url=live_server.url, viewport=DESKTOP, reduced_motion=motion
        )
        context.add_init_script(path=str(AXE_SCRIPT))
        log_in(context, student, live_server)
        page = context.new_page()
        try:
            page.clock.install()
            page.goto(f"/learn/{course.slug}/{video.pk}/")
            assert_no_axe_violations(page, f"binge player ({motion})")
            page.evaluate(END_VIDEO)
            expect(page.locator("#binge-panel")).to_be_visible()
            if motion == "reduce":
                expect(page.get_by_text("Ready for the next lesson?")).to_be_visible()
                page.clock.run_for(10_000)
                assert page.url.endswith(f"/learn/{course.slug}/{video.pk}/")
            else:
                page.clock.run_for(6_000)
                expect(page).to_have_url(f"{live_server.url}/learn/{course.slug}/{after.pk}/")
                # Back on the clip: this time the learner cancels, and nothing moves.
                page.goto(f"/learn/{course.slug}/{video.pk}/")
                page.evaluate(END_VIDEO)
                page.get_by_role("button", name="Cancel").click()
                page.clock.run_for(10_000)
                assert page.url.endswith(f"/learn/{course.slug}/{video.pk}/")
                expect(page.locator("#binge-panel")).to_be_hidden()
        finally:
            close_context(context)


def test_binge_asks_for_one_more_lesson_at_the_end_of_a_module_and_counts_the_run(
    page: Page, live_server: Any, tmp_path: Path
) -> None:
    with override_settings(MEDIA_ROOT=tmp_path):
        student = StudentFactory()
        course = CourseFactory()
        first_module = course_services.module_create(course=course, title="Tides")
        second_module = course_services.module_create(course=course, title="Waves")
        intro = course_services.lesson_create(
            module=first_module, title="Intro", kind=Lesson.Kind.ARTICLE, body="Hello"
        )
        video = course_services.lesson_create(
            module=first_module, title="Clip", kind=Lesson.Kind.VIDEO, duration_seconds=60
        )
        video.video_file.save("clip.webm", ContentFile(SAMPLE_VIDEO.read_bytes()))
        after = course_services.lesson_create(
            module=second_module, title="Breakers", kind=Lesson.Kind.ARTICLE, body="Next!"
        )
        EnrollmentFactory(learner=student, course=course)
        services.preference_update(user=student, mode="binge", binge_countdown_seconds=5)
        course_services.lesson_complete(learner=student, lesson=intro)  # a run of one so far
        log_in(page.context, student, live_server)

        page.clock.install()
        page.goto(f"/learn/{course.slug}/{video.pk}/")
        expect(page.locator("#binge-count")).to_have_text("1 lesson in a row")
        page.evaluate(END_VIDEO)
        expect(page.locator("#binge-prompt")).to_have_text("You finished “Tides”. One more lesson?")
        expect(page.locator("#binge-message")).to_contain_text("Next: Breakers in")
        assert_no_axe_violations(page, "binge end of module")
        # Stopping here keeps the learner on the clip.
        page.get_by_role("button", name="Stop here").click()
        page.clock.run_for(10_000)
        assert page.url.endswith(f"/learn/{course.slug}/{video.pk}/")
        expect(page.locator("#binge-panel")).to_be_hidden()
        # Otherwise the countdown carries on into the next module.
        page.reload()
        page.evaluate(END_VIDEO)
        page.clock.run_for(6_000)
        expect(page).to_have_url(f"{live_server.url}/learn/{course.slug}/{after.pk}/")


def test_relax_offers_a_break_after_the_chosen_minutes_of_reported_learning(
    page: Page, live_server: Any
) -> None:
    student = StudentFactory()
    course = CourseFactory()
    module = course_services.module_create(course=course, title="Tides")
    long_read = "\n\n".join(f"Paragraph {n} about the tides." for n in range(1, 81))
    lesson = course_services.lesson_create(
        module=module, title="Why tides", kind=Lesson.Kind.ARTICLE, body=long_read,
        duration_seconds=3600,
    )  # fmt: skip
    EnrollmentFactory(learner=student, course=course)
    services.preference_update(user=student, mode="relax", relax_interval_minutes=5)
    log_in(page.context, student, live_server)
    reading = "**/lessons/*/reading/"
    status = "**/learning/relax/status/"

    def fifteen_seconds() -> None:
        """15 seconds of the page's clock: one reading report, then a look at the timer."""
        with page.expect_response(reading), page.expect_response(status):
            page.clock.run_for(15_000)

    # Both clocks are controlled: the page's timers (page.clock) and the server's (time-machine).
    # The break timer counts what the article reader reports (15 active seconds a report), not
    # the page being open.
    with time_machine.travel(timezone.now(), tick=False) as server_clock:
        page.clock.install()
        with page.expect_response(status):
            page.goto(f"/learn/{course.slug}/{lesson.pk}/")
        dialog = page.get_by_role("dialog", name="Time for a short break")
        # Left alone, the open page stops counting once the reader has been idle three minutes.
        for _ in range(12):
            fifteen_seconds()
        page.clock.run_for(120_000)
        assert services.preference_get(user=student).relax_active_seconds == 180
        expect(dialog).to_be_hidden()
        services.relax_break_taken(user=student)
        for report in range(1, 21):  # five minutes of reading, the learner scrolling now and then
            page.mouse.move(100 + report, 200)
            server_clock.shift(15)
            fifteen_seconds()
            if report < 20:
                expect(dialog).to_be_hidden()
        expect(dialog).to_be_visible()
        assert_no_axe_violations(page, "relax break")
        page.get_by_role("button", name="I'm back").click()
        expect(dialog).to_be_hidden()
    preference = services.preference_get(user=student)
    assert preference.relax_active_seconds == 0
