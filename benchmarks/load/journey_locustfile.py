"""Locust users for the think-time journey load (benchmarks/load/journey.py runs it headless).

Learners are signed in: each takes the next of the N sessions the harness wrote (a `sessionid`
and `csrftoken` cookie, a JWT for the API, and the courses they are enrolled in), so N users are
N distinct learners with their own enrollments. Visitors are anonymous. Everyone waits 7.5-15 s
between actions, as Open edX's load tests model learners.

The learner's mix: the catalog (a fifth of the time with a search), a course page, the lesson
player, the player's heartbeat (`POST /lessons/<id>/position/` for a video, `/reading/` for an
article, JSON with the CSRF header, as static/js/player.js sends it), now and then marking a
lesson complete or taking a quiz (start, then submit), the dashboard, the leaderboard, the Q&A
list and a question, and API calls with the JWT. A request counts as a success only with the
status the product gives a signed-in learner: a redirect to the sign-in page is a failure.

The data file (JOURNEY_DATA) is written by journey.py's `_setup`; JOURNEY_VISITOR_WEIGHT and
JOURNEY_LEARNER_WEIGHT set the mix of the two user classes.
"""

from __future__ import annotations

import itertools
import json
import os
import random
from pathlib import Path
from typing import Any

from locust import FastHttpUser, between, task

DATA: dict[str, Any] = json.loads(Path(os.environ["JOURNEY_DATA"]).read_text())
COURSES: list[dict[str, Any]] = DATA["courses"]
QUESTIONS: list[int] = DATA["questions"] or [0]
SEARCH_TERMS: list[str] = DATA["search_terms"] or ["python"]
_next_learner = itertools.count()
THINK_TIME = between(7.5, 15)


def _expect(response: Any, statuses: tuple[int, ...], location_prefix: str = "") -> None:
    """Mark the request failed unless it has one of `statuses` (and, for a redirect, goes where
    the product sends a learner, never to the sign-in page)."""
    if response.status_code not in statuses:
        location = response.headers.get("Location", "") if response.headers else ""
        response.failure(f"status {response.status_code} {location}".strip())
        return
    if 300 <= response.status_code < 400:
        location = response.headers.get("Location", "")
        if "/accounts/login/" in location or (location_prefix and location_prefix not in location):
            response.failure(f"redirected to {location}")
            return
    response.success()


class Visitor(FastHttpUser):
    """Someone browsing without an account: home, catalog, search, course pages."""

    weight = int(os.environ.get("JOURNEY_VISITOR_WEIGHT", "1"))
    wait_time = THINK_TIME

    def _get(self, path: str, name: str) -> None:
        with self.client.get(
            path, name=name, catch_response=True, allow_redirects=False
        ) as response:
            _expect(response, (200,))

    @task(1)
    def home(self) -> None:
        self._get("/", "anon home")

    @task(3)
    def catalog(self) -> None:
        if random.random() < 0.3:
            self._get(f"/courses/?q={random.choice(SEARCH_TERMS)}", "anon catalog search")
        else:
            self._get("/courses/", "anon catalog")

    @task(3)
    def course_page(self) -> None:
        self._get(f"/courses/{random.choice(COURSES)['slug']}/", "anon course page")


