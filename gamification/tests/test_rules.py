"""The XP formula and the level curve."""

from __future__ import annotations

import pytest

from gamification import rules


def test_the_level_curve_is_the_documented_quadratic() -> None:
    assert [rules.xp_for_level(level) for level in (1, 2, 3, 10, 50, 100)] == [
        0,
        50,
        120,
        1170,
        25970,
        101970,
    ]


def test_level_for_xp_is_the_inverse_of_the_curve_on_every_boundary() -> None:
    for level in range(1, 101):
        floor = rules.xp_for_level(level)
        assert rules.level_for_xp(floor) == level
        if level > 1:
            assert rules.level_for_xp(floor - 1) == level - 1
    assert rules.level_for_xp(10**9) == 100
    assert rules.level_for_xp(-5) == 1


def test_each_band_of_ten_levels_has_a_title_and_unlocks_accumulate() -> None:
    assert [rules.level_title(n) for n in (1, 10, 11, 55, 100)] == [
        "Novice",
        "Novice",
        "Apprentice",
        "Expert",
        "Legend",
    ]
    assert rules.level_unlocks(4) == []
    assert rules.level_unlocks(10) == ["Bronze profile frame", "Award bounties on Q&A questions"]


@pytest.mark.parametrize(
    ("action", "difficulty", "streak", "expected"),
    [
        ("lesson_completed", "beginner", 0, 10),
        ("lesson_completed", "advanced", 0, 15),
        ("lesson_completed", "expert", 3, 23),
        ("lesson_completed", "intermediate", 40, 23),  # 12.5 rounds up; the bonus is capped at 10
        ("quiz_passed", None, 1, 21),
        ("streak_day", None, 9, 5),  # no streak bonus on the streak reward itself
        ("unknown_action", None, 5, 0),
    ],
)
def test_xp_is_base_times_difficulty_plus_a_capped_streak_bonus(
    action: str, difficulty: str | None, streak: int, expected: int
) -> None:
    assert rules.xp_for(action=action, difficulty=difficulty, current_streak=streak) == expected


def test_settings_override_the_table_per_key(settings) -> None:
    settings.GAMIFICATION_XP_RULES = {"base": {"lesson_completed": 40}, "streak_bonus_cap": 2}
    assert rules.xp_for(action="lesson_completed", difficulty="beginner", current_streak=9) == 42
    assert rules.xp_for(action="quiz_passed", difficulty=None, current_streak=0) == 20
