"""An instructor's journey in real Chromium: build a course in the Django admin (a module, an
article, a quiz with a question), see that someone else's course is not theirs to see, publish,
find the course in the catalog, and read their analytics once a learner has started it.
Every page passes axe-core in each theme."""

from __future__ import annotations

import re
from typing import Any

from allauth.mfa.models import Authenticator
from playwright.sync_api import BrowserContext, Page, expect

from accounts.services import role_groups_sync
from accounts.tests.factories import InstructorFactory, StudentFactory
from analytics.tasks import rollup_recent_days
from courses import services as course_services
from courses.models import Course, Lesson
from courses.tests.factories import course_with_outline
from tests.browser.conftest import (
    assert_admin_page_accessible,
    assert_page_accessible_in_every_theme,
    log_in,
    save_screenshots,
)


def an_instructor(name: str) -> Any:
    instructor = InstructorFactory(display_name=name)
    # Staff must have two-factor authentication set up before the admin lets them in.
    Authenticator.objects.create(
        user=instructor, type=Authenticator.Type.TOTP, data={"secret": "x"}
    )
    return instructor


def test_an_instructor_builds_publishes_and_follows_a_course(
    page: Page, browser_context: BrowserContext, live_server: Any
) -> None:
    role_groups_sync()
    instructor = an_instructor("Ines Instructor")
    course_with_outline(title="Someone else's course", instructors=[an_instructor("Otto Other")])
    log_in(browser_context, instructor, live_server)

    # The admin shows only the instructor's own courses: none yet.
    page.goto("/admin/courses/course/")
    expect(page.get_by_role("heading", name="Select course to change")).to_be_visible()
    expect(page.get_by_text("Someone else's course")).to_have_count(0)
    assert_admin_page_accessible(page, "admin course list")

    # A new course with its first module, written inline.
    page.get_by_role("link", name="Add course").click()
    page.get_by_label("Title:", exact=True).fill("Accessible Web Forms")
    page.keyboard.press("Tab")  # the slug is filled in from the title when it changes
    expect(page.get_by_label("Slug:")).to_have_value("accessible-web-forms")
    page.get_by_label("Subtitle:").fill("Labels, errors and focus, done right.")
    page.locator("#id_modules-0-title").fill("Labels")
    assert_admin_page_accessible(page, "admin add course")
    save_screenshots(page, "admin-add-course")
    page.get_by_role("button", name="Save and continue editing").click()
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")
    course = Course.objects.get(slug="accessible-web-forms")
    assert list(course.instructors.all()) == [instructor]
    assert course.status == Course.Status.DRAFT
    assert list(course.modules.values_list("title", flat=True)) == ["Labels"]

    # Two lessons in the module: an article and a quiz.
    page.get_by_role("link", name="Edit lessons", exact=True).click()
    expect(page.get_by_role("heading", name="Change module")).to_be_visible()
    page.locator("#id_lessons-0-title").fill("Every input has a label")
    page.locator("#id_lessons-0-kind").select_option(label="Article")
    page.get_by_role("button", name=re.compile("add another lesson", re.IGNORECASE)).click()
    page.locator("#id_lessons-1-title").fill("Check yourself")
    page.locator("#id_lessons-1-kind").select_option(label="Quiz")
    assert_admin_page_accessible(page, "admin module with lessons")
    page.get_by_role("button", name="Save and continue editing").click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")

    # The article's text.
    page.get_by_role("link", name="Edit content").first.click()
    page.get_by_label("Body:", exact=True).fill("A **label** names its input for everyone.")
    assert_admin_page_accessible(page, "admin lesson")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")

    # The quiz's question, with its choices one per line (* marks the correct one).
    quiz_lesson = Lesson.objects.get(title="Check yourself")
    page.goto(f"/admin/courses/lesson/{quiz_lesson.pk}/change/")
    page.get_by_role("link", name="Edit questions").click()
    page.locator("#id_questions-0-text").fill("What ties an error message to its input?")
    # First without marking the correct choice: the error is tied to the choices field.
    choices = page.locator("#id_questions-0-choices_text")
    choices.fill("aria-describedby\nA red border")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(choices).to_have_attribute("aria-invalid", "true")
    expect(choices).to_have_accessible_description(re.compile("Mark exactly one choice correct"))
    assert_admin_page_accessible(page, "admin quiz with an error")
    choices.fill("*aria-describedby\nA red border")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    question = quiz_lesson.quiz.questions.get()
    assert [(c.text, c.is_correct) for c in question.choices.order_by("order")] == [
        ("aria-describedby", True),
        ("A red border", False),
    ]

    # Publish with the action on the course list.
    page.goto("/admin/courses/course/")
    page.get_by_role("row", name="Accessible Web Forms").get_by_role("checkbox").check()
    page.get_by_label("Action:").select_option(label="Publish")
    page.get_by_role("button", name="Go").click()
    expect(page.locator(".messagelist")).to_contain_text("1 course(s) published.")
    course.refresh_from_db()
    assert course.status == Course.Status.PUBLISHED
    assert_admin_page_accessible(page, "admin course list after publishing")
    save_screenshots(page, "admin-course-list")

    # Someone else's course answers "not found", even by its address.
    other = Course.objects.get(title="Someone else's course")
    response = page.goto(f"/admin/courses/course/{other.pk}/change/")
    assert response is not None
    assert response.status == 404

    # The course is in the catalog; a learner starts it; the analytics show them.
    page.goto("/courses/")
    expect(page.get_by_role("link", name="Accessible Web Forms")).to_be_visible()
    learner = StudentFactory(display_name="Lea Learner")
    course_services.enrollment_create(learner=learner, course=course)
    rollup_recent_days()  # what the scheduler runs every 15 minutes
    page.goto("/teach/analytics/")
    expect(page.get_by_role("heading", name="Your course analytics", level=1)).to_be_visible()
    funnel = page.locator("#funnel-table")
    expect(funnel.get_by_role("row", name="Enrolled 1 100.0%", exact=True)).to_be_visible()
    expect(page.get_by_text("Someone else's course")).to_have_count(0)
    assert_page_accessible_in_every_theme(page, "instructor analytics")
    save_screenshots(page, "instructor-analytics")
