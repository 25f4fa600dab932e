"""Role groups: after every migrate (and every test-database flush) each role's group holds
exactly the permissions accounts.roles lists, synchronised once, not once per app."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.management.sql import emit_post_migrate_signal

from accounts import services
from accounts.roles import ROLE_PERMISSIONS
from core.roles import ROLE_GROUP_NAMES, Role

pytestmark = pytest.mark.django_db


def _permissions_of(role: str) -> set[str]:
    group = Group.objects.get(name=ROLE_GROUP_NAMES[role])
    return {
        f"{app_label}.{codename}"
        for app_label, codename in group.permissions.values_list(
            "content_type__app_label", "codename"
        )
    }


def test_each_role_group_gets_exactly_its_permissions_back():
    instructors = Group.objects.get(name=ROLE_GROUP_NAMES[Role.INSTRUCTOR])
    instructors.permissions.set(Permission.objects.filter(codename="delete_user"))

    services.role_groups_sync()

    for role in ROLE_GROUP_NAMES:
        assert _permissions_of(role) == set(ROLE_PERMISSIONS.get(role, []))
    assert _permissions_of(Role.INSTRUCTOR)  # the instructors' list is not empty


def test_a_migrate_synchronises_the_groups_once_after_every_apps_permissions(monkeypatch: Any):
    calls: list[int] = []
    real = services.role_groups_sync
    monkeypatch.setattr(services, "role_groups_sync", lambda: calls.append(1) or real())
    Group.objects.filter(name__in=ROLE_GROUP_NAMES.values()).delete()

    emit_post_migrate_signal(0, False, "default")

    assert calls == [1]
    assert _permissions_of(Role.INSTRUCTOR) == set(ROLE_PERMISSIONS[Role.INSTRUCTOR])
