"""The live notification socket: every open tab of a signed-in user joins their group and the
groups of the courses they take."""

from __future__ import annotations

import asyncio
from typing import Any

from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from rest_framework.exceptions import AuthenticationFailed
from rest_framework_simplejwt.exceptions import InvalidToken, TokenError

from accounts.authentication import LumenJWTAuthentication
from courses.models import Enrollment
from notifications import services
from notifications.services.broadcasts import SHEET_SECONDS

UNAUTHENTICATED = 4401
# Browsers cannot set headers on a WebSocket, so a JWT client offers two subprotocols:
# `new WebSocket(url, ["lumen.jwt", accessToken])`; the server answers with "lumen.jwt" only.
# Other clients may send `Authorization: Bearer <access token>` instead. A token is never read
# from the query string, which ends up in access logs.
JWT_SUBPROTOCOL = "lumen.jwt"


def _offered_token(scope: dict[str, Any]) -> str:
    subprotocols = list(scope.get("subprotocols") or [])
    if JWT_SUBPROTOCOL in subprotocols:
        index = subprotocols.index(JWT_SUBPROTOCOL)
        return subprotocols[index + 1] if index + 1 < len(subprotocols) else ""
    header = dict(scope.get("headers") or []).get(b"authorization", b"").decode("latin-1")
    scheme, _, raw = header.partition(" ")
    return raw.strip() if scheme.lower() == "bearer" else ""


def jwt_user(scope: dict[str, Any]) -> Any:
    """The user of a valid access token offered on the socket, or None."""
    raw = _offered_token(scope)
    if not raw:
        return None
    authentication = LumenJWTAuthentication()
    try:
        return authentication.get_user(authentication.get_validated_token(raw.encode()))
    except (InvalidToken, TokenError, AuthenticationFailed):
        return None


def course_ids_for_learner(user_id: int) -> list[int]:
    return list(Enrollment.objects.filter(learner_id=user_id).values_list("course_id", flat=True))


class NotificationConsumer(AsyncJsonWebsocketConsumer):
    """/ws/notifications/: session cookie or JWT; anonymous connections are refused (4401).
    The first message is the unread count."""

    groups_joined: list[str]

    async def connect(self) -> None:
        self.groups_joined = []
        subprotocol = None
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            user = await database_sync_to_async(jwt_user)(self.scope)
            if user is not None and JWT_SUBPROTOCOL in (self.scope.get("subprotocols") or []):
                subprotocol = JWT_SUBPROTOCOL
        if user is None or not user.is_authenticated or not user.is_active:
            await self.close(code=UNAUTHENTICATED)
            return
        self.user_id = user.pk
        course_ids = await database_sync_to_async(course_ids_for_learner)(user.pk)
        groups = [services.user_group(user.pk)] + [services.course_group(c) for c in course_ids]
        for group in groups:
            await self.channel_layer.group_add(group, self.channel_name)
        self.groups_joined = groups
        await self.accept(subprotocol=subprotocol)
        unread = await database_sync_to_async(services.unread_count)(user_id=user.pk)
        await self.send_json({"type": "count", "unread": unread})

    async def disconnect(self, code: int) -> None:
        for group in self.groups_joined:
            await self.channel_layer.group_discard(group, self.channel_name)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        if isinstance(content, dict) and content.get("type") == "ping":
            await self.send_json({"type": "pong"})

    async def notification_new(self, event: dict[str, Any]) -> None:
        await self.send_json(
            {
                "type": "notification",
                "notification": event["notification"],
                "unread": event["unread"],
            }
        )

    async def notification_count(self, event: dict[str, Any]) -> None:
        """The unread count changed in another tab (or device): a mark-read names what it read."""
        message: dict[str, Any] = {"type": "count", "unread": event["unread"]}
        if "read" in event:
            message["read"] = event["read"]
        await self.send_json(message)

    async def notification_course(self, event: dict[str, Any]) -> None:
        """A course broadcast: pass on this user's own copy, if they have one. Its id and the
        unread count come from the broadcast's delivery sheet, read from the cache once per
        server process (the thousands of sockets of a course share that one read); from the
        database only when the sheet is gone."""
        sheet = await _sheet(event["dedupe_key"])
        if sheet is None:
            message = await database_sync_to_async(services.course_copy_for_socket)(
                user_id=self.user_id, dedupe_key=event["dedupe_key"]
            )
        else:
            message = services.course_copy_from_sheet(
                sheet=sheet, user_id=self.user_id, event=event
            )
        if message is not None:
            await self.send_json(message)


# The delivery sheets this server process has read, by broadcast: the first socket of a course
# to hear a broadcast starts the one cache read, the others wait for it. Forgotten after
# SHEET_SECONDS (a sheet is only needed while the broadcast's message is being delivered).
_sheets: dict[str, asyncio.Future[Any]] = {}


async def _sheet(dedupe_key: str) -> Any:
    loop = asyncio.get_running_loop()
    pending = _sheets.get(dedupe_key)
    if pending is None or pending.get_loop() is not loop:
        pending = loop.create_future()
        _sheets[dedupe_key] = pending
        loop.call_later(SHEET_SECONDS, _forget, dedupe_key, pending)
        sheet = None
        try:
            sheet = await sync_to_async(services.course_sheet_load, thread_sensitive=False)(
                dedupe_key=dedupe_key
            )
        finally:  # whatever happens, the sockets waiting for it go on (None: the database)
            pending.set_result(sheet)
    return await asyncio.shield(pending)


def _forget(dedupe_key: str, pending: asyncio.Future[Any]) -> None:
    if _sheets.get(dedupe_key) is pending:
        del _sheets[dedupe_key]
