from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import fsrs
import pytest
import time_machine
from django.db import connection

from accounts.models import User
from courses.models import Quiz
from learning import selectors, services
from learning.exceptions import CardNotDueError, CardNotFoundError, InvalidPreferenceError
from learning.models import LearningPreference, Mode, ReviewCard, ReviewLog, StudyActivity
from learning.tests.helpers import answer_quiz

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _card(learner: User, quiz: Quiz) -> ReviewCard:
    services.cards_ensure(learner=learner, questions=[quiz.questions.order_by("order").first()])
    return ReviewCard.objects.get(learner=learner)


def test_every_question_met_in_a_quiz_becomes_a_card_rated_by_the_answer(
    enrolled: User, quiz: Quiz, django_capture_on_commit_callbacks
) -> None:
    with time_machine.travel(START, tick=False), django_capture_on_commit_callbacks(execute=True):
        attempt = answer_quiz(enrolled, quiz, wrong=1)

    cards = {card.question_id: card for card in ReviewCard.objects.filter(learner=enrolled)}
    assert set(cards) == set(attempt.question_ids)
    wrong_id, *right_ids = attempt.question_ids
    logs = {log.card.question_id: log for log in ReviewLog.objects.select_related("card")}
    assert logs[wrong_id].rating == ReviewLog.Rating.AGAIN
    assert {logs[pk].rating for pk in right_ids} == {ReviewLog.Rating.GOOD}
    assert {log.source for log in logs.values()} == {ReviewLog.Source.QUIZ}
    # FSRS learning steps: again in 1 minute, good in 10 minutes.
    assert cards[wrong_id].due == START + timedelta(minutes=1)
    assert {cards[pk].due for pk in right_ids} == {START + timedelta(minutes=10)}
    assert {card.course_id for card in cards.values()} == {quiz.lesson.module.course_id}


