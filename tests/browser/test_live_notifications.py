"""Live notifications in real Chromium over a real ASGI server (Daphne, Channels): an answer
posted by another user appears in both of the asker's tabs without a reload, less than a second
after the answer's POST completed; a third user's tab gets nothing. Reading it in one tab clears
the count in the others."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import Browser, expect

from courses.tests.factories import StudentFactory
from qa.tests.factories import make_question
from tests.browser.conftest import (
    AXE_SCRIPT,
    DESKTOP,
    AsgiServer,
    assert_no_axe_violations,
    close_context,
    log_in,
    open_context,
)

# Each tab notes when its bell first shows the new count (Date.now(): the browser's wall clock,
# the same clock Playwright's request timings are on).
WATCH_ARRIVAL = """() => {
  const bell = document.getElementById("notification-count");
  new MutationObserver(() => {
    if (bell.textContent.trim() === "1" && !window.lumenArrivedAt) {
      window.lumenArrivedAt = Date.now();
    }
  }).observe(bell, { childList: true, characterData: true, subtree: true });
}"""


def _tab(browser: Browser, server: AsgiServer, user: Any) -> Any:
    context = open_context(browser, base_url=server.url, viewport=DESKTOP)
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

        for page in (inbox, other_tab):
            page.evaluate(WATCH_ARRIVAL)

        answering = answerer_context.new_page()
        answering.goto(f"/questions/{question.pk}/")
        answering.get_by_role("textbox", name="Your answer").fill(
            "Copy requirements.txt and install before copying the rest of the code."
        )
        answer_path = f"/questions/{question.pk}/answers/"
        with answering.expect_response(
            lambda r: r.request.method == "POST" and r.url.endswith(answer_path)
        ) as posted:
            answering.get_by_role("button", name="Post your answer").click()
        posted.value.finished()
        timing = posted.value.request.timing
        # The notification is sent on commit, before the answer's response: measured from the
        # moment that response had fully arrived, each tab must show it within a second.
        answered_at = timing["startTime"] + max(timing["responseEnd"], timing["responseStart"])

        for page in (inbox, other_tab):
            # A generous wait, so a slow machine fails on the measured delay below, not here.
            expect(page.locator("#notification-count")).to_have_text("1", timeout=5000)
        delays = [
            page.evaluate("() => window.lumenArrivedAt") - answered_at
            for page in (inbox, other_tab)
        ]
        assert all(delay < 1000 for delay in delays), f"ms from the answer to each tab: {delays}"
        expect(
            inbox.locator("#notification-list").get_by_text("Ben Answerer answered")
        ).to_be_visible()
        expect(inbox.locator("#live-announcer")).to_contain_text("New notification")
        expect(stranger_page.locator("#notification-count")).to_be_hidden()
        expect(stranger_page.get_by_text("Ben Answerer answered")).to_have_count(0)

        # Read in one tab: the other tabs' bells and inboxes follow, without a reload.
        inbox.reload()
        second_inbox = asker_context.new_page()
        second_inbox.goto("/notifications/")
        entry = second_inbox.locator("#notification-list li").first
        expect(entry).to_have_class(re.compile("notification--unread"))
        expect(second_inbox.locator("html")).to_have_attribute("data-notifications-live", "true")
        inbox.locator("#notification-list [data-mark-read]").first.click()
        for page in (other_tab, second_inbox):
            expect(page.locator("#notification-count")).to_be_hidden()
        expect(entry).not_to_have_class(re.compile("notification--unread"))
        expect(entry.locator("[data-mark-read]")).to_have_count(0)
    finally:
        for context in (asker_context, stranger_context, answerer_context):
            close_context(context)
