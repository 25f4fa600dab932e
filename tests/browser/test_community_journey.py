"""The learner's journey beyond the lessons, with the keyboard alone: ask a question (first with
mistakes, whose messages are tied to their fields), award XP to the answer someone gives, and ask
the course's study buddy, whose streamed answer lands in a live region. axe-core runs on each
page in every theme."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import Browser, BrowserContext, Page, expect

from ai_tools.tests.factories import plan_subscribe
from courses import services as course_services
from courses.models import Lesson
from courses.tests.factories import CourseFactory, EnrollmentFactory, StudentFactory
from gamification.models import LearnerStats
from qa.models import Question
from qa.tests.factories import make_answer
from tests.browser.conftest import (
    AXE_SCRIPT,
    DESKTOP,
    AsgiServer,
    assert_no_keyboard_trap,
    assert_page_accessible_in_every_theme,
    close_context,
    log_in,
    open_context,
    save_screenshots,
    skip_to_main,
    tab_to,
)


def test_a_learner_asks_a_question_and_awards_xp_to_an_answer_with_the_keyboard(
    page: Page, browser_context: BrowserContext, live_server: Any
) -> None:
    asker = StudentFactory(display_name="Asha Asker")
    helper = StudentFactory(display_name="Hal Helper")
    log_in(browser_context, asker, live_server)

    # A title that is too short and no details: both errors are tied to their fields.
    page.goto("/questions/ask/")
    skip_to_main(page)
    tab_to(page, "#id_title")
    page.keyboard.type("Grid?")
    page.keyboard.press("Enter")
    title = page.get_by_label("Title")
    expect(title).to_have_attribute("aria-invalid", "true")
    expect(title).to_have_accessible_description(
        "One sentence: what do you want to know? Similar questions appear below. "
        "Error: Ensure this value has at least 10 characters (it has 5)."
    )
    details = page.get_by_label("Details")
    expect(details).to_have_attribute("aria-invalid", "true")
    expect(details).to_have_accessible_description(
        "Markdown: **bold**, `code`, ``` fenced code blocks ```, lists and links. "
        "Error: This field is required."
    )
    assert_page_accessible_in_every_theme(page, "ask form with errors")
    save_screenshots(page, "ask-question-errors")

    # Put it right with the keyboard and post it.
    page.goto("/questions/ask/")
    skip_to_main(page)
    tab_to(page, "#id_title")
    page.keyboard.type("Why does my CSS grid overflow on phones?")
    tab_to(page, "#id_body")
    page.keyboard.type("The grid has three 200px columns and the page scrolls sideways at 320px.")
    tab_to(page, "form button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/questions/\d+/"))
    question = Question.objects.get(asker=asker)
    assert page.url.split("#")[0] == f"{live_server.url}/questions/{question.pk}/"
    # The confirmation is in the page's polite live region, so a screen reader announces it.
    messages = page.locator("#messages")
    expect(messages).to_have_attribute("role", "status")
    expect(messages).to_have_attribute("aria-live", "polite")
    expect(messages).to_contain_text("Your question is posted")
    assert_no_keyboard_trap(page)

    # Someone answers; the asker awards 5 XP with the arrow keys and Enter.
    answer = make_answer(question=question, author=helper, body="Use minmax(0, 1fr) columns.")
    page.goto(f"/questions/{question.pk}/")
    skip_to_main(page)
    tab_to(page, f"#answer-rating-{answer.pk} input[name=xp]")
    for _ in range(4):
        page.keyboard.press("ArrowRight")
    expect(page.get_by_label("5 XP", exact=True)).to_be_checked()
    tab_to(page, f"#answer-rating-{answer.pk} button.button--primary")
    page.keyboard.press("Enter")
    rating = page.locator(f"#answer-rating-{answer.pk}")
    expect(rating).to_contain_text("The asker awarded 5 XP.")
    expect(messages).to_contain_text("You awarded 5 XP to Hal Helper's answer.")
    # The pressed button was replaced: the focus comes back to the chosen option, not the page.
    expect(page.get_by_label("5 XP", exact=True)).to_be_focused()
    assert LearnerStats.objects.get(user=helper).total_xp == 5
    assert_page_accessible_in_every_theme(page, "question with an awarded answer")
    save_screenshots(page, "question-detail")


def test_a_learner_asks_the_study_buddy_with_the_keyboard(
    browser: Browser, asgi_server: AsgiServer
) -> None:
    # The AI study tools come with the Pro plan.
    learner = StudentFactory(display_name="Lee Learner")
    plan_subscribe(learner, "pro")
    course = CourseFactory(title="Git from Scratch")
    module = course_services.module_create(course=course, title="Basics")
    course_services.lesson_create(
        module=module,
        title="Branches",
        kind=Lesson.Kind.ARTICLE,
        body=(
            "A branch is a movable pointer to a commit. Creating a branch is cheap in Git. "
            "You switch branches with git switch, and you merge a branch with git merge."
        ),
    )
    EnrollmentFactory(learner=learner, course=course)
    context = open_context(browser, base_url=asgi_server.url, viewport=DESKTOP)
    context.add_init_script(path=str(AXE_SCRIPT))
    context.set_default_timeout(10_000)
    log_in(context, learner, asgi_server)
    try:
        page = context.new_page()
        page.goto(f"/ai/courses/{course.pk}/study-buddy/")
        expect(page.locator("#chat-form")).to_have_attribute("data-live", "true")
        log = page.locator("#chat-log")
        expect(log).to_have_attribute("aria-live", "polite")

        skip_to_main(page)
        tab_to(page, "#chat-form textarea")
        page.keyboard.type("What is a branch?")
        tab_to(page, "#chat-form button[type=submit]")
        page.keyboard.press("Enter")

        # The answer streams into the live region, quoting the lesson with a link to it.
        expect(log.locator(".ai-chat__message--user")).to_contain_text("What is a branch?")
        reply = log.locator(".ai-chat__message--assistant").last
        expect(reply).to_contain_text("movable pointer to a commit")
        expect(reply.get_by_role("list", name="Sources").get_by_role("link")).to_have_text(
            "Branches"
        )
        expect(page.locator("#chat-form button[type=submit]")).to_be_enabled()
        expect(page).to_have_url(re.compile(r"[?]conversation=\d+"))
        assert_page_accessible_in_every_theme(page, "study buddy with an answer")
        assert_no_keyboard_trap(page)
        save_screenshots(page, "study-buddy")
    finally:
        close_context(context)
