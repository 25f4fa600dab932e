"""Read the gamification ledger in the help center's tests: what an answer's author received."""

from __future__ import annotations

from django.db.models import Sum

from accounts.models import User
from gamification.models import XpTransaction
from qa.services.ratings import XP_LEDGER_ACTION


def ledger_entries(user: User) -> list[XpTransaction]:
    """The user's help-center XP rows in the ledger, oldest first."""
    return list(
        XpTransaction.objects.filter(user=user, action=XP_LEDGER_ACTION).order_by(
            "created_at", "id"
        )
    )


def ledger_total(user: User) -> int:
    """The XP the ledger holds for the user from help-center awards."""
    total = XpTransaction.objects.filter(user=user, action=XP_LEDGER_ACTION).aggregate(
        total=Sum("amount")
    )["total"]
    return total or 0
