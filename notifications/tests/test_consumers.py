"""The live socket: refused when anonymous; pushes the count and new notifications to the user,
over the configured channel layer (Redis in CI), also when a Celery job raised them."""

from __future__ import annotations

import pytest
import time_machine
from asgiref.sync import async_to_sync
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from courses.tests.factories import StudentFactory
from gamification import tasks as gamification_tasks
from gamification.rules import Action
from notifications import services
from notifications.consumers import NotificationConsumer
from notifications.models import Kind

pytestmark = pytest.mark.django_db(transaction=True)


def _communicator(user: object) -> WebsocketCommunicator:
    communicator = WebsocketCommunicator(NotificationConsumer.as_asgi(), "/ws/notifications/")
    communicator.scope["user"] = user
    return communicator


def test_anonymous_sockets_are_refused() -> None:
    async def run() -> tuple[bool, int | None]:
        communicator = _communicator(AnonymousUser())
        connected, code = await communicator.connect()
        await communicator.disconnect()
        return connected, code

    assert async_to_sync(run)() == (False, 4401)


def test_a_user_gets_the_count_then_new_notifications_and_others_get_nothing() -> None:
    learner = StudentFactory()
    stranger = StudentFactory()
    services.notify(recipient=learner, kind=Kind.ANSWER_POSTED, title="Earlier", dedupe_key="old")

    async def run() -> tuple[dict, dict, bool]:
        mine = _communicator(learner)
        theirs = _communicator(stranger)
        assert (await mine.connect())[0]
        assert (await theirs.connect())[0]
        first = await mine.receive_json_from(timeout=2)
        await theirs.receive_json_from(timeout=2)  # the stranger's own count
        from channels.db import database_sync_to_async

        await database_sync_to_async(services.notify)(
            recipient=learner, kind=Kind.ANSWER_POSTED, title="Fresh answer", dedupe_key="new"
        )
        pushed = await mine.receive_json_from(timeout=2)
        stranger_silent = await theirs.receive_nothing(timeout=0.3)
        await mine.disconnect()
        await theirs.disconnect()
        return first, pushed, stranger_silent

    first, pushed, stranger_silent = async_to_sync(run)()
    assert first == {"type": "count", "unread": 1}
    assert pushed["type"] == "notification"
    assert pushed["notification"]["title"] == "Fresh answer"
    assert pushed["unread"] == 2
    assert stranger_silent is True


def _reward_a_first_lesson_at_noon(learner_id: int) -> None:
    noon = timezone.now().replace(hour=12, minute=0, second=0, microsecond=0)
    with time_machine.travel(noon, tick=True):
        gamification_tasks.learning_rewarded.delay(learner_id, Action.LESSON_COMPLETED, "lesson-1")


def test_a_notification_raised_by_a_celery_job_reaches_the_socket() -> None:
    learner = StudentFactory()

    async def run() -> dict:
        socket = _communicator(learner)
        assert (await socket.connect())[0]
        await socket.receive_json_from(timeout=2)
        from channels.db import database_sync_to_async

        # The XP job (run by a worker in production, eagerly here) awards a first lesson, which
        # unlocks a badge; its notification travels through the channel layer to the socket.
        # At noon (UTC, the learner's zone): at night or early in the morning it would also
        # unlock a time-of-day badge, whose notification could come first.
        await database_sync_to_async(_reward_a_first_lesson_at_noon)(learner.pk)
        message = await socket.receive_json_from(timeout=3)
        await socket.disconnect()
        return message

    message = async_to_sync(run)()
    assert message["type"] == "notification"
    assert message["notification"]["title"] == "Badge unlocked: First steps"


def _stack_socket(*, headers: list | None = None, subprotocols: list | None = None):  # type: ignore[no-untyped-def]
    """A socket through the whole ASGI stack (origin check, session auth, routing)."""
    from lms.asgi import application

    return WebsocketCommunicator(
        application,
        "/ws/notifications/",
        headers=[(b"origin", b"http://localhost"), *(headers or [])],
        subprotocols=subprotocols,
    )


