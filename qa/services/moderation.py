"""Moderation: flags, hiding and unhiding posts, resolving flags."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from qa.exceptions import AlreadyFlaggedError, InvalidInputError, OwnContentError
from qa.models import Answer, Comment, Flag, Question
from qa.services._common import question_of, require_moderator
from qa.services.counters import answer_visibility_counted, question_visibility_counted

# Open flags from this many different people hide a post until a moderator looks at it.
FLAGS_TO_HIDE = 3

Post = Question | Answer | Comment


def _author_id(post: Post) -> int:
    return post.asker_id if isinstance(post, Question) else post.author_id


def _target(post: Post) -> dict[str, Post]:
    if isinstance(post, Question):
        return {"question": post}
    if isinstance(post, Answer):
        return {"answer": post}
    return {"comment": post}


def _lock(post: Post) -> Post:
    return type(post).objects.select_for_update().get(pk=post.pk)


def _set_hidden(post: Post, *, hidden: bool, by: Any, reason: str) -> None:
    """Hide or show a locked post; the counters that leave hidden posts out follow."""
    if isinstance(post, Answer):
        answer_visibility_counted(answer=post, hidden=hidden)
    elif isinstance(post, Question):
        question_visibility_counted(question=post, hidden=hidden)
    post.is_hidden = hidden
    post.hidden_at = timezone.now() if hidden else None
    post.hidden_by = by if hidden else None
    post.hidden_reason = reason[:200] if hidden else ""
    post.save(update_fields=["is_hidden", "hidden_at", "hidden_by", "hidden_reason", "updated_at"])


@transaction.atomic
def post_flag(*, flagger: Any, post: Post, reason: str, note: str = "") -> Flag:
    """Report a post (once per person and post, never one's own); FLAGS_TO_HIDE open flags
    from different people hide it until a moderator decides."""
    if reason not in Flag.Reason.values:
        message = f"Choose one of: {', '.join(Flag.Reason.values)}."
        raise InvalidInputError(message, fields={"reason": [message]})
    note = (note or "").strip()
    if reason == Flag.Reason.OTHER and not note:
        message = "Say what is wrong with this post."
        raise InvalidInputError(message, fields={"note": [message]})
    if len(note) > 500:
        message = "The note must be at most 500 characters."
        raise InvalidInputError(message, fields={"note": [message]})
    if _author_id(post) == flagger.pk:
        raise OwnContentError("You cannot flag your own post; edit or delete it instead.")
    locked = _lock(post)
    try:
        with transaction.atomic():
            flag = Flag.objects.create(flagger=flagger, reason=reason, note=note, **_target(locked))
    except IntegrityError:
        raise AlreadyFlaggedError("You have already flagged this post.") from None
    open_flags = Flag.objects.filter(status=Flag.Status.OPEN, **_target(locked))
    if not locked.is_hidden and open_flags.values("flagger").distinct().count() >= FLAGS_TO_HIDE:
        _set_hidden(
            locked,
            hidden=True,
            by=None,
            reason=f"Hidden automatically after {FLAGS_TO_HIDE} flags; waiting for a moderator.",
        )
    return flag


def _resolve_open_flags(post: Post, moderator: Any, status: str) -> int:
    return Flag.objects.filter(status=Flag.Status.OPEN, **_target(post)).update(
        status=status, resolved_by=moderator, resolved_at=timezone.now()
    )


@transaction.atomic
def post_hide(*, post: Post, moderator: Any, reason: str = "") -> Post:
    """A moderator hides a post (its open flags are upheld); it disappears for everyone else."""
    require_moderator(moderator, question_of(post))
    locked = _lock(post)
    _set_hidden(locked, hidden=True, by=moderator, reason=reason or "Hidden by a moderator.")
    _resolve_open_flags(locked, moderator, Flag.Status.UPHELD)
    return locked


@transaction.atomic
def post_unhide(*, post: Post, moderator: Any) -> Post:
    """A moderator shows a hidden post again (its open flags are dismissed)."""
    require_moderator(moderator, question_of(post))
    locked = _lock(post)
    _set_hidden(locked, hidden=False, by=None, reason="")
    _resolve_open_flags(locked, moderator, Flag.Status.DISMISSED)
    return locked


@transaction.atomic
def flag_resolve(*, flag: Flag, moderator: Any, uphold: bool) -> Flag:
    """Uphold a flag (the post is hidden, its other open flags upheld too) or dismiss it (a post
    hidden only by flags comes back when no open flag is left)."""
    post = flag.post
    require_moderator(moderator, question_of(post))
    if uphold:
        post_hide(post=post, moderator=moderator, reason=f"Flagged: {flag.get_reason_display()}.")
    else:
        Flag.objects.filter(pk=flag.pk, status=Flag.Status.OPEN).update(
            status=Flag.Status.DISMISSED, resolved_by=moderator, resolved_at=timezone.now()
        )
        locked = _lock(post)
        still_open = Flag.objects.filter(status=Flag.Status.OPEN, **_target(locked)).exists()
        if locked.is_hidden and locked.hidden_by_id is None and not still_open:
            _set_hidden(locked, hidden=False, by=None, reason="")
    flag.refresh_from_db()
    return flag
