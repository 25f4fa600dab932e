"""Writes to questions: ask, edit, close, reopen, delete, count views, categorise."""

from __future__ import annotations

from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone

from courses.models import Course, Lesson
from qa import classifier, events, selectors
from qa.exceptions import (
    CannotDeleteError,
    InvalidInputError,
    NotAuthorError,
    QuestionClosedError,
)
from qa.models import Category, Follow, PostRevision, Question, ReputationEvent, Tag
from qa.services._common import (
    BODY_MAX,
    QUESTION_BODY_MIN,
    TITLE_MAX,
    TITLE_MIN,
    clean_tags,
    clean_text,
    render,
    require_privilege,
)
from qa.services.counters import category_count_add
from qa.services.reputation import reverse_live_events

VIEW_MEMORY_SECONDS = 60 * 60 * 24


def _clean_title(title: str) -> str:
    return clean_text("title", title, minimum=TITLE_MIN, maximum=TITLE_MAX, label="The title")


def _clean_body(body: str) -> str:
    return clean_text(
        "body", body, minimum=QUESTION_BODY_MIN, maximum=BODY_MAX, label="The question"
    )


def _check_category(category: Category | None) -> None:
    if category is not None and not category.is_active:
        message = f"The category '{category.name}' takes no new questions."
        raise InvalidInputError(message, fields={"category": [message]})


def _check_course_and_lesson(
    asker: Any, course: Course | None, lesson: Lesson | None
) -> tuple[Course | None, Lesson | None]:
    """A question may be about a published course (or one the asker teaches) and its lesson."""
    if lesson is not None:
        lesson_course_id = lesson.module.course_id
        if course is None:
            course = Course.objects.get(pk=lesson_course_id)
        elif lesson_course_id != course.pk:
            message = "That lesson is not part of the chosen course."
            raise InvalidInputError(message, fields={"lesson": [message]})
    if (
        course is not None
        and course.status != Course.Status.PUBLISHED
        and not course.instructors.filter(pk=asker.pk).exists()
    ):
        message = "That course is not published."
        raise InvalidInputError(message, fields={"course": [message]})
    return course, lesson


def _tags_for(names: list[str]) -> list[Tag]:
    existing = {tag.name: tag for tag in Tag.objects.filter(name__in=names)}
    tags = []
    for name in names:
        tag = existing.get(name)
        if tag is None:
            tag, _ = Tag.objects.get_or_create(name=name)
        tags.append(tag)
    return tags


def question_categorise(*, title: str, body: str) -> tuple[Category | None, classifier.Prediction]:
    """The category the classifier (or the keyword fallback) picks for a question, and why."""
    prediction = selectors.category_classifier_get().predict(title, body)
    if prediction.label is None:
        return None, prediction
    category = Category.objects.filter(slug=prediction.label, is_active=True).first()
    return category, prediction


def _revision_add(*, editor: Any, note: str, question: Any = None, answer: Any = None) -> None:
    post = question or answer
    parent = {"question": question} if question is not None else {"answer": answer}
    latest = PostRevision.objects.filter(**parent).aggregate(number=Max("number"))["number"] or 0
    PostRevision.objects.create(
        **parent,
        number=latest + 1,
        editor=editor,
        title=getattr(question, "title", "") if question is not None else "",
        body=post.body,
        note=note[:200],
    )


@transaction.atomic
def question_create(
    *,
    asker: Any,
    title: str,
    body: str,
    category: Category | None = None,
    tags: Any = (),
    course: Course | None = None,
    lesson: Lesson | None = None,
) -> Question:
    """Post a question; without a category the classifier (or its keyword fallback) picks one."""
    title, body = _clean_title(title), _clean_body(body)
    tag_names = clean_tags(tags)
    _check_category(category)
    course, lesson = _check_course_and_lesson(asker, course, lesson)
    question = Question(
        asker=asker, title=title, body=body, body_html=render(body), course=course, lesson=lesson
    )
    if category is not None:
        question.category = category
        question.category_source = Question.CategorySource.ASKER
    else:
        predicted, prediction = question_categorise(title=title, body=body)
        if predicted is not None:
            question.category = predicted
            question.category_source = (
                Question.CategorySource.KEYWORDS
                if prediction.method == "keywords"
                else Question.CategorySource.CLASSIFIER
            )
        question.category_explanation = prediction.explanation[:300]
    question.save()
    category_count_add(category_id=question.category_id, questions=1)
    question.tags.set(_tags_for(tag_names))
    _revision_add(editor=asker, note="Asked", question=question)
    Follow.objects.get_or_create(follower=asker, question=question)
    # The experts as they are now, at posting time (not after later answers in this transaction).
    experts = (
        selectors.category_experts(category=question.category, limit=6)
        if question.category_id
        else []
    )
    expert_ids = [expert.pk for expert in experts if expert.pk != asker.pk][:5]

    def publish() -> None:
        from qa import tasks

        events.question_posted.send(sender=Question, question=question, expert_ids=expert_ids)
        if expert_ids:
            tasks.question_experts_notify.delay(question.pk, expert_ids)

    transaction.on_commit(publish)
    return question


def _require_editor(editor: Any, question: Question) -> None:
    if editor.pk != question.asker_id:
        require_privilege(editor, "edit", question, "edit other people's posts")