def test_a_jwt_offered_as_a_subprotocol_or_a_header_authenticates_the_socket() -> None:
    from accounts.tokens import token_pair_issue

    learner = StudentFactory()
    services.notify(recipient=learner, kind=Kind.LEVEL_UP, title="Level 2", dedupe_key="l2")
    access = token_pair_issue(user=learner)["access"]

    async def run() -> list:
        results = []
        browser_like = _stack_socket(subprotocols=["lumen.jwt", access])
        connected, subprotocol = await browser_like.connect()
        results.append((connected, subprotocol, await browser_like.receive_json_from(timeout=2)))
        await browser_like.disconnect()
        script = _stack_socket(headers=[(b"authorization", f"Bearer {access}".encode())])
        connected, _ = await script.connect()
        results.append((connected, await script.receive_json_from(timeout=2)))
        await script.disconnect()
        return results

    subprotocol_result, header_result = async_to_sync(run)()
    assert subprotocol_result == (True, "lumen.jwt", {"type": "count", "unread": 1})
    assert header_result == (True, {"type": "count", "unread": 1})


def test_anonymous_and_bad_or_refresh_tokens_are_refused_through_the_stack() -> None:
    from accounts.tokens import token_pair_issue

    refresh = token_pair_issue(user=StudentFactory())["refresh"]

    async def run() -> list:
        sockets = (
            _stack_socket(),
            _stack_socket(subprotocols=["lumen.jwt", "not-a-token"]),
            _stack_socket(subprotocols=["lumen.jwt"]),
            _stack_socket(subprotocols=["lumen.jwt", refresh]),
            _stack_socket(headers=[(b"authorization", b"Bearer not-a-token")]),
        )
        answers = []
        for socket in sockets:
            answers.append(await socket.connect())
            await socket.disconnect()  # as a server would: the consumer ends, nothing is left
        return answers

    assert async_to_sync(run)() == [(False, 4401)] * 5


def test_a_deactivated_users_token_is_refused() -> None:
    from accounts import services as account_services
    from accounts.tokens import token_pair_issue

    learner = StudentFactory()
    access = token_pair_issue(user=learner)["access"]
    account_services.user_deactivate(user=learner)

    async def run() -> tuple:
        socket = _stack_socket(subprotocols=["lumen.jwt", access])
        answer = await socket.connect()
        await socket.disconnect()
        return answer

    assert async_to_sync(run)() == (False, 4401)


def test_an_instructors_announcement_reaches_the_courses_learners_live_and_nobody_else() -> None:
    from courses.tests.factories import CourseFactory, EnrollmentFactory, InstructorFactory

    instructor = InstructorFactory()
    course = CourseFactory(instructors=[instructor])
    first, second, outsider = StudentFactory(), StudentFactory(), StudentFactory()
    for learner in (first, second):
        EnrollmentFactory(course=course, learner=learner)
    EnrollmentFactory(learner=outsider)  # another course
    services.notify(recipient=second, kind=Kind.LEVEL_UP, title="Level 2", dedupe_key="l2")

    async def run() -> tuple:
        from channels.db import database_sync_to_async

        sockets = [_communicator(user) for user in (first, second, outsider)]
        for socket in sockets:
            assert (await socket.connect())[0]
            await socket.receive_json_from(timeout=2)
        await database_sync_to_async(services.course_announcement_send)(
            course=course, author=instructor, title="Exam moved to Friday", body="Room 4"
        )
        heard = [await socket.receive_json_from(timeout=2) for socket in sockets[:2]]
        silent = await sockets[2].receive_nothing(timeout=0.3)
        for socket in sockets:
            await socket.disconnect()
        return heard, silent

    heard, outsider_silent = async_to_sync(run)()
    assert [message["notification"]["title"] for message in heard] == ["Exam moved to Friday"] * 2
    assert [message["notification"]["kind"] for message in heard] == ["announcement"] * 2
    assert [message["unread"] for message in heard] == [1, 2]
    assert outsider_silent is True


