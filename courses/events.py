"""The domain events courses publish; other apps connect receivers in their AppConfig.ready().

Every event is sent with `transaction.on_commit`, so a receiver never sees a write that was rolled
back, and each is sent exactly once per fact (enrolling twice or completing a lesson again sends
nothing). Keyword arguments are listed per event; `sender` is the model class.

    from courses import events
    events.lesson_completed.connect(award_xp, dispatch_uid="gamification_lesson_xp")
"""

from django.dispatch import Signal

# enrollment: Enrollment (learner, course)
learner_enrolled = Signal()

# progress: LessonProgress, learner: User, lesson: Lesson. Sent on a lesson's FIRST completion only.
lesson_completed = Signal()

# attempt: QuizAttempt (graded), learner: User, quiz: Quiz. Sent for every graded attempt.
quiz_attempt_submitted = Signal()

# attempt: QuizAttempt (passed), learner: User, quiz: Quiz. Sent for every passing attempt.
quiz_passed = Signal()

# enrollment: Enrollment (completed_at set), certificate: Certificate. Sent once per enrollment.
course_completed = Signal()

# course: Course. Sent when a course goes from draft (or archived) to published.
course_published = Signal()

# progress: LessonProgress, learner: User, lesson: Lesson, seconds: int (> 0, the seconds just
# counted after the anti-inflation limits), at: datetime. Sent after commit whenever the player's
# report of active time (video position saves, article reading heartbeats) adds time to a lesson.
lesson_time_spent = Signal()

# lesson: Lesson. Sent after commit when a lesson becomes visible to the learners of a published
# course: added to it (lesson_create, or saved in the admin through lesson_save) or moved into it
# with its content, given its first content (a video or text) when it was added empty, and, when
# a course is published again, for each lesson added since its first publication. A course
# published twice may send it twice for one lesson: receivers key on the lesson.
lesson_published = Signal()
