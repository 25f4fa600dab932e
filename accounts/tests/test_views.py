"""The HTML pages: layout, allauth's pages in it, profile, theme, teaching applications, errors."""

from __future__ import annotations

import io
import json
import re
from typing import Any

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.views import defaults
from PIL import Image

from accounts.forms import AVATAR_MAX_BYTES
from accounts.management.commands.seed_demo import DEMO_PASSWORD
from accounts.models import TeacherApplication, User
from accounts.tests.factories import (
    DEFAULT_PASSWORD,
    InstructorFactory,
    StudentFactory,
    TeacherApplicationFactory,
)

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


# --- helpers --------------------------------------------------------------------------------------


def html_of(response: Any) -> str:
    return response.content.decode()


def data_theme(response: Any) -> str:
    match = re.search(r'<html lang="en" data-theme="([^"]*)"', html_of(response))
    assert match, "no <html lang data-theme> in the page"
    return match.group(1)


def assert_csp_clean(html: str) -> None:
    """No inline script (JSON data blocks excepted), no inline style, no inline event handler:
    the Content Security Policy allows scripts and styles from 'self' only."""
    for attributes in re.findall(r"<script\b([^>]*)>", html):
        assert "src=" in attributes or 'type="application/json"' in attributes, attributes
    assert not re.search(r"<style\b", html)
    assert not re.search(r"\sstyle=", html)
    assert not re.search(r"\son[a-z]+=", html)


def assert_in_layout(html: str) -> None:
    assert '<a class="skip-link" href="#main">Skip to main content</a>' in html
    assert '<main id="main" tabindex="-1">' in html
    assert '<nav class="site-nav" aria-label="Main">' in html
    assert 'role="status" aria-live="polite"' in html
    assert_csp_clean(html)


