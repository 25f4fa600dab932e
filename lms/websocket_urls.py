"""WebSocket routes; apps add their consumers here (notifications, study-buddy chat)."""

from django.urls import URLPattern, path

from ai_tools.routing import websocket_urlpatterns as ai_tools_websocket
from notifications.consumers import NotificationConsumer

websocket_urlpatterns: list[URLPattern] = [
    path("ws/notifications/", NotificationConsumer.as_asgi()),
    *ai_tools_websocket,
]
