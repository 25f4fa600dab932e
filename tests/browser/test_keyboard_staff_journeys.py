"""The instructor's and the admin's journeys through the Django admin with the keyboard alone (Tab,
Shift+Tab, Enter, Space, typing into fields and selects): every stop visibly focused, no page
trapping the focus, axe-core on the way. The mouse versions are test_instructor_journey and
test_admin_journey."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from allauth.mfa.models import Authenticator
from playwright.sync_api import BrowserContext, Page, expect

from accounts.services import role_groups_sync
from accounts.tests.factories import AdminFactory, InstructorFactory, StudentFactory
from billing.models import Purchase
from billing.tests.factories import PurchaseFactory
from billing.tests.fake_stripe import FakeStripe, FakeStripeServer
from core.roles import Role
from courses.models import Course, Lesson
from courses.tests.factories import CourseFactory
from tests.browser.conftest import (
    assert_admin_page_accessible,
    assert_no_keyboard_trap,
    log_in,
    tab_to,
)

# The admin's pages carry many links before their forms: allow for them.
ADMIN_TABS = 200
STRIPE_SECRET_KEY = "sk_test_lumen_browser_keys"


@pytest.fixture
def stripe_fake(settings: Any) -> Iterator[FakeStripe]:
    with FakeStripeServer(STRIPE_SECRET_KEY) as fake:
        settings.STRIPE_SECRET_KEY = STRIPE_SECRET_KEY
        settings.STRIPE_API_BASE = fake.url
        settings.STRIPE_TIMEOUT_SECONDS = 5
        yield fake


def with_two_factor(user: Any) -> Any:
    # Staff must have two-factor authentication set up before the admin lets them in.
    Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP, data={"secret": "x"})
    return user


def skip_to_admin_content(page: Page) -> None:
    """The admin's first Tab stop is its skip link; Enter jumps past the navigation sidebar."""
    page.keyboard.press("Tab")
    assert page.evaluate(
        "() => document.activeElement.classList.contains('skip-to-content-link')"
    ), f"the first Tab did not reach the admin's skip link on {page.url}"
    page.keyboard.press("Enter")


def type_into(page: Page, selector: str, text: str) -> None:
    """Tab to a field from where the focus is, then type, as a person does."""
    tab_to(page, selector, limit=ADMIN_TABS)
    page.keyboard.type(text)


def choose(page: Page, selector: str, option: str, *, backwards: bool = False) -> None:
    """Tab to a <select> and pick an option by typing its first letters (no mouse, no opening)."""
    tab_to(page, selector, limit=ADMIN_TABS, backwards=backwards)
    page.keyboard.type(option)
    expect(page.locator(f"{selector} option:checked")).to_have_text(option)


def press(page: Page, selector: str, key: str = "Enter") -> None:
    tab_to(page, selector, limit=ADMIN_TABS)
    page.keyboard.press(key)


def run_action_by_keyboard(page: Page, row_text: str, action: str) -> None:
    """Tick a row of an admin list with Space, go back up to the action bar (Shift+Tab), pick
    the action, press Go."""
    row = page.get_by_role("row", name=row_text)
    row_id = row.get_by_role("checkbox").get_attribute("value")
    skip_to_admin_content(page)
    press(page, f"input.action-select[value='{row_id}']", "Space")
    expect(row.get_by_role("checkbox")).to_be_checked()
    choose(page, "select[name=action]", action, backwards=True)
    press(page, "button[name=index]")


