"""Grow the security suites' world: several more rows in every table a page or list shows.

Each extra course has its own instructor, category, tag, modules and lessons; each extra row
points at its own related objects, so a page that reads a relation per row (an N+1) makes more
queries on the grown world than on the small one.
"""

from __future__ import annotations

import itertools

from django.utils import timezone

from accounts.tests.factories import StudentFactory
from ai_tools.models import ChatMessage, Conversation, PracticeSet
from courses.models import Certificate, CourseReview, LessonProgress
from courses.services import learning
from courses.tests.factories import (
    CategoryFactory,
    CourseFactory,
    InstructorFactory,
    LessonFactory,
    ModuleFactory,
    TagFactory,
    quiz_lesson,
)
from gamification.achievements import ACHIEVEMENTS
from gamification.models import StudyGroupMembership, UserAchievement
from gamification.services import xp_award
from learning.models import ReviewCard
from notifications.models import InstructorFollow, Notification
from qa import services as qa_services
from tests.security.world import ENROLLED, OTHER, OWNER, STUDENT, World

_serial = itertools.count(1)


def world_grow(world: World, *, copies: int = 3) -> None:
    """Add `copies` rows (each with its own relations) per related table of the world."""
    enrolled, other, student = world.user(ENROLLED), world.user(OTHER), world.user(STUDENT)
    owner = world.user(OWNER)
    newcomers = [StudentFactory() for _ in range(copies)]
    module = ModuleFactory(course=world.course, order=100 + next(_serial))
    for n in range(copies):
        serial = next(_serial)
        # The world's course grows: lessons, a quiz, learners, their progress and ratings.
        lesson = LessonFactory(module=module, order=10 + n, body="More about tides.")
        extra_quiz = quiz_lesson(module, order=20 + n, questions=2)
        for learner in (enrolled, other, *newcomers):
            LessonProgress.objects.get_or_create(
                learner=learner, lesson=lesson, defaults={"completed_at": timezone.now()}
            )
        learning.enrollment_create(learner=newcomers[n], course=world.course)
        CourseReview.objects.create(course=world.course, learner=newcomers[n], rating=4)
        card_question = extra_quiz.questions.first()
        ReviewCard.objects.create(learner=enrolled, question=card_question, course=world.course)
        # More courses in the catalog, each with its own instructor, category and tags; the
        # world's learners take them, so their dashboards and lists grow too.
        course = CourseFactory(
            instructors=[InstructorFactory(), owner],
            category=CategoryFactory(),
        )
        course.tags.set([TagFactory(), TagFactory()])
        course_module = ModuleFactory(course=course, order=1)
        course_lessons = [LessonFactory(module=course_module, order=i) for i in (1, 2)]
        quiz_lesson(course_module, order=3, questions=2)
        for learner in (enrolled, other, student):
            learning.enrollment_create(learner=learner, course=course)
            LessonProgress.objects.get_or_create(
                learner=learner,
                lesson=course_lessons[0],
                defaults={"completed_at": timezone.now()},
            )
        CourseReview.objects.create(course=course, learner=enrolled, rating=5, comment="Good.")
        Certificate.objects.create(
            learner=enrolled,
            course=course,
            learner_name=enrolled.display_name,
            course_title=course.title,
        )
        for follower in (enrolled, other):
            InstructorFollow.objects.get_or_create(
                follower=follower, instructor=course.instructors.exclude(pk=owner.pk).first()
            )
        # Personal rows of every actor.
        for user in (enrolled, other, student, owner):
            Notification.objects.create(
                recipient=user,
                kind="announcement",
                title=f"News {serial}",
                link=course.get_absolute_url() if hasattr(course, "get_absolute_url") else "",
                dedupe_key=f"grow-{serial}-{user.pk}",
            )
            xp_award(
                user=user,
                action="lesson_completed",
                idempotency_key=f"grow-xp-{serial}-{user.pk}",
                course=course,
                source=course_lessons[0],
                amount=10 + n,
            )
        for newcomer in newcomers:
            xp_award(
                user=newcomer,
                action="lesson_completed",
                idempotency_key=f"grow-xp-{serial}-{newcomer.pk}",
                course=world.course,
                source=lesson,
                amount=5 + n,
            )
        conversation = Conversation.objects.create(
            learner=enrolled, course=course, title=f"Chat {serial}"
        )
        for role in (ChatMessage.Role.USER, ChatMessage.Role.ASSISTANT):
            ChatMessage.objects.create(conversation=conversation, role=role, content="Tides?")
        PracticeSet.objects.create(
            learner=enrolled,
            lesson=course_lessons[0],
            title=f"Practice {serial}",
            content_hash=f"{serial:064d}",
            provider="fake",
            question_count=1,
            kinds=["multiple_choice"],
            difficulty="medium",
        )
        if n + 1 < len(ACHIEVEMENTS):
            UserAchievement.objects.get_or_create(user=enrolled, code=ACHIEVEMENTS[n + 1].code)
        StudyGroupMembership.objects.create(group=world.group, user=newcomers[n])
        # The help center: more questions (about courses too), answers, comments.
        asked = qa_services.question_create(
            asker=newcomers[n],
            title=f"How do neap tides work, part {serial}?",
            body="The lesson mentions neap tides but I would like to understand them better.",
        )
        for author in (enrolled, other):
            answer = qa_services.answer_create(
                author=author, question=asked, body=f"Think of the sun and the moon ({serial})."
            )
            qa_services.comment_create(author=newcomers[n], answer=answer, body="Thanks a lot!")
        answer = qa_services.answer_create(
            author=newcomers[n], question=world.question, body=f"Another view on tides {serial}."
        )
        qa_services.comment_create(author=enrolled, answer=answer, body="That helps, thank you.")
        qa_services.question_create(
            asker=enrolled,
            title=f"What makes a king tide, question {serial}?",
            body="I heard about king tides and wonder how they differ from spring tides.",
        )
