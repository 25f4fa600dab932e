from typing import Any

from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.db.models.signals import post_migrate


def _sync_role_groups(sender: Any, **kwargs: Any) -> None:
    """Once per migrate (or test database flush): Django sends post_migrate for every app in
    turn, creating that app's permissions, so the last app's signal finds all of them."""
    from django.apps import apps

    from accounts.services import role_groups_sync

    with_models = [config for config in apps.get_app_configs() if config.models_module is not None]
    if sender is with_models[-1]:
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