def test_an_instructor_builds_and_publishes_a_course_with_the_keyboard(
    page: Page, browser_context: BrowserContext, live_server: Any
) -> None:
    role_groups_sync()
    instructor = with_two_factor(InstructorFactory(display_name="Kim Keys"))
    log_in(browser_context, instructor, live_server)

    page.goto("/admin/courses/course/")
    skip_to_admin_content(page)
    press(page, "a.addlink")
    page.wait_for_url("**/admin/courses/course/add/")
    # The add form puts the focus in its first field (Django's autofocus).
    expect(page.locator("#id_title")).to_be_focused()
    type_into(page, "#id_title", "Keyboard First")
    type_into(page, "#id_subtitle", "Everything without a mouse.")
    expect(page.locator("#id_slug")).to_have_value("keyboard-first")
    type_into(page, "#id_modules-0-title", "Tabs")
    assert_no_keyboard_trap(page, limit=400)
    press(page, "input[name=_continue]")
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")
    course = Course.objects.get(slug="keyboard-first")
    assert list(course.instructors.all()) == [instructor]

    # Lessons of the module: an article, then a quiz in a second inline row.
    page.goto(f"/admin/courses/module/{course.modules.get().pk}/change/")
    skip_to_admin_content(page)
    type_into(page, "#id_lessons-0-title", "Focus order")
    choose(page, "#id_lessons-0-kind", "Article")
    press(page, ".inline-group .add-row a")
    type_into(page, "#id_lessons-1-title", "Check yourself")
    choose(page, "#id_lessons-1-kind", "Quiz")
    assert_admin_page_accessible(page, "admin module, by keyboard")
    press(page, "input[name=_continue]")
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    article = Lesson.objects.get(title="Focus order")
    quiz_lesson = Lesson.objects.get(title="Check yourself")
    assert (article.kind, quiz_lesson.kind) == (Lesson.Kind.ARTICLE, Lesson.Kind.QUIZ)

    page.goto(f"/admin/courses/lesson/{article.pk}/change/")
    skip_to_admin_content(page)
    type_into(page, "#id_body", "Tab moves **forward**; Shift+Tab moves back.")
    press(page, "input[name=_save]")
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    article.refresh_from_db()
    assert "Shift+Tab" in article.body

    page.goto(f"/admin/courses/quiz/{quiz_lesson.quiz.pk}/change/")
    skip_to_admin_content(page)
    type_into(page, "#id_questions-0-text", "Which key moves the focus back?")
    type_into(page, "#id_questions-0-choices_text", "*Shift+Tab")
    page.keyboard.press("Enter")  # a new line in the textarea: one choice per line
    page.keyboard.type("Escape")
    press(page, "input[name=_save]")
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    question = quiz_lesson.quiz.questions.get()
    assert [(c.text, c.is_correct) for c in question.choices.order_by("order")] == [
        ("Shift+Tab", True),
        ("Escape", False),
    ]

    page.goto("/admin/courses/course/")
    run_action_by_keyboard(page, "Keyboard First", "Publish")
    expect(page.locator(".messagelist")).to_contain_text("1 course(s) published.")
    course.refresh_from_db()
    assert course.status == Course.Status.PUBLISHED
    assert_admin_page_accessible(page, "admin course list after publishing, by keyboard")


def test_an_admin_promotes_an_instructor_and_refunds_with_the_keyboard(
    page: Page, browser_context: BrowserContext, live_server: Any, stripe_fake: FakeStripe
) -> None:
    role_groups_sync()
    admin = with_two_factor(AdminFactory(email="kai@example.com", display_name="Kai Admin"))
    student = StudentFactory(email="tess@example.com", display_name="Tess Teacher")
    purchase = PurchaseFactory(
        buyer=StudentFactory(email="bea@example.com", display_name="Bea Buyer"),
        course=CourseFactory(title="Typing Basics"),
        amount_cents=2900,
        stripe_payment_intent_id="pi_keyboard_1",
    )
    log_in(browser_context, admin, live_server)

    page.goto("/admin/")
    skip_to_admin_content(page)
    press(page, "#content a[href='/admin/accounts/user/']")
    expect(page.get_by_role("heading", name="Select user to change")).to_be_visible()
    run_action_by_keyboard(page, "tess@example.com", "Promote to instructor")
    expect(page.locator(".messagelist")).to_contain_text("1 user(s) are now instructors.")
    student.refresh_from_db()
    assert student.role == Role.INSTRUCTOR
    assert_no_keyboard_trap(page, limit=400)

    page.goto("/admin/billing/purchase/")
    run_action_by_keyboard(page, "Bea Buyer", "Refund through Stripe and revoke access")
    expect(page.locator(".messagelist")).to_contain_text("Refunded")
    purchase.refresh_from_db()
    assert purchase.status == Purchase.Status.REFUNDED
    (refund,) = stripe_fake.calls("POST", "/v1/refunds")
    assert refund.params["payment_intent"] == "pi_keyboard_1"
    assert_admin_page_accessible(page, "admin purchase list after the refund, by keyboard")
