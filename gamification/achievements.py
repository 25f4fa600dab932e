# ruff: noqa: E501  (the achievement table reads best as one row per achievement)
"""The achievements, defined as data: each is unlocked once when its metric reaches its threshold.

Metrics are counters kept per user by `services.xp_award` (see `ACTION_METRICS`) or fields of the
user's gamification profile (`PROFILE_METRICS`). Progress toward a locked achievement is
`min(value, threshold) / threshold` ("7/10 lessons").
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Achievement:
    code: str
    name: str
    description: str
    icon: str
    tier: str  # bronze, silver, gold, platinum
    group: str  # learning, streaks, quizzes, qa, social, challenge, revision, milestones
    metric: str
    threshold: int
    unit: str


GROUPS = ["learning", "streaks", "quizzes", "qa", "social", "challenge", "revision", "milestones"]

# Metrics read from GamificationProfile fields rather than from counters.
PROFILE_METRICS = {"xp_total", "level", "longest_streak", "active_days"}

# (code, name, description, icon, tier, group, metric, threshold, unit)
# fmt: off
_TABLE: list[tuple[str, str, str, str, str, str, str, int, str]] = [
    # learning
    ("first-lesson", "First steps", "Complete your first lesson.", "book", "bronze", "learning", "lessons_completed", 1, "lessons"),
    ("lessons-5", "Warming up", "Complete 5 lessons.", "book", "bronze", "learning", "lessons_completed", 5, "lessons"),
    ("lessons-10", "Getting into it", "Complete 10 lessons.", "book", "bronze", "learning", "lessons_completed", 10, "lessons"),
    ("lessons-25", "Steady learner", "Complete 25 lessons.", "book", "silver", "learning", "lessons_completed", 25, "lessons"),
    ("lessons-50", "Bookworm", "Complete 50 lessons.", "book", "silver", "learning", "lessons_completed", 50, "lessons"),
    ("lessons-100", "Centurion", "Complete 100 lessons.", "book", "gold", "learning", "lessons_completed", 100, "lessons"),
    ("lessons-250", "Lesson devourer", "Complete 250 lessons.", "book", "gold", "learning", "lessons_completed", 250, "lessons"),
    ("lessons-500", "Library regular", "Complete 500 lessons.", "book", "platinum", "learning", "lessons_completed", 500, "lessons"),
    ("lessons-1000", "Walking encyclopedia", "Complete 1,000 lessons.", "book", "platinum", "learning", "lessons_completed", 1000, "lessons"),
    ("first-course", "Finisher", "Complete your first course.", "trophy", "bronze", "learning", "courses_completed", 1, "courses"),
    ("courses-3", "Hat trick", "Complete 3 courses.", "trophy", "silver", "learning", "courses_completed", 3, "courses"),
    ("courses-5", "Curriculum climber", "Complete 5 courses.", "trophy", "silver", "learning", "courses_completed", 5, "courses"),
    ("courses-10", "Decathlete", "Complete 10 courses.", "trophy", "gold", "learning", "courses_completed", 10, "courses"),
    ("courses-25", "Lifelong learner", "Complete 25 courses.", "trophy", "platinum", "learning", "courses_completed", 25, "courses"),
    # streaks
    ("streak-3", "On a roll", "Learn 3 days in a row.", "flame", "bronze", "streaks", "longest_streak", 3, "days"),
    ("streak-7", "Week warrior", "Learn 7 days in a row.", "flame", "bronze", "streaks", "longest_streak", 7, "days"),
    ("streak-14", "Fortnight focus", "Learn 14 days in a row.", "flame", "silver", "streaks", "longest_streak", 14, "days"),
    ("streak-30", "Monthly habit", "Learn 30 days in a row.", "flame", "silver", "streaks", "longest_streak", 30, "days"),
    ("streak-60", "Unstoppable", "Learn 60 days in a row.", "flame", "gold", "streaks", "longest_streak", 60, "days"),
    ("streak-100", "Hundred days", "Learn 100 days in a row.", "flame", "gold", "streaks", "longest_streak", 100, "days"),
    ("streak-180", "Half a year", "Learn 180 days in a row.", "flame", "platinum", "streaks", "longest_streak", 180, "days"),
    ("streak-365", "Year of learning", "Learn 365 days in a row.", "flame", "platinum", "streaks", "longest_streak", 365, "days"),
    # quizzes
    ("first-quiz", "Quiz taker", "Pass your first quiz.", "check", "bronze", "quizzes", "quizzes_passed", 1, "quizzes"),
    ("quizzes-5", "Quiz regular", "Pass 5 quizzes.", "check", "bronze", "quizzes", "quizzes_passed", 5, "quizzes"),
    ("quizzes-10", "Quiz enthusiast", "Pass 10 quizzes.", "check", "silver", "quizzes", "quizzes_passed", 10, "quizzes"),
    ("quizzes-25", "Quiz master", "Pass 25 quizzes.", "check", "silver", "quizzes", "quizzes_passed", 25, "quizzes"),
    ("quizzes-50", "Quiz champion", "Pass 50 quizzes.", "check", "gold", "quizzes", "quizzes_passed", 50, "quizzes"),
    ("quizzes-100", "Quiz legend", "Pass 100 quizzes.", "check", "platinum", "quizzes", "quizzes_passed", 100, "quizzes"),
    ("first-perfect", "Flawless", "Score 100% on a quiz.", "star", "bronze", "quizzes", "perfect_quizzes", 1, "perfect scores"),
    ("perfect-5", "Sharpshooter", "Score 100% on 5 quizzes.", "star", "silver", "quizzes", "perfect_quizzes", 5, "perfect scores"),
    ("perfect-10", "Perfectionist", "Score 100% on 10 quizzes.", "star", "gold", "quizzes", "perfect_quizzes", 10, "perfect scores"),
    ("perfect-25", "Untouchable", "Score 100% on 25 quizzes.", "star", "platinum", "quizzes", "perfect_quizzes", 25, "perfect scores"),
    # qa
    ("first-helpful-answer", "Helping hand", "Have an answer awarded XP by its asker.", "chat", "bronze", "qa", "answers_rated", 1, "awarded answers"),
    ("helpful-5", "Go-to helper", "Have 5 answers awarded XP.", "chat", "bronze", "qa", "answers_rated", 5, "awarded answers"),
    ("helpful-10", "Trusted helper", "Have 10 answers awarded XP.", "chat", "silver", "qa", "answers_rated", 10, "awarded answers"),
    ("helpful-25", "Community pillar", "Have 25 answers awarded XP.", "chat", "gold", "qa", "answers_rated", 25, "awarded answers"),
    ("helpful-50", "Oracle", "Have 50 answers awarded XP.", "chat", "platinum", "qa", "answers_rated", 50, "awarded answers"),
    # social
    ("peer-xp-10", "Appreciated", "Receive 10 XP from other learners.", "heart", "bronze", "social", "qa_xp_received", 10, "XP from peers"),
    ("peer-xp-50", "Well liked", "Receive 50 XP from other learners.", "heart", "silver", "social", "qa_xp_received", 50, "XP from peers"),
    ("peer-xp-100", "Crowd favourite", "Receive 100 XP from other learners.", "heart", "gold", "social", "qa_xp_received", 100, "XP from peers"),
    ("peer-xp-500", "Mentor", "Receive 500 XP from other learners.", "heart", "platinum", "social", "qa_xp_received", 500, "XP from peers"),
    # challenge
    ("hard-course", "Up for a challenge", "Complete an advanced or expert course.", "mountain", "silver", "challenge", "hard_courses_completed", 1, "hard courses"),
    ("hard-courses-3", "Summit seeker", "Complete 3 advanced or expert courses.", "mountain", "gold", "challenge", "hard_courses_completed", 3, "hard courses"),
    ("night-owl", "Night owl", "Complete a lesson between midnight and 5 a.m. your time.", "moon", "bronze", "challenge", "night_lessons", 1, "night lessons"),
    ("night-owl-10", "Creature of the night", "Complete 10 lessons between midnight and 5 a.m.", "moon", "silver", "challenge", "night_lessons", 10, "night lessons"),
    ("early-bird", "Early bird", "Complete a lesson between 5 and 8 a.m. your time.", "sunrise", "bronze", "challenge", "early_lessons", 1, "early lessons"),
    ("early-bird-10", "Dawn patrol", "Complete 10 lessons between 5 and 8 a.m.", "sunrise", "silver", "challenge", "early_lessons", 10, "early lessons"),
    ("weekend-5", "Weekend learner", "Complete 5 lessons on weekends.", "calendar", "bronze", "challenge", "weekend_lessons", 5, "weekend lessons"),
    ("weekend-25", "Weekend scholar", "Complete 25 lessons on weekends.", "calendar", "silver", "challenge", "weekend_lessons", 25, "weekend lessons"),
    # revision
    ("comeback", "Comeback", "Pass a quiz on a second or later attempt.", "refresh", "bronze", "revision", "quizzes_passed_on_retry", 1, "quizzes"),
    ("comeback-5", "Persistent", "Pass 5 quizzes on a later attempt.", "refresh", "silver", "revision", "quizzes_passed_on_retry", 5, "quizzes"),
    ("comeback-10", "Never give up", "Pass 10 quizzes on a later attempt.", "refresh", "gold", "revision", "quizzes_passed_on_retry", 10, "quizzes"),
    # milestones
    ("xp-100", "First hundred", "Earn 100 XP.", "bolt", "bronze", "milestones", "xp_total", 100, "XP"),
    ("xp-1000", "Thousandaire", "Earn 1,000 XP.", "bolt", "bronze", "milestones", "xp_total", 1000, "XP"),
    ("xp-5000", "Power learner", "Earn 5,000 XP.", "bolt", "silver", "milestones", "xp_total", 5000, "XP"),
    ("xp-10000", "Ten thousand", "Earn 10,000 XP.", "bolt", "gold", "milestones", "xp_total", 10000, "XP"),
    ("xp-50000", "Fifty thousand", "Earn 50,000 XP.", "bolt", "platinum", "milestones", "xp_total", 50000, "XP"),
    ("xp-100000", "Hundred thousand", "Earn 100,000 XP.", "bolt", "platinum", "milestones", "xp_total", 100000, "XP"),
    ("level-5", "Level 5", "Reach level 5.", "badge", "bronze", "milestones", "level", 5, "levels"),
    ("level-10", "Level 10", "Reach level 10.", "badge", "silver", "milestones", "level", 10, "levels"),
    ("level-25", "Level 25", "Reach level 25.", "badge", "gold", "milestones", "level", 25, "levels"),
    ("level-50", "Level 50", "Reach level 50.", "badge", "platinum", "milestones", "level", 50, "levels"),
    ("level-100", "Level 100", "Reach the top level.", "badge", "platinum", "milestones", "level", 100, "levels"),
    ("active-10", "Regular", "Learn on 10 different days.", "calendar", "bronze", "milestones", "active_days", 10, "days"),
    ("active-50", "Devoted", "Learn on 50 different days.", "calendar", "silver", "milestones", "active_days", 50, "days"),
    ("active-100", "Committed", "Learn on 100 different days.", "calendar", "gold", "milestones", "active_days", 100, "days"),
    ("active-365", "Every season", "Learn on 365 different days.", "calendar", "platinum", "milestones", "active_days", 365, "days"),
]
# fmt: on

ACHIEVEMENTS: list[Achievement] = [Achievement(*row) for row in _TABLE]
BY_CODE: dict[str, Achievement] = {achievement.code: achievement for achievement in ACHIEVEMENTS}
METRICS: set[str] = {achievement.metric for achievement in ACHIEVEMENTS}
