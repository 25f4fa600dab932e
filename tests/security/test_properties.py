"""Hypothesis property tests of the core rules: the XP formula, levels, streaks, entitlements and
star ratings. Each property holds for every generated input, not just the examples in the apps'
own tests. Database-backed properties run each example inside a rolled-back savepoint."""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager
from unittest import mock

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.tests.factories import StudentFactory
from billing.entitlements import SubscriptionEntitlements
from billing.models import PLAN_RANK
from billing.tests.factories import subscribe
from courses.models import Course
from courses.tests.factories import CourseFactory
from gamification import levels, rules
from gamification.models import LearnerStats
from gamification.services import activity_record
from qa import services as qa_services
from qa.tests.factories import forget_cache, make_answer, make_question
from tests.security.world import plans_ensure

DB_SETTINGS = settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@contextmanager
def _rolled_back():
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


# --- levels ------------------------------------------------------------------------------------


@given(st.integers(min_value=-1000, max_value=10**7))
def test_the_level_is_the_highest_threshold_reached(total_xp):
    level = levels.level_for_xp(total_xp)

    assert 1 <= level <= levels.MAX_LEVEL
    assert levels.xp_for_level(level) <= max(total_xp, 0)
    if level < levels.MAX_LEVEL:
        assert levels.xp_for_level(level + 1) > max(total_xp, 0)


@given(st.integers(min_value=0, max_value=10**6), st.integers(min_value=0, max_value=10**5))
def test_more_xp_never_lowers_the_level(total_xp, more):
    assert levels.level_for_xp(total_xp + more) >= levels.level_for_xp(total_xp)


@given(st.integers(min_value=0, max_value=10**6))
def test_level_progress_is_consistent(total_xp):
    progress = levels.level_progress(total_xp)

    assert 0 <= progress.percent <= 100
    assert progress.xp_into_level >= 0
    if progress.next_level_xp is not None:
        assert progress.level_floor + progress.xp_into_level == total_xp
        assert progress.xp_to_next == progress.next_level_xp - total_xp > 0


def test_every_level_costs_more_than_the_one_before():
    steps = [b - a for a, b in zip(levels.THRESHOLDS, levels.THRESHOLDS[1:], strict=False)]
    assert all(step > 0 for step in steps)
    assert steps == sorted(steps)


# --- the XP formula ----------------------------------------------------------------------------

ACTIONS = st.sampled_from([value for value, _label in rules.Action.CHOICES])
DIFFICULTIES = st.sampled_from([None, "beginner", "intermediate", "advanced"])

# The XP table an admin may save (gamification.models.XpSettings and its rows), within the
# bounds the model's validators allow; {} is "no table saved" (the settings and defaults apply).
# The formula reads it through rules.stored_table (cached, else the database), so the properties
# below pin it to the generated table: they hold for every table an admin can save, and the pure
# formula needs no database.
_TUNABLE = sorted(rules.DEFAULTS["XP_BASE"])
ADMIN_TABLES = st.one_of(
    st.just({}),
    st.fixed_dictionaries(
        {
            "XP_BASE": st.dictionaries(st.sampled_from(_TUNABLE), st.integers(0, 10_000)),
            "DIFFICULTY_MULTIPLIER": st.dictionaries(
                st.sampled_from(sorted(rules.DEFAULTS["DIFFICULTY_MULTIPLIER"])),
                st.decimals("0.10", "10", places=2).map(float),
            ),
            "STREAK_BONUS_PER_DAY": st.integers(0, 100),
            "STREAK_BONUS_CAP": st.integers(0, 1000),
        }
    ),
)


@contextmanager
def _admin_table(stored):
    with mock.patch.object(rules, "stored_table", return_value=stored):
        yield


