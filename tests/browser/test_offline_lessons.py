"""Offline lessons in real Chromium: save a lesson for offline, lose the connection, open it from
the list of saved lessons, mark it complete offline; back online, the completion reaches the
server exactly once."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.signals import request_started
from playwright.sync_api import BrowserContext, Page, expect

from courses import events as course_events
from courses.models import Lesson, LessonProgress
from courses.tests.factories import EnrollmentFactory, StudentFactory, course_with_outline
from tests.browser.conftest import log_in


class _Hits:
    """What reached the live server: POST paths, and lesson_completed events."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.posts: list[str] = []
        self.completed: list[int] = []

    def on_request(self, sender: Any, environ: dict[str, Any] | None = None, **_: Any) -> None:
        if environ and environ.get("REQUEST_METHOD") == "POST":
            with self.lock:
                self.posts.append(environ.get("PATH_INFO", ""))

    def on_completed(self, sender: Any, progress: Any = None, **kwargs: Any) -> None:
        with self.lock:
            self.completed.append(progress.lesson_id if progress is not None else -1)


@pytest.fixture
def hits() -> Iterator[_Hits]:
    recorder = _Hits()
    request_started.connect(recorder.on_request, dispatch_uid="offline-test-requests")
    course_events.lesson_completed.connect(recorder.on_completed, dispatch_uid="offline-test")
    yield recorder
    request_started.disconnect(dispatch_uid="offline-test-requests")
    course_events.lesson_completed.disconnect(dispatch_uid="offline-test")


def _outbox_empty(page: Page) -> None:
    page.wait_for_function("() => document.documentElement.dataset.outboxRemaining === '0'")


def test_a_lesson_completed_offline_reaches_the_server_exactly_once(
    page: Page, browser_context: BrowserContext, live_server: Any, hits: _Hits
) -> None:
    learner = StudentFactory()
    course = course_with_outline(modules=1, lessons_per_module=2, title="Offline course")
    EnrollmentFactory(course=course, learner=learner)
    lesson = Lesson.objects.filter(module__course=course).order_by("order").first()
    lesson_url = f"/learn/{course.slug}/{lesson.pk}/"
    complete_url = f"/lessons/{lesson.pk}/complete/"
    log_in(browser_context, learner, live_server)
    page.goto("/")
    page.wait_for_function("() => !!navigator.serviceWorker.controller")

    page.goto(lesson_url)
    page.get_by_role("button", name="Save for offline").click()
    expect(page.get_by_role("status").filter(has_text="Saved for offline.")).to_be_visible()
    page.goto("/")

    browser_context.set_offline(True)
    page.reload()
    page.goto("/offline/")
    page.wait_for_function("() => document.documentElement.dataset.offlineList === 'ready'")
    saved = page.get_by_role("region", name="Available offline")
    saved.get_by_role("link", name=lesson.title).click()
    expect(page.locator("#lesson-heading")).to_have_text(lesson.title)
    page.get_by_role("button", name="Mark complete and continue").click()
    expect(page.get_by_role("heading", name="Saved on this device")).to_be_visible()
    assert complete_url not in hits.posts
    assert not LessonProgress.objects.filter(lesson=lesson, completed_at__isnull=False).exists()

    browser_context.set_offline(False)
    page.goto(lesson_url)  # the next load sends what the outbox holds (so does `online`)
    _outbox_empty(page)
    page.reload()  # another load, another flush: nothing left to send
    _outbox_empty(page)
    expect(page.get_by_role("status").filter(has_text="Completed.")).to_be_visible()

    assert hits.posts.count(complete_url) == 1
    assert hits.completed == [lesson.pk]
    progress = LessonProgress.objects.get(learner=learner, lesson=lesson)
    assert progress.completed_at is not None
