"""Events learning publishes (sent on commit, once per fact); gamification may subscribe.

from learning import events
events.challenge_completed.connect(award_xp, dispatch_uid="gamification_challenge_xp")
"""

from django.dispatch import Signal

# run: ChallengeRun (scored), learner: User, score: int, correct_count: int. Once per run.
challenge_completed = Signal()
