"""The study buddy over a WebSocket: each question's answer streams back chunk by chunk.

Messages in: {"question": "...", "conversation": <id or null>}.
Messages out: {"type": "conversation", "id"} (when a new chat starts), {"type": "chunk", "text"}
for each piece of the answer, then {"type": "done", "message": {...}} with its citations, or
{"type": "error", "code", "message"}.
"""

from __future__ import annotations

from typing import Any

from channels.generic.websocket import JsonWebsocketConsumer

from ai_tools import selectors, services
from core.exceptions import ApplicationError
from courses.models import Course
from courses.selectors import course_get

CLOSE_UNAUTHENTICATED = 4401
CLOSE_FORBIDDEN = 4403


class StudyBuddyConsumer(JsonWebsocketConsumer):
    def connect(self) -> None:
        self.user = self.scope.get("user")
        if self.user is None or not self.user.is_authenticated:
            self.close(code=CLOSE_UNAUTHENTICATED)
            return
        try:
            self.course: Course = course_get(
                user=self.user, course_id=int(self.scope["url_route"]["kwargs"]["course_id"])
            )
            services.course_access_check(user=self.user, course=self.course)
        except ApplicationError:
            self.close(code=CLOSE_FORBIDDEN)
            return
        self.accept()

    def _error(self, error: ApplicationError) -> None:
        self.send_json({"type": "error", "code": error.code, "message": error.message})

    def receive_json(self, content: Any, **kwargs: Any) -> None:
        if not isinstance(content, dict) or not isinstance(content.get("question"), str):
            self.send_json(
                {
                    "type": "error",
                    "code": "invalid",
                    "message": "Send a JSON object with a question.",
                }
            )
            return
        try:
            conversation_id = content.get("conversation")
            if conversation_id:
                conversation = selectors.conversation_get_for_learner(
                    user=self.user, conversation_id=int(conversation_id)
                )
                if conversation is None or conversation.course_id != self.course.pk:
                    self.send_json(
                        {"type": "error", "code": "not_found", "message": "Conversation not found."}
                    )
                    return
            else:
                conversation = services.conversation_create(user=self.user, course=self.course)
                self.send_json({"type": "conversation", "id": conversation.pk})
            for event in services.study_buddy_reply(
                user=self.user, conversation=conversation, question=content["question"]
            ):
                if event.kind == "chunk":
                    self.send_json({"type": "chunk", "text": event.text})
                elif event.message is not None:
                    self.send_json(
                        {
                            "type": "done",
                            "message": {
                                "id": event.message.pk,
                                "content": event.message.content,
                                "citations": event.message.citations,
                                "provider": event.message.provider,
                                "is_generated": True,
                            },
                        }
                    )
        except (TypeError, ValueError):
            self.send_json({"type": "error", "code": "invalid", "message": "Invalid conversation."})
        except ApplicationError as error:
            self._error(error)
