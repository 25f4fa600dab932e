"""Skill-gap analysis and the study buddy's retrieval."""

from __future__ import annotations

import pytest
from django.utils import timezone

from ai_tools import selectors
from ai_tools.tests.factories import (
    EnrollmentFactory,
    LessonFactory,
    QuestionFactory,
    QuizFactory,
    SkillFactory,
    StudentFactory,
    tides_course,
)
from courses.models import Course, Lesson, QuizAttempt
from learning.models import ReviewCard, ReviewLog

pytestmark = pytest.mark.django_db


def graded(learner, quiz, number, outcomes):
    return QuizAttempt.objects.create(
        learner=learner,
        quiz=quiz,
        number=number,
        question_ids=[question.pk for question in outcomes],
        submitted_at=timezone.now(),
        results={
            str(question.pk): {"is_answered": True, "is_correct": right, "points": "1"}
            for question, right in outcomes.items()
        },
    )


def test_skill_gaps_rank_weak_skills_with_confidence_and_recommend_lessons(
    django_assert_max_num_queries,
) -> None:
    course, tides, _volcanoes = tides_course()
    learner = StudentFactory()
    EnrollmentFactory(learner=learner, course=course)
    quiz_lesson = LessonFactory(module=tides.module, order=3, kind=Lesson.Kind.QUIZ, body="")
    quiz = QuizFactory(lesson=quiz_lesson)
    gravity, geology = SkillFactory(name="Gravity"), SkillFactory(name="Geology")
    gravity_questions = [QuestionFactory(quiz=quiz) for _ in range(3)]
    geology_question = QuestionFactory(quiz=quiz)
    for question in gravity_questions:
        question.skills.add(gravity)
    geology_question.skills.add(geology)
    graded(learner, quiz, 1, {**dict.fromkeys(gravity_questions, False), geology_question: True})
    graded(learner, quiz, 2, {gravity_questions[0]: True, geology_question: True})

    # attempts, questions, skills, lessons, progress, and revision's reviews
    with django_assert_max_num_queries(6):
        report = selectors.skill_gap_report(user=learner, course=course)

    assert [skill.name for skill in report.skills] == ["Gravity", "Geology"]
    weak, strong = report.skills
    assert (weak.correct, weak.answered) == (1, 4)
    assert weak.mastery == round(2 / 6, 3)
    assert strong.mastery == 0.75
    assert weak.confidence > strong.confidence  # more answers, narrower interval
    assert report.weakest == [weak]
    assert [item.title for item in weak.recommendations] == ["How tides work", "Volcanoes"]
    assert weak.recommendations[0].reason.startswith(
        "3 wrong answers on Gravity in “" + quiz_lesson.title
    )
    assert report.attempts_used == 2


def _reviewed(learner, question, course, *ratings, source=ReviewLog.Source.REVIEW):
    card, _ = ReviewCard.objects.get_or_create(learner=learner, question=question, course=course)
    for rating in ratings:
        ReviewLog.objects.create(
            card=card,
            rating=rating,
            source=source,
            reviewed_at=timezone.now(),
            due_after=timezone.now(),
        )


def test_reviews_of_revision_cards_count_towards_their_questions_skills() -> None:
    course, tides, _ = tides_course()
    other_course, other_lesson, _ = tides_course()
    learner, other = StudentFactory(), StudentFactory()
    quiz = QuizFactory(lesson=LessonFactory(module=tides.module, kind=Lesson.Kind.QUIZ, body=""))
    question = QuestionFactory(quiz=quiz)
    question.skills.add(SkillFactory(name="Gravity"))
    graded(learner, quiz, 1, {question: True})
    again, good, easy = ReviewLog.Rating.AGAIN, ReviewLog.Rating.GOOD, ReviewLog.Rating.EASY
    _reviewed(learner, question, course, again, again, good)
    _reviewed(learner, question, course, again, source=ReviewLog.Source.CHALLENGE)
    # The quiz attempt's own mirror in the review log is not a second answer.
    _reviewed(learner, question, course, easy, source=ReviewLog.Source.QUIZ)
    _reviewed(other, question, course, again, again)
    other_quiz = QuizFactory(
        lesson=LessonFactory(module=other_lesson.module, kind=Lesson.Kind.QUIZ, body="")
    )
    elsewhere = QuestionFactory(quiz=other_quiz)
    elsewhere.skills.add(SkillFactory(name="Geology"))
    _reviewed(learner, elsewhere, other_course, again)

    report = selectors.skill_gap_report(user=learner, course=course)

    [gravity] = report.skills
    assert (gravity.name, gravity.correct, gravity.answered) == ("Gravity", 2, 5)
    assert gravity.mastery == round(3 / 7, 3)
    assert report.weakest == [gravity]
    assert (report.attempts_used, report.reviews_used) == (1, 4)
    everywhere = selectors.skill_gap_report(user=learner)
    assert [skill.name for skill in everywhere.skills] == ["Geology", "Gravity"]
    assert everywhere.reviews_used == 5


def test_skill_gaps_ignore_other_learners_and_unsubmitted_attempts() -> None:
    _course, tides, _ = tides_course()
    learner, other = StudentFactory(), StudentFactory()
    quiz = QuizFactory(lesson=LessonFactory(module=tides.module, kind=Lesson.Kind.QUIZ, body=""))
    question = QuestionFactory(quiz=quiz)
    question.skills.add(SkillFactory(name="Tides"))
    graded(other, quiz, 1, {question: False})
    QuizAttempt.objects.create(learner=learner, quiz=quiz, number=1, question_ids=[question.pk])

    report = selectors.skill_gap_report(user=learner)

    assert report.skills == []
    assert report.attempts_used == 0


def test_passages_come_only_from_lessons_the_learner_may_open() -> None:
    course, tides, _volcanoes = tides_course(required_plan=Course.Plan.PRO)
    tides.is_free_preview = True
    tides.save()
    outsider = StudentFactory()

    passages = selectors.course_passages(user=outsider, course=course, query="magma lava tides")

    assert passages
    assert {passage.lesson_id for passage in passages} == {tides.pk}
    assert [passage.number for passage in passages] == list(range(1, len(passages) + 1))
