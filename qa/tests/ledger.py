"""The gamification ledger as the help center's tests read it (XP received by answer authors)."""

from gamification.tests.ledger import ledger_entries, ledger_total

__all__ = ["ledger_entries", "ledger_total"]
