"""The domain events ai_tools publishes; other apps connect receivers in their AppConfig.ready().

Sent with `transaction.on_commit`, so a receiver never sees a write that was rolled back.
"""

from django.dispatch import Signal

# practice_set: PracticeSet (graded: answers, correct_count and submitted_at set), learner: User.
# Sent for every graded submission (a retake sends it again).
practice_set_submitted = Signal()
