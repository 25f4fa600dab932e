"""The help center with the keyboard alone, in real Chromium: rating an answer with stars and
awarding XP (radio groups: Tab in, arrow keys choose, Enter on the button submits, htmx swaps the
region and focus comes back to the choice), and the ask form's live duplicate suggestions while
the title is typed."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import BrowserContext, Page, expect

from qa import services
from qa.models import Category, StarRating, XpAward
from qa.tests.factories import StudentFactory, make_answer, make_question
from tests.browser.conftest import assert_no_axe_violations, log_in, save_screenshots


def tab_until(page: Page, selector: str, limit: int = 80) -> None:
    """Press Tab until the element matching `selector` has focus (at most `limit` times)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"{selector} was not reached with {limit} presses of Tab")


def _thread() -> tuple[Any, Any, Any]:
    services.categories_ensure_defaults()
    asker = StudentFactory(display_name="Asha Asker")
    question = make_question(
        asker=asker,
        title="Docker container exits immediately after docker run",
        body="My image builds but the container stops with exit code 0. What is wrong?",
        category=Category.objects.get(slug="devops"),
    )
    answer = make_answer(
        question=question,
        author=StudentFactory(display_name="Ben Answerer"),
        body="Your start script exits; run the server with `exec` so it stays in the foreground.",
    )
    return asker, question, answer


def test_rating_an_answer_with_stars_using_the_keyboard_alone(
    page: Page, browser_context: BrowserContext, live_server: Any
) -> None:
    _, question, answer = _thread()
    rater = StudentFactory(display_name="Cleo Rater")
    log_in(browser_context, rater, live_server)
    page.goto(f"/questions/{question.pk}/")
    assert_no_axe_violations(page, "question detail")

    tab_until(page, f"#answer-rating-{answer.pk} input[name=stars]")
    expect(page.locator(f"#id_a{answer.pk}_stars_0")).to_be_focused()
    for _ in range(3):
        page.keyboard.press("ArrowRight")  # 1 -> 4 stars; arrows move the choice in a group
    expect(page.locator(f"#id_a{answer.pk}_stars_3")).to_be_checked()
    page.keyboard.press("Tab")
    expect(page.locator(f"#answer-rating-{answer.pk} button")).to_be_focused()
    page.keyboard.press("Enter")

    region = page.locator(f"#answer-rating-{answer.pk}")
    expect(region).to_contain_text("4.0 out of 5 from 1 rating")
    expect(region).to_contain_text("Your rating: 4 stars. Change it")
    expect(page.locator(f"#id_a{answer.pk}_stars_3")).to_be_focused()  # focus is not lost
    assert StarRating.objects.get(answer=answer, rater=rater).stars == 4

    # Changing it is the same keys: one arrow back to 3 stars, Tab, Enter.
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(region).to_contain_text("3.0 out of 5 from 1 rating")
    assert StarRating.objects.get(answer=answer, rater=rater).stars == 3
    save_screenshots(page, "qa-question-rated-by-keyboard")


def test_the_asker_awards_xp_using_the_keyboard_alone(
    page: Page, browser_context: BrowserContext, live_server: Any
) -> None:
    asker, question, answer = _thread()
    log_in(browser_context, asker, live_server)
    page.goto(f"/questions/{question.pk}/")

    tab_until(page, f"#answer-rating-{answer.pk} input[name=xp]")
    for _ in range(6):
        page.keyboard.press("ArrowRight")  # 1 -> 7 XP
    expect(page.locator(f"#id_a{answer.pk}x_xp_6")).to_be_checked()
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Award XP")).to_be_focused()
    page.keyboard.press("Enter")

    region = page.locator(f"#answer-rating-{answer.pk}")
    expect(region).to_contain_text("The asker awarded 7 XP.")
    expect(region).to_contain_text("You awarded 7 XP. Change it")
    assert XpAward.objects.get(answer=answer).amount == 7
    assert_no_axe_violations(page, "question detail after the award")


def test_similar_questions_appear_while_the_title_is_typed(
    page: Page, browser_context: BrowserContext, live_server: Any
) -> None:
    _, question, _ = _thread()
    make_question(title="How do I center a div with CSS grid?")
    log_in(browser_context, StudentFactory(), live_server)
    page.goto("/questions/ask/")

    tab_until(page, "#id_title")
    page.keyboard.type("docker container exits with code 0")

    suggestions = page.locator("#similar-questions")
    expect(suggestions).to_contain_text("Is your question already answered?")
    expect(suggestions.get_by_role("link", name=question.title)).to_be_visible()
    expect(suggestions).not_to_contain_text("CSS grid")
    expect(page.locator("#id_title")).to_be_focused()  # typing is never interrupted
    assert_no_axe_violations(page, "ask form with suggestions")
    save_screenshots(page, "qa-ask-with-similar-questions")
