"""Live notifications in real Chromium over a real ASGI server (Daphne, Channels): an answer
posted by another user appears in both of the asker's tabs without a reload; a third user's tab
gets nothing."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Browser, expect

from courses.tests.factories import StudentFactory
from qa.tests.factories import make_question
from tests.browser.conftest import AXE_SCRIPT, DESKTOP, AsgiServer, assert_no_axe_violations, log_in


def _tab(browser: Browser, server: AsgiServer, user: Any) -> Any:
    context = browser.new_context(base_url=server.url, viewport=DESKTOP)
    context.add_init_script(path=str(AXE_SCRIPT))
    context.set_default_timeout(10_000)
    log_in(context, user, server)
    return context


def test_a_new_answer_reaches_every_tab_of_the_asker_and_nobody_else(
    browser: Browser, asgi_server: AsgiServer
) -> None:
    asker = StudentFactory(display_name="Asha Asker")
    answerer = StudentFactory(display_name="Ben Answerer")
    stranger = StudentFactory(display_name="Sol Stranger")
    question = make_question(asker=asker, title="Why does my Docker build ignore the cache?")

    asker_context = _tab(browser, asgi_server, asker)
    stranger_context = _tab(browser, asgi_server, stranger)
    answerer_context = _tab(browser, asgi_server, answerer)
    try:
        inbox = asker_context.new_page()
        inbox.goto("/notifications/")
        other_tab = asker_context.new_page()
        other_tab.goto("/")
        stranger_page = stranger_context.new_page()
        stranger_page.goto("/notifications/")
        for page in (inbox, other_tab, stranger_page):
            expect(page.locator("#notification-count")).to_be_hidden()
        assert_no_axe_violations(inbox, "notifications inbox")
        # Each tab's socket is open before the answer is posted.
        for page in (inbox, other_tab, stranger_page):
            expect(page.locator("html")).to_have_attribute("data-notifications-live", "true")

        answering = answerer_context.new_page()
        answering.goto(f"/questions/{question.pk}/")
        answering.get_by_role("textbox", name="Your answer").fill(
            "Copy requirements.txt and install before copying the rest of the code."
        )
        answering.get_by_role("button", name="Post your answer").click()

        for page in (inbox, other_tab):
            expect(page.locator("#notification-count")).to_have_text("1", timeout=1500)
        expect(
            inbox.locator("#notification-list").get_by_text("Ben Answerer answered")
        ).to_be_visible(timeout=1500)
        expect(inbox.locator("#live-announcer")).to_contain_text("New notification")
        expect(stranger_page.locator("#notification-count")).to_be_hidden()
        expect(stranger_page.get_by_text("Ben Answerer answered")).to_have_count(0)
    finally:
        for context in (asker_context, stranger_context, answerer_context):
            context.close()
