"""Pieces of the core's pages that this app fills in (settings.COURSE_PANELS): the courses app
renders them without importing this app."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from notifications import selectors


def course_instructors(request: HttpRequest, *, course: Any) -> dict[str, Any] | None:
    """The course page's instructors, each with a Follow (or Unfollow) button."""
    instructors = list(course.instructors.all())  # prefetched by the course page's selector
    if not instructors:
        return None
    if all(hasattr(instructor, "followed_by_viewer") for instructor in instructors):
        # The course page's selector asked with the page's viewer (instructors_with_follow).
        followed = {instructor.pk for instructor in instructors if instructor.followed_by_viewer}
    else:
        followed = selectors.followed_instructor_ids(
            follower=request.user, instructor_ids=[instructor.pk for instructor in instructors]
        )
    return {
        "template": "notifications/_course_instructors.html",
        "instructors": [
            {
                "id": instructor.pk,
                "name": instructor.display_name or "An instructor",
                "bio": instructor.bio,
                "is_followed": instructor.pk in followed,
                "is_me": instructor.pk == request.user.pk,
            }
            for instructor in instructors
        ],
        "next": request.get_full_path(),
    }
