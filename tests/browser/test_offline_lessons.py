"""Offline lessons in real Chromium: save a lesson for offline, lose the connection, open it from
the list of saved lessons, mark it complete offline; back online, the completion reaches the
server exactly once. A saved video lesson brings its captions, its images and its video, which
plays and seeks offline; a whole module can be saved at once."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.signals import request_started
from django.test import override_settings
from playwright.sync_api import BrowserContext, Page, expect

from courses import events as course_events
from courses.models import CaptionTrack, Enrollment, Lesson, LessonProgress
from courses.tests.factories import (
    EnrollmentFactory,
    LessonFactory,
    StudentFactory,
    course_with_outline,
)
from tests.browser.conftest import log_in

ROOT = Path(__file__).resolve().parents[2]
SAMPLE_VIDEO = ROOT / "static" / "samples" / "lumen-sample.webm"
SAMPLE_CAPTIONS = ROOT / "static" / "samples" / "lumen-sample.en.vtt"
SAMPLE_IMAGE = ROOT / "static" / "img" / "icon-192.png"
SAVED = "lumen-saved-v1"


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


def _in_saved_cache(page: Page, url: str) -> bool:
    return page.evaluate(
        "([name, url]) => caches.open(name).then((c) => c.match(url)).then((r) => !!r)",
        [SAVED, url],
    )


def _saved_index(page: Page) -> list[str]:
    return page.evaluate(
        "(name) => caches.open(name).then((c) => c.match('/offline/saved.json'))"
        ".then((r) => (r ? r.json() : [])).then((entries) => entries.map((e) => e.url))",
        SAVED,
    )


def _video_lesson(module: Any) -> tuple[Lesson, CaptionTrack, str]:
    """A video lesson as an instructor uploads it: the video, a WebVTT track, and notes whose
    Markdown shows an uploaded image."""
    image = default_storage.save("lessons/commit-graph.png", ContentFile(SAMPLE_IMAGE.read_bytes()))
    lesson = LessonFactory(
        module=module,
        order=2,
        kind=Lesson.Kind.VIDEO,
        title="Watch it offline",
        duration_seconds=60,
        body=f"Notes.\n\n![A commit graph]({settings.MEDIA_URL}{image})",
    )
    lesson.video_file.save("clip.webm", ContentFile(SAMPLE_VIDEO.read_bytes()))
    track = CaptionTrack.objects.create(
        lesson=lesson,
        file=ContentFile(SAMPLE_CAPTIONS.read_bytes(), name="clip.en.vtt"),
        language="en",
        label="English",
        is_default=True,
    )
    return lesson, track, f"{settings.MEDIA_URL}{image}"


CUES = """async () => {
  const element = document.querySelector("#lesson-video track");
  element.track.mode = "showing";
  if (element.readyState !== 2) {
    await new Promise((loaded, failed) => {
      element.addEventListener("load", loaded, { once: true });
      element.addEventListener("error", () => failed(new Error("captions failed")), { once: true });
    });
  }
  return Array.from(element.track.cues).map((cue) => cue.text);
}"""

SEEK = """(seconds) => new Promise((done) => {
  const video = document.querySelector("#lesson-video");
  video.muted = true;
  video.addEventListener("seeked", () => done(), { once: true });
  video.currentTime = seconds;
})"""

RANGE_FETCH = """async (url) => {
  const response = await fetch(url, { headers: { Range: "bytes=100-199" } });
  return [response.status, response.headers.get("Content-Range"),
          (await response.arrayBuffer()).byteLength];
}"""


def test_a_saved_video_lesson_plays_and_seeks_offline_with_its_captions_and_images(
    page: Page, browser_context: BrowserContext, live_server: Any, tmp_path: Path
) -> None:
    with override_settings(MEDIA_ROOT=tmp_path):
        learner = StudentFactory()
        course = course_with_outline(modules=1, lessons_per_module=1, title="Offline video")
        EnrollmentFactory(course=course, learner=learner)
        lesson, track, image_url = _video_lesson(course.modules.get())
        lesson_url = f"/learn/{course.slug}/{lesson.pk}/"
        video_url, captions_url = lesson.video_file.url, track.file.url
        log_in(browser_context, learner, live_server)
        page.goto("/")
        page.wait_for_function("() => !!navigator.serviceWorker.controller")

        page.goto(lesson_url)
        page.get_by_role("button", name="Save for offline").click()
        expect(page.get_by_role("status").filter(has_text="Saved for offline.")).to_be_visible()
        for url in (lesson_url, video_url, captions_url, image_url):
            assert _in_saved_cache(page, url), f"{url} is not kept for offline"
        page.goto("/")

        browser_context.set_offline(True)
        page.goto("/offline/")
        page.wait_for_function("() => document.documentElement.dataset.offlineList === 'ready'")
        saved = page.get_by_role("region", name="Available offline")
        saved.get_by_role("link", name="Watch it offline").click()
        expect(page.locator("#lesson-heading")).to_have_text("Watch it offline")

        # The image in the notes, the captions track and the video all come from the device.
        page.wait_for_function(
            "() => { const i = document.querySelector('.prose img');"
            " return !!i && i.complete && i.naturalWidth === 192; }"
        )
        expect(page.locator("#lesson-video track")).to_have_attribute("src", captions_url)
        cues = page.evaluate(CUES)
        assert len(cues) == 5
        assert cues[0] == "Welcome! This short sample stands in for a lesson video."
        page.wait_for_function("() => document.querySelector('#lesson-video').readyState >= 1")
        assert round(page.evaluate("() => document.querySelector('#lesson-video').duration")) == 60
        page.evaluate(SEEK, 40)
        page.wait_for_function(
            "() => { const v = document.querySelector('#lesson-video');"
            " return v.readyState >= 2 && Math.floor(v.currentTime) === 40; }"
        )
        # A video element reads in ranges: the worker cuts them from the cached file.
        size = SAMPLE_VIDEO.stat().st_size
        assert page.evaluate(RANGE_FETCH, video_url) == [206, f"bytes 100-199/{size}", 100]
        captions = page.evaluate("(url) => fetch(url).then((r) => r.text())", captions_url)
        assert captions.startswith("WEBVTT")
        browser_context.set_offline(False)


def test_a_whole_module_is_saved_for_offline_without_moving_the_resume_point(
    page: Page, browser_context: BrowserContext, live_server: Any
) -> None:
    learner = StudentFactory()
    course = course_with_outline(modules=2, lessons_per_module=3, title="Module course")
    enrollment = EnrollmentFactory(course=course, learner=learner)
    first, second = course.modules.order_by("order")
    lessons = list(first.lessons.order_by("order"))
    urls = [f"/learn/{course.slug}/{lesson.pk}/" for lesson in lessons]
    log_in(browser_context, learner, live_server)
    page.goto("/")
    page.wait_for_function("() => !!navigator.serviceWorker.controller")
    page.goto(urls[0])
    expect(page.locator("#lesson-heading")).to_have_text("Lesson 1.1")

    outline = page.get_by_role("navigation", name="Course outline")
    outline.get_by_role("button", name="Save this module for offline: Module 1").click()
    expect(
        outline.get_by_role("status").filter(has_text="Saved 3 lessons for offline.")
    ).to_be_visible()
    assert sorted(_saved_index(page)) == sorted(urls)
    assert all(_in_saved_cache(page, url) for url in urls)
    second_url = f"/learn/{course.slug}/{second.lessons.order_by('order').first().pk}/"
    assert not _in_saved_cache(page, second_url)
    # Saving read the other lessons' pages, but the learner did not open them.
    enrollment.refresh_from_db()
    assert enrollment.last_lesson_id == lessons[0].pk
    assert set(LessonProgress.objects.filter(learner=learner).values_list("lesson", flat=True)) == {
        lessons[0].pk
    }

    browser_context.set_offline(True)
    page.goto("/offline/")
    page.wait_for_function("() => document.documentElement.dataset.offlineList === 'ready'")
    saved = page.get_by_role("region", name="Available offline")
    for lesson in lessons:
        expect(saved.get_by_role("link", name=lesson.title, exact=True)).to_be_visible()
    saved.get_by_role("link", name="Lesson 1.3", exact=True).click()
    expect(page.locator("#lesson-heading")).to_have_text("Lesson 1.3")
    browser_context.set_offline(False)
    assert Enrollment.objects.get(pk=enrollment.pk).last_lesson_id == lessons[0].pk
