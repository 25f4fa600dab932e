"""Spaced revision with FSRS: quiz answers make cards, reviews follow the fsrs library exactly."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

import fsrs
import pytest
import time_machine
from django.test import Client
from rest_framework.test import APIClient

from accounts.models import User
from courses import services as course_services
from courses.tests.factories import EnrollmentFactory, course_with_outline, quiz_lesson
from learning import services
from learning.models import ReviewCard, ReviewLog

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def _answered_quiz(student: User, *, right: bool, questions: int = 2) -> Any:
    course = course_with_outline(modules=1, lessons_per_module=1)
    quiz = quiz_lesson(course.modules.get(), order=5, questions=questions, max_attempts=None)
    EnrollmentFactory(learner=student, course=course)
    answers = {str(q.pk): q.choices.get(is_correct=right).pk for q in quiz.questions.all()}
    with time_machine.travel(START, tick=False):
        attempt, _ = course_services.quiz_attempt_start(learner=student, quiz=quiz)
        course_services.quiz_attempt_submit(learner=student, attempt=attempt, answers=answers)
    attempt.refresh_from_db()
    return attempt


def test_every_question_met_in_a_quiz_becomes_a_card_rated_by_the_answer(
    student: User, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        attempt = _answered_quiz(student, right=False)

    cards = ReviewCard.objects.filter(learner=student)
    assert cards.count() == 2
    assert set(ReviewLog.objects.values_list("rating", "source", "source_id")) == {
        (1, "quiz", attempt.pk)
    }
    # "Again" in the learning steps: due again within minutes, the same day.
    for card in cards:
        assert START < card.due <= START + dt.timedelta(minutes=10)

    services.cards_from_attempt(attempt=attempt)  # the same attempt never rates twice
    assert ReviewLog.objects.count() == 2


def test_scheduling_matches_the_fsrs_library_for_the_same_history(
    student: User, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        _answered_quiz(student, right=True, questions=1)
    card = ReviewCard.objects.get(learner=student)
    history = [(3, 0), (3, 1), (2, 4), (1, 10), (3, 11), (4, 20), (3, 60)]  # (rating, day)

    random.seed(2026)  # the library fuzzes intervals with `random`: the same draws both ways
    ours = []
    for rating, day in history:
        moment = START + dt.timedelta(days=day, hours=1)
        card.refresh_from_db()
        if card.due > moment:  # review whenever due, as a learner would
            moment = card.due
        with time_machine.travel(moment, tick=False):
            log = services.review_submit(learner=student, card_id=card.pk, rating=rating)
        ours.append((log.reviewed_at, log.due_after, log.stability_after, log.difficulty_after))

    random.seed(2026)
    scheduler = fsrs.Scheduler(desired_retention=0.9)
    reference = fsrs.Card(card_id=1, due=START)
    reference, _ = scheduler.review_card(reference, fsrs.Rating.Good, review_datetime=START)
    for (rating, _), (reviewed_at, due, stability, difficulty) in zip(history, ours, strict=True):
        reference, _ = scheduler.review_card(
            reference, fsrs.Rating(rating), review_datetime=reviewed_at
        )
        assert reference.due == due
        assert reference.stability == pytest.approx(stability)
        assert reference.difficulty == pytest.approx(difficulty)


def _replayed(learner: User, history: list[tuple[int, int]], seed: int) -> list[Any]:
    """Review the learner's one card along `history` ((rating, day) pairs, each when due)."""
    card = ReviewCard.objects.get(learner=learner)
    random.seed(seed)
    logs = []
    for rating, day in history:
        moment = START + dt.timedelta(days=day, hours=1)
        card.refresh_from_db()
        moment = max(moment, card.due)
        with time_machine.travel(moment, tick=False):
            logs.append(services.review_submit(learner=learner, card_id=card.pk, rating=rating))
    return logs


def test_the_desired_retention_changes_the_schedule_as_the_library_does(
    student: User, other_student: User, django_capture_on_commit_callbacks: Any
) -> None:
    history = [(3, 1), (3, 3), (3, 10), (2, 30), (3, 60)]
    intervals: dict[float, list[dt.timedelta]] = {}
    for learner, retention in ((student, 0.8), (other_student, 0.95)):
        services.preference_update(user=learner, desired_retention=retention)
        with django_capture_on_commit_callbacks(execute=True):
            _answered_quiz(learner, right=True, questions=1)  # rated Good at START
        logs = _replayed(learner, history, seed=11)
        intervals[retention] = [log.due_after - log.reviewed_at for log in logs]

        random.seed(11)
        scheduler = fsrs.Scheduler(desired_retention=retention)
        reference, _ = scheduler.review_card(
            fsrs.Card(card_id=1, due=START), fsrs.Rating.Good, review_datetime=START
        )
        for (rating, _), log in zip(history, logs, strict=True):
            reference, _ = scheduler.review_card(
                reference, fsrs.Rating(rating), review_datetime=log.reviewed_at
            )
            assert reference.due == log.due_after

    # Wanting to remember more brings every review-state card back sooner.
    review_state = slice(1, None)  # the first review leaves the learning steps
    assert all(
        strict < lenient
        for strict, lenient in zip(
            intervals[0.95][review_state], intervals[0.8][review_state], strict=True
        )
    )
    assert intervals[0.8][-1] > 2 * intervals[0.95][-1]