@given(ADMIN_TABLES, ACTIONS, DIFFICULTIES, st.integers(min_value=0, max_value=3650))
def test_xp_is_never_negative_and_the_streak_bonus_is_capped(stored, action, difficulty, streak):
    with _admin_table(stored):
        quote = rules.xp_quote(action=action, difficulty=difficulty, streak=streak)
        cap = int(rules.table("STREAK_BONUS_CAP"))

    assert quote.amount >= 0
    assert 0 <= quote.streak_bonus <= cap
    if action not in rules.STREAK_BONUS_ACTIONS:
        assert quote.streak_bonus == 0


@given(
    ADMIN_TABLES,
    ACTIONS,
    DIFFICULTIES,
    st.integers(min_value=0, max_value=3650),
    st.integers(0, 30),
)
def test_a_longer_streak_never_earns_less(stored, action, difficulty, streak, more):
    with _admin_table(stored):
        shorter = rules.xp_quote(action=action, difficulty=difficulty, streak=streak)
        longer = rules.xp_quote(action=action, difficulty=difficulty, streak=streak + more)

    assert longer.amount >= shorter.amount


# --- streaks -----------------------------------------------------------------------------------


@pytest.mark.django_db
@DB_SETTINGS
@given(gaps=st.lists(st.integers(min_value=0, max_value=4), min_size=1, max_size=12))
def test_a_streak_counts_consecutive_days_and_restarts_after_a_gap(gaps):
    """Learning on day d, then after each gap (0 = same day, 1 = next day, more = missed days;
    the learner has no freezes), the streak equals the run of consecutive days at the end."""
    with _rolled_back():
        user = StudentFactory()
        LearnerStats.objects.update_or_create(user=user, defaults={"streak_freezes": 0})
        day = timezone.now().replace(hour=12, minute=0, second=0, microsecond=0)
        days = [day]
        for gap in gaps:
            day = day + dt.timedelta(days=gap)
            days.append(day)
        expected = longest = 0
        previous = None
        for moment in days:
            stats = activity_record(user=user, at=moment)
            LearnerStats.objects.filter(user=user).update(streak_freezes=0)  # no freezes earned
            if previous is None or (moment.date() - previous).days > 1:
                expected = 1
            elif (moment.date() - previous).days == 1:
                expected += 1
            previous = moment.date()
            longest = max(longest, expected)
            assert stats.current_streak == expected
        assert stats.longest_streak == longest


# --- entitlements ------------------------------------------------------------------------------

TIERS = st.sampled_from([None, "basic", "pro", "premium"])
REQUIRED = st.sampled_from([choice for choice, _ in Course.Plan.choices])


@pytest.mark.django_db
@DB_SETTINGS
@given(tier=TIERS, required=REQUIRED)
def test_a_course_opens_exactly_to_a_high_enough_plan(tier, required):
    with _rolled_back():
        plans_ensure()
        learner = StudentFactory()
        if tier is not None:
            subscribe(learner, tier)
        course = CourseFactory(required_plan=required)
        rank = PLAN_RANK[tier] if tier is not None else PLAN_RANK["free"]

        allowed = SubscriptionEntitlements().can_enroll(learner, course)

        assert allowed == (rank >= PLAN_RANK[required])


# --- star ratings ------------------------------------------------------------------------------


@pytest.mark.django_db
@DB_SETTINGS
@given(ratings=st.lists(st.tuples(st.integers(0, 4), st.integers(1, 5)), min_size=1, max_size=15))
def test_an_answer_counts_each_raters_latest_stars_once(ratings):
    """Raters (0-4) rate and re-rate an answer; its count and total are those of each rater's
    latest rating, whatever the order."""
    forget_cache()  # the hourly rating limit counts in the cache; ids repeat after rollbacks
    with _rolled_back():
        answer = make_answer(question=make_question())
        raters = [StudentFactory() for _ in range(5)]
        latest: dict[int, int] = {}
        for who, stars in ratings:
            qa_services.answer_star(answer=answer, rater=raters[who], stars=stars)
            latest[who] = stars
        answer.refresh_from_db()

        assert answer.star_count == len(latest)
        assert answer.star_total == sum(latest.values())
