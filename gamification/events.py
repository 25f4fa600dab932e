"""Events gamification publishes (sent after commit): other apps (notifications) may listen.

level_reached(user, level, title): a learner reached a new level (once per level).
achievement_unlocked(user, achievement: achievements.Achievement, user_achievement).
"""

from django.dispatch import Signal

level_reached = Signal()
achievement_unlocked = Signal()