def test_easy_comes_back_much_later_than_again(student: User, other_student: User) -> None:
    dues = {}
    for learner, rating in ((student, "easy"), (other_student, "again")):
        _answered_quiz(learner, right=True, questions=1)
        services.cards_from_attempt(attempt=learner.quiz_attempts.get())
        card = ReviewCard.objects.get(learner=learner)
        with time_machine.travel(card.due + dt.timedelta(days=3), tick=False):
            log = services.review_submit(learner=learner, card_id=card.pk, rating=rating)
        dues[rating] = log.due_after - log.reviewed_at
    assert dues["again"] < dt.timedelta(hours=1)
    assert dues["easy"] > dt.timedelta(days=7)


def test_a_review_submitted_twice_counts_once(student: User) -> None:
    attempt = _answered_quiz(student, right=True, questions=1)
    services.cards_from_attempt(attempt=attempt)
    card = ReviewCard.objects.get(learner=student)
    with time_machine.travel(card.due + dt.timedelta(days=2), tick=False):
        services.review_submit(learner=student, card_id=card.pk, rating="good")
        with pytest.raises(services.CardNotDueError):
            services.review_submit(learner=student, card_id=card.pk, rating="good")
    assert ReviewLog.objects.filter(card=card, source="review").count() == 1


@pytest.mark.parametrize("rating", [0, 5, "meh", None, True, 2.5])
def test_bad_ratings_are_refused(student: User, rating: Any) -> None:
    attempt = _answered_quiz(student, right=True, questions=1)
    services.cards_from_attempt(attempt=attempt)
    card = ReviewCard.objects.get(learner=student)
    with pytest.raises(services.InvalidRatingError):
        services.review_submit(learner=student, card_id=card.pk, rating=rating)


def test_someone_elses_card_is_not_found(student: User, other_student: User) -> None:
    attempt = _answered_quiz(student, right=True, questions=1)
    services.cards_from_attempt(attempt=attempt)
    card = ReviewCard.objects.get(learner=student)
    with pytest.raises(services.CardNotFoundError):
        services.review_submit(learner=other_student, card_id=card.pk, rating="good")


def test_the_dashboard_due_count_matches_the_api(student: User) -> None:
    attempt = _answered_quiz(student, right=False, questions=3)
    services.cards_from_attempt(attempt=attempt)
    with time_machine.travel(START + dt.timedelta(days=1), tick=False):
        client = Client()
        client.force_login(student)
        page = client.get("/dashboard/").content.decode()
        api = APIClient()
        api.force_authenticate(student)
        stats = api.get("/api/v1/reviews/stats").json()
        due = api.get("/api/v1/reviews/due").json()
    assert stats["due_now"] == 3 == len(due)
    assert '<span id="due-count">3</span>' in page


def test_the_review_page_shows_one_card_and_rating_moves_on(student: User) -> None:
    attempt = _answered_quiz(student, right=False, questions=2)
    services.cards_from_attempt(attempt=attempt)
    client = Client()
    client.force_login(student)
    with time_machine.travel(START + dt.timedelta(days=1), tick=False):
        page = client.get("/review/").content.decode()
        card = ReviewCard.objects.filter(learner=student).order_by("due", "id").first()
        assert "2 cards due now" in page
        assert 'data-key="3"' in page
        response = client.post(f"/review/{card.pk}/rate/", {"rating": "good"})
        assert response.status_code == 302
        assert "1 card due now" in client.get("/review/").content.decode()


def test_a_card_from_a_choice_question_shows_its_choices_on_the_review_page(
    student: User,
) -> None:
    attempt = _answered_quiz(student, right=False, questions=1)
    services.cards_from_attempt(attempt=attempt)
    question = attempt.quiz.questions.get()
    client = Client()
    client.force_login(student)

    with time_machine.travel(START + dt.timedelta(days=1), tick=False):
        page = client.get("/review/").content.decode()

    choices = page[page.index('<ul class="review-card__choices"') :]
    choices = choices[: choices.index("</ul>")]
    assert [text for text in ("right", "wrong") if f"<li>{text}</li>" in choices] == [
        "right",
        "wrong",
    ]
    assert choices.index("right") < choices.index("wrong")  # in the question's order
    assert question.text in page
    # The answer stays behind "Show the answer".
    answer = page[page.index('id="review-answer"') :]
    assert "<strong>Answer:</strong> right" in answer


