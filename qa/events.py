"""The domain events the Peer Help Center publishes (for notifications and other listeners).

Each is sent once per fact, with `transaction.on_commit`, so a receiver never sees a write that
was rolled back. `sender` is the model class; the keyword arguments are listed per event.

    from qa import events
    events.answer_posted.connect(notify_asker, dispatch_uid="notifications_answer_posted")
"""

from django.dispatch import Signal

# question: Question, expert_ids: list[int] (top answerers in its category, asker excluded).
question_posted = Signal()

# answer: Answer, question: Question. "Your question got an answer" goes to question.asker.
answer_posted = Signal()

# answer: Answer, rater: User, kind: "xp" | "stars", value: int (the XP 1-10 or the stars 1-5),
# previous: int | None (the value it replaced). "Your answer got rated" goes to answer.author.
answer_rated = Signal()

# answer: Answer, question: Question, accepted_by: User. "Your answer was accepted".
answer_accepted = Signal()
