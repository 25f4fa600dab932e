"""The achievements, as data: each is unlocked once when its metric reaches its threshold.

Metrics are counted by `selectors.achievement_metrics` (a fixed handful of queries) from the
tables that record each fact (lesson progress, quiz attempts, enrollments, and the apps of
settings.ACHIEVEMENT_METRIC_SOURCES for reviews, challenges and help-center awards: a daily XP
cap never stops a badge), the ledger, the learner's stats, activity days and study groups, so
every rule is a number compared with a threshold, and progress toward a locked badge is that
number over the threshold.
"""

from __future__ import annotations

from dataclasses import dataclass


class Group:
    LEARNING = "learning"
    STREAKS = "streaks"
    QUIZZES = "quizzes"
    QA = "qa"
    SOCIAL = "social"
    CHALLENGE = "challenge"
    REVISION = "revision"
    MILESTONES = "milestones"

    LABELS = {
        LEARNING: "Learning",
        STREAKS: "Streaks",
        QUIZZES: "Quizzes",
        QA: "Help center",
        SOCIAL: "Social",
        CHALLENGE: "Challenge",
        REVISION: "Revision",
        MILESTONES: "Milestones",
    }


class Metric:
    LESSONS_COMPLETED = "lessons_completed"
    COURSES_COMPLETED = "courses_completed"
    COURSES_STARTED = "courses_started"
    QUIZZES_PASSED = "quizzes_passed"
    PERFECT_QUIZZES = "perfect_quizzes"
    LONGEST_STREAK = "longest_streak"
    LONGEST_WEEKLY_STREAK = "longest_weekly_streak"
    ANSWERS_REWARDED = "answers_rewarded"
    ANSWER_XP_RECEIVED = "answer_xp_received"
    STUDY_GROUPS = "study_groups"
    CHALLENGES_COMPLETED = "challenges_completed"
    REVIEWS_DONE = "reviews_done"
    LEVEL = "level"
    TOTAL_XP = "total_xp"
    ACTIVE_DAYS = "active_days"
    WEEKEND_DAYS = "weekend_days"
    NIGHT_LESSONS = "night_lessons"  # completed between 22:00 and 04:59, the learner's time
    MORNING_LESSONS = "morning_lessons"  # completed between 05:00 and 07:59


@dataclass(frozen=True)
class Achievement:
    code: str
    name: str
    description: str
    group: str
    metric: str
    threshold: int
    tier: str  # bronze, silver, gold, platinum
    icon: str


def _ladder(
    prefix: str,
    group: str,
    metric: str,
    icon: str,
    steps: list[tuple[int, str, str]],
) -> list[Achievement]:
    tiers = ["bronze", "silver", "gold", "platinum"]
    return [
        Achievement(
            code=f"{prefix}-{threshold}",
            name=name,
            description=description,
            group=group,
            metric=metric,
            threshold=threshold,
            tier=tiers[min(index, len(tiers) - 1)],
            icon=icon,
        )
        for index, (threshold, name, description) in enumerate(steps)
    ]


