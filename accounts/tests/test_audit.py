"""The audit log: who changed what, from where. Admin additions, changes (with the values),
deletions and actions on any app's models; role changes, deactivations and application reviews
from the API; read-only in the admin, for admins only."""

from __future__ import annotations

import pytest
from allauth.mfa.models import Authenticator
from django.contrib.admin.models import CHANGE, LogEntry
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from accounts import services
from accounts.models import AuditEntry, User
from accounts.tests.factories import (
    AdminFactory,
    InstructorFactory,
    StudentFactory,
    TeacherApplicationFactory,
)
from core.exceptions import ApplicationError
from courses.models import Category
from courses.tests.factories import CategoryFactory

pytestmark = pytest.mark.django_db
ADDRESS = "203.0.113.7"


def _staff_client(user: User) -> Client:
    Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP, data={"secret": "x"})
    client = Client(REMOTE_ADDR=ADDRESS)
    client.force_login(user)
    return client


@pytest.fixture
def admin() -> User:
    return AdminFactory()


@pytest.fixture
def admin_browser(admin: User) -> Client:
    return _staff_client(admin)


def _entries() -> list[tuple]:
    return list(
        AuditEntry.objects.order_by("id").values_list(
            "actor_id", "action", "target_type", "target_id", "target_repr", "changes", "ip"
        )
    )


# --- the admin ----------------------------------------------------------------------------------


def test_an_admin_change_records_who_changed_which_values_from_where(
    admin: User, admin_browser: Client
) -> None:
    category = CategoryFactory(name="Oceans", slug="oceans")

    response = admin_browser.post(
        reverse("admin:courses_category_change", args=[category.pk]),
        {"name": "Seas and oceans", "slug": "oceans"},
    )

    assert response.status_code == 302
    assert _entries() == [
        (
            admin.pk,
            "admin_change",
            "courses.category",
            str(category.pk),
            "Seas and oceans",
            {"fields": {"name": ["Oceans", "Seas and oceans"]}, "summary": "Changed Name."},
            ADDRESS,
        )
    ]
    assert LogEntry.objects.get().action_flag == CHANGE  # Django's history is kept too


def test_an_admin_addition_and_deletion_are_recorded(admin: User, admin_browser: Client) -> None:
    admin_browser.post(reverse("admin:courses_category_add"), {"name": "Tides", "slug": "tides"})
    category = Category.objects.get(slug="tides")

    admin_browser.post(
        reverse("admin:courses_category_delete", args=[category.pk]), {"post": "yes"}
    )

    assert not Category.objects.filter(slug="tides").exists()
    assert _entries() == [
        (
            admin.pk,
            "admin_add",
            "courses.category",
            str(category.pk),
            "Tides",
            {"fields": {"name": [None, "Tides"], "slug": [None, "tides"]}, "summary": "Added."},
            ADDRESS,
        ),
        (admin.pk, "admin_delete", "courses.category", str(category.pk), "Tides", {}, ADDRESS),
    ]


def test_an_admin_action_records_the_action_and_its_effects(
    admin: User, admin_browser: Client
) -> None:
    learners = StudentFactory.create_batch(2)
    ids = sorted(str(user.pk) for user in learners)

    response = admin_browser.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "make_instructor", "_selected_action": ids},
    )

    assert response.status_code == 302
    entries = _entries()
    assert entries[:2] == [
        (admin.pk, "role_change", "accounts.user", ids[0], learners[0].email,
         {"role": ["student", "instructor"]}, ADDRESS),
        (admin.pk, "role_change", "accounts.user", ids[1], learners[1].email,
         {"role": ["student", "instructor"]}, ADDRESS),
    ]  # fmt: skip
    actor, action, target_type, target_id, target_repr, changes, ip = entries[2]
    assert (actor, action, target_type, target_id, target_repr, ip) == (
        admin.pk,
        "admin_action",
        "accounts.user",
        "",
        "make_instructor on 2 users",
        ADDRESS,
    )
    assert changes == {"action": "make_instructor", "count": 2, "ids": ids}
    assert len(entries) == 3


def test_delete_selected_records_each_deletion_once_and_nothing_before_confirming(
    admin: User, admin_browser: Client
) -> None:
    categories = [CategoryFactory(name=f"Topic {n}", slug=f"topic-{n}") for n in range(2)]
    ids = [str(category.pk) for category in categories]
    url = reverse("admin:courses_category_changelist")

    admin_browser.post(url, {"action": "delete_selected", "_selected_action": ids})
    assert _entries() == []

    admin_browser.post(url, {"action": "delete_selected", "_selected_action": ids, "post": "yes"})

    assert sorted((entry[1], entry[3]) for entry in _entries()) == [
        ("admin_delete", ids[0]),
        ("admin_delete", ids[1]),
    ]


def test_a_password_set_in_the_admin_is_logged_as_changed_never_by_value(
    admin: User, admin_browser: Client
) -> None:
    learner = StudentFactory()

    response = admin_browser.post(
        reverse("admin:auth_user_password_change", args=[learner.pk]),
        {"password1": "a-new-admin-set-pass-91", "password2": "a-new-admin-set-pass-91"},
    )

    assert response.status_code == 302
    (entry,) = AuditEntry.objects.all()
    assert entry.action == "admin_change"
    assert entry.changes["fields"] == {"password": "(changed)"}
    assert "a-new-admin-set-pass-91" not in str(entry.changes)