class Learner(FastHttpUser):
    """A signed-in learner working through their own courses."""

    weight = int(os.environ.get("JOURNEY_LEARNER_WEIGHT", "9"))
    wait_time = THINK_TIME

    def on_start(self) -> None:
        learners = DATA["learners"]
        me = learners[next(_next_learner) % len(learners)]
        self.csrf: str = me["csrf"]
        self.cookie = f"sessionid={me['session']}; csrftoken={self.csrf}"
        self.jwt = f"Bearer {me['jwt']}"
        self.courses = [COURSES[index] for index in me["courses"]]
        self.course = self.courses[0]
        self.lesson = self.course["lessons"][0]
        self.position = 0
        self.quizzes_taken: set[int] = set()

    # --- helpers -----------------------------------------------------------------------------

    def _page(self, path: str, name: str, statuses: tuple[int, ...] = (200,)) -> None:
        with self.client.get(
            path,
            name=name,
            headers={"Cookie": self.cookie},
            catch_response=True,
            allow_redirects=False,
        ) as response:
            _expect(response, statuses)

    def _api(self, path: str, name: str) -> None:
        with self.client.get(
            path,
            name=name,
            headers={"Authorization": self.jwt},
            catch_response=True,
            allow_redirects=False,
        ) as response:
            _expect(response, (200,))

    def _post(self, path: str, name: str, **kwargs: Any) -> Any:
        headers = {"Cookie": self.cookie, "X-CSRFToken": self.csrf, **kwargs.pop("headers", {})}
        return self.client.post(
            path, name=name, headers=headers, catch_response=True, allow_redirects=False, **kwargs
        )

    def _choose_lesson(self) -> None:
        """Usually the next lesson of the current course, sometimes another of my courses."""
        if random.random() < 0.2:
            self.course = random.choice(self.courses)
        lessons = self.course["lessons"]
        if self.lesson not in lessons or random.random() < 0.3:
            self.lesson = random.choice(lessons)
        self.position = 0

    # --- the journey -------------------------------------------------------------------------

    @task(3)
    def catalog(self) -> None:
        if random.random() < 0.2:
            self._page(f"/courses/?q={random.choice(SEARCH_TERMS)}", "catalog search")
        else:
            self._page("/courses/", "catalog")

    @task(2)
    def course_page(self) -> None:
        self._page(f"/courses/{self.course['slug']}/", "course page")

    @task(4)
    def lesson_page(self) -> None:
        self._choose_lesson()
        self._page(f"/learn/{self.course['slug']}/{self.lesson['id']}/", "lesson page")

    @task(5)
    def heartbeat(self) -> None:
        lesson = self.lesson
        if lesson["kind"] == "video":
            duration = lesson["duration"] or 600
            # The player reports every few seconds of playback; a think time of 7.5-15 s is
            # one report per action, kept short of the 90% that completes the video.
            self.position = min(self.position + 10, int(duration * 0.8))
            path = f"/lessons/{lesson['id']}/position/"
            payload: dict[str, Any] = {"position_seconds": self.position, "seconds_spent_delta": 10}
            name = "heartbeat (video position)"
        elif lesson["kind"] == "article":
            path = f"/lessons/{lesson['id']}/reading/"
            payload = {"seconds_spent": 15, "reached_end": False}
            name = "heartbeat (article reading)"
        else:
            self.lesson_page()
            return
        with self._post(path, name, json=payload) as response:
            _expect(response, (200,))

    @task(1)
    def complete_lesson(self) -> None:
        if self.lesson["kind"] == "quiz":
            self.quiz()
            return
        with self._post(
            f"/lessons/{self.lesson['id']}/complete/",
            "complete lesson",
            data="",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        ) as response:
            # A form post moves on: to the next lesson, or to the course's completion page.
            _expect(response, (302,), location_prefix="/")

    def quiz(self) -> None:
        quizzes = [lesson for lesson in self.course["lessons"] if lesson.get("quiz")]
        fresh = [lesson for lesson in quizzes if lesson["quiz"] not in self.quizzes_taken]
        if not fresh:
            self.dashboard()
            return
        quiz = fresh[0]["quiz"]
        self.quizzes_taken.add(quiz)
        form = {"Content-Type": "application/x-www-form-urlencoded"}
        with self._post(f"/quizzes/{quiz}/start/", "quiz start", data="", headers=form) as start:
            _expect(start, (302,), location_prefix="/quiz-attempts/")
            location = start.headers.get("Location", "") if start.headers else ""
        if "/quiz-attempts/" not in location:
            return
        attempt = location.split("?", 1)[0]
        with self._post(attempt, "quiz submit", data="", headers=form) as submit:
            _expect(submit, (302,), location_prefix="/quiz-attempts/")

    @task(1)
    def quiz_task(self) -> None:
        self.quiz()

    @task(2)
    def dashboard(self) -> None:
        self._page("/dashboard/", "dashboard")

    @task(1)
    def leaderboard(self) -> None:
        self._page("/leaderboard/", "leaderboard")

    @task(1)
    def questions(self) -> None:
        self._page("/questions/", "Q&A list")

    @task(1)
    def question(self) -> None:
        self._page(f"/questions/{random.choice(QUESTIONS)}/", "question page")

    @task(2)
    def api(self) -> None:
        choice = random.random()
        if choice < 0.4:
            self._api(f"/api/v1/courses/{self.course['id']}/progress", "api course progress")
        elif choice < 0.7:
            self._api("/api/v1/notifications", "api notifications")
        else:
            self._api("/api/v1/users/profile", "api profile")
