"""WebSocket routes; apps add their consumers here (notifications, study-buddy chat)."""

from django.urls import URLPattern

websocket_urlpatterns: list[URLPattern] = []

# --- ai_tools ---
from ai_tools.routing import websocket_urlpatterns as ai_tools_websocket  # noqa: E402

websocket_urlpatterns += ai_tools_websocket
