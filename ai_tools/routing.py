"""WebSocket routes of the AI tools (included by lms/websocket_urls.py)."""

from django.urls import path

from ai_tools.consumers import StudyBuddyConsumer

websocket_urlpatterns = [
    path("ws/ai/courses/<int:course_id>/study-buddy/", StudyBuddyConsumer.as_asgi()),
]
