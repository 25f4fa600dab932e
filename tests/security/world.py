"""A small world of users and objects that the security tests act on.

Seven actors: anonymous, a student with no ties ("student"), the enrolled student who owns every
personal object below ("enrolled"), another student enrolled in the same course who owns nothing
("other": the IDOR attacker with the most legitimate access), the course's instructor ("owner"),
another instructor and an admin.

One published course owned by the instructor, with an article lesson and a quiz lesson. The
enrolled student has an open quiz attempt, a certificate, a pending application to teach, a
notification, an AI conversation, a practice set, a review card, a challenge run, a study group,
a badge, an affiliate account and a subscription; they asked a question that "other" answered
and commented on, and the plain student flagged that answer.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from allauth.mfa.models import Authenticator
from django.apps import apps
from django.utils import timezone

from accounts.models import TeacherApplication, User
from accounts.tests.factories import (
    AdminFactory,
    InstructorFactory,
    StudentFactory,
    TeacherApplicationFactory,
)
from ai_tools.models import ChatMessage, Conversation, LessonSummary, PracticeSet
from billing.models import Affiliate
from billing.services import affiliate_create
from billing.tests.factories import subscribe
from courses.models import Certificate, Course, Enrollment, Lesson, Quiz, QuizAttempt
from courses.services import learning, quizzes
from courses.tests.factories import CourseFactory, LessonFactory, ModuleFactory, quiz_lesson
from gamification.achievements import ACHIEVEMENTS
from gamification.models import StudyGroup, StudyGroupMembership, UserAchievement
from learning.models import ChallengeRun, ReviewCard
from notifications.models import Notification
from qa import services as qa_services
from qa.models import Answer, Comment, Flag, Question
from qa.models import Category as QaCategory

ANON = "anonymous"
STUDENT = "student"
ENROLLED = "enrolled"
OTHER = "other"
OWNER = "owner"
INSTRUCTOR = "instructor"
ADMIN = "admin"
TIDES = (
    "Tides are the rise and fall of the sea caused by the moon and the sun. The moon pulls the "
    "water nearest to it, and the Earth is pulled away from the water on the far side, so there "
    "are two bulges and two high tides a day. Spring tides come when the sun and the moon line "
    "up; neap tides when they pull at right angles. "
) * 4
ACTORS = (ANON, STUDENT, ENROLLED, OTHER, OWNER, INSTRUCTOR, ADMIN)


@dataclass
class World:
    users: dict[str, User | None]
    course: Course
    lesson: Lesson
    quiz: Quiz
    attempt: QuizAttempt
    certificate: Certificate
    application: TeacherApplication
    enrollment: Enrollment
    notification: Notification
    conversation: Conversation
    summary: LessonSummary
    practice_set: PracticeSet
    card: ReviewCard
    run: ChallengeRun
    group: StudyGroup
    achievement: UserAchievement
    affiliate: Affiliate
    question: Question
    answer: Answer
    comment: Comment
    flag: Flag
    extra: dict[str, Any] = field(default_factory=dict)
    qa_category: Any = None

    def user(self, actor: str) -> User:
        user = self.users[actor]
        assert user is not None
        return user


def plans_ensure() -> None:
    """The seeded plans (a transactional test elsewhere in the worker may have flushed them)."""
    importlib.import_module("billing.migrations.0002_seed_plans").create_plans(apps, None)


def world_build() -> World:
    plans_ensure()
    owner = InstructorFactory()
    enrolled = StudentFactory()
    other = StudentFactory()
    student = StudentFactory()
    course = CourseFactory(instructors=[owner])
    module = ModuleFactory(course=course, order=1)
    lesson = LessonFactory(module=module, order=1, body=TIDES)
    quiz = quiz_lesson(module, order=2, questions=1)
    enrollment, _ = learning.enrollment_create(learner=enrolled, course=course)
    learning.enrollment_create(learner=other, course=course)
    attempt, _ = quizzes.quiz_attempt_start(learner=enrolled, quiz=quiz)
    certificate = Certificate.objects.create(
        learner=enrolled,
        course=course,
        learner_name=enrolled.display_name,
        course_title=course.title,
    )
    notification = Notification.objects.create(
        recipient=enrolled, kind="announcement", title="Welcome", dedupe_key="world-welcome"
    )
    conversation = Conversation.objects.create(learner=enrolled, course=course, title="Tides")
    ChatMessage.objects.create(
        conversation=conversation, role=ChatMessage.Role.USER, content="What is a tide?"
    )
    summary = LessonSummary.objects.create(
        lesson=lesson, content_hash="0" * 64, provider="fake", requested_by=enrolled
    )
    practice_set = PracticeSet.objects.create(
        learner=enrolled,
        lesson=lesson,
        title="Practice",
        content_hash="0" * 64,
        provider="fake",
        question_count=1,
        kinds=["multiple_choice"],
        difficulty="medium",
    )
    question_of_quiz = quiz.questions.first()
    card = ReviewCard.objects.create(learner=enrolled, question=question_of_quiz, course=course)
    run = ChallengeRun.objects.create(
        learner=enrolled,
        course=course,
        question_ids=[question_of_quiz.pk],
        deadline=timezone.now() + timedelta(minutes=5),
    )
    group = StudyGroup.objects.create(name="Night owls", owner=enrolled)
    StudyGroupMembership.objects.create(group=group, user=enrolled)
    achievement = UserAchievement.objects.create(user=enrolled, code=ACHIEVEMENTS[0].code)
    affiliate = affiliate_create(user=enrolled)
    subscribe(enrolled, "pro")
    question = qa_services.question_create(
        asker=enrolled,
        title="Why does the tide turn twice a day?",
        body="I read the lesson but I still do not see why there are two tides.",
    )
    answer = qa_services.answer_create(
        author=other, question=question, body="The moon pulls on both sides of the Earth."
    )
    comment = qa_services.comment_create(
        author=other, answer=answer, body="See also the second lesson."
    )
    flag = qa_services.post_flag(flagger=student, post=answer, reason="spam")
    instructor, admin = InstructorFactory(), AdminFactory()
    for staff in (owner, instructor, admin):
        # Staff must have two-factor set up before any page opens (RequireStaffMfaMiddleware).
        Authenticator.objects.create(
            user=staff, type=Authenticator.Type.TOTP, data={"secret": "matrix"}
        )
    return World(
        users={
            ANON: None,
            STUDENT: student,
            ENROLLED: enrolled,
            OTHER: other,
            OWNER: owner,
            INSTRUCTOR: instructor,
            ADMIN: admin,
        },
        course=course,
        lesson=lesson,
        quiz=quiz,
        attempt=attempt,
        certificate=certificate,
        application=TeacherApplicationFactory(applicant=enrolled),
        enrollment=enrollment,
        notification=notification,
        conversation=conversation,
        summary=summary,
        practice_set=practice_set,
        card=card,
        run=run,
        group=group,
        achievement=achievement,
        affiliate=affiliate,
        question=question,
        answer=answer,
        comment=comment,
        flag=flag,
        qa_category=QaCategory.objects.get_or_create(
            slug="matrix-topic", defaults={"name": "Matrix topic"}
        )[0],
    )
