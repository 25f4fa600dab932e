"""The XP formula and the level curve."""

from __future__ import annotations

import pytest
from django.test import override_settings

from gamification import levels, rules
from gamification.rules import Action

pytestmark = pytest.mark.django_db  # the XP table an admin saved is read from the database


def test_the_formula_multiplies_by_difficulty_and_adds_a_capped_streak_bonus() -> None:
    assert (
        rules.xp_quote(action=Action.LESSON_COMPLETED, difficulty="beginner", streak=0).amount == 10
    )
    assert (
        rules.xp_quote(action=Action.LESSON_COMPLETED, difficulty="advanced", streak=3).amount == 18
    )
    assert rules.xp_quote(action=Action.QUIZ_PASSED, difficulty="expert", streak=50).amount == 60
    # The streak day itself earns no difficulty multiplier or streak bonus.
    assert rules.xp_quote(action=Action.STREAK_DAY, difficulty="expert", streak=9).amount == 5


def test_a_q_and_a_award_is_the_askers_factor_through_the_formula() -> None:
    def worth(difficulty: str | None, streak: int, factor: int) -> int:
        return rules.xp_quote(
            action=Action.ANSWER_RATED, difficulty=difficulty, streak=streak, factor=factor
        ).amount

    assert worth(None, 0, 7) == 7  # 1 XP a point outside a course, with no streak
    assert worth("expert", 0, 7) == 14
    assert worth("intermediate", 4, 8) == 14  # 8 x 1.25 + 4
    assert worth(None, 50, 1) == 11  # the streak bonus stops at its cap (10)
    assert rules.daily_cap(Action.ANSWER_RATED) == 200
    with pytest.raises(ValueError, match="factor"):
        worth(None, 0, -1)


@override_settings(GAMIFICATION={"XP_BASE": {"lesson_completed": 40}, "STREAK_BONUS_CAP": 2})
def test_an_operator_tunes_the_tables_in_settings() -> None:
    quote = rules.xp_quote(action=Action.LESSON_COMPLETED, difficulty="beginner", streak=9)
    assert (quote.base, quote.streak_bonus, quote.amount) == (40, 2, 42)
    # Keys not overridden keep their defaults.
    assert rules.xp_quote(action=Action.QUIZ_PASSED, difficulty=None, streak=0).amount == 25


def test_the_curve_is_strictly_increasing_from_level_1_to_100() -> None:
    assert levels.THRESHOLDS[0] == 0
    assert len(levels.THRESHOLDS) == 100
    gaps = [b - a for a, b in zip(levels.THRESHOLDS, levels.THRESHOLDS[1:], strict=False)]
    assert all(gap > 0 for gap in gaps)
    assert gaps == sorted(gaps)  # each level needs at least as much as the one before


@pytest.mark.parametrize(
    ("xp", "level"), [(0, 1), (49, 1), (50, 2), (173, 2), (174, 3), (10**9, 100)]
)
def test_level_for_xp(xp: int, level: int) -> None:
    assert levels.level_for_xp(xp) == level


def test_level_progress_reports_the_way_to_the_next_level() -> None:
    progress = levels.level_progress(100)
    assert (progress.level, progress.level_floor, progress.next_level_xp) == (2, 50, 174)
    assert (progress.xp_into_level, progress.xp_to_next, progress.percent) == (50, 74, 40)
    assert progress.title == "Newcomer"
    top = levels.level_progress(levels.xp_for_level(100))
    assert (top.level, top.next_level_xp, top.percent, top.title) == (100, None, 100, "Luminary")


def test_profile_frames_follow_the_level() -> None:
    assert [levels.frame_for_level(n) for n in (1, 4, 5, 19, 20, 80, 100)] == [
        None,
        None,
        "Bronze",
        "Bronze",
        "Silver",
        "Diamond",
        "Diamond",
    ]


@pytest.mark.parametrize(
    ("level", "title"),
    [
        (1, "Newcomer"),
        (10, "Newcomer"),
        (11, "Apprentice"),
        (41, "Adept"),
        (60, "Specialist"),
        (91, "Luminary"),
    ],
)
def test_every_ten_levels_share_a_title(level: int, title: str) -> None:
    assert levels.title_for_level(level) == title
    assert levels.level_progress(levels.xp_for_level(level)).title == title
