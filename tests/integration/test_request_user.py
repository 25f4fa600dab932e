"""A session request loads its user once, with what every page reads about them
(settings.REQUEST_USER_LOADERS through accounts.backends): the bell's unread count, the learning
preferences and the rank of the plan in force. Those reads cost no query of their own on a GET,
show the same values as their own queries would, and a POST reads them again (it may have
changed them since the user was loaded)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.backends import request_user_queryset
from accounts.tests.factories import StudentFactory
from billing.models import PLAN_RANK
from billing.selectors import plan_rank_for_user
from billing.tests.factories import subscribe
from gamification.models import LearnerStats
from learning.models import LearningPreference, Mode
from notifications.models import Kind, Notification

pytestmark = pytest.mark.django_db

OWN_TABLES = (
    "notifications_notification",
    "learning_learningpreference",
    "billing_subscription",
    "gamification_learnerstats",
)


def _notify(user, n: int, *, read: bool = False) -> None:
    Notification.objects.bulk_create(
        Notification(
            recipient=user,
            kind=Kind.choices[0][0],
            title=f"Note {n}-{i}",
            dedupe_key=f"note-{read}-{n}-{i}",
            read_at=timezone.now() if read else None,
        )
        for i in range(n)
    )


def _own_queries(queries: CaptureQueriesContext) -> list[str]:
    """Queries that read the loaders' tables on their own (not inside the user's query)."""
    return [
        query["sql"]
        for query in queries.captured_queries
        if not query["sql"].startswith('SELECT "accounts_user".')  # the user's own query
        and any(f'"{table}"' in query["sql"] for table in OWN_TABLES)
    ]


def test_the_loaded_user_carries_the_unread_count_preferences_plan_rank_and_stats():
    learner, other = StudentFactory(), StudentFactory()
    _notify(learner, 3)
    _notify(learner, 2, read=True)
    _notify(other, 4)
    LearningPreference.objects.create(user=learner, mode=Mode.RELAX)
    subscribe(learner, "basic")
    subscribe(learner, "premium", status="past_due", past_due_since=timezone.now())
    subscribe(other, "pro", status="canceled")
    LearnerStats.objects.create(user=learner, total_xp=1234, level=5, current_streak=3)

    loaded = {
        user.pk: user for user in request_user_queryset().filter(pk__in=[learner.pk, other.pk])
    }

    assert loaded[learner.pk].request_unread_notifications == 3
    assert loaded[learner.pk].learning_preference.mode == Mode.RELAX
    assert loaded[learner.pk].request_plan_rank == PLAN_RANK["premium"]  # in its grace period
    assert loaded[other.pk].request_unread_notifications == 4
    assert loaded[other.pk].request_plan_rank is None  # nothing entitles them
    stats = loaded[learner.pk].learner_stats
    assert (stats.total_xp, stats.level, stats.current_streak) == (1234, 5, 3)
    with pytest.raises(LearningPreference.DoesNotExist):
        loaded[other.pk].learning_preference  # noqa: B018  (cached as absent: no query)
    with pytest.raises(LearnerStats.DoesNotExist):
        loaded[other.pk].learner_stats  # noqa: B018  (no XP yet: cached as absent)


def test_the_plan_rank_read_from_the_loaded_user_is_the_one_its_own_query_finds():
    learner = StudentFactory()
    subscribe(learner, "pro")
    subscribe(
        learner,
        "premium",
        status="past_due",
        past_due_since=timezone.now() - timedelta(days=settings.BILLING_GRACE_PERIOD_DAYS + 1),
    )
    loaded = request_user_queryset().get(pk=learner.pk)

    assert plan_rank_for_user(user=loaded) == plan_rank_for_user(user=learner) == PLAN_RANK["pro"]
    # Another moment is its own question: past the pro plan's period end nothing entitles.
    later = timezone.now() + timedelta(days=365)
    assert plan_rank_for_user(user=loaded, now=later) == plan_rank_for_user(user=learner, now=later)


def test_a_signed_in_page_shows_the_bell_without_a_query_of_its_own(client):
    learner = StudentFactory()
    _notify(learner, 2)
    LearningPreference.objects.create(user=learner, mode=Mode.RELAX)
    LearnerStats.objects.create(user=learner, total_xp=900, current_streak=4, longest_streak=6)
    client.force_login(learner)

    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("courses:dashboard"))

    assert response.status_code == 200
    assert 'aria-label="Notifications, 2 unread"' in response.content.decode()
    assert _own_queries(queries) == []
    assert response.context["learning_mode"] == Mode.RELAX
    week = next(p for p in response.context["panels"] if p["template"].startswith("analytics/"))
    assert (week["streak"], week["longest_streak"]) == (4, 6)


def test_after_marking_everything_read_the_bell_counts_again(client):
    learner = StudentFactory()
    _notify(learner, 2)
    client.force_login(learner)

    response = client.post(reverse("notifications:read-all"), follow=True)

    assert response.status_code == 200
    assert 'aria-label="Notifications, 0 unread"' in response.content.decode()


def test_a_post_reads_the_preferences_again():
    """The user was loaded before the POST changed the mode: the mode is read anew."""
    from django.test import RequestFactory

    from learning import selectors, services

    learner = StudentFactory()
    request = RequestFactory().post("/")
    request.user = request_user_queryset().get(pk=learner.pk)
    services.preference_update(user=request.user, mode=Mode.BINGE)

    assert selectors.default_mode_for_request(request) == Mode.BINGE


def test_a_get_uses_the_preferences_loaded_with_the_user(django_assert_num_queries):
    from django.test import RequestFactory

    from learning import selectors

    learner = StudentFactory()
    LearningPreference.objects.create(user=learner, mode=Mode.CHALLENGE)
    request = RequestFactory().get("/")
    request.user = request_user_queryset().get(pk=learner.pk)

    with django_assert_num_queries(0):
        assert selectors.default_mode_for_request(request) == Mode.CHALLENGE
        assert selectors.preference_for_request(request).mode == Mode.CHALLENGE


def test_the_stats_are_read_from_the_loaded_user_on_a_get_and_anew_after_a_post(
    django_assert_num_queries,
):
    from django.test import RequestFactory

    from gamification.selectors import learner_stats_for_request

    learner = StudentFactory()
    LearnerStats.objects.create(user=learner, total_xp=50)
    get, post = RequestFactory().get("/"), RequestFactory().post("/")
    get.user = request_user_queryset().get(pk=learner.pk)
    post.user = request_user_queryset().get(pk=learner.pk)
    LearnerStats.objects.filter(user=learner).update(total_xp=80)  # an award during the POST

    with django_assert_num_queries(0):
        assert learner_stats_for_request(get).total_xp == 50
    assert learner_stats_for_request(post).total_xp == 80
    newcomer = RequestFactory().get("/")
    newcomer.user = request_user_queryset().get(pk=StudentFactory().pk)
    with django_assert_num_queries(0):
        assert learner_stats_for_request(newcomer).total_xp == 0  # no row yet: the zero stats


def test_a_user_who_cannot_sign_in_any_more_is_not_loaded():
    from accounts.backends import AuthenticationBackend, ModelBackend

    learner = StudentFactory(is_active=False)

    assert ModelBackend().get_user(learner.pk) is None
    assert AuthenticationBackend().get_user(learner.pk + 1000) is None
    assert AuthenticationBackend().get_user(StudentFactory().pk) is not None


def test_the_reused_loading_query_reads_each_request_anew_and_the_grace_period_ends_on_time(
    settings,
):
    """The loaders' query is built once a second and reused: what it reads is read on every
    request, and a grace period that ends between two requests has ended at the second."""
    import time_machine

    learner = StudentFactory()
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        subscribe(learner, "premium", status="past_due", past_due_since=start)
        before = request_user_queryset().get(pk=learner.pk)
        _notify(learner, 2)
        same_second = request_user_queryset().get(pk=learner.pk)
        clock.move_to(start + timedelta(days=settings.BILLING_GRACE_PERIOD_DAYS, seconds=1))
        after = request_user_queryset().get(pk=learner.pk)
        settings.BILLING_GRACE_PERIOD_DAYS += 30  # a changed setting applies at once
        longer_grace = request_user_queryset().get(pk=learner.pk)

    assert before.request_plan_rank == PLAN_RANK["premium"]
    assert (before.request_unread_notifications, same_second.request_unread_notifications) == (
        0,
        2,
    )
    assert after.request_plan_rank is None
    assert longer_grace.request_plan_rank == PLAN_RANK["premium"]
