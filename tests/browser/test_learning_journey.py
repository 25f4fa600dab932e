"""A new visitor's whole journey in real Chromium: browse and search the catalog, sign up,
enroll, watch part of a video, leave, come back and resume, finish lessons, pass the quiz,
finish the course and download a certificate whose verification page works."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from django.core import mail
from django.core.files.base import ContentFile
from django.test import override_settings
from playwright.sync_api import BrowserContext, Page, expect

from courses import services
from courses.models import Lesson, LessonProgress
from courses.tests.factories import CategoryFactory, CourseFactory, InstructorFactory
from tests.browser.conftest import assert_no_axe_violations, save_screenshots

PASSWORD = "a-long-browser-passphrase-7"
SAMPLE_VIDEO = Path(__file__).resolve().parents[2] / "static" / "samples" / "lumen-sample.webm"


def _course() -> Any:
    instructor = InstructorFactory(display_name="Ivy Instructor")
    course = CourseFactory(
        title="Git from Scratch",
        slug="git-from-scratch",
        subtitle="Version control, one commit at a time.",
        category=CategoryFactory(name="DevOps", slug="devops"),
        instructors=[instructor],
        what_you_will_learn="Commit your work\nUndo mistakes",
    )
    CourseFactory(title="Painting Basics", slug="painting-basics")
    module = services.module_create(course=course, title="Basics")
    video = services.lesson_create(
        module=module,
        title="Watch: a first commit",
        kind=Lesson.Kind.VIDEO,
        duration_seconds=60,
        transcript="We create a repository and make a first commit.",
    )
    # Uploaded like an instructor's file, so it is served (with Range requests) from MEDIA_URL.
    video.video_file.save("sample.webm", ContentFile(SAMPLE_VIDEO.read_bytes()))
    services.lesson_create(
        module=module,
        title="Branches",
        kind=Lesson.Kind.ARTICLE,
        body="A **branch** is a movable pointer to a commit.",
    )
    quiz_lesson = services.lesson_create(
        module=module,
        title="Git quiz",
        kind=Lesson.Kind.QUIZ,
        quiz_settings={"pass_mark_percent": 50},
    )
    services.question_create(
        quiz=quiz_lesson.quiz,
        kind="single",
        text="Which command records a snapshot?",
        choices=[("git commit", True), ("git status", False)],
        explanation="`git commit` records the staged changes.",
    )
    return course


def test_a_new_learner_goes_from_the_catalog_to_a_certificate(
    page: Page, browser_context: BrowserContext, live_server: Any, tmp_path: Path
) -> None:
    with override_settings(MEDIA_ROOT=tmp_path):
        _journey(page)


def _journey(page: Page) -> None:
    course = _course()

    # Browse and search the catalog.
    page.goto("/courses/")
    expect(page.get_by_role("heading", name="Courses", level=1)).to_be_visible()
    page.get_by_label("Search courses").fill("git")
    page.get_by_role("button", name="Search").click()
    results = page.locator("#course-results")
    expect(results.get_by_role("link", name="Git from Scratch")).to_be_visible()
    expect(results.get_by_role("link", name="Painting Basics")).to_have_count(0)
    assert_no_axe_violations(page, "catalog")
    save_screenshots(page, "catalog")

    # Open the course and sign up from it.
    results.get_by_role("link", name="Git from Scratch").click()
    expect(page.get_by_role("heading", name="Git from Scratch", level=1)).to_be_visible()
    assert_no_axe_violations(page, "course page")
    save_screenshots(page, "course-page")
    page.get_by_role("link", name="Sign up to enroll").click()
    page.get_by_label("Email").fill("new.learner@example.com")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password (again)").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_text("Verify your email address", exact=False).first).to_be_visible()
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", mail.outbox[-1].body)
    assert link is not None
    page.goto(link.group(0))
    page.get_by_role("button", name="Confirm").click()

    # Enroll: the first lesson, a video, opens.
    page.goto(f"/courses/{course.slug}/")
    page.get_by_role("button", name="Enroll").click()
    expect(page.get_by_role("heading", name="Watch: a first commit")).to_be_visible()
    assert_no_axe_violations(page, "lesson player")
    save_screenshots(page, "lesson-player")

    # Watch part of the video, pause (which saves the position), leave.
    page.wait_for_function("() => document.querySelector('video').readyState >= 1")
    page.evaluate(
        "() => { const v = document.querySelector('video'); v.muted = true; v.currentTime = 21; }"
    )
    page.wait_for_function("() => Math.floor(document.querySelector('video').currentTime) === 21")
    with page.expect_response(lambda response: "/position/" in response.url) as saved:
        page.evaluate("() => document.querySelector('video').dispatchEvent(new Event('pause'))")
    assert saved.value.ok
    video_lesson = Lesson.objects.get(title="Watch: a first commit")
    assert LessonProgress.objects.get(lesson=video_lesson).last_position_seconds == 21
    page.goto("/dashboard/")
    expect(
        page.get_by_role("link", name=re.compile("Continue: Watch: a first commit"))
    ).to_be_visible()
    assert_no_axe_violations(page, "dashboard")

    # Come back: the player resumes at the saved position.
    page.get_by_role("link", name=re.compile("Continue: Watch: a first commit")).click()
    page.wait_for_function("() => Math.floor(document.querySelector('video').currentTime) === 21")

    # Finish the lessons and pass the quiz.
    page.get_by_role("button", name="Mark complete and continue").click()
    expect(page.get_by_role("heading", name="Branches")).to_be_visible()
    page.get_by_role("button", name="Mark complete and continue").click()
    expect(page.get_by_role("heading", name="Git quiz")).to_be_visible()
    page.get_by_role("button", name="Start the quiz").click()
    page.get_by_label("git commit").check()
    assert_no_axe_violations(page, "quiz attempt")
    page.get_by_role("button", name="Submit answers").click()
    expect(page.get_by_role("heading", name="Your score: 100%")).to_be_visible()
    expect(page.get_by_text("records the staged changes")).to_be_visible()

    # The course is finished: completion page, certificate download and verification.
    page.goto(f"/courses/{course.slug}/complete/")
    expect(page.get_by_role("heading", name="You finished “Git from Scratch”!")).to_be_visible()
    assert_no_axe_violations(page, "completion page")
    save_screenshots(page, "course-complete")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download your certificate (PDF)").click()
    pdf_path = download.value.path()
    assert pdf_path is not None
    with open(pdf_path, "rb") as pdf:
        assert pdf.read(4) == b"%PDF"
    verification = page.get_by_role("link", name=re.compile(r"certificates"))
    verification.click()
    expect(page.get_by_role("heading", name="Verified certificate")).to_be_visible()
    expect(page.get_by_text("Git from Scratch")).to_be_visible()
    assert_no_axe_violations(page, "certificate verification")
