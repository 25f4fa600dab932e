"""No open redirects: every page that sends the browser to a `next` it was given goes only to a
path on this site (core.http.safe_next_url).

`/\\evil.example` used to pass the Q&A follow button and the learning-mode switchers (a check
for "starts with / but not //"); browsers read it as `//evil.example`, another host.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from allauth.account.models import EmailAddress
from django.test import Client, RequestFactory, override_settings
from django.urls import reverse

from accounts.models import User
from accounts.tests.factories import DEFAULT_PASSWORD, StudentFactory
from core.http import safe_next_url
from courses.tests.factories import CourseFactory
from notifications.models import Notification
from qa.models import Category

HOSTILE = [
    "/\\evil.example",
    "/\\/evil.example",
    "//evil.example",
    "///evil.example",
    "https://evil.example",
    "https:evil.example",
    "javascript:alert(1)",
    " javascript:alert(1)",
    "\x01javascript:alert(1)",
    "/\t/evil.example",
]
GOOD = "/courses/?page=2"


@pytest.fixture
def learner(db: None) -> User:
    user = StudentFactory()
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


@pytest.fixture
def signed_in(learner: User) -> Client:
    client = Client()
    client.force_login(learner)
    return client


# Each page that takes `next`: (url, extra POST data, where it goes without a good `next`).
def _theme(_: User) -> tuple[str, dict[str, Any], str]:
    return reverse("theme_set"), {"theme": "dark"}, reverse("home")


def _qa_follow(_: User) -> tuple[str, dict[str, Any], str]:
    category, _ = Category.objects.get_or_create(slug="tides", defaults={"name": "Tides"})
    return reverse("qa:follow"), {"category": category.slug}, reverse("qa:following")


def _default_mode(_: User) -> tuple[str, dict[str, Any], str]:
    return reverse("learning:default-mode"), {"mode": "relax"}, reverse("courses:dashboard")


def _course_mode(_: User) -> tuple[str, dict[str, Any], str]:
    course = CourseFactory()
    return (
        reverse("learning:course-mode", args=[course.pk]),
        {"mode": "binge"},
        reverse("courses:dashboard"),
    )


def _instructor_follow(_: User) -> tuple[str, dict[str, Any], str]:
    instructor = CourseFactory().instructors.get()
    return (
        reverse("notifications:instructor-follow", args=[instructor.pk]),
        {},
        reverse("notifications:following"),
    )


PAGES: dict[str, Callable[[User], tuple[str, dict[str, Any], str]]] = {
    "theme_set": _theme,
    "notifications:instructor-follow": _instructor_follow,
    "qa:follow": _qa_follow,
    "learning:default-mode": _default_mode,
    "learning:course-mode": _course_mode,
}


@pytest.mark.django_db
@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("target", HOSTILE)
def test_a_foreign_next_falls_back_to_the_page_own_destination(
    signed_in: Client, learner: User, page: str, target: str
) -> None:
    url, data, fallback = PAGES[page](learner)

    response = signed_in.post(url, {**data, "next": target})

    assert response.status_code == 302
    assert response["Location"] == fallback


@pytest.mark.django_db
@pytest.mark.parametrize("page", PAGES)
def test_a_local_next_is_followed(signed_in: Client, learner: User, page: str) -> None:
    url, data, _ = PAGES[page](learner)

    response = signed_in.post(url, {**data, "next": GOOD})

    assert response.status_code == 302
    assert response["Location"] == GOOD


@pytest.mark.django_db
@pytest.mark.parametrize("target", HOSTILE)
def test_a_notification_link_off_the_site_is_not_followed(
    signed_in: Client, learner: User, target: str
) -> None:
    notification = Notification.objects.create(
        recipient=learner, kind="announcement", title="Hello", link=target, dedupe_key="x"
    )

    response = signed_in.post(
        reverse("notifications:read", args=[notification.pk]), {"follow": "1"}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("notifications:inbox")


@pytest.mark.django_db
@pytest.mark.parametrize("target", HOSTILE)
def test_signing_in_never_sends_the_browser_off_the_site(learner: User, target: str) -> None:
    """allauth's login takes `next` too (it uses the same Django check)."""
    response = Client().post(
        reverse("account_login"),
        {"login": learner.email, "password": DEFAULT_PASSWORD, "next": target},
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("home")


@pytest.mark.django_db
def test_signing_in_follows_a_local_next(learner: User) -> None:
    response = Client().post(
        reverse("account_login"),
        {"login": learner.email, "password": DEFAULT_PASSWORD, "next": GOOD},
    )

    assert response.status_code == 302
    assert response["Location"] == GOOD


@pytest.mark.parametrize("target", HOSTILE)
def test_safe_next_url_refuses_hostile_targets(target: str) -> None:
    request = RequestFactory().get("/")

    assert safe_next_url(request, target, "home") == "/"


def test_safe_next_url_keeps_an_absolute_url_on_this_host() -> None:
    request = RequestFactory().get("/")

    assert safe_next_url(request, "http://testserver/qa/", "home") == "http://testserver/qa/"


@override_settings(IS_PRODUCTION=True)
def test_in_production_an_absolute_next_must_be_https() -> None:
    request = RequestFactory().get("/")

    assert safe_next_url(request, "http://testserver/qa/", "home") == "/"
    assert safe_next_url(request, "https://testserver/qa/", "home") == "https://testserver/qa/"
    assert safe_next_url(request, "/qa/", "home") == "/qa/"
