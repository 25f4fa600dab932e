"""Flags, hiding and resolving; who may moderate what."""

from __future__ import annotations

import pytest

from accounts.models import User
from courses.tests.factories import CourseFactory
from qa import services
from qa.exceptions import AlreadyFlaggedError, InvalidInputError, NotModeratorError, OwnContentError
from qa.models import Answer, Flag, Question
from qa.services.moderation import FLAGS_TO_HIDE
from qa.tests.factories import InstructorFactory, StudentFactory, make_answer, make_question

pytestmark = pytest.mark.django_db


def test_a_post_is_flagged_once_per_person_and_never_by_its_author(
    answer: Answer, answerer: User, other_student: User
) -> None:
    services.post_flag(flagger=other_student, post=answer, reason="spam")

    with pytest.raises(AlreadyFlaggedError):
        services.post_flag(flagger=other_student, post=answer, reason="offensive")
    with pytest.raises(OwnContentError):
        services.post_flag(flagger=answerer, post=answer, reason="spam")
    with pytest.raises(InvalidInputError) as error:
        services.post_flag(flagger=StudentFactory(), post=answer, reason="boring")

    assert list(error.value.fields) == ["reason"]
    assert Flag.objects.count() == 1


def test_three_flags_hide_a_post_until_a_moderator_dismisses_them(
    answer: Answer, admin_user: User
) -> None:
    flags = [
        services.post_flag(flagger=StudentFactory(), post=answer, reason="spam")
        for _ in range(FLAGS_TO_HIDE)
    ]
    answer.refresh_from_db()
    assert answer.is_hidden
    assert answer.hidden_by is None
    assert answer.hidden_reason.startswith("Hidden automatically after 3 flags")

    for flag in flags[:-1]:
        services.flag_resolve(flag=flag, moderator=admin_user, uphold=False)
    answer.refresh_from_db()
    assert answer.is_hidden  # one flag is still open

    services.flag_resolve(flag=flags[-1], moderator=admin_user, uphold=False)
    answer.refresh_from_db()
    assert not answer.is_hidden
    assert set(Flag.objects.values_list("status", flat=True)) == {Flag.Status.DISMISSED}


def test_upholding_a_flag_hides_the_post_and_upholds_its_other_flags(
    question: Question, admin_user: User
) -> None:
    first = services.post_flag(flagger=StudentFactory(), post=question, reason="spam")
    services.post_flag(flagger=StudentFactory(), post=question, reason="off_topic")

    services.flag_resolve(flag=first, moderator=admin_user, uphold=True)

    question.refresh_from_db()
    assert (question.is_hidden, question.hidden_by) == (True, admin_user)
    assert set(Flag.objects.values_list("status", "resolved_by")) == {
        (Flag.Status.UPHELD, admin_user.pk)
    }


def test_instructors_moderate_only_their_courses_questions_and_students_none(
    admin_user: User,
) -> None:
    teacher = InstructorFactory()
    own = make_question(course=CourseFactory(instructors=[teacher]))
    foreign = make_question(course=CourseFactory())
    general = make_question()

    services.post_hide(post=make_answer(question=own), moderator=teacher)
    for post in (foreign, general):
        with pytest.raises(NotModeratorError):
            services.post_hide(post=post, moderator=teacher)
    with pytest.raises(NotModeratorError):
        services.post_hide(post=own, moderator=StudentFactory())
    services.post_hide(post=general, moderator=admin_user)

    assert list(Question.objects.filter(is_hidden=True).values_list("pk", flat=True)) == [
        general.pk
    ]
    assert Answer.objects.filter(is_hidden=True).count() == 1


def test_unhiding_dismisses_open_flags(question: Question, admin_user: User) -> None:
    services.post_flag(flagger=StudentFactory(), post=question, reason="spam")
    services.post_hide(post=question, moderator=admin_user)
    services.post_flag(flagger=StudentFactory(), post=question, reason="spam")

    services.post_unhide(post=question, moderator=admin_user)

    question.refresh_from_db()
    assert not question.is_hidden
    assert sorted(Flag.objects.values_list("status", flat=True)) == [
        Flag.Status.DISMISSED,
        Flag.Status.UPHELD,
    ]


def test_comments_can_be_flagged_and_hidden(
    question: Question, asker: User, admin_user: User
) -> None:
    comment = services.comment_create(author=asker, body="Rude words", question=question)

    services.post_flag(flagger=StudentFactory(), post=comment, reason="offensive")
    services.post_hide(post=comment, moderator=admin_user)

    comment.refresh_from_db()
    assert comment.is_hidden
    assert Flag.objects.get().status == Flag.Status.UPHELD
