"""Billing's answer to courses' one question: may this user enroll in / open this course?"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.utils import timezone

from billing import selectors, stripe_client
from billing.models import PLAN_RANK, CoursePrice, Plan
from core.roles import STAFF_ROLES
from courses.entitlements import CourseOffer, is_course_staff

if TYPE_CHECKING:
    from courses.models import Course, Lesson


def _early_access_plan(course: Course) -> str:
    """The plan the course names for its early access, else the site's (Premium by default)."""
    return course.early_access_plan or settings.BILLING_EARLY_ACCESS_PLAN


class SubscriptionEntitlements:
    """Free courses are open; paid ones open to a high enough plan or a purchase; early-access
    courses open before their date only to their early-access plan (the site's, Premium by
    default, unless the course names one)."""

    def can_enroll(self, user: Any, course: Course) -> bool:
        return is_course_staff(user, course) or self._plan_opens(user, course)

    def _plan_opens(self, user: Any, course: Course) -> bool:
        """Does the user's plan (or a purchase) open the course, staff aside?"""
        if not getattr(user, "is_authenticated", False):
            return False
        now = timezone.now()
        if course.early_access_until is not None and course.early_access_until > now:
            early_rank = max(PLAN_RANK[_early_access_plan(course)], PLAN_RANK[course.required_plan])
            return selectors.plan_rank_for_user(user=user) >= early_rank
        if course.is_free:
            return True
        if selectors.plan_rank_for_user(user=user) >= PLAN_RANK[course.required_plan]:
            return True
        return selectors.user_owns_course(user=user, course_id=course.pk)

    def can_access_lesson(self, user: Any, lesson: Lesson, *, is_enrolled: bool) -> bool:
        if lesson.is_free_preview:
            return True
        course = lesson.module.course
        # Enrolment is not enough: a cancelled plan or a refund closes the course again. Asked
        # first: an enrolled learner whose plan opens the course (the usual case, and a free
        # course costs no query) needs no look at the course's instructors.
        if is_enrolled and self._plan_opens(user, course):
            return True
        return is_course_staff(user, course)

    def course_offer(self, user: Any, course: Course) -> CourseOffer | None:
        """The plan that includes the course and, when it is sold alone, its price."""
        now = timezone.now()
        is_early = course.early_access_until is not None and course.early_access_until > now
        if course.is_free and not is_early:
            return None
        if getattr(user, "is_authenticated", False) and self.can_enroll(user, course):
            return None
        tier = course.required_plan
        if is_early:
            tier = max(tier, _early_access_plan(course), key=PLAN_RANK.__getitem__)
        # Before its early-access date, buying the course does not open it (only the plan does).
        price = None if is_early else CoursePrice.objects.filter(course=course).first()
        # One query for the plan needed now and, in early access, the one needed after its date.
        plans = {
            plan.tier: plan
            for plan in Plan.objects.filter(tier__in={tier, course.required_plan}, is_active=True)
        }
        return CourseOffer(
            template_name="billing/course_offer.html",
            context={
                "course_id": course.pk,
                "plan": plans.get(tier),
                "plan_after_early_access": plans.get(course.required_plan),
                "is_free_after_early_access": course.is_free,
                "price": price,
                "early_access_until": course.early_access_until if is_early else None,
                "is_authenticated": getattr(user, "is_authenticated", False),
                "payments_configured": stripe_client.is_configured(),
            },
        )


def ai_tools_plan() -> str:
    """The lowest plan that includes the AI study tools: settings.BILLING_AI_TOOLS_PLAN (Pro by
    default, as the seeded plans' feature lists say; edit those lists when you change it)."""
    return settings.BILLING_AI_TOOLS_PLAN


def can_use_ai_tools(user: Any) -> bool:
    """May this user use the AI study tools? Admins and instructors always; learners on the AI
    tools' plan (ai_tools_plan) or above."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.role in STAFF_ROLES:
        return True
    return selectors.plan_rank_for_user(user=user) >= PLAN_RANK[ai_tools_plan()]
