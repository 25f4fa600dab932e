"""Edges of course ratings: an over-long comment is refused with the rating untouched."""

from __future__ import annotations

import pytest
from django.utils import timezone

from courses import services
from courses.exceptions import InvalidReviewError
from courses.models import Course, CourseReview, LessonProgress
from courses.services.reviews import COMMENT_MAX_LENGTH
from courses.tests.factories import EnrollmentFactory, StudentFactory

pytestmark = pytest.mark.django_db


def test_a_comment_over_the_limit_is_refused_and_tied_to_its_field(course: Course) -> None:
    learner = StudentFactory()
    EnrollmentFactory(learner=learner, course=course)
    lesson = course.modules.order_by("order").first().lessons.order_by("order").first()
    LessonProgress.objects.create(learner=learner, lesson=lesson, completed_at=timezone.now())

    with pytest.raises(InvalidReviewError) as refused:
        services.review_submit(
            learner=learner, course=course, rating=4, comment="x" * (COMMENT_MAX_LENGTH + 1)
        )

    message = f"Keep the comment under {COMMENT_MAX_LENGTH} characters."
    assert refused.value.message == message
    assert refused.value.fields == {"comment": [message]}
    assert CourseReview.objects.count() == 0
    course.refresh_from_db()
    assert (course.rating_count, course.rating_total) == (0, 0)
