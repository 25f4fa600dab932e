"""WebSockets refuse other sites: a page on https://evil.example cannot open a socket with the
visitor's session cookie (cross-site WebSocket hijacking). Through the real ASGI application
(lms.asgi: AllowedHostsOriginValidator, session auth, routing) for both sockets Lumen serves."""

from __future__ import annotations

import pytest
from asgiref.sync import async_to_sync
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client

from accounts.models import User
from tests.security.world import World, world_build

pytestmark = pytest.mark.django_db(transaction=True)

FOREIGN = [b"https://evil.example", b"http://evil.example", b"null", b"https://testserver.evil"]


@pytest.fixture
def world() -> World:
    return world_build()


def _session_cookie(user: User) -> bytes:
    client = Client()
    client.force_login(user)
    name = settings.SESSION_COOKIE_NAME
    return f"{name}={client.cookies[name].value}".encode()


def _paths(world: World) -> dict[str, str]:
    return {
        "notifications": "/ws/notifications/",
        "study buddy": f"/ws/ai/courses/{world.course.pk}/study-buddy/",
    }


def _connect(path: str, headers: list[tuple[bytes, bytes]]) -> tuple[bool, object]:
    from lms.asgi import application

    async def run() -> tuple[bool, object]:
        socket = WebsocketCommunicator(application, path, headers=headers)
        connected, detail = await socket.connect(timeout=10)
        await socket.disconnect()  # a refused socket too: its consumer ends, nothing is left
        return connected, detail

    return async_to_sync(run)()


@pytest.mark.parametrize("socket", ["notifications", "study buddy"])
def test_a_signed_in_browser_on_this_site_is_accepted(world: World, socket: str) -> None:
    """The enrolled learner has Pro, so both sockets accept them from Lumen's own pages."""
    cookie = _session_cookie(world.user("enrolled"))

    for origin in (b"http://testserver", b"http://localhost"):
        connected, _ = _connect(
            _paths(world)[socket],
            [(b"origin", origin), (b"host", b"testserver"), (b"cookie", cookie)],
        )
        assert connected is True, origin


@pytest.mark.parametrize("socket", ["notifications", "study buddy"])
@pytest.mark.parametrize("origin", FOREIGN)
def test_a_foreign_origin_is_refused_even_with_the_session_cookie(
    world: World, socket: str, origin: bytes
) -> None:
    cookie = _session_cookie(world.user("enrolled"))

    answer = _connect(
        _paths(world)[socket], [(b"origin", origin), (b"host", b"testserver"), (b"cookie", cookie)]
    )

    # Closed before the handshake by the origin check (code 1000: the browser sees a 403),
    # not by the consumer (4401 anonymous, 4403 no access): the consumer never ran.
    assert answer == (False, 1000)


@pytest.mark.parametrize("socket", ["notifications", "study buddy"])
def test_a_socket_without_an_origin_header_is_refused(world: World, socket: str) -> None:
    """Browsers always send Origin on a WebSocket handshake; a missing one is refused too."""
    cookie = _session_cookie(world.user("enrolled"))

    answer = _connect(_paths(world)[socket], [(b"host", b"testserver"), (b"cookie", cookie)])

    assert answer == (False, 1000)


@pytest.mark.parametrize("socket", ["notifications", "study buddy"])
def test_an_allowed_origin_without_a_session_is_refused_as_unauthenticated(
    world: World, socket: str
) -> None:
    connected, code = _connect(
        _paths(world)[socket], [(b"origin", b"http://testserver"), (b"host", b"testserver")]
    )

    assert (connected, code) == (False, 4401)
