"""Events gamification publishes (sent after commit): other apps (notifications) may listen.

level_reached(user, level, title): a learner reached a new level (once per level).
achievement_unlocked(user, achievement: achievements.Achievement, user_achievement).
xp_awarded(user, transaction: XpTransaction, day_total: int): XP was minted (once per ledger
    row, never for a repeated idempotency key); `day_total` is the learner's XP of that local
    day (`transaction.local_date`) including this award, counted inside the same transaction.
streak_at_risk(user, streak: int, local_date: date): the learner's daily streak breaks at the
    end of their local day `local_date` unless they learn today (no freeze left to bridge it).
    Sent by the hourly streak check from REMINDER_HOUR of their local day, at most once per
    learner and local day (best effort through the cache; receivers key on `local_date`).
"""

from django.dispatch import Signal

level_reached = Signal()
achievement_unlocked = Signal()
xp_awarded = Signal()
streak_at_risk = Signal()
