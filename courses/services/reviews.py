"""Course ratings: an enrolled learner who has started learning rates a course 1-5 once (a new
rating replaces theirs); the course's count and total follow in the same transaction."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Count, Sum

from accounts.models import User
from courses.exceptions import InvalidReviewError, NotEnrolledError, ReviewTooEarlyError
from courses.models import Course, CourseReview, Enrollment, LessonProgress

COMMENT_MAX_LENGTH = 2000


def _refresh_course_rating(course_id: int) -> None:
    # The course row is locked by the caller: the totals are recounted, never drift.
    totals = CourseReview.objects.filter(course_id=course_id).aggregate(
        count=Count("pk"), total=Sum("rating")
    )
    Course.objects.filter(pk=course_id).update(
        rating_count=totals["count"], rating_total=totals["total"] or 0
    )


@transaction.atomic
def review_submit(
    *, learner: User, course: Course, rating: object, comment: str = ""
) -> tuple[CourseReview, bool]:
    """Rate `course` (1-5, a whole number) with an optional comment; returns (review, created)."""
    errors: dict[str, list[str]] = {}
    if isinstance(rating, bool) or not isinstance(rating, int) or not 1 <= rating <= 5:
        errors["rating"] = ["Give a rating from 1 to 5 stars."]
    comment = (comment or "").strip()
    if len(comment) > COMMENT_MAX_LENGTH:
        errors["comment"] = [f"Keep the comment under {COMMENT_MAX_LENGTH} characters."]
    if errors:
        raise InvalidReviewError(next(iter(errors.values()))[0], fields=errors)
    if not Enrollment.objects.filter(learner=learner, course=course).exists():
        raise NotEnrolledError("Only learners enrolled in this course can rate it.")
    if not LessonProgress.objects.filter(
        learner=learner, lesson__module__course=course, completed_at__isnull=False
    ).exists():
        raise ReviewTooEarlyError("Finish at least one lesson before rating this course.")
    Course.objects.select_for_update().filter(pk=course.pk).first()
    review, created = CourseReview.objects.update_or_create(
        course=course, learner=learner, defaults={"rating": rating, "comment": comment}
    )
    _refresh_course_rating(course.pk)
    return review, created


@transaction.atomic
def review_delete(*, learner: User, course: Course) -> bool:
    """Withdraw the learner's rating of `course`; False when there was none. The course's
    totals follow through `review_deleted`."""
    Course.objects.select_for_update().filter(pk=course.pk).first()
    deleted, _ = CourseReview.objects.filter(course=course, learner=learner).delete()
    return bool(deleted)


def review_deleted(sender: object, instance: CourseReview, **kwargs: object) -> None:
    """post_delete of a review, however it went (withdrawn, removed in the admin, the
    learner's account deleted): recount the course's ratings."""
    _refresh_course_rating(instance.course_id)