def test_a_learner_who_turned_announcements_off_in_the_app_hears_nothing_live() -> None:
    from courses.tests.factories import CourseFactory, EnrollmentFactory, InstructorFactory

    instructor = InstructorFactory()
    course = CourseFactory(instructors=[instructor])
    learner = StudentFactory()
    EnrollmentFactory(course=course, learner=learner)
    services.preference_set(
        user=learner, kind=Kind.ANNOUNCEMENT, in_app=False, email=True, push=False
    )

    async def run() -> bool:
        from channels.db import database_sync_to_async

        socket = _communicator(learner)
        assert (await socket.connect())[0]
        await socket.receive_json_from(timeout=2)
        await database_sync_to_async(services.course_announcement_send)(
            course=course, author=instructor, title="Quiet"
        )
        silent = await socket.receive_nothing(timeout=0.3)
        await socket.disconnect()
        return silent

    assert async_to_sync(run)() is True


def test_marking_read_in_one_tab_updates_the_count_in_every_tab_of_the_user() -> None:
    from django.test import Client

    learner = StudentFactory()
    stranger = StudentFactory()
    first = services.notify(recipient=learner, kind=Kind.LEVEL_UP, title="Level 2", dedupe_key="a")
    services.notify(recipient=learner, kind=Kind.LEVEL_UP, title="Level 3", dedupe_key="b")
    services.notify(recipient=learner, kind=Kind.LEVEL_UP, title="Level 4", dedupe_key="c")
    assert first is not None
    browser = Client()
    browser.force_login(learner)

    async def run() -> tuple[list, list, bool]:
        from channels.db import database_sync_to_async

        tabs = [_communicator(learner), _communicator(learner)]
        theirs = _communicator(stranger)
        for socket in (*tabs, theirs):
            assert (await socket.connect())[0]
            await socket.receive_json_from(timeout=2)
        # One tab marks one read (the inbox's form), then all (the API).
        response = await database_sync_to_async(browser.post)(f"/notifications/{first.pk}/read/")
        assert response.status_code == 302
        after_one = [await tab.receive_json_from(timeout=2) for tab in tabs]
        await database_sync_to_async(services.notification_mark_all_read)(user=learner)
        after_all = [await tab.receive_json_from(timeout=2) for tab in tabs]
        again = await database_sync_to_async(services.notification_mark_all_read)(user=learner)
        assert again == 0
        quiet = await tabs[0].receive_nothing(timeout=0.3)  # nothing changed, nothing sent
        stranger_silent = await theirs.receive_nothing(timeout=0.3)
        for socket in (*tabs, theirs):
            await socket.disconnect()
        return after_one, after_all, quiet and stranger_silent

    after_one, after_all, silent = async_to_sync(run)()
    assert after_one == [{"type": "count", "unread": 2, "read": [first.pk]}] * 2
    assert after_all == [{"type": "count", "unread": 0, "read": "all"}] * 2
    assert silent is True


def test_a_new_lesson_reaches_the_courses_learners_live() -> None:
    from courses import services as course_services
    from courses.tests.factories import EnrollmentFactory, course_with_outline

    course = course_with_outline(modules=1, lessons_per_module=1, title="Live course")
    learner, outsider = StudentFactory(), StudentFactory()
    EnrollmentFactory(course=course, learner=learner)
    module = course.modules.get()

    async def run() -> tuple[dict, bool]:
        from channels.db import database_sync_to_async

        mine, theirs = _communicator(learner), _communicator(outsider)
        for socket in (mine, theirs):
            assert (await socket.connect())[0]
            await socket.receive_json_from(timeout=2)
        await database_sync_to_async(course_services.lesson_create)(
            module=module, title="Fresh lesson", kind="article", body="New text."
        )
        heard = await mine.receive_json_from(timeout=3)
        silent = await theirs.receive_nothing(timeout=0.3)
        for socket in (mine, theirs):
            await socket.disconnect()
        return heard, silent

    heard, silent = async_to_sync(run)()
    assert heard["type"] == "notification"
    assert heard["notification"]["kind"] == "lesson_published"
    assert heard["notification"]["title"] == "New lesson in “Live course”: Fresh lesson"
    assert heard["unread"] == 1
    assert silent is True
