"""Reputation rules: what each act is worth, the daily cap, the privileges and the ring guards.

Reputation is earned from what others think of your answers. Every change is a ReputationEvent
(an append-only ledger); a user's total is kept in UserReputation.points.

| event                                        | reputation                         |
|----------------------------------------------|------------------------------------|
| the asker awards your answer N XP (1-10)      | +2 x N                             |
| someone rates your answer 1/2/3/4/5 stars     | -2 / -1 / +1 / +3 / +5             |
| your answer is accepted                      | +15 (not for accepting your own)   |
| you accept an answer to your question        | +2  (not for your own answer)      |

* **Daily cap**: at most 200 net reputation a UTC day from XP awards and stars; acceptances are
  exempt (as on Stack Overflow). Points over the cap are recorded as capped, not granted.
* **Replacing** a rating or changing an award reverses the old event and records the new one.
* **Vote-ring guards**: nobody rates or awards their own answer; a rater may give at most
  `STAR_RATINGS_PER_HOUR` star ratings an hour; only the first `SERIAL_RATINGS_PER_DAY` ratings a
  rater gives one author in 24 hours earn reputation (serial voting); two people who have each
  rated the other `RECIPROCAL_RATINGS` times or more in 7 days earn nothing from each other (a
  ring); and when a rater's account is deactivated or deleted every reputation event they
  caused is reversed and their star ratings are withdrawn.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

XP_AWARD_POINTS_PER_XP = 2
STAR_POINTS = {1: -2, 2: -1, 3: 1, 4: 3, 5: 5}
ACCEPTED_POINTS = 15
ACCEPTING_POINTS = 2
DAILY_CAP = 200

# How long the asker may change an XP award after first giving it.
XP_AWARD_CHANGE_WINDOW = timedelta(minutes=10)

STAR_RATINGS_PER_HOUR = 30
SERIAL_RATINGS_PER_DAY = 5
RECIPROCAL_RATINGS = 3
RECIPROCAL_WINDOW = timedelta(days=7)

# Bayesian average of stars: as if every answer started with PRIOR_WEIGHT ratings of PRIOR_MEAN.
# One 5-star rating scores (5*3 + 5) / 6 = 3.33; fifty ratings of 4.8 score 4.64.
PRIOR_MEAN = 3.0
PRIOR_WEIGHT = 5


def bayesian_average(star_total: int, star_count: int) -> float:
    """The ranking score of an answer's stars, pulled toward PRIOR_MEAN when ratings are few."""
    return (PRIOR_WEIGHT * PRIOR_MEAN + star_total) / (PRIOR_WEIGHT + star_count)


@dataclass(frozen=True)
class Privilege:
    code: str
    threshold: int
    label: str
    description: str


# Instructors (for questions about their courses) and admins have every privilege anyway.
PRIVILEGES: tuple[Privilege, ...] = (
    Privilege(
        "ask",
        0,
        "Ask and answer",
        "Ask questions, answer them, rate answers with stars and flag posts.",
    ),
    Privilege(
        "comment",
        15,
        "Comment everywhere",
        "Comment on any post (you can always comment on your own posts and on answers to "
        "your own questions).",
    ),
    Privilege(
        "edit",
        200,
        "Edit others' posts",
        "Improve anyone's question or answer; every edit is kept in the post's history.",
    ),
    Privilege(
        "close",
        500,
        "Close and reopen questions",
        "Close questions as duplicates, off topic or needing details, and reopen them.",
    ),
)
PRIVILEGE_THRESHOLDS = {privilege.code: privilege.threshold for privilege in PRIVILEGES}


def has_privilege(points: int, code: str) -> bool:
    """True when `points` reaches the privilege's threshold."""
    return points >= PRIVILEGE_THRESHOLDS[code]
