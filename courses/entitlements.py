"""Who may enroll in a course and open a lesson: the one question courses asks billing.

Courses never import billing. Billing implements `EntitlementProvider` and registers it from its
AppConfig.ready()::

    from courses import entitlements
    entitlements.register_provider(SubscriptionEntitlements())

Until a provider is registered, the default rules apply: free courses are open to everyone, paid
courses (a `required_plan` other than free) and courses still in early access are closed to all but
their instructors and admins, and a lesson opens for its course's enrolled learners, its
instructors, admins, and anyone at all when it is a free preview.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from django.utils import timezone

from core.roles import Role

if TYPE_CHECKING:
    from courses.models import Course, Lesson


@dataclass(frozen=True)
class CourseOffer:
    """How a learner who may not enroll yet can get in, drawn by the provider's own partial."""

    template_name: str
    context: dict[str, Any] = field(default_factory=dict)


class EntitlementProvider(Protocol):
    def can_enroll(self, user: Any, course: Course) -> bool:
        """May this signed-in user enroll in this (published) course?"""
        ...

    def can_access_lesson(self, user: Any, lesson: Lesson, *, is_enrolled: bool) -> bool:
        """May this user (possibly anonymous) open the lesson's content? The answer may depend
        on the lesson only through its course and `is_free_preview`: the outline asks once per
        course and flag, not once per lesson."""
        ...

    def course_offer(self, user: Any, course: Course) -> CourseOffer | None:
        """What the course page offers a user who cannot enroll yet (a plan, a purchase)."""
        ...


def is_course_staff(user: Any, course: Course) -> bool:
    """Admins and the course's own instructors see everything in it."""
    if not getattr(user, "is_authenticated", False):
        return False
    return user.role == Role.ADMIN or course.is_taught_by(user)


class DefaultEntitlements:
    """Free courses and free previews are open; anything paid waits for billing."""

    def can_enroll(self, user: Any, course: Course) -> bool:
        if is_course_staff(user, course):
            return True
        if course.early_access_until is not None and course.early_access_until > timezone.now():
            return False
        return course.required_plan == course.Plan.FREE

    def can_access_lesson(self, user: Any, lesson: Lesson, *, is_enrolled: bool) -> bool:
        if lesson.is_free_preview:
            return True
        return is_enrolled or is_course_staff(user, lesson.module.course)

    def course_offer(self, user: Any, course: Course) -> CourseOffer | None:
        return None


_provider: EntitlementProvider = DefaultEntitlements()


def register_provider(provider: EntitlementProvider) -> None:
    """Replace the entitlement rules (billing calls this once at start-up)."""
    global _provider
    _provider = provider


def reset_provider() -> None:
    """Back to the default rules (for tests)."""
    register_provider(DefaultEntitlements())


def can_enroll(user: Any, course: Course) -> bool:
    """May `user` enroll in `course` (its plan and early access; publication is checked apart)?"""
    return _provider.can_enroll(user, course)


def course_offer(user: Any, course: Course) -> CourseOffer | None:
    """The way into `course` for a user who cannot enroll in it now (None: nothing to offer)."""
    return _provider.course_offer(user, course)


def can_access_lesson(user: Any, lesson: Lesson, *, is_enrolled: bool | None = None) -> bool:
    """May `user` open `lesson`? Pass `is_enrolled` when known to save a query."""
    if is_enrolled is None:
        from courses.models import Enrollment

        is_enrolled = bool(
            getattr(user, "is_authenticated", False)
            and Enrollment.objects.filter(learner=user, course_id=lesson.module.course_id).exists()
        )
    return _provider.can_access_lesson(user, lesson, is_enrolled=is_enrolled)
