"""Star ratings: 1-5, one per person and answer (replacing), never one's own, rate limited."""

from __future__ import annotations

import pytest

from accounts.models import User
from qa import events, reputation, services
from qa.exceptions import AnswerNotFoundError, InvalidInputError, OwnContentError, RateLimitedError
from qa.models import Answer, ReputationEvent, StarRating, UserReputation
from qa.tests.factories import StudentFactory, make_answer

pytestmark = pytest.mark.django_db


def _points(user: User) -> int:
    return UserReputation.objects.filter(user=user).values_list("points", flat=True).first() or 0


def test_a_rating_counts_toward_the_average_and_the_authors_reputation(
    answer: Answer, answerer: User, other_student: User, asker: User
) -> None:
    services.answer_star(answer=answer, rater=other_student, stars=5)
    services.answer_star(answer=answer, rater=asker, stars=2)

    answer.refresh_from_db()
    assert (answer.star_count, answer.star_total, answer.star_average) == (2, 7, 3.5)
    assert _points(answerer) == reputation.STAR_POINTS[5] + reputation.STAR_POINTS[2] == 4


def test_rating_again_replaces_the_first_rating(
    answer: Answer, answerer: User, other_student: User, django_capture_on_commit_callbacks
) -> None:
    rated = []
    events.answer_rated.connect(
        lambda sender, kind, value, previous, **kw: rated.append((kind, value, previous)),
        weak=False,
        dispatch_uid="test-stars",
    )
    try:
        with django_capture_on_commit_callbacks(execute=True):
            services.answer_star(answer=answer, rater=other_student, stars=5)
            services.answer_star(answer=answer, rater=other_student, stars=3)
            services.answer_star(answer=answer, rater=other_student, stars=3)  # no change
    finally:
        events.answer_rated.disconnect(dispatch_uid="test-stars")

    answer.refresh_from_db()
    assert StarRating.objects.get().stars == 3
    assert (answer.star_count, answer.star_total) == (1, 3)
    assert _points(answerer) == reputation.STAR_POINTS[3]
    assert rated == [("stars", 5, None), ("stars", 3, 5)]
    kinds = list(
        ReputationEvent.objects.order_by("pk").values_list("kind", "points", "is_reversed")
    )
    assert kinds == [("stars", 5, True), ("reversal", -5, False), ("stars", 1, False)]


@pytest.mark.parametrize("stars", [0, 6, -1, 2.5, "4", None, True])
def test_only_whole_stars_from_1_to_5(answer: Answer, other_student: User, stars: object) -> None:
    with pytest.raises(InvalidInputError) as error:
        services.answer_star(answer=answer, rater=other_student, stars=stars)

    assert error.value.fields == {"stars": ["Stars must be a whole number from 1 to 5."]}
    assert not StarRating.objects.exists()


def test_nobody_rates_their_own_answer(answer: Answer, answerer: User) -> None:
    with pytest.raises(OwnContentError):
        services.answer_star(answer=answer, rater=answerer, stars=5)

    answer.refresh_from_db()
    assert (answer.star_count, _points(answerer)) == (0, 0)


def test_hidden_answers_cannot_be_rated(
    answer: Answer, other_student: User, admin_user: User
) -> None:
    services.post_hide(post=answer, moderator=admin_user)

    with pytest.raises(AnswerNotFoundError):
        services.answer_star(answer=answer, rater=other_student, stars=4)
    assert not StarRating.objects.exists()


def test_a_rater_may_rate_at_most_30_answers_an_hour(question, other_student: User) -> None:
    answers = [make_answer(question=question) for _ in range(reputation.STAR_RATINGS_PER_HOUR + 1)]
    for answer in answers[:-1]:
        services.answer_star(answer=answer, rater=other_student, stars=4)

    with pytest.raises(RateLimitedError) as error:
        services.answer_star(answer=answers[-1], rater=other_student, stars=4)

    assert error.value.status_code == 429
    assert StarRating.objects.count() == reputation.STAR_RATINGS_PER_HOUR


def test_the_bayesian_average_ranks_many_good_ratings_above_one_perfect_one() -> None:
    assert reputation.bayesian_average(5, 1) == pytest.approx(3.333, abs=0.001)
    assert reputation.bayesian_average(240, 50) == pytest.approx(4.636, abs=0.001)
    assert reputation.bayesian_average(240, 50) > reputation.bayesian_average(5, 1)
    assert reputation.bayesian_average(0, 0) == reputation.PRIOR_MEAN


def test_answers_are_listed_accepted_first_then_by_bayesian_average(question, asker) -> None:
    from qa import selectors

    single_five = make_answer(question=question)
    many_good = make_answer(question=question)
    unrated = make_answer(question=question)
    accepted = make_answer(question=question)
    services.answer_star(answer=single_five, rater=StudentFactory(), stars=5)
    for stars in [5, 5, 5, 4, 5, 5, 4, 5, 5, 5]:
        services.answer_star(answer=many_good, rater=StudentFactory(), stars=stars)
    services.answer_accept(answer=accepted, actor=asker)

    ordered = list(selectors.answer_list_for_question(question=question, viewer=asker))

    assert [answer.pk for answer in ordered] == [
        accepted.pk,
        many_good.pk,
        single_five.pk,
        unrated.pk,
    ]
