"""WebSocket routes; apps add their consumers here (notifications, study-buddy chat)."""

from django.urls import URLPattern

websocket_urlpatterns: list[URLPattern] = []