@transaction.atomic
def question_update(
    *,
    question: Question,
    editor: Any,
    title: str | None = None,
    body: str | None = None,
    category: Category | Any | None = ...,
    tags: Any = None,
    note: str = "",
) -> Question:
    """Edit a question (its asker, editors with enough reputation, or moderators); every edit
    is kept as a revision. Passing category=None clears it; leaving it out keeps it."""
    _require_editor(editor, question)
    question = Question.objects.select_for_update().get(pk=question.pk)
    changed: list[str] = []
    if title is not None and _clean_title(title) != question.title:
        question.title = _clean_title(title)
        changed.append("title")
    if body is not None and _clean_body(body) != question.body:
        question.body = _clean_body(body)
        question.body_html = render(question.body)
        changed += ["body", "body_html"]
    if category is not ... and category != question.category:
        _check_category(category)
        if not question.is_hidden:  # the question moves from one category's count to the other's
            category_count_add(category_id=question.category_id, questions=-1)
            category_count_add(category_id=getattr(category, "pk", None), questions=1)
        question.category = category
        question.category_source = (
            Question.CategorySource.EDITOR
            if editor.pk != question.asker_id
            else Question.CategorySource.ASKER
        )
        question.category_explanation = ""
        changed += ["category", "category_source", "category_explanation"]
    tags_changed = False
    if tags is not None:
        names = clean_tags(tags)
        if sorted(names) != sorted(question.tags.values_list("name", flat=True)):
            question.tags.set(_tags_for(names))
            tags_changed = True
    if not changed and not tags_changed:
        return question
    now = timezone.now()
    question.edited_at = now
    question.last_activity_at = now
    question.save(update_fields=[*changed, "edited_at", "last_activity_at", "updated_at"])
    if {"title", "body"} & set(changed):
        _revision_add(editor=editor, note=note or "Edited", question=question)
    return question


@transaction.atomic
def question_close(
    *,
    question: Question,
    actor: Any,
    reason: str,
    duplicate_of: Question | None = None,
) -> Question:
    """Close a question (its asker, users with the close privilege, moderators); a duplicate
    must point at another question."""
    if actor.pk != question.asker_id:
        require_privilege(actor, "close", question, "close questions")
    if reason not in Question.CloseReason.values:
        message = f"Choose one of: {', '.join(Question.CloseReason.values)}."
        raise InvalidInputError(message, fields={"reason": [message]})
    if reason == Question.CloseReason.DUPLICATE:
        if duplicate_of is None or duplicate_of.pk == question.pk or duplicate_of.is_hidden:
            message = "Say which other question this one duplicates."
            raise InvalidInputError(message, fields={"duplicate_of": [message]})
    else:
        duplicate_of = None
    question = Question.objects.select_for_update().get(pk=question.pk)
    if question.is_closed:
        raise QuestionClosedError("This question is already closed.")
    now = timezone.now()
    question.status = Question.Status.CLOSED
    question.close_reason = reason
    question.duplicate_of = duplicate_of
    question.closed_by = actor
    question.closed_at = now
    question.last_activity_at = now
    question.save(
        update_fields=[
            "status",
            "close_reason",
            "duplicate_of",
            "closed_by",
            "closed_at",
            "last_activity_at",
            "updated_at",
        ]
    )
    return question


@transaction.atomic
def question_reopen(*, question: Question, actor: Any) -> Question:
    """Reopen a closed question (same people who may close it)."""
    if actor.pk != question.asker_id:
        require_privilege(actor, "close", question, "reopen questions")
    question = Question.objects.select_for_update().get(pk=question.pk)
    if not question.is_closed:
        raise QuestionClosedError("This question is not closed.", code="question_not_closed")
    has_accepted = question.answers.filter(is_accepted=True).exists()
    question.status = Question.Status.ANSWERED if has_accepted else Question.Status.OPEN
    question.close_reason = ""
    question.duplicate_of = None
    question.closed_by = None
    question.closed_at = None
    question.last_activity_at = timezone.now()
    question.save(
        update_fields=[
            "status",
            "close_reason",
            "duplicate_of",
            "closed_by",
            "closed_at",
            "last_activity_at",
            "updated_at",
        ]
    )
    return question


@transaction.atomic
def question_delete(*, question: Question, actor: Any) -> None:
    """Delete a question: its asker while it has no answers, moderators always (the reputation
    its answers earned is reversed)."""
    is_moderator = selectors.user_can_moderate_question(actor, question)
    if not is_moderator:
        if actor.pk != question.asker_id:
            raise NotAuthorError("Only the asker or a moderator can delete this question.")
        if question.answers.exists():
            raise CannotDeleteError(
                "This question has answers, so it can no longer be deleted; ask a moderator."
            )
    question = Question.objects.select_for_update().get(pk=question.pk)
    reverse_live_events(
        ReputationEvent.objects.filter(answer__question=question).order_by("pk"),
        note="the question was deleted",
    )
    if not question.is_hidden:
        category_count_add(category_id=question.category_id, questions=-1)
    question.delete()


def question_view_record(*, question: Question, viewer_key: str) -> bool:
    """Count a view once per viewer (user id or session) and question a day; True if counted."""
    if not viewer_key:
        return False
    if not cache.add(f"qa:viewed:{question.pk}:{viewer_key}", 1, VIEW_MEMORY_SECONDS):
        return False
    Question.objects.filter(pk=question.pk).update(view_count=F("view_count") + 1)
    return True
