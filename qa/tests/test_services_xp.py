"""XP awards: asker only, 1-10, once per answer (changeable briefly, never stacked), never to
one's own answer; the answer's author receives what gamification's XP formula makes of it (the
1-10 as the factor; 1 XP a point outside a course, with no streak), within the daily cap."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from accounts.models import User
from qa import events, reputation, services
from qa.exceptions import (
    AnswerNotFoundError,
    InvalidInputError,
    NotAskerError,
    OwnContentError,
    XpAwardLockedError,
)
from qa.models import Answer, Question, ReputationEvent, UserReputation, XpAward
from qa.tests.factories import make_answer
from qa.tests.ledger import ledger_entries, ledger_total

pytestmark = pytest.mark.django_db

NOON = dt.datetime(2026, 5, 4, 12, 0, tzinfo=dt.UTC)


def _points(user: User) -> int:
    return UserReputation.objects.filter(user=user).values_list("points", flat=True).first() or 0


def test_the_asker_awards_xp_and_the_author_receives_exactly_that_once(
    answer: Answer, asker: User, answerer: User, django_capture_on_commit_callbacks
) -> None:
    rated = []
    events.answer_rated.connect(
        lambda sender, kind, value, previous, **kw: rated.append((kind, value, previous)),
        weak=False,
        dispatch_uid="test-xp",
    )
    try:
        with django_capture_on_commit_callbacks(execute=True):
            award = services.answer_rate(answer=answer, asker=asker, xp=7)
            again = services.answer_rate(answer=answer, asker=asker, xp=7)  # a retry
    finally:
        events.answer_rated.disconnect(dispatch_uid="test-xp")

    assert again.pk == award.pk
    assert (award.amount, award.ledger_amount, award.recipient) == (7, 7, answerer)
    assert ledger_total(answerer) == 7
    assert len(ledger_entries(answerer)) == 1
    assert ledger_total(asker) == 0
    assert rated == [("xp", 7, None)]
    assert _points(answerer) == 7 * reputation.XP_AWARD_POINTS_PER_XP


def test_anyone_but_the_asker_is_refused(
    answer: Answer, other_student: User, answerer: User
) -> None:
    with pytest.raises(NotAskerError) as error:
        services.answer_rate(answer=answer, asker=other_student, xp=5)

    assert error.value.status_code == 403
    assert not XpAward.objects.exists()
    assert ledger_total(answerer) == 0


def test_a_non_asker_is_refused_even_with_a_bad_value(answer: Answer, other_student: User) -> None:
    with pytest.raises(NotAskerError):
        services.answer_rate(answer=answer, asker=other_student, xp=99)


@pytest.mark.parametrize("xp", [0, 11, -3, 5.5, "7", None, True])
def test_only_whole_xp_from_1_to_10(
    answer: Answer, asker: User, answerer: User, xp: object
) -> None:
    with pytest.raises(InvalidInputError) as error:
        services.answer_rate(answer=answer, asker=asker, xp=xp)

    assert error.value.status_code == 400
    assert error.value.fields == {"xp": ["XP must be a whole number from 1 to 10."]}
    assert not XpAward.objects.exists()
    assert ledger_total(answerer) == 0


def test_the_asker_never_awards_their_own_answer(question: Question, asker: User) -> None:
    own = make_answer(question=question, author=asker)

    with pytest.raises(OwnContentError):
        services.answer_rate(answer=own, asker=asker, xp=10)

    assert not XpAward.objects.exists()
    assert ledger_total(asker) == 0


def test_a_change_within_the_window_replaces_the_award_never_stacks_it(
    answer: Answer, asker: User, answerer: User
) -> None:
    with time_machine.travel(NOON, tick=False):
        services.answer_rate(answer=answer, asker=asker, xp=4)
    with time_machine.travel(NOON + dt.timedelta(minutes=5), tick=False):
        services.answer_rate(answer=answer, asker=asker, xp=9)
    with time_machine.travel(NOON + dt.timedelta(minutes=9), tick=False):
        award = services.answer_rate(answer=answer, asker=asker, xp=6)

    assert XpAward.objects.count() == 1
    assert (award.amount, award.ledger_amount, award.revision) == (6, 6, 3)
    assert ledger_total(answerer) == 6
    assert _points(answerer) == 6 * reputation.XP_AWARD_POINTS_PER_XP
    live = ReputationEvent.objects.filter(user=answerer, kind="xp_award", is_reversed=False)
    assert list(live.values_list("points", flat=True)) == [12]


def test_after_the_window_the_award_is_final(answer: Answer, asker: User, answerer: User) -> None:
    with time_machine.travel(NOON, tick=False):
        services.answer_rate(answer=answer, asker=asker, xp=8)

    with time_machine.travel(NOON + reputation.XP_AWARD_CHANGE_WINDOW, tick=False):
        with pytest.raises(XpAwardLockedError) as error:
            services.answer_rate(answer=answer, asker=asker, xp=10)
        # The same value again is still a harmless retry.
        services.answer_rate(answer=answer, asker=asker, xp=8)

    assert error.value.status_code == 409
    assert error.value.message == (
        "You awarded 8 XP to this answer; it could only be changed within 10 minutes."
    )
    assert XpAward.objects.get().amount == 8
    assert ledger_total(answerer) == 8


def test_each_answer_gets_its_own_award(question: Question, asker: User, answerer: User) -> None:
    first = make_answer(question=question, author=answerer)
    second = make_answer(question=question, author=answerer)

    services.answer_rate(answer=first, asker=asker, xp=3)
    services.answer_rate(answer=second, asker=asker, xp=5)

    assert ledger_total(answerer) == 8
    assert XpAward.objects.count() == 2


def test_hidden_answers_get_no_award(answer: Answer, asker: User, admin_user: User) -> None:
    services.post_hide(post=answer, moderator=admin_user)

    with pytest.raises(AnswerNotFoundError):
        services.answer_rate(answer=answer, asker=asker, xp=5)
    assert not XpAward.objects.exists()


# --- the XP formula ------------------------------------------------------------------------------
# The asker's 1-10 is the factor of gamification's formula: base(answer_rated) x factor x the
# course's difficulty multiplier + the answerer's streak bonus, within the action's daily cap.


def _expert_question(asker: User) -> Question:
    from courses.models import Course
    from courses.tests.factories import CourseFactory, EnrollmentFactory

    course = CourseFactory(difficulty=Course.Difficulty.EXPERT)  # multiplier 2.0
    EnrollmentFactory(learner=asker, course=course)
    return services.question_create(
        asker=asker,
        title="Why does my expert-level pipeline deadlock?",
        body="Two workers wait on each other forever; how do I find the cycle?",
        course=course,
    )


def test_an_award_is_worth_what_the_xp_formula_gives(asker: User, answerer: User) -> None:
    from gamification.models import LearnerStats

    LearnerStats.objects.create(user=answerer, current_streak=3, longest_streak=3)
    answer = make_answer(question=_expert_question(asker), author=answerer)

    award = services.answer_rate(answer=answer, asker=asker, xp=7)

    # 1 (base) x 7 (the asker's award) x 2.0 (expert course) + 3 (a three-day streak)
    assert (award.amount, award.ledger_amount) == (7, 17)
    assert [row.amount for row in ledger_entries(answerer)] == [17]
    assert ledger_entries(answerer)[0].course == answer.question.course


def test_the_xp_table_in_force_prices_the_award(asker: User, answerer: User, settings) -> None:
    settings.GAMIFICATION = {"XP_BASE": {"answer_rated": 3}}
    answer = make_answer(question=_expert_question(asker), author=answerer)

    services.answer_rate(answer=answer, asker=asker, xp=2)

    assert ledger_total(answerer) == 3 * 2 * 2


def test_a_change_nets_the_ledger_to_the_formulas_value_for_the_new_award(
    asker: User, answerer: User
) -> None:
    answer = make_answer(question=_expert_question(asker), author=answerer)
    with time_machine.travel(NOON, tick=False):
        services.answer_rate(answer=answer, asker=asker, xp=4)
    with time_machine.travel(NOON + dt.timedelta(minutes=3), tick=False):
        services.answer_rate(answer=answer, asker=asker, xp=9)
    with time_machine.travel(NOON + dt.timedelta(minutes=6), tick=False):
        award = services.answer_rate(answer=answer, asker=asker, xp=5)

    assert [row.amount for row in ledger_entries(answerer)] == [8, 10, -8]
    assert ledger_total(answerer) == award.ledger_amount == 5 * 2


def test_the_daily_cap_trims_help_center_xp_and_a_change_never_exceeds_it(
    question: Question, asker: User, answerer: User, settings
) -> None:
    settings.GAMIFICATION = {"DAILY_CAP": {"answer_rated": 10}}
    first = make_answer(question=question, author=answerer)
    second = make_answer(question=question, author=answerer)
    third = make_answer(question=question, author=answerer)

    with time_machine.travel(NOON, tick=False):
        services.answer_rate(answer=first, asker=asker, xp=7)
        trimmed = services.answer_rate(answer=second, asker=asker, xp=6)
        nothing = services.answer_rate(answer=third, asker=asker, xp=5)
        # Raising the first award within its window: the cap is reached, the ledger stays.
        raised = services.answer_rate(answer=first, asker=asker, xp=10)

    assert (trimmed.amount, trimmed.ledger_amount) == (6, 3)
    assert (nothing.amount, nothing.ledger_amount) == (5, 0)
    assert (raised.amount, raised.ledger_amount) == (10, 7)
    assert ledger_total(answerer) == 10


def test_an_award_is_not_a_streak_day_for_the_answerer(
    answer: Answer, asker: User, answerer: User, django_capture_on_commit_callbacks
) -> None:
    from gamification.models import LearnerStats, XpTransaction

    with django_capture_on_commit_callbacks(execute=True):
        services.answer_rate(answer=answer, asker=asker, xp=6)

    stats = LearnerStats.objects.get(user=answerer)
    assert (stats.total_xp, stats.current_streak, stats.last_active_date) == (6, 0, None)
    assert not XpTransaction.objects.filter(user=answerer, action="streak_day").exists()