ACHIEVEMENTS: list[Achievement] = [
    *_ladder(
        "lessons",
        Group.LEARNING,
        Metric.LESSONS_COMPLETED,
        "📘",
        [
            (1, "First steps", "Complete your first lesson."),
            (10, "Getting going", "Complete 10 lessons."),
            (25, "Steady learner", "Complete 25 lessons."),
            (50, "Half a hundred", "Complete 50 lessons."),
            (100, "Centurion", "Complete 100 lessons."),
            (250, "Bookworm", "Complete 250 lessons."),
            (500, "Lesson legend", "Complete 500 lessons."),
        ],
    ),
    *_ladder(
        "explorer",
        Group.LEARNING,
        Metric.COURSES_STARTED,
        "🧭",
        [
            (3, "Curious mind", "Learn in 3 different courses."),
            (10, "Explorer", "Learn in 10 different courses."),
        ],
    ),
    *_ladder(
        "courses",
        Group.MILESTONES,
        Metric.COURSES_COMPLETED,
        "🎓",
        [
            (1, "Graduate", "Complete a whole course."),
            (3, "Triple graduate", "Complete 3 courses."),
            (5, "Five-course meal", "Complete 5 courses."),
            (10, "Polymath", "Complete 10 courses."),
        ],
    ),
    *_ladder(
        "quizzes",
        Group.QUIZZES,
        Metric.QUIZZES_PASSED,
        "✅",
        [
            (1, "Quiz taker", "Pass your first quiz."),
            (10, "Quiz regular", "Pass 10 quizzes."),
            (25, "Quiz whiz", "Pass 25 quizzes."),
            (50, "Quiz master", "Pass 50 quizzes."),
            (100, "Quiz champion", "Pass 100 quizzes."),
        ],
    ),
    *_ladder(
        "perfect",
        Group.QUIZZES,
        Metric.PERFECT_QUIZZES,
        "💯",
        [
            (1, "Flawless", "Score 100% on a quiz."),
            (5, "Sharpshooter", "Score 100% on 5 quizzes."),
            (10, "Perfectionist", "Score 100% on 10 quizzes."),
            (25, "Untouchable", "Score 100% on 25 quizzes."),
        ],
    ),
    *_ladder(
        "streak",
        Group.STREAKS,
        Metric.LONGEST_STREAK,
        "🔥",
        [
            (3, "Warming up", "Learn 3 days in a row."),
            (7, "One week strong", "Learn 7 days in a row."),
            (14, "Fortnight of focus", "Learn 14 days in a row."),
            (30, "Monthly habit", "Learn 30 days in a row."),
            (60, "Unstoppable", "Learn 60 days in a row."),
            (100, "Hundred-day club", "Learn 100 days in a row."),
            (365, "Year of learning", "Learn 365 days in a row."),
        ],
    ),
    *_ladder(
        "weekly-streak",
        Group.STREAKS,
        Metric.LONGEST_WEEKLY_STREAK,
        "📅",
        [
            (4, "Four good weeks", "Learn in 4 weeks in a row."),
            (12, "Quarter of consistency", "Learn in 12 weeks in a row."),
            (52, "All year round", "Learn in 52 weeks in a row."),
        ],
    ),
    *_ladder(
        "helper",
        Group.QA,
        Metric.ANSWERS_REWARDED,
        "🤝",
        [
            (1, "Helping hand", "Have an answer rewarded with XP by its asker."),
            (5, "Trusted helper", "Have 5 answers rewarded."),
            (25, "Mentor", "Have 25 answers rewarded."),
            (100, "Guru", "Have 100 answers rewarded."),
        ],
    ),
    *_ladder(
        "helper-xp",
        Group.QA,
        Metric.ANSWER_XP_RECEIVED,
        "💡",
        [
            (50, "Valued advice", "Receive 50 XP from askers."),
            (250, "Sought-after expert", "Receive 250 XP from askers."),
        ],
    ),
    *_ladder(
        "groups",
        Group.SOCIAL,
        Metric.STUDY_GROUPS,
        "👥",
        [
            (1, "Study buddy", "Join or create a study group."),
            (3, "Social learner", "Belong to 3 study groups."),
        ],
    ),
    *_ladder(
        "challenges",
        Group.CHALLENGE,
        Metric.CHALLENGES_COMPLETED,
        "⚡",
        [
            (1, "Challenger", "Complete a challenge."),
            (10, "Thrill seeker", "Complete 10 challenges."),
            (50, "Challenge conqueror", "Complete 50 challenges."),
        ],
    ),
    *_ladder(
        "reviews",
        Group.REVISION,
        Metric.REVIEWS_DONE,
        "🔁",
        [
            (1, "Memory lane", "Do your first spaced-repetition review."),
            (50, "Retention ritual", "Do 50 reviews."),
            (250, "Memory palace", "Do 250 reviews."),
            (1000, "Total recall", "Do 1,000 reviews."),
        ],
    ),
    *_ladder(
        "level",
        Group.MILESTONES,
        Metric.LEVEL,
        "⭐",
        [
            (5, "Rising star", "Reach level 5."),
            (10, "Double digits", "Reach level 10."),
            (25, "Quarter century", "Reach level 25."),
            (50, "Halfway to the top", "Reach level 50."),
            (75, "Elite", "Reach level 75."),
            (100, "Luminary", "Reach level 100."),
        ],
    ),
    *_ladder(
        "xp",
        Group.MILESTONES,
        Metric.TOTAL_XP,
        "💎",
        [
            (1000, "Thousand club", "Earn 1,000 XP."),
            (10000, "Ten thousand strong", "Earn 10,000 XP."),
            (50000, "XP titan", "Earn 50,000 XP."),
        ],
    ),
    *_ladder(
        "active-days",
        Group.MILESTONES,
        Metric.ACTIVE_DAYS,
        "🗓️",
        [
            (10, "Regular", "Learn on 10 different days."),
            (50, "Devoted", "Learn on 50 different days."),
            (100, "Lifelong learner", "Learn on 100 different days."),
        ],
    ),
    *_ladder(
        "night-owl",
        Group.LEARNING,
        Metric.NIGHT_LESSONS,
        "🦉",
        [
            (1, "Night owl", "Complete a lesson between 22:00 and 05:00."),
            (10, "Creature of the night", "Complete 10 lessons late at night."),
        ],
    ),
    *_ladder(
        "early-bird",
        Group.LEARNING,
        Metric.MORNING_LESSONS,
        "🐦",
        [
            (1, "Early bird", "Complete a lesson between 05:00 and 08:00."),
            (10, "Morning person", "Complete 10 lessons early in the morning."),
        ],
    ),
    *_ladder(
        "weekend",
        Group.STREAKS,
        Metric.WEEKEND_DAYS,
        "🏖️",
        [
            (4, "Weekend warrior", "Learn on 4 weekend days."),
            (20, "No days off", "Learn on 20 weekend days."),
        ],
    ),
]

BY_CODE: dict[str, Achievement] = {achievement.code: achievement for achievement in ACHIEVEMENTS}
if len(BY_CODE) != len(ACHIEVEMENTS):
    raise ValueError("achievement codes must be unique")
