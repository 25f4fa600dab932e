"""Achievements as data: at least 50, grouped, unlocked once, with progress toward locked ones."""

from __future__ import annotations

import pytest

from gamification import achievements, selectors, services
from gamification.models import EarnedAchievement

pytestmark = pytest.mark.django_db


def test_there_are_at_least_fifty_achievements_in_every_group_with_unique_codes() -> None:
    codes = [achievement.code for achievement in achievements.ACHIEVEMENTS]
    assert len(codes) >= 50
    assert len(set(codes)) == len(codes)
    assert {a.group for a in achievements.ACHIEVEMENTS} == set(achievements.GROUPS)
    assert {a.tier for a in achievements.ACHIEVEMENTS} == {"bronze", "silver", "gold", "platinum"}
    assert all(a.threshold >= 1 and a.name and a.description for a in achievements.ACHIEVEMENTS)


def test_the_first_lesson_unlocks_first_steps_once_and_shows_progress(
    learner, course, django_capture_on_commit_callbacks
) -> None:
    lessons = list(course.modules.first().lessons.all())
    with django_capture_on_commit_callbacks(execute=True):
        for lesson in lessons[:2]:
            services.xp_award(
                user=learner,
                action="lesson_completed",
                idempotency_key=f"lesson:{lesson.pk}",
                course=course,
            )
    assert services.achievements_evaluate(user=learner) == []  # already unlocked by the task
    earned = set(EarnedAchievement.objects.filter(user=learner).values_list("code", flat=True))
    assert "first-lesson" in earned
    assert "lessons-5" not in earned
    status = {s.achievement.code: s for s in selectors.achievement_list_for_user(learner)}
    assert (status["lessons-5"].value, status["lessons-5"].progress_percent) == (2, 40)
    assert status["first-lesson"].earned is not None


def test_a_night_lesson_unlocks_night_owl_in_the_learners_time_zone(
    learner, course, django_capture_on_commit_callbacks
) -> None:
    import datetime as dt

    learner.time_zone = "Asia/Tokyo"
    learner.save(update_fields=["time_zone"])
    at = dt.datetime(2026, 3, 2, 17, 30, tzinfo=dt.UTC)  # 02:30 in Tokyo
    with django_capture_on_commit_callbacks(execute=True):
        services.xp_award(
            user=learner, action="lesson_completed", idempotency_key="night", course=course, at=at
        )
    assert EarnedAchievement.objects.filter(user=learner, code="night-owl").exists()
    assert not EarnedAchievement.objects.filter(user=learner, code="early-bird").exists()
