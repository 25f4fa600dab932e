"""Edges of the XP ledger: unknown time zones, award sources, hidden learners, refused grants."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.contenttypes.models import ContentType

from accounts.models import User
from courses.models import Lesson
from courses.tests.factories import EnrollmentFactory, course_with_outline
from gamification import leaderboards, services
from gamification.exceptions import InvalidAwardError
from gamification.models import LearnerStats, XpTransaction
from gamification.rules import Action

pytestmark = pytest.mark.django_db

LATE_EVENING_UTC = dt.datetime(2026, 5, 4, 23, 30, tzinfo=dt.UTC)


def test_a_learner_whose_time_zone_is_unknown_gets_utc_days(student: User, award) -> None:
    # Saved before validation existed, or a zone the server's tz database has dropped.
    User.objects.filter(pk=student.pk).update(time_zone="Mars/Olympus_Mons")
    student.refresh_from_db()

    result = award(
        user=student,
        action=Action.MANUAL_GRANT,
        idempotency_key="tz",
        amount=10,
        at=LATE_EVENING_UTC,
    )

    assert (result.transaction.local_date, result.transaction.local_hour) == (
        dt.date(2026, 5, 4),
        23,
    )


def test_an_award_records_what_earned_it(student: User, award) -> None:
    course = course_with_outline(modules=1, lessons_per_module=1)
    lesson = Lesson.objects.get(module__course=course)

    result = award(
        user=student,
        action=Action.MANUAL_GRANT,
        idempotency_key="source",
        amount=5,
        source=lesson,
    )

    row = XpTransaction.objects.get(pk=result.transaction.pk)
    assert (row.source_type, row.source_id, row.source) == (
        ContentType.objects.get_for_model(Lesson),
        lesson.pk,
        lesson,
    )


def test_an_unsaved_source_is_not_recorded(student: User, award) -> None:
    result = award(
        user=student,
        action=Action.MANUAL_GRANT,
        idempotency_key="unsaved",
        amount=5,
        source=Lesson(title="Not saved"),
    )

    assert (result.transaction.source_type, result.transaction.source_id) == (None, None)


def test_a_learner_hidden_from_leaderboards_still_earns_xp_but_is_not_ranked(
    student: User, other_student: User, award, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        services.leaderboard_visibility_set(user=student, hidden=True)

    award(user=student, action=Action.MANUAL_GRANT, idempotency_key="h", amount=40)
    award(user=other_student, action=Action.MANUAL_GRANT, idempotency_key="o", amount=10)

    assert LearnerStats.objects.get(user=student).total_xp == 40
    board = leaderboards.Board(leaderboards.GLOBAL, leaderboards.ALL_TIME)
    assert [standing.user_id for standing in leaderboards.backend().top(board, 10)] == [
        other_student.pk
    ]


def test_hiding_an_already_hidden_learner_changes_nothing(
    student: User, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        services.leaderboard_visibility_set(user=student, hidden=True)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        stats = services.leaderboard_visibility_set(user=student, hidden=True)

    assert stats.is_hidden_from_leaderboards is True
    assert callbacks == []


def test_an_instructor_cannot_grant_xp_to_a_learner_outside_the_course(
    student: User, other_student: User, instructor: User
) -> None:
    course = course_with_outline()
    course.instructors.set([instructor])
    EnrollmentFactory(learner=student, course=course)

    with pytest.raises(InvalidAwardError, match=r"This learner is not enrolled in that course\."):
        services.xp_grant(
            granter=instructor,
            user=other_student,
            amount=5,
            reason="Nice",
            idempotency_key="outside",
            course=course,
        )

    assert XpTransaction.objects.count() == 0


@pytest.mark.parametrize("reason", ["", "   "])
def test_a_grant_needs_a_reason(student: User, admin_user: User, reason: str) -> None:
    with pytest.raises(InvalidAwardError, match=r"Say why the XP is granted\."):
        services.xp_grant(
            granter=admin_user, user=student, amount=5, reason=reason, idempotency_key="r"
        )

    assert XpTransaction.objects.count() == 0


def test_a_grant_beyond_a_daily_cap_the_admin_set_on_grants_is_refused(
    settings, student: User, admin_user: User
) -> None:
    settings.GAMIFICATION = {"DAILY_CAP": {Action.MANUAL_GRANT: 10}}
    services.xp_grant(
        granter=admin_user, user=student, amount=10, reason="Cap", idempotency_key="1"
    )

    with pytest.raises(InvalidAwardError, match=r"The grant could not be recorded\."):
        services.xp_grant(
            granter=admin_user, user=student, amount=5, reason="Over", idempotency_key="2"
        )

    assert list(XpTransaction.objects.values_list("amount", flat=True)) == [10]
