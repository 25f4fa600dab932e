"""The XP table in the admin: seeded from settings, validated, cached, used by the next award."""

from __future__ import annotations

from typing import Any

import pytest
from allauth.mfa.models import Authenticator
from django.test import Client, override_settings

from accounts.models import User
from courses.models import Course
from courses.tests.factories import CourseFactory
from gamification import rules, services
from gamification.models import XpActionSetting, XpSettings
from gamification.rules import Action

pytestmark = pytest.mark.django_db

URL = "/admin/gamification/xpsettings/"


def _admin_client(admin_user: User) -> Client:
    Authenticator.objects.create(
        user=admin_user, type=Authenticator.Type.TOTP, data={"secret": "x"}
    )
    client = Client()
    client.force_login(admin_user)
    return client


def _form(table: XpSettings, **changes: Any) -> dict[str, Any]:
    """The admin's change form as it stands, with `changes` ("action:field" or a field name)."""
    actions = list(table.actions.order_by("pk"))
    difficulties = list(table.difficulties.order_by("pk"))
    data: dict[str, Any] = {
        "streak_bonus_per_day": table.streak_bonus_per_day,
        "streak_bonus_cap": table.streak_bonus_cap,
        "freeze_every_xp": table.freeze_every_xp,
        "freeze_cap": table.freeze_cap,
        "actions-TOTAL_FORMS": len(actions),
        "actions-INITIAL_FORMS": len(actions),
        "actions-MIN_NUM_FORMS": 0,
        "actions-MAX_NUM_FORMS": 1000,
        "difficulties-TOTAL_FORMS": len(difficulties),
        "difficulties-INITIAL_FORMS": len(difficulties),
        "difficulties-MIN_NUM_FORMS": 0,
        "difficulties-MAX_NUM_FORMS": 1000,
    }
    for index, row in enumerate(actions):
        data |= {
            f"actions-{index}-id": row.pk,
            f"actions-{index}-table": table.pk,
            f"actions-{index}-action": row.action,
            f"actions-{index}-base": changes.get(f"{row.action}:base", row.base),
            f"actions-{index}-daily_cap": changes.get(
                f"{row.action}:daily_cap", "" if row.daily_cap is None else row.daily_cap
            ),
        }
    for index, row in enumerate(difficulties):
        data |= {
            f"difficulties-{index}-id": row.pk,
            f"difficulties-{index}-table": table.pk,
            f"difficulties-{index}-difficulty": row.difficulty,
            f"difficulties-{index}-multiplier": changes.get(
                f"{row.difficulty}:multiplier", row.multiplier
            ),
        }
    return data | {key: value for key, value in changes.items() if ":" not in key}


def test_the_admin_table_starts_from_the_values_in_force(admin_user: User) -> None:
    with override_settings(GAMIFICATION={"XP_BASE": {Action.LESSON_COMPLETED: 12}}):
        response = _admin_client(admin_user).get(URL)
    assert response.status_code == 302
    assert response["Location"] == f"{URL}1/change/"
    table = XpSettings.objects.get()
    lesson = table.actions.get(action=Action.LESSON_COMPLETED)
    assert (lesson.base, lesson.daily_cap) == (12, 400)
    answer_rated = table.actions.get(action=Action.ANSWER_RATED)
    assert (answer_rated.base, answer_rated.daily_cap) == (1, 200)
    assert not table.actions.filter(action=Action.MANUAL_GRANT).exists()
    assert table.difficulties.get(difficulty="expert").multiplier == 2
    assert (table.streak_bonus_per_day, table.streak_bonus_cap) == (1, 10)