def logged_in_client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def form_logged_in_client(user: User) -> Client:
    """Logged in through allauth's form, so the session counts as recently authenticated."""
    verified(user)
    client = Client()
    response = client.post(
        reverse("account_login"), {"login": user.email, "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 302, response
    return client


def verified(user: User) -> User:
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


def png_upload(name: str = "avatar.png", size: tuple[int, int] = (8, 8)) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, (20, 80, 200)).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


@pytest.fixture
def totp_instructor() -> User:
    """An instructor who has set up TOTP, so the staff two-factor rule lets them through."""
    instructor = InstructorFactory()
    Authenticator.objects.create(
        user=instructor, type=Authenticator.Type.TOTP, data={"secret": "test"}
    )
    return instructor


@pytest.fixture
def _media_root(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path


# --- the layout -----------------------------------------------------------------------------------


def test_home_page_is_open_to_anonymous_visitors(client: Client) -> None:
    response = client.get(reverse("home"))

    assert response.status_code == 200
    html = html_of(response)
    assert_in_layout(html)
    assert '<h1 id="hero-heading">Learn anything, at your own pace</h1>' in html
    assert f'href="{reverse("account_signup")}">Create a free account</a>' in html
    assert f'href="{reverse("account_login")}">Log in</a>' in html
    assert "Log out" not in html
    assert data_theme(response) == "system"


def test_base_loads_vendored_htmx_and_sends_the_csrf_token_in_hx_headers(client: Client) -> None:
    response = client.get(reverse("home"))

    html = html_of(response)
    assert '<script src="/static/vendor/htmx/htmx.min.js" defer></script>' in html
    assert '<script src="/static/js/lumen.js" defer></script>' in html
    token = response.context["csrf_token"]
    assert f'<body hx-headers=\'{{"X-CSRFToken": "{token}"}}\'>' in html
    config = re.search(r'<meta name="htmx-config" content=\'([^\']*)\'>', html)
    assert config
    assert json.loads(config.group(1))["includeIndicatorStyles"] is False


def test_navigation_shows_a_students_name_role_and_student_links(student: User) -> None:
    html = html_of(logged_in_client(student).get(reverse("home")))

    assert f'<span>{student.name}</span> <span class="role-badge">Student</span>' in html
    assert f'<a href="{reverse("profile")}">Profile</a>' in html
    assert f'<a href="{reverse("teach")}">Teach on Lumen</a>' in html
    assert f'<form class="inline-form" method="post" action="{reverse("account_logout")}">' in html
    assert ">Admin</a>" not in html
    assert ">Log in</a>" not in html


def test_navigation_shows_staff_the_admin_link_and_no_teach_link(totp_instructor: User) -> None:
    html = html_of(logged_in_client(totp_instructor).get(reverse("home")))

    assert '<span class="role-badge">Instructor</span>' in html
    assert f'<li><a href="{reverse("admin:index")}">Admin</a></li>' in html
    assert ">Teach on Lumen</a>" not in html


def test_the_theme_menu_offers_exactly_the_users_theme_choices(client: Client) -> None:
    html = html_of(client.get(reverse("home")))

    offered = re.findall(r'name="theme" value="([^"]+)" aria-pressed="(true|false)"', html)
    assert offered == [
        ("system", "true"),
        ("light", "false"),
        ("dark", "false"),
        ("high-contrast", "false"),
    ]
    assert [value for value, _ in offered] == list(User.Theme.values)


# --- allauth's pages in the layout ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("url_name", "heading"),
    [
        ("account_login", "<h1>Log in to Lumen</h1>"),
        ("account_signup", "<h1>Create your Lumen account</h1>"),
        ("account_reset_password", "Password Reset"),
    ],
)
def test_allauth_entrance_pages_use_the_layout(client: Client, url_name: str, heading: str) -> None:
    response = client.get(reverse(url_name))

    assert response.status_code == 200
    html = html_of(response)
    assert_in_layout(html)
    assert heading in html
    assert 'class="container page--narrow"' in html


def test_login_form_fields_are_labelled(client: Client) -> None:
    html = html_of(client.get(reverse("account_login")))

    assert '<label for="id_login">Email</label>' in html
    assert '<label for="id_password">Password</label>' in html
    assert '<label for="id_remember">Remember Me</label>' in html
    # allauth's help text of the password field, tied to it and after it in the tab order.
    assert re.search(
        r'<input type="password" name="password"[^>]*aria-describedby="id_password_helptext"'
        r'[^>]*>\s*<div class="field__help" id="id_password_helptext">'
        rf'<a href="{reverse("account_reset_password")}">Forgot your password\?</a></div>',
        html,
    )


@pytest.mark.parametrize(
    "url_name",
    ["account_change_password", "account_email", "mfa_index"],
)
def test_allauth_account_pages_use_the_account_layout(student: User, url_name: str) -> None:
    verified(student)
    response = logged_in_client(student).get(reverse(url_name))

    assert response.status_code == 200
    html = html_of(response)
    assert_in_layout(html)
    assert '<nav class="account-nav card" aria-label="Account settings">' in html


def test_signup_form_errors_are_tied_to_their_fields(client: Client) -> None:
    response = client.post(
        reverse("account_signup"),
        {"email": "not-an-email", "password1": "a-long-passphrase-1", "password2": "different"},
    )

    assert response.status_code == 200  # allauth's own convention for its invalid forms
    html = html_of(response)
    assert re.search(
        r'<input type="email" name="email"[^>]*aria-describedby="id_email_error"', html
    )
    assert re.search(r'<input type="email" name="email"[^>]*aria-invalid="true"', html)
    assert '<ul class="errorlist" id="id_email_error"><li>Enter a valid email address.</li>' in html
    assert 'id="id_password2_error"' in html
    assert User.objects.count() == 0


def test_signup_creates_a_student_and_sends_a_verification_email(client: Client) -> None:
    response = client.post(
        reverse("account_signup"),
        {
            "email": "New.Learner@Example.com",
            "display_name": "Nia Learner",
            "password1": "a-long-passphrase-1",
            "password2": "a-long-passphrase-1",
        },
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    user = User.objects.get()
    assert (user.email, user.display_name, user.role) == (
        "new.learner@example.com",
        "Nia Learner",
        User.Role.STUDENT,
    )
    assert list(user.groups.values_list("name", flat=True)) == ["Students"]
    assert EmailAddress.objects.get(user=user).verified is False
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["new.learner@example.com"]
    confirm_path = re.search(
        r"http://testserver(/accounts/confirm-email/[^/\s]+/)", mail.outbox[0].body
    )
    assert confirm_path

    page = client.get(confirm_path.group(1))
    assert page.status_code == 200
    assert_in_layout(html_of(page))
    confirmed = client.post(confirm_path.group(1))

    assert confirmed.status_code == 302
    assert EmailAddress.objects.get(user=user).verified is True


def test_a_demo_user_can_log_in_through_the_login_form(client: Client) -> None:
    call_command("seed_demo", stdout=io.StringIO())

    response = client.post(
        reverse("account_login"),
        {"login": "student@lumen.localhost", "password": DEMO_PASSWORD},
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    html = html_of(client.get(reverse("home")))
    assert '<span>Sam Student</span> <span class="role-badge">Student</span>' in html


def test_a_wrong_password_is_refused_with_a_form_error(client: Client) -> None:
    verified(StudentFactory(email="learner@example.com"))

    response = client.post(
        reverse("account_login"), {"login": "learner@example.com", "password": "wrong-password"}
    )

    assert response.status_code == 200
    html = html_of(response)
    assert '<div class="alert alert--error" role="alert"' in html
    assert "The email address and/or password you specified are not correct." in html
    assert "_auth_user_id" not in client.session


# --- profile --------------------------------------------------------------------------------------


def test_profile_requires_login(client: Client) -> None:
    response = client.get(reverse("profile"))

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next={reverse('profile')}"


def test_profile_page_shows_the_labelled_form(student: User) -> None:
    response = logged_in_client(student).get(reverse("profile"))

    assert response.status_code == 200
    html = html_of(response)
    assert_in_layout(html)
    for field_id, label in [
        ("id_display_name", "Display name"),
        ("id_avatar", "Avatar"),
        ("id_time_zone", "Time zone"),
        ("id_bio", "About you"),
    ]:
        assert f'<label for="{field_id}">{label}' in html
    assert "<legend>Colour theme</legend>" in html
    assert '<option value="Europe/Paris"></option>' in html
    assert 'list="time-zone-options"' in html


def test_profile_edits_are_saved(student: User) -> None:
    client = logged_in_client(student)

    response = client.post(
        reverse("profile"),
        {
            "display_name": "Sam Renamed",
            "time_zone": "Europe/Paris",
            "bio": "I like maths.",
            "theme": "dark",
        },
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("profile")
    student.refresh_from_db()
    assert (student.display_name, student.time_zone, student.bio, student.theme) == (
        "Sam Renamed",
        "Europe/Paris",
        "I like maths.",
        "dark",
    )
    page = client.get(reverse("profile"))
    assert "Your profile has been saved." in html_of(page)
    assert data_theme(page) == "dark"


def test_a_bad_time_zone_is_a_field_error_and_nothing_is_saved(student: User) -> None:
    original_name = student.display_name

    response = logged_in_client(student).post(
        reverse("profile"),
        {"display_name": "Not Saved", "time_zone": "Mars/Olympus_Mons", "bio": "", "theme": "dark"},
    )

    assert response.status_code == 422
    html = html_of(response)
    assert re.search(
        r'name="time_zone"[^>]*aria-describedby="id_time_zone_helptext id_time_zone_error"', html
    )
    assert (
        '<ul class="errorlist" id="id_time_zone_error"><li>&#x27;Mars/Olympus_Mons&#x27; is not '
        "a known time zone; use an IANA name such as Europe/Paris.</li></ul>"
    ) in html
    # The page around the form still shows the saved account, not the refused values.
    assert f"<span>{original_name}</span>" in html
    assert data_theme(response) == "system"
    student.refresh_from_db()
    assert (student.display_name, student.time_zone, student.theme) == (
        original_name,
        "UTC",
        "system",
    )


@pytest.mark.usefixtures("_media_root")
def test_an_avatar_can_be_uploaded_and_cleared(student: User) -> None:
    client = logged_in_client(student)
    form = {"display_name": student.display_name, "time_zone": "UTC", "bio": "", "theme": "system"}

    uploaded = client.post(reverse("profile"), {**form, "avatar": png_upload()})

    assert uploaded.status_code == 302
    student.refresh_from_db()
    assert student.avatar.name.startswith(f"avatars/{student.pk}/")
    assert '<img class="avatar" src="/media/avatars/' in html_of(client.get(reverse("profile")))

    cleared = client.post(reverse("profile"), {**form, "avatar-clear": "on"})

    assert cleared.status_code == 302
    student.refresh_from_db()
    assert student.avatar.name == ""


@pytest.mark.usefixtures("_media_root")
def test_an_avatar_that_is_not_an_image_is_refused(student: User) -> None:
    original_name = student.display_name

    response = logged_in_client(student).post(
        reverse("profile"),
        {
            "display_name": "Not Saved",
            "time_zone": "UTC",
            "theme": "system",
            "avatar": SimpleUploadedFile("avatar.png", b"not an image", content_type="image/png"),
        },
    )

    assert response.status_code == 422
    assert (
        '<ul class="errorlist" id="id_avatar_error"><li>This file is not a GIF, JPEG, PNG or WebP '
        "image, or it is damaged.</li></ul>"
    ) in html_of(response)
    student.refresh_from_db()
    assert (student.avatar.name, student.display_name) == ("", original_name)


@pytest.mark.usefixtures("_media_root")
def test_an_avatar_over_two_megabytes_is_refused(student: User) -> None:
    oversized = SimpleUploadedFile(
        "big.png",
        png_upload().read() + b"\0" * (AVATAR_MAX_BYTES + 1),
        content_type="image/png",
    )

    response = logged_in_client(student).post(
        reverse("profile"),
        {"display_name": "x", "time_zone": "UTC", "theme": "system", "avatar": oversized},
    )

    assert response.status_code == 422
    assert (
        '<ul class="errorlist" id="id_avatar_error"><li>This image is 2.0 MB; choose one of at '
        "most 2 MB.</li></ul>"
    ) in html_of(response)
    student.refresh_from_db()
    assert student.avatar.name == ""


# --- the theme ------------------------------------------------------------------------------------


def test_an_anonymous_visitors_theme_is_kept_in_their_session(client: Client) -> None:
    response = client.post(
        reverse("theme_set"), {"theme": "dark", "next": reverse("account_login")}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("account_login")
    assert data_theme(client.get(reverse("home"))) == "dark"
    assert data_theme(Client().get(reverse("home"))) == "system"


def test_a_users_theme_persists_across_logout_and_a_new_session(student: User) -> None:
    verified(student)
    client = logged_in_client(student)

    client.post(reverse("theme_set"), {"theme": "high-contrast", "next": "/"})
    client.post(reverse("account_logout"))
    assert data_theme(client.get(reverse("home"))) == "system"

    fresh = Client()
    fresh.post(reverse("account_login"), {"login": student.email, "password": DEFAULT_PASSWORD})
    response = fresh.get(reverse("home"))

    assert data_theme(response) == "high-contrast"
    assert 'value="high-contrast" aria-pressed="true"' in html_of(response)
    student.refresh_from_db()
    assert student.theme == "high-contrast"


def test_the_theme_menu_is_re_rendered_in_place_for_htmx(student: User) -> None:
    response = logged_in_client(student).post(reverse("theme_set"), {"theme": "dark"}, **HTMX)

    assert response.status_code == 200
    assert json.loads(response["HX-Trigger"]) == {"lumen:theme-changed": {"theme": "dark"}}
    html = html_of(response).strip()
    assert html.startswith('<details id="theme-switcher" class="theme-menu" data-menu open>')
    assert "<html" not in html
    assert 'value="dark" aria-pressed="true"' in html
    assert 'value="system" aria-pressed="false"' in html
    student.refresh_from_db()
    assert student.theme == "dark"


def test_an_unknown_theme_is_refused_and_nothing_changes(student: User) -> None:
    client = logged_in_client(student)

    page = client.post(reverse("theme_set"), {"theme": "neon", "next": "/"})
    partial = client.post(reverse("theme_set"), {"theme": "neon"}, **HTMX)

    assert page.status_code == 400
    assert "Select a valid choice" not in html_of(page)
    assert (
        '<ul class="errorlist" id="id_theme_error"><li>Choose one of the themes listed.'
        in html_of(page)
    )
    assert partial.status_code == 422
    assert '<p class="errorlist" role="alert">Choose one of the themes listed.</p>' in html_of(
        partial
    )
    student.refresh_from_db()
    assert student.theme == "system"


def test_the_theme_view_never_redirects_to_another_site(client: Client) -> None:
    response = client.post(
        reverse("theme_set"), {"theme": "light", "next": "https://evil.example/"}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("home")


def test_the_theme_page_works_without_the_header_menu(client: Client) -> None:
    response = client.get(reverse("theme_set"))

    assert response.status_code == 200
    html = html_of(response)
    assert_in_layout(html)
    assert '<input type="radio" name="theme" value="system"' in html


# --- teaching applications ------------------------------------------------------------------------


def test_a_student_applies_to_teach(student: User) -> None:
    client = logged_in_client(student)

    response = client.post(
        reverse("teach"), {"expertise": "  Python  ", "motivation": "I run a coding club."}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("teach")
    application = TeacherApplication.objects.get()
    assert (application.applicant, application.expertise, application.status) == (
        student,
        "Python",
        TeacherApplication.Status.PENDING,
    )
    html = html_of(client.get(reverse("teach")))
    assert "Thanks! An admin will review your application." in html
    assert "Your application is under review." in html
    assert '<span class="badge">Pending review</span>' in html
    assert '<form class="form" method="post" novalidate>' not in html


def test_a_second_application_while_one_is_pending_is_refused(student: User) -> None:
    TeacherApplicationFactory(applicant=student)

    response = logged_in_client(student).post(
        reverse("teach"), {"expertise": "Chemistry", "motivation": "Again."}
    )

    assert response.status_code == 409
    html = html_of(response)
    assert '<div class="alert alert--error" role="alert" id="form-errors">' in html
    assert "You already have an application under review." in html
    assert TeacherApplication.objects.count() == 1
    assert TeacherApplication.objects.get().expertise != "Chemistry"


def test_an_incomplete_application_shows_field_errors(student: User) -> None:
    response = logged_in_client(student).post(reverse("teach"), {"expertise": "", "motivation": ""})

    assert response.status_code == 422
    html = html_of(response)
    assert re.search(
        r'name="expertise"[^>]*aria-describedby="id_expertise_helptext id_expertise_error"', html
    )
    assert '<ul class="errorlist" id="id_motivation_error"><li>This field is required.</li>' in html
    assert TeacherApplication.objects.count() == 0


def test_an_instructor_cannot_apply(totp_instructor: User) -> None:
    client = logged_in_client(totp_instructor)

    page = client.get(reverse("teach"))
    refused = client.post(reverse("teach"), {"expertise": "Art", "motivation": "Because."})

    assert "You can already teach on Lumen." in html_of(page)
    assert 'name="expertise"' not in html_of(page)
    assert refused.status_code == 400
    assert "You can already teach on Lumen." in html_of(refused)
    assert TeacherApplication.objects.count() == 0


def test_teach_page_lists_earlier_applications_in_a_fixed_number_of_queries(
    student: User, django_assert_max_num_queries: Any
) -> None:
    for status in ["rejected", "rejected", "approved", "rejected"]:
        TeacherApplicationFactory(applicant=student, status=status, review_note="Thanks.")
    client = logged_in_client(student)

    with django_assert_max_num_queries(4):
        response = client.get(reverse("teach"))

    assert response.status_code == 200
    assert html_of(response).count('<li class="card">') == 4
    assert html_of(response).count('<span class="badge">Rejected</span>') == 3


def test_teach_requires_login(client: Client) -> None:
    response = client.get(reverse("teach"))

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next={reverse('teach')}"


# --- admin and two-factor rules -------------------------------------------------------------------


def test_a_student_cannot_reach_the_admin(student: User) -> None:
    client = logged_in_client(student)

    response = client.get("/admin/")

    assert response.status_code == 302
    assert response["Location"] == "/admin/login/?next=/admin/"
    login = client.get(response["Location"])
    assert login.status_code == 403
    assert "You do not have access to this page" in html_of(login)


def test_an_instructor_without_totp_is_sent_to_set_it_up(instructor: User, settings: Any) -> None:
    settings.MFA_REQUIRED_FOR_STAFF = True
    client = form_logged_in_client(instructor)

    response = client.get(reverse("profile"))

    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")
    # allauth asks for the password again before any two-factor change.
    reauthenticate = client.get(reverse("mfa_activate_totp"))
    assert reauthenticate.status_code == 302
    assert reauthenticate["Location"].startswith(reverse("account_reauthenticate"))
    confirm = client.get(reauthenticate["Location"])
    assert confirm.status_code == 200
    assert_in_layout(html_of(confirm))
    assert "Instructors and admins must turn on two-factor authentication" in html_of(confirm)
    client.post(reauthenticate["Location"], {"password": DEFAULT_PASSWORD})
    setup = client.get(reverse("mfa_activate_totp"))
    assert setup.status_code == 200
    html = html_of(setup)
    assert_in_layout(html)
    assert '<img class="qr-code" src="data:image/svg+xml;base64,' in html
    assert '<label for="id_code">Authenticator code</label>' in html


def test_an_instructor_with_totp_is_not_redirected(totp_instructor: User, settings: Any) -> None:
    settings.MFA_REQUIRED_FOR_STAFF = True

    response = logged_in_client(totp_instructor).get(reverse("profile"))

    assert response.status_code == 200


def test_the_two_factor_check_comes_with_the_signed_in_user(
    totp_instructor: User, instructor: User, student: User, settings: Any
) -> None:
    """The middleware's TOTP check is part of the query that loads a session's user (accounts
    .selectors.request_user_with_totp), looked up for staff only; a user loaded another way
    (a factory here) is checked with a query of its own, with the same answer."""
    from accounts.backends import request_user_queryset
    from accounts.middleware import user_needs_totp

    settings.MFA_REQUIRED_FOR_STAFF = True
    users = (totp_instructor, instructor, student)
    loaded = {u.pk: u for u in request_user_queryset().filter(pk__in=[u.pk for u in users])}

    assert [loaded[u.pk].request_has_totp for u in users] == [
        True,
        False,
        False,
    ]
    for user in users:
        assert user_needs_totp(loaded[user.pk]) is user_needs_totp(user)
    assert user_needs_totp(loaded[instructor.pk]) is True

    client = logged_in_client(totp_instructor)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("profile")).status_code == 200
    assert not [
        q
        for q in queries.captured_queries
        if q["sql"].startswith('SELECT 1 AS "a" FROM "mfa_authenticator"')
    ]


# --- error pages ----------------------------------------------------------------------------------


def test_an_unknown_page_is_a_404_in_the_layout(client: Client) -> None:
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    html = html_of(response)
    assert_in_layout(html)
    assert "We could not find that page" in html


def test_the_403_page_names_the_signed_in_account(student: User) -> None:
    request = RequestFactory().get("/somewhere/")
    request.user = student
    request.session = {}

    response = defaults.permission_denied(request, exception=None)

    assert response.status_code == 403
    assert f"You are logged in as {student.name} (Student)" in html_of(response)


def test_the_500_page_needs_no_request_context_and_no_database(
    django_assert_num_queries: Any,
) -> None:
    request = RequestFactory().get("/")

    with django_assert_num_queries(0):
        response = defaults.server_error(request)

    assert response.status_code == 500
    html = html_of(response)
    assert "Something went wrong on our side" in html
    assert '<a class="skip-link" href="#main">Skip to main content</a>' in html
    assert 'data-theme="system"' in html
    assert_csp_clean(html)


def test_a_form_with_an_expired_csrf_token_gets_the_styled_403_page() -> None:
    response = Client(enforce_csrf_checks=True).post(reverse("theme_set"), {"theme": "dark"})

    assert response.status_code == 403
    html = html_of(response)
    assert "This form has expired" in html
    assert '<a class="skip-link" href="#main">Skip to main content</a>' in html
    assert_csp_clean(html)


def test_the_logout_page_asks_before_logging_out(student: User) -> None:
    client = logged_in_client(student)

    page = client.get(reverse("account_logout"))

    assert page.status_code == 200
    html = html_of(page)
    assert_in_layout(html)
    assert "<h1>Log out</h1>" in html
    assert '<button class="button button--primary" type="submit">Log out</button>' in html
