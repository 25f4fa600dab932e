"""The live notification socket: new notifications and the unread count, to every open tab."""

from __future__ import annotations

from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from rest_framework.exceptions import AuthenticationFailed
from rest_framework_simplejwt.exceptions import InvalidToken

from accounts.authentication import LumenJWTAuthentication
from notifications import realtime, selectors, services
from notifications.models import Notification

CLOSE_UNAUTHENTICATED = 4401


def _jwt_user(scope: dict[str, Any]) -> Any:
    """API clients (apps, scripts) authenticate with `Authorization: Bearer <access token>`."""
    header = dict(scope.get("headers") or []).get(b"authorization", b"").decode("latin-1")
    scheme, _, raw = header.partition(" ")
    if scheme.lower() != "bearer" or not raw:
        return None
    authentication = LumenJWTAuthentication()
    try:
        return authentication.get_user(authentication.get_validated_token(raw.encode()))
    except (InvalidToken, AuthenticationFailed):
        return None


class NotificationConsumer(AsyncJsonWebsocketConsumer):
    """`/ws/notifications/`: session or JWT; joins the user's group and their courses' groups.

    Client messages: `{"action": "mark_read", "id": N}` and `{"action": "mark_all_read"}`.
    """

    groups_joined: list[str]

    async def connect(self) -> None:
        self.groups_joined = []
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            user = await database_sync_to_async(_jwt_user)(self.scope)
        if user is None or not user.is_authenticated or not user.is_active:
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        self.user = user
        course_ids = await database_sync_to_async(selectors.course_ids_for_learner)(user=user)
        groups = [realtime.user_group(user.pk)] + [realtime.course_group(c) for c in course_ids]
        for group in groups:
            await self.channel_layer.group_add(group, self.channel_name)
        self.groups_joined = groups
        await self.accept()
        await self._send_unread_count()

    async def disconnect(self, code: int) -> None:
        for group in self.groups_joined:
            await self.channel_layer.group_discard(group, self.channel_name)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        action = content.get("action") if isinstance(content, dict) else None
        try:
            if action == "mark_read":
                notification_id = content.get("id")
                if not isinstance(notification_id, int) or isinstance(notification_id, bool):
                    await self.send_json({"type": "error", "message": "id must be an integer."})
                    return
                await database_sync_to_async(services.notification_mark_read)(
                    user=self.user, notification_id=notification_id
                )
            elif action == "mark_all_read":
                await database_sync_to_async(services.notification_mark_all_read)(user=self.user)
            else:
                await self.send_json({"type": "error", "message": "Unknown action."})
        except services.ApplicationError as error:
            await self.send_json({"type": "error", "message": error.message})

    # Channel-layer handlers (message "type" with dots → underscores).
    async def notification_created(self, event: dict[str, Any]) -> None:
        await self.send_json(
            {
                "type": "notification",
                "notification": event["notification"],
                "unread_count": event["unread_count"],
            }
        )

    async def notification_unread(self, event: dict[str, Any]) -> None:
        await self.send_json({"type": "unread_count", "unread_count": event["unread_count"]})

    async def notification_course(self, event: dict[str, Any]) -> None:
        """A course broadcast: pass on this user's own copy, if they have one."""
        payload = await database_sync_to_async(self._own_copy)(event["dedupe_key"])
        if payload is not None:
            await self.send_json(payload)

    def _own_copy(self, dedupe_key: str) -> dict[str, Any] | None:
        notification = Notification.objects.filter(
            recipient=self.user, dedupe_key=dedupe_key
        ).first()
        if notification is None:
            return None
        return {
            "type": "notification",
            "notification": services.notification_payload(notification),
            "unread_count": selectors.notification_unread_count(user=self.user),
        }

    async def _send_unread_count(self) -> None:
        count = await database_sync_to_async(selectors.notification_unread_count)(user=self.user)
        await self.send_json({"type": "unread_count", "unread_count": count})
