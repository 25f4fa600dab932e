"""Handlers for other apps' events; each translates and calls a qa service (or queues a task).

Accounts publish no event when an account is deleted or deactivated, so both are caught on the
User model: pre_delete (before the cascade removes the ratings without recounting the answers they
rated) and post_save with is_active false (queued after commit). The hourly
`qa.removed_raters_reverse` task sweeps up anything missed, e.g. rows changed with update().
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models.signals import post_save, pre_delete

from qa import events, services


def reverse_deleted_rater(sender: Any, instance: Any, **kwargs: Any) -> None:
    services.rater_contributions_reverse(rater=instance)


def reverse_deactivated_rater(
    sender: Any, instance: Any, created: bool, update_fields: Any = None, **kwargs: Any
) -> None:
    if created or instance.is_active:
        return
    if update_fields is not None and "is_active" not in update_fields:
        return
    user_id = instance.pk

    def queue() -> None:
        from qa import tasks

        tasks.deactivated_rater_reverse.delay(user_id)

    transaction.on_commit(queue)


def award_bounty(sender: Any, answer: Any, **kwargs: Any) -> None:
    """An accepted answer wins its question's open bounty (qa.services.bounties)."""
    services.bounty_award(answer=answer, at=answer.accepted_at)


def connect() -> None:
    events.answer_accepted.connect(award_bounty, dispatch_uid="qa_award_bounty")
    pre_delete.connect(
        reverse_deleted_rater,
        sender=settings.AUTH_USER_MODEL,
        dispatch_uid="qa_reverse_deleted_rater",
    )
    post_save.connect(
        reverse_deactivated_rater,
        sender=settings.AUTH_USER_MODEL,
        dispatch_uid="qa_reverse_deactivated_rater",
    )