def test_a_refused_admin_action_records_no_role_change(admin: User, admin_browser: Client) -> None:
    """The last admin cannot be demoted: the action runs (and is recorded), nothing changes."""
    admin_browser.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "make_student", "_selected_action": [str(admin.pk)]},
    )

    assert [entry[1] for entry in _entries()] == ["admin_action"]
    admin.refresh_from_db()
    assert admin.role == "admin"


# --- outside the admin: the accounts API and the services ----------------------------------------


def test_role_changes_and_deactivations_through_the_api_are_recorded(admin: User) -> None:
    learner = StudentFactory()
    api = APIClient(REMOTE_ADDR=ADDRESS)
    api.force_authenticate(admin)

    api.post(f"/api/v1/admin/users/{learner.pk}/role", {"role": "instructor"}, format="json")
    api.post(f"/api/v1/admin/users/{learner.pk}/deactivate")

    assert _entries() == [
        (admin.pk, "role_change", "accounts.user", str(learner.pk), learner.email,
         {"role": ["student", "instructor"]}, ADDRESS),
        (admin.pk, "user_deactivate", "accounts.user", str(learner.pk), learner.email,
         {"is_active": [True, False]}, ADDRESS),
    ]  # fmt: skip


def test_refused_or_empty_changes_are_not_recorded(admin: User) -> None:
    learner = StudentFactory()
    services.user_set_role(user=learner, role="student", changed_by=admin)  # already a student
    with pytest.raises(ApplicationError):
        services.user_set_role(user=admin, role="student", changed_by=admin)  # the last admin
    with pytest.raises(ApplicationError):
        services.user_deactivate(user=admin, deactivated_by=admin)

    assert _entries() == []


def test_an_application_review_is_recorded_with_the_role_it_gave(admin: User) -> None:
    application = TeacherApplicationFactory(expertise="Tides")
    api = APIClient(REMOTE_ADDR=ADDRESS)
    api.force_authenticate(admin)

    api.post(
        f"/api/v1/admin/teacher-applications/{application.pk}/review",
        {"approve": True},
        format="json",
    )

    assert [(entry[1], entry[5]) for entry in _entries()] == [
        ("application_review", {"status": ["pending", "approved"]}),
        ("role_change", {"role": ["student", "instructor"]}),
    ]


def test_the_address_is_the_peer_unless_proxies_are_configured(admin: User, settings) -> None:
    learner = StudentFactory()
    api = APIClient(REMOTE_ADDR="10.0.0.9", HTTP_X_FORWARDED_FOR="198.51.100.1, 192.0.2.4")
    api.force_authenticate(admin)

    api.post(f"/api/v1/admin/users/{learner.pk}/role", {"role": "instructor"}, format="json")
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    api.post(f"/api/v1/admin/users/{learner.pk}/role", {"role": "student"}, format="json")

    assert [entry[6] for entry in _entries()] == ["10.0.0.9", "192.0.2.4"]


def test_system_changes_have_no_actor_and_no_address() -> None:
    learner = StudentFactory()

    services.user_set_role(user=learner, role="instructor")

    assert [(entry[0], entry[1], entry[6]) for entry in _entries()] == [(None, "role_change", None)]


# --- reading the log ------------------------------------------------------------------------------


def test_the_audit_log_is_read_only_for_admins_and_hidden_from_instructors(
    admin: User, admin_browser: Client
) -> None:
    learner = StudentFactory()
    services.user_set_role(user=learner, role="instructor", changed_by=admin)
    entry = AuditEntry.objects.get()
    instructor_browser = _staff_client(InstructorFactory())

    assert admin_browser.get(reverse("admin:accounts_auditentry_changelist")).status_code == 200
    change_url = reverse("admin:accounts_auditentry_change", args=[entry.pk])
    assert admin_browser.get(change_url).status_code == 200
    assert admin_browser.post(change_url, {"action": "admin_add"}).status_code == 403
    assert admin_browser.get(reverse("admin:accounts_auditentry_add")).status_code == 403
    delete_url = reverse("admin:accounts_auditentry_delete", args=[entry.pk])
    assert admin_browser.post(delete_url, {"post": "yes"}).status_code == 403
    assert (
        instructor_browser.get(reverse("admin:accounts_auditentry_changelist")).status_code == 403
    )
    assert instructor_browser.get(reverse("admin:admin_logentry_changelist")).status_code == 403
    assert AuditEntry.objects.get().action == "role_change"


@pytest.mark.parametrize(
    "url_name", ["admin:accounts_auditentry_changelist", "admin:admin_logentry_changelist"]
)
def test_the_log_lists_have_a_query_budget(
    admin: User, admin_browser: Client, url_name: str, django_assert_max_num_queries
) -> None:
    for n in range(3):
        category = CategoryFactory(name=f"Topic {n}", slug=f"topic-{n}")
        admin_browser.post(
            reverse("admin:courses_category_change", args=[category.pk]),
            {"name": f"Renamed {n}", "slug": f"topic-{n}"},
        )
    assert AuditEntry.objects.count() == 3

    with django_assert_max_num_queries(14):
        response = admin_browser.get(reverse(url_name))

    assert response.status_code == 200
    assert response.content.decode().count("Renamed ") >= 3
