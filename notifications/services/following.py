"""Following instructors: a learner follows the people who teach, and hears of their new courses
(`course_published_deliver`)."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction

from courses.models import Course
from notifications.exceptions import CannotFollowSelfError, InstructorNotFoundError
from notifications.models import InstructorFollow


@transaction.atomic
def instructor_follow(*, follower: Any, instructor: Any) -> tuple[InstructorFollow, bool]:
    """Follow an instructor (following twice keeps the first follow); returns it and whether
    it is new. Only an active instructor of a published course can be followed, and nobody
    follows themselves."""
    if follower.pk == instructor.pk:
        raise CannotFollowSelfError("You cannot follow yourself.")
    teaches = Course.objects.filter(instructors=instructor, status=Course.Status.PUBLISHED)
    if not instructor.is_active or not teaches.exists():
        raise InstructorNotFoundError("No instructor with this id teaches a published course.")
    try:
        with transaction.atomic():
            return InstructorFollow.objects.get_or_create(follower=follower, instructor=instructor)
    except IntegrityError:  # the same follow, made at the same moment in another tab
        return InstructorFollow.objects.get(follower=follower, instructor=instructor), False


@transaction.atomic
def instructor_unfollow(*, follower: Any, instructor: Any) -> bool:
    """Stop following an instructor; returns whether there was a follow to end."""
    deleted, _ = InstructorFollow.objects.filter(follower=follower, instructor=instructor).delete()
    return bool(deleted)
