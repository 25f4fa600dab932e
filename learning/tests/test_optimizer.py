"""Per-learner FSRS parameters fitted by the fsrs package's Optimizer, as a Celery job.

The optimizer needs the optional extra (requirements-optimizer.txt: torch, pandas): the fitting
tests skip without it, and the job's answer without it is tested by hiding torch."""

from __future__ import annotations

import datetime as dt
import random
import sys

import fsrs
import pytest

from accounts.models import User
from courses.tests.factories import QuestionFactory, QuizFactory, course_with_outline
from learning import services, tasks
from learning.models import LearningPreference, ReviewCard, ReviewLog
from learning.services import optimization

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)


def _history(learner: User, *, cards: int, reviews_per_card: int) -> list[fsrs.ReviewLog]:
    """A learner who reviews each card when due and remembers it as FSRS predicts (seeded)."""
    rng = random.Random(7)
    course = course_with_outline(modules=1, lessons_per_module=1)
    quiz = QuizFactory(lesson=course.modules.get().lessons.get())
    scheduler = fsrs.Scheduler(enable_fuzzing=False)
    rows: list[ReviewLog] = []
    library_logs: list[fsrs.ReviewLog] = []
    for number in range(cards):
        question = QuestionFactory(quiz=quiz, order=number + 1)
        card_row = ReviewCard.objects.create(learner=learner, question=question, course=course)
        card = fsrs.Card(card_id=card_row.pk, due=START + dt.timedelta(hours=number))
        for _ in range(reviews_per_card):
            at = max(card.due, START + dt.timedelta(hours=number))
            recall = scheduler.get_card_retrievability(card, current_datetime=at)
            rating = fsrs.Rating.Again if rng.random() > recall else rng.choice([2, 3, 3, 3, 4])
            card, log = scheduler.review_card(card, fsrs.Rating(rating), review_datetime=at)
            library_logs.append(log)
            rows.append(
                ReviewLog(
                    card=card_row, rating=int(rating), reviewed_at=at, due_after=card.due,
                    stability_after=card.stability, difficulty_after=card.difficulty,
                )
            )  # fmt: skip
    ReviewLog.objects.bulk_create(rows)
    return library_logs


def test_too_few_reviews_fit_nothing(student: User) -> None:
    _history(student, cards=10, reviews_per_card=3)

    result = optimization.fsrs_parameters_optimize(user=student)

    assert (result.status, result.reviews) == ("not_enough_reviews", 30)
    assert services.preference_get(user=student).fsrs_parameters == []
    assert optimization.learners_due_for_optimization() == []


def test_without_the_optimizer_extra_nothing_is_fitted_and_the_job_says_so(
    student: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "torch", None)  # as if torch were not installed
    _history(student, cards=130, reviews_per_card=4)

    assert tasks.fsrs_parameters_optimize.delay(student.pk).get() == "optimizer_not_installed"
    assert services.preference_get(user=student).fsrs_parameters == []
    assert tasks.fsrs_optimize_due_learners.delay().get() == 0


def test_the_job_fits_the_libraries_parameters_and_later_reviews_use_them(
    student: User, other_student: User
) -> None:
    pytest.importorskip("torch")
    pytest.importorskip("pandas")
    library_logs = _history(student, cards=100, reviews_per_card=9)
    expected = fsrs.Optimizer(library_logs).compute_optimal_parameters()
    assert optimization.learners_due_for_optimization() == [student.pk]

    assert tasks.fsrs_optimize_due_learners.delay().get() == 1  # Celery runs eagerly in tests

    preference = LearningPreference.objects.get(user=student)
    assert preference.fsrs_parameters == pytest.approx(expected)
    assert preference.fsrs_parameters != pytest.approx(list(fsrs.scheduler.DEFAULT_PARAMETERS))
    assert preference.fsrs_optimized_reviews == 900
    assert optimization.learners_due_for_optimization() == []  # nothing new since the fit
    # The learner's next review is scheduled with their own parameters; another learner's with
    # the defaults.
    card = ReviewCard.objects.filter(learner=student).order_by("due").first()
    moment = card.due + dt.timedelta(hours=1)
    fitted = fsrs.Scheduler(parameters=expected, desired_retention=0.9)
    want, _ = fitted.review_card(services.to_fsrs(card), fsrs.Rating.Good, review_datetime=moment)
    log = services.review_submit(learner=student, card_id=card.pk, rating="good", at=moment)
    assert (log.due_after, log.stability_after) == (want.due, pytest.approx(want.stability))
    other = services.scheduler_for_learner(services.preference_get(user=other_student))
    assert list(other.parameters) == list(fsrs.scheduler.DEFAULT_PARAMETERS)
