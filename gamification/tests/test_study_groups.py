"""Study groups: names, the one-group limit below level 30, invites, a full group, leaving."""

from __future__ import annotations

from typing import Any

import pytest

from accounts.models import User
from courses.tests.factories import StudentFactory
from gamification import services
from gamification.exceptions import (
    InvalidAwardError,
    StudyGroupFullError,
    StudyGroupLimitError,
    StudyGroupNotFoundError,
)
from gamification.models import LearnerStats, StudyGroup, StudyGroupMembership, UserAchievement

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("name", ["", "   ", "x" * 81])
def test_a_group_needs_a_name_of_1_to_80_characters(student: User, name: str) -> None:
    with pytest.raises(InvalidAwardError) as raised:
        services.study_group_create(owner=student, name=name)

    assert "name" in raised.value.fields
    assert not StudyGroup.objects.exists()


def test_below_level_30_a_learner_owns_one_group(student: User) -> None:
    services.study_group_create(owner=student, name="Night owls")

    with pytest.raises(StudyGroupLimitError):
        services.study_group_create(owner=student, name="Early birds")

    assert list(StudyGroup.objects.values_list("name", flat=True)) == ["Night owls"]


def test_from_level_30_a_learner_may_own_more(student: User) -> None:
    LearnerStats.objects.create(user=student, level=30, total_xp=100_000)
    services.study_group_create(owner=student, name="Night owls")
    services.study_group_create(owner=student, name="Early birds")

    assert StudyGroup.objects.filter(owner=student).count() == 2


def test_joining_by_invite_is_harmless_twice_and_an_unknown_invite_is_refused(
    student: User, other_student: User
) -> None:
    group = services.study_group_create(owner=student, name="Night owls")

    assert services.study_group_join(user=other_student, invite_code=group.invite_code) == group
    assert services.study_group_join(user=other_student, invite_code=group.invite_code) == group
    assert group.memberships.filter(user=other_student).count() == 1
    with pytest.raises(StudyGroupNotFoundError):
        services.study_group_join(user=other_student, invite_code="reset-long-ago")


def test_a_full_group_takes_nobody_else(student: User) -> None:
    group = services.study_group_create(owner=student, name="Night owls")
    StudyGroupMembership.objects.bulk_create(
        [
            StudyGroupMembership(group=group, user=StudentFactory())
            for _ in range(StudyGroup.MAX_MEMBERS - 1)
        ]
    )
    latecomer = StudentFactory()

    with pytest.raises(StudyGroupFullError):
        services.study_group_join(user=latecomer, invite_code=group.invite_code)

    assert group.memberships.count() == StudyGroup.MAX_MEMBERS
    assert not group.memberships.filter(user=latecomer).exists()


def test_a_member_leaving_keeps_the_group_and_the_owner_leaving_deletes_it(
    student: User, other_student: User
) -> None:
    group = services.study_group_create(owner=student, name="Night owls")
    services.study_group_join(user=other_student, invite_code=group.invite_code)

    services.study_group_leave(user=other_student, group=group)
    assert list(group.memberships.values_list("user_id", flat=True)) == [student.pk]

    services.study_group_leave(user=student, group=group)
    assert not StudyGroup.objects.filter(pk=group.pk).exists()
    assert not StudyGroupMembership.objects.exists()


def test_creating_or_joining_a_group_earns_the_study_buddy_badge(
    student: User, other_student: User, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        group = services.study_group_create(owner=student, name="Night owls")
        services.study_group_join(user=other_student, invite_code=group.invite_code)

    for learner in (student, other_student):
        codes = set(UserAchievement.objects.filter(user=learner).values_list("code", flat=True))
        assert "groups-1" in codes, learner  # "Study buddy"
