"""Test helpers other apps use to read the XP ledger."""

from __future__ import annotations

from django.db.models import Sum

from gamification.models import XpLedgerEntry


def ledger_entries(user) -> list[XpLedgerEntry]:
    """The user's ledger rows, oldest first."""
    return list(XpLedgerEntry.objects.filter(user=user).order_by("created_at", "id"))


def ledger_total(user) -> int:
    """The sum of the user's ledger (what their XP total must equal)."""
    return XpLedgerEntry.objects.filter(user=user).aggregate(total=Sum("amount"))["total"] or 0
