"""Writes to answers and comments: answer, edit, delete, accept, comment."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from qa import events, reputation, selectors
from qa.exceptions import (
    CannotDeleteError,
    NotAskerError,
    NotAuthorError,
    QuestionClosedError,
)
from qa.models import Answer, Comment, Follow, Question, ReputationEvent, XpAward
from qa.services._common import (
    ANSWER_BODY_MIN,
    BODY_MAX,
    COMMENT_MAX,
    COMMENT_MIN,
    clean_text,
    question_of,
    render,
    require_moderator,
    require_privilege,
)
from qa.services.counters import question_counts_add
from qa.services.questions import _revision_add
from qa.services.reputation import reputation_grant, reverse_live_events


def _clean_body(body: str) -> str:
    return clean_text("body", body, minimum=ANSWER_BODY_MIN, maximum=BODY_MAX, label="The answer")


def _touch(question_id: int) -> None:
    Question.objects.filter(pk=question_id).update(last_activity_at=timezone.now())


@transaction.atomic
def answer_create(*, author: Any, question: Question, body: str) -> Answer:
    """Answer an open question; the answerer follows it, the asker hears about it."""
    body = _clean_body(body)
    locked = Question.objects.select_for_update().get(pk=question.pk)
    if locked.is_closed:
        raise QuestionClosedError("This question is closed and takes no new answers.")
    answer = Answer.objects.create(
        question=locked, author=author, body=body, body_html=render(body)
    )
    _revision_add(editor=author, note="Answered", answer=answer)
    # A new answer is visible and unrated: one more answer, no more ratings.
    question_counts_add(question_id=locked.pk, answers=1, last_activity_at=timezone.now())
    Follow.objects.get_or_create(follower=author, question=locked)
    transaction.on_commit(
        lambda: events.answer_posted.send(sender=Answer, answer=answer, question=locked)
    )
    return answer


@transaction.atomic
def answer_update(*, answer: Answer, editor: Any, body: str, note: str = "") -> Answer:
    """Edit an answer (its author, editors with enough reputation, moderators); each edit is
    kept as a revision."""
    if editor.pk != answer.author_id:
        require_privilege(editor, "edit", answer.question, "edit other people's posts")
    body = _clean_body(body)
    answer = Answer.objects.select_for_update().get(pk=answer.pk)
    if body == answer.body:
        return answer
    now = timezone.now()
    answer.body = body
    answer.body_html = render(body)
    answer.edited_at = now
    answer.save(update_fields=["body", "body_html", "edited_at", "updated_at"])
    _revision_add(editor=editor, note=note or "Edited", answer=answer)
    _touch(answer.question_id)
    return answer


@transaction.atomic
def answer_delete(*, answer: Answer, actor: Any) -> None:
    """Delete an answer: its author unless it was accepted or awarded XP, moderators always;
    the reputation it earned is reversed."""
    locked = Question.objects.select_for_update().get(pk=answer.question_id)
    answer = Answer.objects.select_for_update().get(pk=answer.pk)  # decide on the current row
    if not selectors.user_can_moderate_question(actor, locked):
        if actor.pk != answer.author_id:
            raise NotAuthorError("Only the author or a moderator can delete this answer.")
        if answer.is_accepted or XpAward.objects.filter(answer=answer).exists():
            raise CannotDeleteError(
                "This answer was accepted or awarded XP, so it can no longer be deleted."
            )
    reverse_live_events(
        ReputationEvent.objects.filter(answer=answer).order_by("pk"),
        note="the answer was deleted",
    )
    was_accepted = answer.is_accepted
    if not answer.is_hidden:  # a hidden answer was counted out when it was hidden
        question_counts_add(question_id=locked.pk, answers=-1, ratings=-answer.star_count)
    answer.delete()
    if was_accepted and locked.status == Question.Status.ANSWERED:
        locked.status = Question.Status.OPEN
        locked.save(update_fields=["status", "updated_at"])


def _reverse_acceptance(answer: Answer, note: str) -> None:
    reverse_live_events(
        ReputationEvent.objects.filter(
            answer=answer,
            kind__in=[ReputationEvent.Kind.ACCEPTED, ReputationEvent.Kind.ACCEPTING],
        ).order_by("pk"),
        note=note,
    )


@transaction.atomic
def answer_accept(*, answer: Answer, actor: Any) -> Answer:
    """The asker marks one answer as the accepted one (replacing any earlier choice)."""
    question = Question.objects.select_for_update().get(pk=answer.question_id)
    if actor.pk != question.asker_id:
        raise NotAskerError("Only the person who asked this question can accept an answer.")
    answer = Answer.objects.select_for_update().get(pk=answer.pk)
    if answer.is_accepted:
        return answer
    for previous in question.answers.select_for_update().filter(is_accepted=True):
        previous.is_accepted = False
        previous.accepted_at = None
        previous.save(update_fields=["is_accepted", "accepted_at", "updated_at"])
        _reverse_acceptance(previous, "the asker accepted another answer")
    now = timezone.now()
    answer.is_accepted = True
    answer.accepted_at = now
    answer.save(update_fields=["is_accepted", "accepted_at", "updated_at"])
    if answer.author_id != actor.pk:
        reputation_grant(
            user=answer.author,
            kind=ReputationEvent.Kind.ACCEPTED,
            points=reputation.ACCEPTED_POINTS,
            actor=actor,
            answer=answer,
        )
        reputation_grant(
            user=actor,
            kind=ReputationEvent.Kind.ACCEPTING,
            points=reputation.ACCEPTING_POINTS,
            actor=actor,
            answer=answer,
        )
    if not question.is_closed:
        question.status = Question.Status.ANSWERED
    question.last_activity_at = now
    question.save(update_fields=["status", "last_activity_at", "updated_at"])
    transaction.on_commit(
        lambda: events.answer_accepted.send(
            sender=Answer, answer=answer, question=question, accepted_by=actor
        )
    )
    return answer


@transaction.atomic
def answer_unaccept(*, answer: Answer, actor: Any) -> Answer:
    """The asker withdraws their acceptance; its reputation is reversed."""
    question = Question.objects.select_for_update().get(pk=answer.question_id)
    if actor.pk != question.asker_id:
        raise NotAskerError(
            "Only the person who asked this question can change the accepted answer."
        )
    answer = Answer.objects.select_for_update().get(pk=answer.pk)
    if not answer.is_accepted:
        return answer
    answer.is_accepted = False
    answer.accepted_at = None
    answer.save(update_fields=["is_accepted", "accepted_at", "updated_at"])
    _reverse_acceptance(answer, "the asker withdrew the acceptance")
    if question.status == Question.Status.ANSWERED:
        question.status = Question.Status.OPEN
        question.save(update_fields=["status", "updated_at"])
    return answer


def _may_always_comment(author: Any, question: Question, answer: Answer | None) -> bool:
    """Everyone may comment on their own posts and on answers to their own questions."""
    if answer is not None:
        return author.pk in (answer.author_id, question.asker_id)
    return author.pk == question.asker_id


@transaction.atomic
def comment_create(
    *, author: Any, body: str, question: Question | None = None, answer: Answer | None = None
) -> Comment:
    """Comment on a question or an answer (with the comment privilege, or on one's own thread)."""
    if (question is None) == (answer is None):
        raise TypeError("comment on exactly one of question or answer")
    thread = answer.question if answer is not None else question
    assert thread is not None  # noqa: S101 - guaranteed by the check above
    body = clean_text("body", body, minimum=COMMENT_MIN, maximum=COMMENT_MAX, label="A comment")
    if not _may_always_comment(author, thread, answer):
        require_privilege(author, "comment", thread, "comment on other people's posts")
    comment = Comment.objects.create(question=question, answer=answer, author=author, body=body)
    _touch(thread.pk)
    return comment


@transaction.atomic
def comment_delete(*, comment: Comment, actor: Any) -> None:
    """Delete a comment: its author, or a moderator."""
    if actor.pk != comment.author_id:
        require_moderator(
            actor, question_of(comment), "Only the author or a moderator can delete this comment."
        )
    comment.delete()
