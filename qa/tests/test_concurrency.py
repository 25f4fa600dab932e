"""Many people rating (and one asker awarding) at the same moment.

Run against PostgreSQL in CI (DATABASE_URL=postgres://...): each thread has its own connection
and transaction, and the answer's row lock must make the count, total and average exact.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from statistics import mean

import pytest
from django.db import connection, connections

from qa import services
from qa.models import ReputationEvent, StarRating, UserReputation
from qa.tests.factories import StudentFactory, make_answer, make_question

pytestmark = pytest.mark.django_db(transaction=True)

RATERS = 24


def _in_thread(function, *args):
    def run():
        try:
            return function(*args)
        finally:
            connections.close_all()

    return run


def test_the_average_is_right_after_many_concurrent_ratings() -> None:
    answer = make_answer(question=make_question())
    raters = [StudentFactory() for _ in range(RATERS)]
    first_stars = [1 + index % 5 for index in range(RATERS)]
    final_stars = [5 - index % 5 for index in range(RATERS)]
    barrier = threading.Barrier(RATERS)

    def rate(rater, first, final):
        barrier.wait()
        services.answer_star(answer=answer, rater=rater, stars=first)
        services.answer_star(answer=answer, rater=rater, stars=final)  # replaces the first

    with ThreadPoolExecutor(max_workers=RATERS) as pool:
        futures = [
            pool.submit(_in_thread(rate, rater, first, final))
            for rater, first, final in zip(raters, first_stars, final_stars, strict=True)
        ]
        for future in futures:
            future.result()

    answer.refresh_from_db()
    assert StarRating.objects.filter(answer=answer).count() == RATERS
    assert answer.star_count == RATERS
    assert answer.star_total == sum(final_stars)
    assert answer.star_average == pytest.approx(mean(final_stars))
    # Each rater has exactly one live reputation event, worth their final rating.
    live = ReputationEvent.objects.filter(user=answer.author, kind="stars", is_reversed=False)
    assert live.count() == RATERS
    points = UserReputation.objects.get(user=answer.author).points
    assert points == sum(
        event.points for event in ReputationEvent.objects.filter(user=answer.author)
    )
    print(
        f"\n[qa concurrency] {RATERS} raters on {connection.vendor}: average {answer.star_average}"
    )


def test_one_rater_rating_twice_at_once_leaves_one_rating() -> None:
    answer = make_answer(question=make_question())
    rater = StudentFactory()
    barrier = threading.Barrier(6)

    def rate(stars):
        barrier.wait()
        services.answer_star(answer=answer, rater=rater, stars=stars)

    with ThreadPoolExecutor(max_workers=6) as pool:
        for future in [pool.submit(_in_thread(rate, 1 + index % 5)) for index in range(6)]:
            future.result()

    answer.refresh_from_db()
    rating = StarRating.objects.get(answer=answer)
    assert (answer.star_count, answer.star_total) == (1, rating.stars)
    assert ReputationEvent.objects.filter(kind="stars", is_reversed=False).count() == 1


def test_an_asker_awarding_twice_at_once_gives_one_award() -> None:
    from qa.models import XpAward
    from qa.tests.ledger import ledger_total

    question = make_question()
    answer = make_answer(question=question)
    barrier = threading.Barrier(5)

    def award(xp):
        barrier.wait()
        services.answer_rate(answer=answer, asker=question.asker, xp=xp)

    with ThreadPoolExecutor(max_workers=5) as pool:
        for future in [pool.submit(_in_thread(award, 6)) for _ in range(5)]:
            future.result()

    assert XpAward.objects.filter(answer=answer).count() == 1
    assert ledger_total(answer.author) == 6
