from typing import Any

from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.db.models.signals import post_migrate


def _sync_role_groups(sender: Any, **kwargs: Any) -> None:
    from accounts.services import role_groups_sync

    role_groups_sync()


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        # After every migrate, each role's group holds exactly the permissions of accounts.roles.
        post_migrate.connect(_sync_role_groups, dispatch_uid="accounts_role_groups")


class LumenAdminConfig(admin_apps.AdminConfig):
    """django.contrib.admin with Lumen's audited site as `admin.site` (accounts.admin_site);
    named in INSTALLED_APPS, never picked for the "accounts" entry."""

    default = False
    default_site = "accounts.admin_site.LumenAdminSite"