def test_meeting_a_question_again_before_it_is_due_adds_no_card_or_review(
    enrolled: User, quiz: Quiz, django_capture_on_commit_callbacks
) -> None:
    quiz.max_attempts = None
    quiz.save()
    with time_machine.travel(START, tick=False), django_capture_on_commit_callbacks(execute=True):
        answer_quiz(enrolled, quiz)
    with (
        time_machine.travel(START + timedelta(minutes=2), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        answer_quiz(enrolled, quiz)

    assert ReviewCard.objects.filter(learner=enrolled).count() == 3
    assert ReviewLog.objects.count() == 3


def test_scheduling_replays_the_fsrs_library_results_exactly(learner: User, quiz: Quiz) -> None:
    # Each review happens some time after the card came due (a recorded history: late, on time).
    history = [
        (timedelta(0), fsrs.Rating.Good),
        (timedelta(minutes=3), fsrs.Rating.Good),
        (timedelta(days=1), fsrs.Rating.Again),
        (timedelta(0), fsrs.Rating.Good),
        (timedelta(hours=5), fsrs.Rating.Hard),
        (timedelta(days=2), fsrs.Rating.Easy),
        (timedelta(0), fsrs.Rating.Good),
    ]
    LearningPreference.objects.create(learner=learner, desired_retention=0.85)
    with time_machine.travel(START, tick=False):
        card = _card(learner, quiz)
    scheduler = fsrs.Scheduler(desired_retention=0.85, enable_fuzzing=False)
    expected = fsrs.Card(card_id=card.pk, due=START)

    for lateness, rating in history:
        reviewed_at = expected.due + lateness
        with time_machine.travel(reviewed_at, tick=False):
            log = services.card_review(learner=learner, card_id=card.pk, rating=int(rating))
        expected, _ = scheduler.review_card(expected, rating, review_datetime=reviewed_at)
        card.refresh_from_db()
        assert card.due == expected.due
        assert card.stability == pytest.approx(expected.stability, rel=1e-9)
        assert card.difficulty == pytest.approx(expected.difficulty, rel=1e-9)
        assert card.state == int(expected.state)
        assert log.due_after == expected.due

    assert list(ReviewLog.objects.values_list("number", flat=True).order_by("number")) == [
        1,
        2,
        3,
        4,
        5,
        6,
        7,
    ]


def test_again_comes_back_the_same_day_and_easy_much_later(
    learner: User, other_learner: User, quiz: Quiz
) -> None:
    with time_machine.travel(START, tick=False):
        again = _card(learner, quiz)
        easy = _card(other_learner, quiz)
        services.card_review(learner=learner, card_id=again.pk, rating=1)
        services.card_review(learner=other_learner, card_id=easy.pk, rating=4)
    again.refresh_from_db()
    easy.refresh_from_db()
    assert again.due.date() == START.date()
    assert easy.due - START >= timedelta(days=7)


def test_a_higher_desired_retention_schedules_sooner(
    learner: User, other_learner: User, quiz: Quiz
) -> None:
    services.preference_update(learner=learner, data={"desired_retention": 0.97})
    services.preference_update(learner=other_learner, data={"desired_retention": 0.75})
    with time_machine.travel(START, tick=False):
        strict, relaxed = _card(learner, quiz), _card(other_learner, quiz)
        services.card_review(learner=learner, card_id=strict.pk, rating=4)
        services.card_review(learner=other_learner, card_id=relaxed.pk, rating=4)
    strict.refresh_from_db()
    relaxed.refresh_from_db()
    assert strict.due < relaxed.due


def test_a_second_submit_of_the_same_review_is_refused_and_changes_nothing(
    learner: User, quiz: Quiz
) -> None:
    with time_machine.travel(START, tick=False):
        card = _card(learner, quiz)
        services.card_review(learner=learner, card_id=card.pk, rating=3)
        card.refresh_from_db()
        with pytest.raises(CardNotDueError):
            services.card_review(learner=learner, card_id=card.pk, rating=3)
    after = ReviewCard.objects.get(pk=card.pk)
    assert (after.review_count, after.due, after.stability) == (1, card.due, card.stability)
    assert ReviewLog.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_double_submits_count_once(learner: User, quiz: Quiz) -> None:
    card = _card(learner, quiz)
    outcomes: list[str] = []
    barrier = threading.Barrier(2)

    def submit() -> None:
        barrier.wait()
        try:
            services.card_review(learner=learner, card_id=card.pk, rating=3)
            outcomes.append("reviewed")
        except CardNotDueError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["refused", "reviewed"]
    assert ReviewLog.objects.count() == 1
    assert ReviewCard.objects.get(pk=card.pk).review_count == 1


def test_another_learners_card_is_not_found(learner: User, other_learner: User, quiz: Quiz) -> None:
    card = _card(learner, quiz)
    with pytest.raises(CardNotFoundError):
        services.card_review(learner=other_learner, card_id=card.pk, rating=3)
    assert ReviewLog.objects.count() == 0


@pytest.mark.parametrize(
    ("is_correct", "duration_ms", "rating"),
    [(False, 1000, 1), (True, 40_000, 2), (True, 15_000, 3), (True, None, 3), (True, 2000, 4)],
)
def test_rating_is_derived_from_right_or_wrong_and_time(
    is_correct: bool, duration_ms: int | None, rating: int
) -> None:
    assert services.rating_from_answer(is_correct=is_correct, duration_ms=duration_ms) == rating


def test_due_counts_and_retention(learner: User, quiz: Quiz) -> None:
    with time_machine.travel(START, tick=False):
        services.cards_ensure(learner=learner, questions=quiz.questions.all())
        first, second, _third = ReviewCard.objects.order_by("pk")
        services.card_review(learner=learner, card_id=first.pk, rating=1)  # due in 1 minute
        services.card_review(learner=learner, card_id=second.pk, rating=4)  # due in days
    with time_machine.travel(START + timedelta(minutes=5), tick=False):
        services.card_review(learner=learner, card_id=first.pk, rating=3)  # a recalled repeat
        stats = selectors.review_stats(learner=learner)
        assert selectors.review_count_due(learner=learner) == stats.due_now == 1
    assert stats.due_today == 2  # the third (never reviewed) and the first (due in 10 minutes)
    assert stats.total_cards == 3
    assert stats.reviewed_today == 3
    assert stats.retention == 1.0
    assert stats.desired_retention == 0.9


def test_preferences_are_validated_and_a_refused_change_saves_nothing(learner: User) -> None:
    services.preference_update(learner=learner, data={"mode": Mode.BINGE})
    with pytest.raises(InvalidPreferenceError) as refused:
        services.preference_update(
            learner=learner, data={"mode": Mode.CHALLENGE, "desired_retention": 0.5}
        )
    assert "desired_retention" in refused.value.fields
    with pytest.raises(InvalidPreferenceError):
        services.preference_update(learner=learner, data={"colour": "red"})
    assert LearningPreference.objects.get(learner=learner).mode == Mode.BINGE


def test_a_course_mode_overrides_the_general_mode(learner: User, course) -> None:
    services.preference_update(learner=learner, data={"mode": Mode.BINGE})
    assert services.course_mode_set(learner=learner, course=course, mode=Mode.RELAX) == Mode.RELAX
    assert selectors.mode_get(learner=learner, course=course) == Mode.RELAX
    assert selectors.mode_get(learner=learner) == Mode.BINGE
    assert services.course_mode_set(learner=learner, course=course, mode=None) == Mode.BINGE
    assert selectors.mode_get(learner=learner, course=course) == Mode.BINGE
    with pytest.raises(InvalidPreferenceError):
        services.course_mode_set(learner=learner, course=course, mode="turbo")


def test_relax_mode_offers_a_break_after_the_chosen_interval_of_activity(learner: User) -> None:
    preference = services.preference_update(learner=learner, data={"study_interval_minutes": 5})
    with time_machine.travel(START, tick=False) as clock:
        services.study_heartbeat(learner=learner)
        for _ in range(9):  # 4.5 minutes of heartbeats every 30 seconds
            clock.shift(timedelta(seconds=30))
            activity = services.study_heartbeat(learner=learner)
        assert activity.active_seconds == 270
        assert not services.break_is_due(activity=activity, preference=preference)
        clock.shift(timedelta(minutes=20))  # away: the gap is not learning
        activity = services.study_heartbeat(learner=learner)
        assert activity.active_seconds == 270
        clock.shift(timedelta(seconds=30))
        activity = services.study_heartbeat(learner=learner)
        assert activity.active_seconds == 300
        assert services.break_is_due(activity=activity, preference=preference)
        services.study_break_start(learner=learner)
        clock.shift(timedelta(seconds=30))
        activity = services.study_heartbeat(learner=learner)
        assert activity.active_seconds == 300  # the break does not count
        assert not services.break_is_due(activity=activity, preference=preference)
        activity = services.study_break_end(learner=learner)
    assert (activity.active_seconds, activity.break_started_at) == (0, None)


def test_binge_counts_lessons_in_a_row_and_a_long_gap_starts_over(learner: User) -> None:
    for minutes in (0, 10, 25):
        activity = services.binge_lesson_record(
            learner=learner, completed_at=START + timedelta(minutes=minutes)
        )
    assert activity.lessons_in_a_row == 3
    activity = services.binge_lesson_record(
        learner=learner, completed_at=START + timedelta(hours=2)
    )
    assert activity.lessons_in_a_row == 1
    assert StudyActivity.objects.get(learner=learner).lessons_in_a_row == 1


def test_next_lesson_crosses_modules_and_says_so(course) -> None:
    first_module_last = course.modules.get(order=1).lessons.get(order=2)
    following, is_new_module = selectors.lesson_next(lesson=first_module_last)
    assert following.title == "Lesson 2.1"
    assert is_new_module is True
    following, is_new_module = selectors.lesson_next(
        lesson=course.modules.get(order=1).lessons.get(order=1)
    )
    assert (following.title, is_new_module) == ("Lesson 1.2", False)
    assert selectors.lesson_next(lesson=course.modules.get(order=2).lessons.get(order=2)) == (
        None,
        True,
    )
