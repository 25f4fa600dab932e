"""A new lesson in a published course reaches its enrolled learners once: saved in the admin (on
the lesson's page or its module's), created by the service, or published again with the
course; fanned out by a job, live through the course's group."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from accounts.models import User
from accounts.services import user_deactivate
from courses import events as course_events
from courses import services as course_services
from courses.models import Course, Lesson, Module
from courses.tests.factories import (
    CourseFactory,
    EnrollmentFactory,
    ModuleFactory,
    StudentFactory,
    course_with_outline,
)
from notifications import services
from notifications.models import Kind, LessonAnnouncement, Notification

pytestmark = pytest.mark.django_db


def _management(prefix: str, total: int, initial: int) -> dict[str, Any]:
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def _lesson_form(module: Module, **fields: Any) -> dict[str, Any]:
    return {
        "module": module.pk,
        "title": "Rebasing",
        "kind": "article",
        "order": "",
        "duration_seconds": "300",
        "video_url": "",
        "transcript": "",
        "body": "",
        **_management("captions", 0, 0),
        **_management("quiz", 0, 0),
        **fields,
    }


@pytest.fixture
def published(instructor: User) -> Course:
    """A course written as a draft, then published (so its lessons predate its publication)."""
    course = course_with_outline(
        instructors=[instructor],
        title="Git in depth",
        status=Course.Status.DRAFT,
        published_at=None,
    )
    return course_services.course_publish(course=course)


@pytest.fixture
def learners(published: Course) -> list[User]:
    enrolled = [StudentFactory(), StudentFactory(), StudentFactory()]
    for learner in enrolled:
        EnrollmentFactory(course=published, learner=learner)
    user_deactivate(user=enrolled[2])
    EnrollmentFactory(learner=StudentFactory())  # another course's learner
    return enrolled[:2]


@pytest.fixture
def sent() -> Any:
    """The lesson ids courses' lesson_published event was sent for."""
    ids: list[int] = []

    def record(sender: Any, lesson: Any, **_: Any) -> None:
        ids.append(lesson.pk)

    course_events.lesson_published.connect(record, weak=False, dispatch_uid="test-sent")
    yield ids
    course_events.lesson_published.disconnect(dispatch_uid="test-sent")


