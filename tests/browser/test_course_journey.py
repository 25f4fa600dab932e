"""A learner's journey in a real browser: catalog, enroll, watch and resume a video, finish
lessons, pass the quiz, finish the course and verify the certificate; axe on every page."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Page, expect

from accounts.tests.factories import StudentFactory
from courses.models import Certificate, Course, Lesson, LessonProgress
from courses.tests.factories import CourseFactory, LessonFactory, ModuleFactory, QuestionFactory
from courses.tests.factories import QuizFactory as QuizSettingsFactory
from tests.browser.conftest import assert_no_axe_violations, log_in, save_screenshots

SAMPLE_VIDEO = "/static/courses/demo/sample-lesson.webm"


def _course(live_server: Any) -> Course:
    course = CourseFactory(
        title="Pandas in practice",
        slug="pandas-in-practice",
        subtitle="Tables of data, tamed.",
        what_you_will_learn="Load data\nClean data",
    )
    CourseFactory(title="Colour theory", slug="colour-theory")
    module = ModuleFactory(course=course, order=1, title="Getting started")
    LessonFactory(
        module=module,
        order=1,
        title="Meet the DataFrame",
        kind=Lesson.Kind.VIDEO,
        body="",
        video_url=f"{live_server.url}{SAMPLE_VIDEO}",
        duration_seconds=60,
        transcript="Welcome to pandas.",
    )
    LessonFactory(module=module, order=2, title="Grouping", body="Use **groupby**.")
    quiz_lesson = LessonFactory(
        module=module, order=3, title="Check yourself", kind=Lesson.Kind.QUIZ, body=""
    )
    quiz = QuizSettingsFactory(lesson=quiz_lesson, pass_mark_percent=50)
    QuestionFactory(
        quiz=quiz,
        order=1,
        text="Which method groups rows?",
        choices=[("groupby", True), ("dropna", False)],
    )
    return course


def test_catalog_enroll_learn_resume_quiz_and_certificate(page: Page, live_server: Any) -> None:
    course = _course(live_server)
    student = StudentFactory(display_name="Sam Student")
    log_in(page.context, student, live_server)

    # Browse and search the catalog (the results region updates through htmx).
    page.goto("/courses/")
    expect(page.get_by_role("heading", name="Course catalog")).to_be_visible()
    assert_no_axe_violations(page, "catalog")
    page.get_by_label("Search courses").fill("pandas")
    expect(page.locator("#course-results h2")).to_have_text("1 course matching “pandas”")
    page.get_by_role("link", name="Pandas in practice").click()

    # The course page, then enroll: the first lesson opens.
    expect(page.get_by_role("heading", name="Pandas in practice", level=1)).to_be_visible()
    assert_no_axe_violations(page, "course page")
    page.get_by_role("button", name="Enroll in this course").click()
    expect(page.get_by_role("heading", name="Meet the DataFrame")).to_be_visible()
    assert_no_axe_violations(page, "video lesson")
    save_screenshots(page, "course-video-lesson")

    # Watch part of the video; pausing saves the position.
    video = page.locator("video")
    page.wait_for_function("() => document.querySelector('video').readyState >= 1")
    video.evaluate("v => { v.muted = true; v.playbackRate = 8; return v.play(); }")
    page.wait_for_function("() => document.querySelector('video').currentTime >= 12")
    video.evaluate("v => v.pause()")
    page.wait_for_function(
        "() => Number(document.querySelector('video').dataset.savedSeconds) >= 12"
    )
    lesson = Lesson.objects.get(title="Meet the DataFrame")
    saved = LessonProgress.objects.get(learner=student, lesson=lesson).last_position_seconds
    assert 12 <= saved < 54  # watched part of it, short of the 90% that completes it

    # Leave, come back from the dashboard: the player resumes at the saved position.
    page.goto("/dashboard/")
    assert_no_axe_violations(page, "dashboard")
    page.get_by_role("link", name="Continue Pandas in practice").click()
    page.wait_for_function(f"() => document.querySelector('video').currentTime >= {saved - 1}")
    expect(page.get_by_text(f"Resuming where you left off, at {saved} seconds.")).to_be_visible()

    # Finish the lessons; the outline ticks update.
    page.get_by_role("button", name="Mark complete and continue").click()
    expect(page.get_by_role("heading", name="Grouping")).to_be_visible()
    expect(page.get_by_text("(1 of 3 done)")).to_be_visible()
    assert_no_axe_violations(page, "article lesson")
    page.get_by_role("button", name="Mark complete and continue").click()

    # Pass the quiz with the keyboard-reachable form.
    expect(page.get_by_role("heading", name="Check yourself")).to_be_visible()
    page.get_by_role("button", name="Start the quiz").click()
    assert_no_axe_violations(page, "quiz attempt")
    page.get_by_label("groupby").check()
    page.get_by_role("button", name="Submit answers").click()
    expect(page.get_by_role("heading", name="You passed!")).to_be_visible()
    expect(page.get_by_text("✓ Correct")).to_be_visible()
    assert_no_axe_violations(page, "quiz result")

    # The course is finished: completion page, PDF certificate and its public verification.
    page.get_by_role("link", name="You finished the course: see your certificate").click()
    expect(page.get_by_role("heading", name="You finished Pandas in practice!")).to_be_visible()
    assert_no_axe_violations(page, "completion")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download the certificate (PDF)").click()
    with open(download_info.value.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"
    certificate = Certificate.objects.get(learner=student, course=course)
    page.context.clear_cookies()
    page.goto(f"/certificates/{certificate.public_id}/")
    expect(page.get_by_text("Sam Student")).to_be_visible()
    assert_no_axe_violations(page, "certificate verification")
