"""`lumen_websocket_connections` counts open sockets: up on accept, down when they end, never for
refused ones, for every consumer behind lms.asgi."""

from __future__ import annotations

import pytest
from asgiref.sync import async_to_sync
from channels.generic.websocket import AsyncWebsocketConsumer
from channels.testing import WebsocketCommunicator

from analytics.monitoring import WEBSOCKET_CONNECTIONS, WebSocketConnectionGauge


class _Echo(AsyncWebsocketConsumer):
    async def connect(self) -> None:
        if self.scope["path"].endswith("/refuse/"):
            await self.close(code=4403)
        else:
            await self.accept()


def _open() -> float:
    return WEBSOCKET_CONNECTIONS._value.get()


@pytest.mark.django_db  # Channels closes stale database connections around each message
def test_accepted_sockets_count_until_they_close_and_refused_ones_never() -> None:
    app = WebSocketConnectionGauge(_Echo.as_asgi())
    before = _open()

    async def run() -> list[float]:
        seen = []
        first = WebsocketCommunicator(app, "/ws/echo/")
        second = WebsocketCommunicator(app, "/ws/echo/")
        refused = WebsocketCommunicator(app, "/ws/refuse/")
        await first.connect()
        await second.connect()
        connected, _ = await refused.connect()
        seen.append(float(connected))
        seen.append(_open() - before)
        await first.disconnect()
        seen.append(_open() - before)
        await second.disconnect()
        seen.append(_open() - before)
        return seen

    assert async_to_sync(run)() == [0.0, 2.0, 1.0, 0.0]


@pytest.mark.django_db
def test_every_websocket_route_of_the_site_is_counted() -> None:
    from lms.asgi import application

    assert isinstance(application.application_mapping["websocket"], WebSocketConnectionGauge)
