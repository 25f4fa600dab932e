"""Helpers shared by the services: validation, rendering, locking and permission checks."""

from __future__ import annotations

import re
from datetime import UTC, date
from typing import Any

from django.utils import timezone

from courses.markdown import render_markdown
from qa import reputation, selectors
from qa.exceptions import InvalidInputError, NotModeratorError, PrivilegeRequiredError
from qa.models import Answer, Comment, Question

TITLE_MIN, TITLE_MAX = 10, 200
QUESTION_BODY_MIN, ANSWER_BODY_MIN, BODY_MAX = 20, 10, 20000
COMMENT_MIN, COMMENT_MAX = 2, 600
TAGS_MAX, TAG_MAX_LENGTH = 5, 40
_TAG = re.compile(r"^[a-z0-9][a-z0-9+#.-]*$")


def utc_today() -> date:
    return timezone.now().astimezone(UTC).date()


def render(body: str) -> str:
    """Markdown to sanitised HTML (courses' renderer: Python-Markdown, then nh3)."""
    return str(render_markdown(body))


def clean_text(field: str, value: str, *, minimum: int, maximum: int, label: str) -> str:
    """Strip `value` and check its length; the error names `field`."""
    value = (value or "").strip()
    if len(value) < minimum:
        message = f"{label} must be at least {minimum} characters."
        raise InvalidInputError(message, fields={field: [message]})
    if len(value) > maximum:
        message = f"{label} must be at most {maximum} characters."
        raise InvalidInputError(message, fields={field: [message]})
    return value


def clean_tags(tags: Any) -> list[str]:
    """Lower-case tag names, at most TAGS_MAX, each a short slug ("django", "css-grid")."""
    if isinstance(tags, str):
        tags = re.split(r"[\s,]+", tags)
    names = list(dict.fromkeys(str(tag).strip().lower().lstrip("#") for tag in tags or []))
    names = [name for name in names if name]
    if len(names) > TAGS_MAX:
        message = f"Use at most {TAGS_MAX} tags."
        raise InvalidInputError(message, fields={"tags": [message]})
    for name in names:
        if len(name) > TAG_MAX_LENGTH or not _TAG.match(name):
            message = (
                f"'{name[:50]}' is not a valid tag: use letters, digits, '-', '.', '+' or '#', "
                f"up to {TAG_MAX_LENGTH} characters."
            )
            raise InvalidInputError(message, fields={"tags": [message]})
    return names


def question_of(post: Question | Answer | Comment) -> Question:
    if isinstance(post, Question):
        return post
    if isinstance(post, Answer):
        return post.question
    return post.question if post.question_id else post.answer.question  # type: ignore[union-attr]  # a comment has exactly one parent


def require_moderator(user: Any, question: Question, message: str | None = None) -> None:
    """Admins, or instructors of the question's course."""
    if not selectors.user_can_moderate_question(user, question):
        raise NotModeratorError(
            message or "Only the course's instructors and admins can moderate this question."
        )


def require_privilege(user: Any, code: str, question: Question, action: str) -> None:
    """The user's reputation reaches the privilege, or they moderate the question."""
    refusal = selectors.privilege_refusal(user=user, code=code, question=question, action=action)
    if refusal:
        raise PrivilegeRequiredError(
            refusal,
            extra={
                "privilege": code,
                "required": reputation.PRIVILEGE_THRESHOLDS[code],
                "reputation": selectors.user_reputation_points(user=user),
            },
        )
