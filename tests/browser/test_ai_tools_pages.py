"""The AI tools in the browser: the /ai/ hub, the lesson player's study-tools panel, the
dashboard's skill chart and the tools' own pages have no WCAG 2.1 A/AA violation (axe-core) in
any theme and reflow at 320 px; the player's panel summarises the open lesson."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from playwright.sync_api import BrowserContext, Page, expect

from ai_tools import services
from ai_tools.models import Conversation, PracticeSet
from ai_tools.tests.factories import (
    EnrollmentFactory,
    StudentFactory,
    tides_course,
)
from ai_tools.tests.test_panels import skilled_learner
from tests.browser.conftest import (
    THEMES,
    assert_no_axe_violations,
    assert_no_horizontal_scroll,
    choose_theme,
    log_in,
    save_screenshots,
)


def a_learner_with_history() -> dict[str, Any]:
    """A Pro learner with a summary, a practice set, a chat and graded quiz answers."""
    course, tides, volcanoes = tides_course()
    learner = StudentFactory(email="ada@example.com", display_name="Ada Learner")
    EnrollmentFactory(learner=learner, course=course)
    skilled_learner(learner, course, tides)
    services.summary_generate(summary_id=services.summary_request(user=learner, lesson=tides).pk)
    practice = services.practice_set_create(user=learner, lesson=volcanoes, count=3)
    services.practice_set_generate(practice_set_id=practice.pk)
    conversation = services.conversation_create(user=learner, course=course)
    list(
        services.study_buddy_reply(
            user=learner, conversation=conversation, question="What are neap tides?"
        )
    )
    return {"learner": learner, "course": course, "tides": tides, "volcanoes": volcanoes}


def player(lesson: Any) -> str:
    return reverse("courses:lesson", args=[lesson.module.course.slug, lesson.pk])


@pytest.mark.parametrize("theme", THEMES)
@pytest.mark.parametrize(
    "name", ["hub", "player-panel", "dashboard-skills"], ids=["hub", "player", "dashboard"]
)
def test_ai_pages_have_no_wcag_violations(
    page: Page, browser_context: BrowserContext, live_server: Any, name: str, theme: str
) -> None:
    data = a_learner_with_history()
    log_in(browser_context, data["learner"], live_server)

    if name == "hub":
        page.goto(reverse("ai_tools:index"))
        expect(page.get_by_role("heading", name="AI study tools", level=1)).to_be_visible()
        summaries = page.get_by_role("region", name="Lesson summaries")
        expect(summaries.get_by_role("link", name="How tides work")).to_be_visible()
    elif name == "player-panel":
        page.goto(player(data["tides"]))
        page.locator("#ai-lesson-panel summary").click()
        expect(page.get_by_role("button", name="Summarise this lesson")).to_be_visible()
    else:
        page.goto(reverse("courses:dashboard"))
        expect(page.get_by_role("table", name="Your skills as a table")).to_be_visible()
    choose_theme(page, theme)

    assert_no_axe_violations(page, f"{name} in the {theme} theme")
    save_screenshots(page, f"ai-{name}-{theme}")
    assert_no_horizontal_scroll(page, 320)


def test_the_tools_own_pages_have_no_wcag_violations(
    page: Page, browser_context: BrowserContext, live_server: Any
) -> None:
    data = a_learner_with_history()
    log_in(browser_context, data["learner"], live_server)
    practice = PracticeSet.objects.get()
    conversation = Conversation.objects.get()
    pages = {
        "lesson tools": reverse("ai_tools:lesson", args=[data["tides"].pk]),
        "practice": reverse("ai_tools:practice", args=[practice.pk]),
        "study buddy": reverse("ai_tools:study_buddy", args=[data["course"].pk])
        + f"?conversation={conversation.pk}",
        "skills": reverse("ai_tools:skill_gaps"),
    }
    for label, path in pages.items():
        page.goto(path)
        assert_no_axe_violations(page, label)
        assert_no_horizontal_scroll(page, 320)
        page.set_viewport_size({"width": 1280, "height": 800})


def test_a_plan_without_the_tools_sees_an_accessible_pointer_to_the_plans(
    page: Page, browser_context: BrowserContext, live_server: Any
) -> None:
    course, tides, _ = tides_course()
    learner = StudentFactory(plan="basic")
    EnrollmentFactory(learner=learner, course=course)
    log_in(browser_context, learner, live_server)

    page.goto(reverse("ai_tools:index"))
    expect(page.get_by_text("you have the Basic plan")).to_be_visible()
    assert_no_axe_violations(page, "hub without the plan")
    page.goto(player(tides))
    page.locator("#ai-lesson-panel summary").click()
    expect(
        page.locator("#ai-lesson-panel").get_by_role("link", name="See the plans")
    ).to_be_visible()
    assert_no_axe_violations(page, "player panel without the plan")


def test_summarising_from_the_player_panel_with_the_keyboard(
    page: Page, browser_context: BrowserContext, live_server: Any
) -> None:
    course, tides, _ = tides_course()
    learner = StudentFactory()
    EnrollmentFactory(learner=learner, course=course)
    log_in(browser_context, learner, live_server)
    page.goto(player(tides))

    page.locator("#ai-lesson-panel summary").focus()
    page.keyboard.press("Enter")
    page.get_by_role("button", name="Summarise this lesson").focus()
    page.keyboard.press("Enter")

    page.wait_for_url(f"**{reverse('ai_tools:lesson', args=[tides.pk])}")
    expect(page.get_by_text("AI-generated")).to_be_visible()
    expect(page.get_by_text("Sailors should always check a tide table")).to_be_visible()