def test_the_review_api_rates_and_validates(student: User) -> None:
    attempt = _answered_quiz(student, right=True, questions=1)
    services.cards_from_attempt(attempt=attempt)
    card = ReviewCard.objects.get(learner=student)
    api = APIClient()
    api.force_authenticate(student)
    with time_machine.travel(card.due + dt.timedelta(days=2), tick=False):
        bad = api.post(f"/api/v1/reviews/{card.pk}", {"rating": "meh"}, format="json")
        good = api.post(f"/api/v1/reviews/{card.pk}", {"rating": "good"}, format="json")
        again = api.post(f"/api/v1/reviews/{card.pk}", {"rating": "good"}, format="json")
    assert bad.status_code == 400
    assert "rating" in bad.json()["error"]["fields"]
    assert good.status_code == 201
    assert again.status_code == 409
    assert APIClient().get("/api/v1/reviews/due").status_code == 401


def _due_cards_in_two_courses(student: User, first: int, second: int) -> tuple[Any, Any]:
    one = _answered_quiz(student, right=False, questions=first)
    two = _answered_quiz(student, right=False, questions=second)
    services.cards_from_attempt(attempt=one)
    services.cards_from_attempt(attempt=two)
    return one.quiz.lesson.module.course, two.quiz.lesson.module.course


def test_the_review_page_can_be_narrowed_to_one_course(student: User) -> None:
    first, second = _due_cards_in_two_courses(student, 2, 3)
    client = Client()
    client.force_login(student)
    with time_machine.travel(START + dt.timedelta(days=1), tick=False):
        everything = client.get("/review/").content.decode()
        one = client.get(f"/review/?course={second.pk}").content.decode()
        api = APIClient()
        api.force_authenticate(student)
        due = api.get(f"/api/v1/reviews/due?course={second.pk}").json()

    assert "5 cards due now" in everything
    assert f'href="/review/?course={first.pk}">{first.title} (2)</a>' in everything
    assert f'href="/review/?course={second.pk}">{second.title} (3)</a>' in everything
    assert "3 cards due now" in one
    assert f'href="/review/?course={second.pk}" aria-current="page"' in one
    assert f'<p class="hint">{second.title}</p>' in one
    assert {card["course"] for card in due} == {second.pk}
    assert len(due) == 3


@pytest.mark.parametrize("cards", [2, 6])
def test_review_pages_and_the_due_api_keep_a_query_budget(
    student: User, cards: int, django_assert_max_num_queries: Any
) -> None:
    _due_cards_in_two_courses(student, cards, cards)
    client = Client()
    client.force_login(student)
    api = APIClient()
    api.force_authenticate(student)
    with time_machine.travel(START + dt.timedelta(days=1), tick=False):
        with django_assert_max_num_queries(12):
            assert client.get("/review/").status_code == 200
        with django_assert_max_num_queries(5):
            assert len(api.get("/api/v1/reviews/due").json()) == 2 * cards
        with django_assert_max_num_queries(12):
            assert client.get("/dashboard/").status_code == 200


def test_the_stats_count_todays_reviews_the_cards_due_and_the_recent_retention(
    student: User,
) -> None:
    attempt = _answered_quiz(student, right=False, questions=4)  # four cards rated "again"
    services.cards_from_attempt(attempt=attempt)
    first, second, third, fourth = ReviewCard.objects.filter(learner=student).order_by("id")
    api = APIClient()
    api.force_authenticate(student)
    with time_machine.travel(START + dt.timedelta(hours=1), tick=False):  # yesterday's review
        services.review_submit(learner=student, card_id=first.pk, rating="good")
    with time_machine.travel(START + dt.timedelta(days=1), tick=False):
        for card, rating in ((second, "again"), (third, "good"), (fourth, "easy")):
            services.review_submit(learner=student, card_id=card.pk, rating=rating)
        stats = api.get("/api/v1/reviews/stats").json()

    # Due now: the first card only (its next step came yesterday). Due by midnight: that one
    # and the two still in their learning steps (again, good); "easy" comes back days later.
    # Retention: three of the four review-session ratings in 30 days were not "again" (the
    # quiz's own ratings are not reviews).
    assert stats == {
        "due_now": 1,
        "due_today": 3,
        "reviewed_today": 3,
        "total_cards": 4,
        "retention_percent": 75,
    }


def test_the_stats_of_a_learner_who_never_reviewed_have_no_retention(student: User) -> None:
    api = APIClient()
    api.force_authenticate(student)
    assert api.get("/api/v1/reviews/stats").json() == {
        "due_now": 0,
        "due_today": 0,
        "reviewed_today": 0,
        "total_cards": 0,
        "retention_percent": None,
    }
