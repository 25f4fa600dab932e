"""The lesson player's completion rules in Chromium: an article read to its end, a video watched
to 90% and the learner's own "Mark complete" all tick the outline at once, without a reload."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.files.base import ContentFile
from django.test import override_settings
from playwright.sync_api import Page, expect

from courses import services as course_services
from courses.models import Lesson, LessonProgress
from courses.tests.factories import CourseFactory, EnrollmentFactory, StudentFactory
from learning import services as learning_services
from tests.browser.conftest import assert_no_axe_violations, log_in

SAMPLE_VIDEO = Path(__file__).resolve().parents[2] / "static" / "samples" / "lumen-sample.webm"
LONG_ARTICLE = "\n\n".join(
    f"Paragraph {number}: the tide rises and falls twice a day, pulled by the moon."
    for number in range(1, 81)
)
MARK_PAGE = "() => { window.lumenSamePage = true; }"
SAME_PAGE = "() => window.lumenSamePage === true"


def _course(student: Any) -> tuple[Any, Any]:
    course = CourseFactory()
    module = course_services.module_create(course=course, title="Tides")
    EnrollmentFactory(learner=student, course=course)
    return course, module


def test_an_article_read_to_its_end_ticks_the_outline_without_a_reload(
    page: Page, live_server: Any
) -> None:
    student = StudentFactory()
    course, module = _course(student)
    # One minute of estimated reading: 30 seconds of it, with the end reached, complete it.
    article = course_services.lesson_create(
        module=module, title="Why tides", kind=Lesson.Kind.ARTICLE, body=LONG_ARTICLE,
        duration_seconds=60,
    )  # fmt: skip
    course_services.lesson_create(
        module=module, title="Spring tides", kind=Lesson.Kind.ARTICLE, body="More."
    )
    log_in(page.context, student, live_server)
    reading = "**/lessons/*/reading/"
    outline = page.locator("#player-outline")
    reported: list[dict[str, Any]] = []
    page.on(
        "request",
        lambda request: (
            reported.append(request.post_data_json) if request.url.endswith("/reading/") else None
        ),
    )

    page.clock.install()
    page.goto(f"/learn/{course.slug}/{article.pk}/")
    page.evaluate(MARK_PAGE)
    expect(page.locator("#completion-rule")).to_have_text(
        "Read to the end to complete (about 1 minute of reading), or mark it complete yourself."
    )
    for _ in range(2):  # 30 seconds of reading at the top of the article
        page.mouse.move(200, 300)
        with page.expect_response(reading):
            page.clock.run_for(15_000)
    expect(outline).to_contain_text("0% complete")
    assert LessonProgress.objects.get(learner=student, lesson=article).completed_at is None

    with page.expect_response(reading) as report:
        page.locator("#lesson-article-end").scroll_into_view_if_needed()
    assert report.value.json()["is_completed"] is True

    expect(outline).to_contain_text("50% complete")
    expect(outline.get_by_role("link", name="Why tides")).to_be_visible()
    expect(outline).to_contain_text("(Article, completed)")
    expect(page.locator("#player-completion")).to_contain_text("Completed.")
    assert page.evaluate(SAME_PAGE) is True
    assert_no_axe_violations(page, "article completed in place")
    progress = LessonProgress.objects.get(learner=student, lesson=article)
    # The page counted visible, active seconds (30 of the fake clock, plus any real second that
    # passed while the page loaded) and the server kept every one of them.
    assert [report["reached_end"] for report in reported] == [False, False, True]
    assert 30 <= progress.seconds_spent == sum(report["seconds_spent"] for report in reported)
    assert progress.completed_at is not None


def test_a_video_watched_to_ninety_percent_ticks_the_outline_and_binge_moves_on(
    page: Page, live_server: Any, tmp_path: Path
) -> None:
    with override_settings(MEDIA_ROOT=tmp_path):
        student = StudentFactory()
        course, module = _course(student)
        video = course_services.lesson_create(
            module=module, title="Clip", kind=Lesson.Kind.VIDEO, duration_seconds=60
        )
        video.video_file.save("clip.webm", ContentFile(SAMPLE_VIDEO.read_bytes()))
        after = course_services.lesson_create(
            module=module, title="After the clip", kind=Lesson.Kind.ARTICLE, body="Next!"
        )
        learning_services.preference_update(user=student, mode="binge", binge_countdown_seconds=5)
        log_in(page.context, student, live_server)

        page.clock.install()
        page.goto(f"/learn/{course.slug}/{video.pk}/")
        page.evaluate(MARK_PAGE)
        expect(page.locator("#completion-rule")).to_have_text(
            "Watch 90% to complete, or mark it complete yourself."
        )
        page.wait_for_function("() => document.getElementById('lesson-video').readyState >= 1")
        with page.expect_response("**/lessons/*/position/") as saved:
            # The learner jumps to 55 s (past 90% of 60) and pauses: the position is saved.
            page.evaluate(
                "() => { const v = document.getElementById('lesson-video');"
                " v.currentTime = 55; v.dispatchEvent(new Event('pause')); }"
            )
        assert saved.value.json()["is_completed"] is True

        outline = page.locator("#player-outline")
        expect(outline).to_contain_text("(Video, completed)")
        expect(outline).to_contain_text("50% complete")
        assert page.evaluate(SAME_PAGE) is True
        # Binge mode heard the completion: the countdown to the next lesson runs.
        expect(page.locator("#binge-panel")).to_be_visible()
        page.clock.run_for(6_000)
        expect(page).to_have_url(f"{live_server.url}/learn/{course.slug}/{after.pk}/")


def test_mark_complete_and_its_undo_update_the_outline_in_place(
    page: Page, live_server: Any
) -> None:
    student = StudentFactory()
    course, module = _course(student)
    course_services.lesson_create(
        module=module, title="Neap tides", kind=Lesson.Kind.ARTICLE, body="First."
    )
    last = course_services.lesson_create(
        module=module, title="Tide tables", kind=Lesson.Kind.ARTICLE, body="Last."
    )
    log_in(page.context, student, live_server)
    outline = page.locator("#player-outline")

    # The last lesson's button does not move on (there is nothing after it): it swaps in place.
    page.goto(f"/learn/{course.slug}/{last.pk}/")
    page.evaluate(MARK_PAGE)
    expect(outline).to_contain_text("0% complete")
    page.get_by_role("button", name="Mark complete").click()
    expect(page.locator("#player-completion")).to_contain_text("Completed.")
    expect(outline).to_contain_text("50% complete")
    expect(outline.locator(".outline__lesson--done")).to_have_count(1)
    assert page.evaluate(SAME_PAGE) is True

    page.get_by_role("button", name="Mark as not complete").click()
    expect(page.get_by_role("button", name="Mark complete")).to_be_visible()
    expect(outline).to_contain_text("0% complete")
    expect(outline.locator(".outline__lesson--done")).to_have_count(0)
    assert page.evaluate(SAME_PAGE) is True
    assert_no_axe_violations(page, "lesson unticked in place")
    assert LessonProgress.objects.get(learner=student, lesson=last).completed_at is None
