"""Handlers for other apps' events; each translates and calls a qa service.

Accounts publish no event when an account is deleted, so deletion is caught with the User model's
pre_delete (before the cascade removes the ratings without recounting the answers they rated).
Deactivated accounts are handled by the hourly `qa.removed_raters_reverse` task.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models.signals import pre_delete

from qa import services


def reverse_deleted_rater(sender: Any, instance: Any, **kwargs: Any) -> None:
    services.rater_contributions_reverse(rater=instance)


def connect() -> None:
    pre_delete.connect(
        reverse_deleted_rater,
        sender=settings.AUTH_USER_MODEL,
        dispatch_uid="qa_reverse_deleted_rater",
    )
