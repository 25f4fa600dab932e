"""Follows and the daily and weekly digests."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from accounts.models import User
from courses.tests.factories import CourseFactory
from qa import services, tasks
from qa.exceptions import InvalidInputError
from qa.models import Category, DigestSubscription, Follow, Question
from qa.tests.factories import StudentFactory, make_answer, make_question

pytestmark = pytest.mark.django_db

MONDAY = dt.datetime(2026, 5, 4, 7, 0, tzinfo=dt.UTC)


def test_following_is_idempotent_and_needs_exactly_one_target(
    other_student: User, question: Question, categories: dict[str, Category]
) -> None:
    services.follow_create(follower=other_student, question=question)
    services.follow_create(follower=other_student, question=question)

    with pytest.raises(InvalidInputError):
        services.follow_create(follower=other_student)
    with pytest.raises(InvalidInputError):
        services.follow_create(
            follower=other_student, question=question, category=categories["python"]
        )

    assert Follow.objects.filter(follower=other_student).count() == 1
    assert DigestSubscription.objects.get(user=other_student).frequency == "weekly"
    assert services.follow_delete(follower=other_student, question=question) is True
    assert services.follow_delete(follower=other_student, question=question) is False


def test_the_daily_digest_lists_followed_activity_once(
    categories: dict[str, Category], mailoutbox, django_capture_on_commit_callbacks
) -> None:
    reader = StudentFactory()
    course = CourseFactory()
    with time_machine.travel(MONDAY - dt.timedelta(days=2), tick=False):
        followed = make_question(title="A question I follow closely", category=categories["design"])
        services.follow_create(follower=reader, question=followed)
        services.follow_create(follower=reader, category=categories["python"])
        services.follow_create(follower=reader, course=course)
        services.digest_subscription_update(user=reader, frequency="daily", notify_as_expert=True)
        make_answer(question=followed, body="An old answer from two days ago.")
    with time_machine.travel(MONDAY - dt.timedelta(hours=3), tick=False):
        make_answer(question=followed, body="A fresh answer from this morning.")
        make_question(title="New Python question about decorators", category=categories["python"])
        make_question(title="New question about the course", course=course)
        make_question(title="Unrelated design question here", category=categories["design"])
        make_question(
            title="My own python question asked", asker=reader, category=categories["python"]
        )

    with time_machine.travel(MONDAY, tick=False), django_capture_on_commit_callbacks(execute=True):
        sent = tasks.digests_send.delay("daily").get()
        again = tasks.digests_send.delay("daily").get()

    assert (sent, again) == (1, 0)
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == [reader.email]
    assert message.subject == ("Your daily Lumen help center digest: 1 new answer, 2 new questions")
    assert 'answered "A question I follow closely"' in message.body
    assert "New Python question about decorators" in message.body
    assert "New question about the course" in message.body
    assert "Unrelated design question" not in message.body
    assert "My own python question" not in message.body
    assert message.alternatives[0][1] == "text/html"


def test_nothing_is_sent_when_nothing_happened(categories: dict[str, Category], mailoutbox) -> None:
    reader = StudentFactory()
    services.follow_create(follower=reader, category=categories["career"])

    assert tasks.digests_send.delay("weekly").get() == 0
    assert mailoutbox == []
    assert DigestSubscription.objects.get(user=reader).last_sent_at is not None


def test_digest_frequency_must_be_known(other_student: User) -> None:
    with pytest.raises(InvalidInputError) as error:
        services.digest_subscription_update(
            user=other_student, frequency="hourly", notify_as_expert=True
        )

    assert list(error.value.fields) == ["frequency"]


def test_the_beat_schedule_sends_digests_and_sweeps_removed_raters(settings) -> None:
    schedule = settings.CELERY_BEAT_SCHEDULE
    tasks_scheduled = {entry["task"]: entry.get("args", ()) for entry in schedule.values()}

    assert tasks_scheduled["qa.digests_send"] in (("daily",), ("weekly",))
    assert {entry["args"] for entry in schedule.values() if entry["task"] == "qa.digests_send"} == {
        ("daily",),
        ("weekly",),
    }
    assert "qa.removed_raters_reverse" in tasks_scheduled


def test_the_weekly_digest_covers_the_last_seven_days_for_weekly_readers_only(
    categories: dict[str, Category], mailoutbox, django_capture_on_commit_callbacks
) -> None:
    weekly, daily = StudentFactory(), StudentFactory()
    for reader, frequency in ((weekly, "weekly"), (daily, "daily")):
        services.follow_create(follower=reader, category=categories["data"])
        services.digest_subscription_update(user=reader, frequency=frequency, notify_as_expert=True)
    with time_machine.travel(MONDAY - dt.timedelta(days=9), tick=False):
        make_question(title="Too old for this week's digest", category=categories["data"])
    with time_machine.travel(MONDAY - dt.timedelta(days=6), tick=False):
        make_question(title="Pivot tables in pandas this week", category=categories["data"])
    with time_machine.travel(MONDAY - dt.timedelta(days=1), tick=False):
        make_question(title="Window functions in SQL yesterday", category=categories["data"])

    with time_machine.travel(MONDAY, tick=False), django_capture_on_commit_callbacks(execute=True):
        sent = tasks.digests_send.delay("weekly").get()
    with (
        time_machine.travel(MONDAY + dt.timedelta(days=1), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        too_soon = tasks.digests_send.delay("weekly").get()

    assert (sent, too_soon) == (1, 0)
    [message] = mailoutbox
    assert message.to == [weekly.email]
    assert message.subject == "Your weekly Lumen help center digest: 0 new answers, 2 new questions"
    assert "Pivot tables in pandas this week" in message.body
    assert "Window functions in SQL yesterday" in message.body
    assert "Too old" not in message.body


def test_the_beat_entries_run_daily_and_on_monday_mornings(settings) -> None:
    entries = {
        entry["args"][0]: entry["schedule"]
        for entry in settings.CELERY_BEAT_SCHEDULE.values()
        if entry["task"] == "qa.digests_send"
    }

    assert entries["daily"].hour == {7}
    assert entries["daily"].day_of_week == set(range(7))
    assert entries["weekly"].hour == {7}
    assert entries["weekly"].day_of_week == {1}
