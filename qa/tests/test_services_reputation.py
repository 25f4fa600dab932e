"""Reputation: the daily cap, vote-ring guards and reversal when a rater is removed."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from accounts import services as account_services
from accounts.models import User
from qa import reputation, services, tasks
from qa.models import Answer, ReputationEvent, StarRating, UserReputation
from qa.tests.factories import StudentFactory, make_answer, make_question

pytestmark = pytest.mark.django_db


def _points(user: User) -> int:
    return UserReputation.objects.filter(user=user).values_list("points", flat=True).first() or 0


def test_reputation_from_ratings_stops_at_the_daily_cap_but_acceptances_do_not(
    answerer: User,
) -> None:
    with time_machine.travel(dt.datetime(2026, 5, 4, 9, tzinfo=dt.UTC), tick=False):
        for _ in range(41):  # 41 x 5 = 205 > 200
            answer = make_answer(question=make_question(), author=answerer)
            services.answer_star(answer=answer, rater=StudentFactory(), stars=5)
        assert _points(answerer) == reputation.DAILY_CAP
        capped = ReputationEvent.objects.filter(user=answerer).order_by("-pk").first()
        assert (capped.points, capped.points_before_cap, capped.note) == (
            0,
            5,
            "daily cap of 200 reached",
        )

        question = make_question()
        accepted = make_answer(question=question, author=answerer)
        services.answer_accept(answer=accepted, actor=question.asker)
        assert _points(answerer) == reputation.DAILY_CAP + reputation.ACCEPTED_POINTS

    with time_machine.travel(dt.datetime(2026, 5, 5, 9, tzinfo=dt.UTC), tick=False):
        services.answer_star(answer=accepted, rater=StudentFactory(), stars=5)
        assert _points(answerer) == reputation.DAILY_CAP + reputation.ACCEPTED_POINTS + 5


def test_serial_ratings_from_one_rater_stop_earning_reputation(answerer: User) -> None:
    rater = StudentFactory()
    answers = [
        make_answer(question=make_question(), author=answerer)
        for _ in range(reputation.SERIAL_RATINGS_PER_DAY + 2)
    ]
    for answer in answers:
        services.answer_star(answer=answer, rater=rater, stars=5)

    assert _points(answerer) == 5 * reputation.SERIAL_RATINGS_PER_DAY
    refused = ReputationEvent.objects.filter(user=answerer, points=0)
    assert refused.count() == 2
    assert refused.first().note.startswith("serial rating")
    # The ratings themselves still count toward each answer's average.
    assert Answer.objects.filter(star_count=1).count() == len(answers)


def test_two_people_who_keep_rating_each_other_earn_nothing_from_each_other() -> None:
    first, second = StudentFactory(), StudentFactory()
    first_answers = [make_answer(question=make_question(), author=first) for _ in range(4)]
    second_answers = [make_answer(question=make_question(), author=second) for _ in range(4)]
    for answer in second_answers[:3]:
        services.answer_star(answer=answer, rater=first, stars=5)
    for answer in first_answers[:3]:
        services.answer_star(answer=answer, rater=second, stars=5)
    earned_by_first = _points(first)

    services.answer_star(answer=first_answers[3], rater=second, stars=5)

    assert earned_by_first == 10  # the third mutual rating already closed the ring
    assert _points(first) == earned_by_first
    assert (
        ReputationEvent.objects.filter(user=first, points=0)
        .first()
        .note.startswith("reciprocal rating")
    )


def test_a_deactivated_raters_contributions_are_reversed_by_the_sweep(
    answer: Answer, answerer: User
) -> None:
    rater, fair = StudentFactory(), StudentFactory()
    services.answer_star(answer=answer, rater=rater, stars=5)
    services.answer_star(answer=answer, rater=fair, stars=3)
    assert _points(answerer) == 6

    account_services.user_deactivate(user=rater)
    reversed_count = tasks.removed_raters_reverse.delay().get()

    answer.refresh_from_db()
    assert reversed_count == 1
    assert _points(answerer) == reputation.STAR_POINTS[3]
    assert (answer.star_count, answer.star_total) == (1, 3)
    assert list(StarRating.objects.values_list("rater_id", flat=True)) == [fair.pk]
    assert tasks.removed_raters_reverse.delay().get() == 0  # idempotent


def test_deactivating_a_rater_reverses_their_contributions_at_once(
    answer: Answer, answerer: User, django_capture_on_commit_callbacks
) -> None:
    rater, fair = StudentFactory(), StudentFactory()
    services.answer_star(answer=answer, rater=rater, stars=5)
    services.answer_star(answer=answer, rater=fair, stars=4)
    fair.display_name = "Still here"
    fair.save()  # saving an active account reverses nothing

    with django_capture_on_commit_callbacks(execute=True):
        account_services.user_deactivate(user=rater)

    answer.refresh_from_db()
    assert _points(answerer) == reputation.STAR_POINTS[4]
    assert (answer.star_count, answer.star_total) == (1, 4)
    assert tasks.removed_raters_reverse.delay().get() == 0  # nothing left for the sweep
    assert tasks.deactivated_rater_reverse.delay(fair.pk).get() == 0  # active: untouched


def test_a_deleted_raters_contributions_are_reversed(answer: Answer, answerer: User) -> None:
    rater = StudentFactory()
    services.answer_star(answer=answer, rater=rater, stars=5)

    rater.delete()

    answer.refresh_from_db()
    assert (answer.star_count, answer.star_total) == (0, 0)
    assert _points(answerer) == 0
    reversal = ReputationEvent.objects.get(kind=ReputationEvent.Kind.REVERSAL)
    assert reversal.note == "the rater's account was removed"


def test_a_reputation_event_is_reversed_only_once(answer: Answer, other_student: User) -> None:
    services.answer_star(answer=answer, rater=other_student, stars=4)
    event = ReputationEvent.objects.get()

    assert services.reputation_event_reverse(event=event, note="test") is not None
    assert services.reputation_event_reverse(event=event, note="test") is None
    assert _points(answer.author) == 0
