"""Events gamification publishes (sent with transaction.on_commit) for notifications and toasts.

from gamification import events
events.level_reached.connect(notify, dispatch_uid="notifications_level")
"""

from django.dispatch import Signal

# user: User, level: int, title: str
level_reached = Signal()

# user: User, code: str, name: str
achievement_unlocked = Signal()
