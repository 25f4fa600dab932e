"""Two tabs of one user hear a notification within a second, without reloading; others do not.

Lumen runs under uvicorn (lms.asgi, WebSockets included) on the test database. A learner enrolls
through the API on that server, which notifies the course's instructor.
"""

from __future__ import annotations

import os
from typing import Any

import httpx
import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import Browser, expect

from accounts.tokens import token_pair_issue
from courses.tests.factories import CourseFactory, InstructorFactory, StudentFactory
from tests.integration.servers import current_database_url, lumen_servers

pytestmark = pytest.mark.django_db(transaction=True)


def _environment() -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DATABASE_URL", "REDIS_URL", "CELERY_"))
    }
    env.update(
        DJANGO_ENV="test",
        DATABASE_URL=current_database_url(),
        SECRET_KEY=settings.SECRET_KEY,
        JWT_SECRET=settings.SIMPLE_JWT["SIGNING_KEY"],
        MFA_REQUIRED_FOR_STAFF="false",
        DEBUG="true",  # WhiteNoise serves static files from the finders (no collectstatic here)
        LOG_LEVEL="WARNING",
    )
    return env


def _signed_in_context(browser: Browser, base_url: str, user: Any):
    client = Client()
    client.force_login(user)
    context = browser.new_context(base_url=base_url)
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": base_url,
            }
        ]
    )
    return context


def test_both_tabs_of_the_instructor_hear_an_enrolment_live(browser: Browser, tmp_path) -> None:
    instructor, other_instructor = InstructorFactory(), InstructorFactory()
    learner = StudentFactory()
    course = CourseFactory(instructors=[instructor], title="Async Django")
    access = token_pair_issue(user=learner)["access"]

    with lumen_servers(1, _environment(), tmp_path) as (port,):
        base_url = f"http://127.0.0.1:{port}"
        mine = _signed_in_context(browser, base_url, instructor)
        theirs = _signed_in_context(browser, base_url, other_instructor)
        tabs = [mine.new_page(), mine.new_page()]
        stranger = theirs.new_page()
        for tab in [*tabs, stranger]:
            tab.goto("/notifications/")
            # Connected: the socket has sent the unread count (slow on a loaded machine).
            expect(tab.locator("#notification-bell")).to_have_attribute(
                "data-unread-count", "0", timeout=15_000
            )

        response = httpx.post(
            f"{base_url}/api/v1/courses/{course.pk}/enroll",
            headers={"Authorization": f"Bearer {access}"},
            timeout=10,
        )
        assert response.status_code == 201

        for tab in tabs:
            item = tab.locator("#notification-list li").first
            expect(item).to_contain_text(f"{learner.name} enrolled in Async Django", timeout=1000)
            expect(tab.locator("#notification-bell-count")).to_have_text("1", timeout=1000)
            expect(tab.get_by_text("1 unread")).to_be_visible()
        stranger.wait_for_timeout(300)
        expect(stranger.locator("#notification-bell")).to_have_attribute("data-unread-count", "0")
        expect(stranger.locator("#notification-empty")).to_be_visible()
        mine.close()
        theirs.close()