def _admin(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _told(kind: str = Kind.LESSON_PUBLISHED) -> list[tuple[int, str]]:
    return sorted(Notification.objects.filter(kind=kind).values_list("recipient_id", "title"))


def test_a_lesson_added_in_the_admin_reaches_the_enrolled_learners_once(
    instructor: User,
    published: Course,
    learners: list[User],
    sent: list[int],
    django_capture_on_commit_callbacks: Any,
) -> None:
    module = published.modules.order_by("order").first()
    with django_capture_on_commit_callbacks(execute=True):
        response = _admin(instructor).post(
            "/admin/courses/lesson/add/",
            _lesson_form(module, body="`git rebase -i` rewrites.", order="9"),
        )
    assert response.status_code == 302, response.context["adminform"].form.errors
    lesson = Lesson.objects.get(title="Rebasing")
    title = "New lesson in “Git in depth”: Rebasing"
    assert _told() == sorted((learner.pk, title) for learner in learners)
    notification = Notification.objects.filter(kind=Kind.LESSON_PUBLISHED).first()
    assert notification.link == f"/learn/{published.slug}/{lesson.pk}/"
    assert notification.body == f"Article in {module.title}"

    with django_capture_on_commit_callbacks(execute=True):  # edited later: nothing new
        _admin(instructor).post(
            f"/admin/courses/lesson/{lesson.pk}/change/",
            _lesson_form(module, body="Edited.", order=lesson.order),
        )
    assert sent == [lesson.pk]
    assert Notification.objects.filter(kind=Kind.LESSON_PUBLISHED).count() == 2


def test_an_empty_lesson_added_on_its_module_page_is_told_when_it_gets_its_text(
    instructor: User,
    published: Course,
    learners: list[User],
    sent: list[int],
    django_capture_on_commit_callbacks: Any,
) -> None:
    module = published.modules.order_by("order").first()
    existing = list(module.lessons.order_by("order"))
    data = {
        "course": published.pk,
        "title": module.title,
        "summary": "",
        "order": module.order,
        **_management("lessons", len(existing) + 1, len(existing)),
        f"lessons-{len(existing)}-title": "Cherry-pick",
        f"lessons-{len(existing)}-kind": "article",
        f"lessons-{len(existing)}-order": "",
        f"lessons-{len(existing)}-duration_seconds": "0",
    }
    for index, lesson in enumerate(existing):
        data.update(
            {
                f"lessons-{index}-id": lesson.pk,
                f"lessons-{index}-module": module.pk,
                f"lessons-{index}-title": lesson.title,
                f"lessons-{index}-kind": lesson.kind,
                f"lessons-{index}-order": lesson.order,
                f"lessons-{index}-duration_seconds": lesson.duration_seconds,
            }
        )
    with django_capture_on_commit_callbacks(execute=True):
        response = _admin(instructor).post(f"/admin/courses/module/{module.pk}/change/", data)
    assert response.status_code == 302
    lesson = module.lessons.get(title="Cherry-pick")
    assert sent == []  # no text yet: nothing to read
    assert _told() == []

    with django_capture_on_commit_callbacks(execute=True):
        _admin(instructor).post(
            f"/admin/courses/lesson/{lesson.pk}/change/",
            _lesson_form(module, title="Cherry-pick", body="Copy one commit.", order=lesson.order),
        )
    assert sent == [lesson.pk]
    assert [title for _, title in _told()] == ["New lesson in “Git in depth”: Cherry-pick"] * 2


def test_lessons_of_a_draft_course_tell_nobody_until_it_is_published_again(
    instructor: User, learners: list[User], published: Course, sent: list[int],
    django_capture_on_commit_callbacks: Any,
) -> None:  # fmt: skip
    module = published.modules.order_by("order").first()
    old = list(Lesson.objects.filter(module__course=published))
    with django_capture_on_commit_callbacks(execute=True):
        course_services.course_unpublish(course=published)
        added = course_services.lesson_create(
            module=module, title="Bisect", kind=Lesson.Kind.ARTICLE, body="Find the bad commit."
        )
    assert sent == []
    with django_capture_on_commit_callbacks(execute=True):
        course_services.course_publish(course=published)
    assert sent == [added.pk]  # only the lesson added since it first went out
    assert all(lesson.pk not in sent for lesson in old)
    assert [title for _, title in _told()] == ["New lesson in “Git in depth”: Bisect"] * 2

    # Published again later: the event repeats, the learners are not told twice.
    late = StudentFactory()
    EnrollmentFactory(course=published, learner=late)
    with django_capture_on_commit_callbacks(execute=True):
        course_services.course_unpublish(course=published)
        course_services.course_publish(course=published)
    assert sent == [added.pk, added.pk]
    assert Notification.objects.filter(kind=Kind.LESSON_PUBLISHED).count() == 2
    assert LessonAnnouncement.objects.get().lesson == added


def test_the_job_announces_a_lesson_once_and_nothing_for_a_draft_course(
    learners: list[User], published: Course
) -> None:
    from notifications import tasks

    lesson = Lesson.objects.filter(module__course=published).first()
    assert tasks.lesson_published_deliver(lesson.pk) == 2
    assert tasks.lesson_published_deliver(lesson.pk) == 0
    draft = CourseFactory(status=Course.Status.DRAFT, published_at=None)
    draft_lesson = course_services.lesson_create(
        module=ModuleFactory(course=draft), title="Hidden", kind="article", body="Text"
    )
    assert tasks.lesson_published_deliver(draft_lesson.pk) == 0
    assert tasks.lesson_published_deliver(999_999) == 0
    assert Notification.objects.count() == 2


def test_a_learner_who_turned_new_lessons_off_is_not_told(
    learners: list[User], published: Course, django_capture_on_commit_callbacks: Any
) -> None:
    services.preference_set(
        user=learners[0], kind=Kind.LESSON_PUBLISHED, in_app=False, email=False, push=False
    )
    with django_capture_on_commit_callbacks(execute=True):
        course_services.lesson_create(
            module=published.modules.first(), title="Tags", kind="article", body="Name commits."
        )
    assert [recipient for recipient, _ in _told()] == [learners[1].pk]