def test_a_change_in_the_admin_changes_the_xp_awarded(
    admin_user: User, student: User, django_capture_on_commit_callbacks: Any
) -> None:
    course = CourseFactory(difficulty=Course.Difficulty.ADVANCED)
    client = _admin_client(admin_user)
    client.get(URL)
    first = services.xp_award(
        user=student, action=Action.LESSON_COMPLETED, idempotency_key="before", course=course
    )
    assert first is not None
    assert first.transaction.amount == 15

    table = XpSettings.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"{URL}1/change/",
            _form(table, **{"lesson_completed:base": 20, "advanced:multiplier": "2.50"}),
        )
    assert response.status_code == 302, response.content.decode()[:2000]

    second = services.xp_award(
        user=student, action=Action.LESSON_COMPLETED, idempotency_key="after", course=course
    )
    assert second is not None
    assert second.transaction.amount == 50
    assert rules.xp_quote(action=Action.QUIZ_PASSED, difficulty=None, streak=0).amount == 25


def test_the_admin_tunes_streak_bonus_and_daily_caps(admin_user: User, student: User) -> None:
    client = _admin_client(admin_user)
    client.get(URL)
    table = XpSettings.objects.get()
    response = client.post(
        f"{URL}1/change/",
        _form(
            table,
            streak_bonus_per_day=5,
            streak_bonus_cap=7,
            **{"quiz_passed:daily_cap": 30},
        ),
    )
    assert response.status_code == 302
    rules.forget_stored_table()  # what the save's on-commit does
    assert rules.xp_quote(action=Action.QUIZ_PASSED, difficulty=None, streak=4).amount == 32
    awards = [
        services.xp_award(user=student, action=Action.QUIZ_PASSED, idempotency_key=f"q{n}")
        for n in range(2)
    ]
    assert [a.transaction.amount if a else None for a in awards] == [25, 5]  # capped at 30


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"lesson_completed:base": -1}, "greater than or equal to 0"),
        ({"lesson_completed:daily_cap": 5}, "at least the base XP"),
        ({"expert:multiplier": "0"}, "greater than or equal to 0.10"),
        ({"freeze_every_xp": 0}, "greater than or equal to 1"),
        ({"streak_bonus_cap": "lots"}, "Enter a whole number"),
    ],
)
def test_bad_values_are_refused_with_a_message_and_nothing_changes(
    admin_user: User, changes: dict[str, Any], message: str
) -> None:
    client = _admin_client(admin_user)
    client.get(URL)
    table = XpSettings.objects.get()
    before = list(XpActionSetting.objects.values_list("action", "base", "daily_cap"))

    response = client.post(f"{URL}1/change/", _form(table, **changes))

    assert response.status_code == 200
    assert message in response.content.decode()
    assert list(XpActionSetting.objects.values_list("action", "base", "daily_cap")) == before
    assert rules.table("XP_BASE")[Action.LESSON_COMPLETED] == 10


def test_the_table_is_read_from_the_cache_after_the_first_award(
    student: User, django_assert_num_queries: Any
) -> None:
    services.xp_settings_get_or_create()
    rules.stored_table()
    with django_assert_num_queries(0):
        assert rules.table("XP_BASE")[Action.QUIZ_PASSED] == 25


def test_students_cannot_open_the_xp_table(student: User) -> None:
    client = Client()
    client.force_login(student)
    assert client.get(URL).status_code == 302
    assert not XpSettings.objects.exists()


def test_a_table_saved_before_q_and_a_went_through_the_formula_gets_its_defaults() -> None:
    import importlib

    from django.apps import apps

    migration = importlib.import_module("gamification.migrations.0004_answer_rated_by_the_formula")
    table = services.xp_settings_get_or_create()
    row = table.actions.get(action=Action.ANSWER_RATED)
    row.base, row.daily_cap = 0, None  # what the table was made with before
    row.save()
    lesson = table.actions.get(action=Action.LESSON_COMPLETED)

    migration.forwards(apps, None)
    row.refresh_from_db()
    assert (row.base, row.daily_cap) == (1, 200)
    migration.backwards(apps, None)
    row.refresh_from_db()
    lesson.refresh_from_db()
    assert (row.base, row.daily_cap) == (0, None)
    assert (lesson.base, lesson.daily_cap) == (10, 400)  # other actions are left alone
