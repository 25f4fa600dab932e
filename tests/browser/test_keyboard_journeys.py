"""The learner's journeys with the keyboard alone (Tab, Shift+Tab, Enter, Space and the arrow
keys): every stop shows a visible focus indicator, the skip link works on each page, and no page
traps the focus. axe-core runs on each page on the way."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from django.core import mail
from django.test import override_settings
from playwright.sync_api import BrowserContext, Page, expect

from courses.models import Enrollment, LessonProgress
from gamification.models import LearnerStats
from tests.browser.conftest import (
    assert_no_axe_violations,
    assert_no_keyboard_trap,
    save_screenshots,
    skip_to_main,
    tab_to,
)
from tests.browser.test_learning_journey import PASSWORD, _course


def test_a_new_learner_signs_up_enrolls_watches_and_passes_a_quiz_with_the_keyboard(
    page: Page, browser_context: BrowserContext, live_server: Any, tmp_path: Path
) -> None:
    with override_settings(MEDIA_ROOT=tmp_path):
        course = _course()

        # The catalog: search with the keyboard, open the course.
        page.goto("/courses/")
        skip_to_main(page)
        tab_to(page, "input[type=search], #id_q, input[name=q]")
        page.keyboard.type("git")
        page.keyboard.press("Enter")
        expect(
            page.locator("#course-results").get_by_role("link", name="Painting Basics")
        ).to_have_count(0)
        tab_to(page, "#course-results a[href='/courses/git-from-scratch/']")
        page.keyboard.press("Enter")
        expect(page.get_by_role("heading", name="Git from Scratch", level=1)).to_be_visible()
        assert_no_keyboard_trap(page)

        # Sign up from the course page.
        page.goto(f"/courses/{course.slug}/")
        skip_to_main(page)
        tab_to(page, "a[href^='/accounts/signup/']")
        page.keyboard.press("Enter")
        page.wait_for_url("**/accounts/signup/**")
        skip_to_main(page)
        tab_to(page, "#id_email")
        page.keyboard.type("keyboard.learner@example.com")
        tab_to(page, "#id_password1")
        page.keyboard.type(PASSWORD)
        tab_to(page, "#id_password2")
        page.keyboard.type(PASSWORD)
        page.keyboard.press("Enter")
        expect(page.get_by_text("Verify your email address", exact=False).first).to_be_visible()
        link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", mail.outbox[-1].body)
        assert link is not None
        page.goto(link.group(0))
        skip_to_main(page)
        tab_to(page, "main button[type=submit]")
        page.keyboard.press("Space")  # a button activates with Space as well as Enter
        page.wait_for_url(lambda url: "confirm-email" not in url)

        # Enroll: the first lesson, a video, opens.
        page.goto(f"/courses/{course.slug}/")
        skip_to_main(page)
        tab_to(page, "form[action$='/enroll/'] button")
        page.keyboard.press("Enter")
        expect(page.get_by_role("heading", name="Watch: a first commit")).to_be_visible()
        assert Enrollment.objects.filter(learner__email="keyboard.learner@example.com").exists()

        # The player's own controls take the keyboard: play with Space, pause with Space; pausing
        # saves the position.
        skip_to_main(page)
        tab_to(page, "#lesson-video")
        page.evaluate("() => { document.getElementById('lesson-video').muted = true; }")
        page.keyboard.press("Space")
        page.wait_for_function("() => document.getElementById('lesson-video').currentTime >= 1")
        with page.expect_response(lambda response: "/position/" in response.url) as saved:
            page.keyboard.press("Space")
        assert saved.value.ok
        expect(page.locator("#lesson-video")).to_have_js_property("paused", True)
        assert_no_keyboard_trap(page)
        saved_at = LessonProgress.objects.get(
            learner__email="keyboard.learner@example.com", lesson__kind="video"
        ).last_position_seconds
        assert saved_at >= 1

        # Leave, then come back through the dashboard's "Continue": the video resumes there.
        page.goto("/")
        skip_to_main(page)
        tab_to(page, "nav[aria-label=Main] a[href='/dashboard/']", backwards=True)
        page.keyboard.press("Enter")
        page.wait_for_url("**/dashboard/")
        skip_to_main(page)
        tab_to(page, "main a[href*='/learn/']")
        assert "Continue" in page.evaluate("() => document.activeElement.textContent")
        page.keyboard.press("Enter")
        expect(page.get_by_role("heading", name="Watch: a first commit")).to_be_visible()
        page.wait_for_function(
            "(at) => Math.floor(document.getElementById('lesson-video').currentTime) === at",
            arg=saved_at,
        )

        # Finish the lessons and pass the quiz.
        page.goto(page.url.split("#")[0])  # a fresh page: focus starts at the top
        skip_to_main(page)
        tab_to(page, "form[action$='/complete/'] button")
        page.keyboard.press("Enter")
        expect(page.get_by_role("heading", name="Branches")).to_be_visible()
        skip_to_main(page)
        tab_to(page, "form[action$='/complete/'] button")
        page.keyboard.press("Enter")
        expect(page.get_by_role("heading", name="Git quiz")).to_be_visible()
        skip_to_main(page)
        tab_to(page, "form[action$='/start/'] button")
        page.keyboard.press("Enter")
        expect(page.get_by_role("button", name="Submit answers")).to_be_visible()
        skip_to_main(page)
        tab_to(page, ".quiz-form input[type=radio]")
        # Arrow keys move through a radio group, selecting as they go.
        page.keyboard.press("ArrowDown")
        expect(page.get_by_label("git status")).to_be_checked()
        page.keyboard.press("ArrowUp")
        expect(page.get_by_label("git commit")).to_be_checked()
        assert_no_axe_violations(page, "quiz attempt, keyboard")
        tab_to(page, ".quiz-form button[type=submit]")
        page.keyboard.press("Enter")
        expect(page.get_by_role("heading", name="Your score: 100%")).to_be_visible()

        # XP and a badge, found from the main navigation. (The page kept the #main of the skip
        # link through the form's redirect, so the focus starts in the main content.)
        tab_to(page, "nav[aria-label=Main] a[href='/progress/']", backwards=True)
        page.keyboard.press("Enter")
        expect(page.get_by_role("heading", name="Your progress", level=1)).to_be_visible()
        stats = LearnerStats.objects.get(user__email="keyboard.learner@example.com")
        assert stats.total_xp > 0
        expect(page.locator(".page-header .lead")).to_contain_text(f"{stats.total_xp} XP")
        earned = page.locator(".badge-card--earned")
        expect(earned.filter(has_text="First steps")).to_be_visible()
        expect(earned.filter(has_text="Quiz taker")).to_be_visible()
        assert_no_axe_violations(page, "progress after the first quiz")
        assert_no_keyboard_trap(page)
        save_screenshots(page, "progress-with-badges")
        assert LessonProgress.objects.filter(completed_at__isnull=False).count() == 3

        # The certificate: downloaded and verified from the completion page with Enter.
        page.goto(f"/courses/{course.slug}/complete/")
        skip_to_main(page)
        tab_to(page, "main a[href$='/pdf/']")
        with page.expect_download() as download:
            page.keyboard.press("Enter")
        pdf_path = download.value.path()
        assert pdf_path is not None
        with open(pdf_path, "rb") as pdf:
            assert pdf.read(4) == b"%PDF"
        tab_to(page, "main p a[href^='/certificates/']")
        page.keyboard.press("Enter")
        expect(page.get_by_role("heading", name="Verified certificate")).to_be_visible()
        assert_no_keyboard_trap(page)
