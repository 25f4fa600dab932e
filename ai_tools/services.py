"""The AI tools' rules: entitlement, quotas, caching by content hash, generation, chat."""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from ai_tools import events
from ai_tools import text as text_methods
from ai_tools.exceptions import (
    AIProviderError,
    NotEntitledError,
    NothingToWorkWithError,
    PlanRequiredError,
    QuotaExceededError,
    RateLimitedError,
)
from ai_tools.models import (
    AIUsage,
    ChatMessage,
    Conversation,
    GenerationStatus,
    LessonSummary,
    PracticeSet,
)
from ai_tools.providers import provider_get
from ai_tools.providers.base import DIFFICULTIES, QUESTION_KINDS, Passage, SkillFacts, Usage
from ai_tools.selectors import (
    SkillGapReport,
    ai_daily_limit,
    ai_plan_for_user,
    course_passages,
    lesson_source_text,
    plan_required_message,
    skill_gap_report,
)
from billing import entitlements as billing_entitlements
from courses import entitlements
from courses.models import Course, Lesson, Module
from courses.selectors import enrollment_get, lesson_access_error, running_exam_attempt_get

MAX_QUESTION_LENGTH = 1000


# --- quotas ---------------------------------------------------------------------------------------


def ai_access_check(*, user: Any) -> None:
    """Refuse (PlanRequiredError, naming the plan needed) a user whose billing plan does not
    include the AI tools: billing's `can_use_ai_tools` decides (Pro and above, and staff)."""
    if not billing_entitlements.can_use_ai_tools(user):
        plan = ai_plan_for_user(user=user)
        required = billing_entitlements.ai_tools_plan()
        raise PlanRequiredError(
            plan_required_message(plan=plan, required_plan=required),
            extra={
                "plan": plan,
                "required_plan": required,
                "upgrade_url": reverse("billing:pricing"),
            },
        )


def rate_limit_check(*, user: Any) -> None:
    """Refuse (RateLimitedError) a user's request past settings.AI_REQUESTS_PER_MINUTE in the
    current clock minute, whichever interface sent it: the API's throttle alone left the pages and
    the study-buddy socket free to spend a day's quota in seconds."""
    limit = settings.AI_REQUESTS_PER_MINUTE
    now = timezone.now()
    key = f"ai-requests:{user.pk}:{now:%Y%m%d%H%M}"
    cache.add(key, 0, timeout=120)
    try:
        count = cache.incr(key)
    except ValueError:  # the counter expired between add and incr: this is its first request
        cache.set(key, 1, timeout=120)
        count = 1
    if count > limit:
        wait = 60 - now.second
        raise RateLimitedError(
            f"You have made {limit} AI requests this minute. Try again in {wait} seconds.",
            extra={"limit": limit, "retry_after_seconds": wait},
        )


def quota_consume(*, user: Any, today: date | None = None) -> AIUsage:
    """Count one AI request against the daily quota of the user's billing plan, or refuse it
    (PlanRequiredError without the plan, RateLimitedError past the per-minute limit,
    QuotaExceededError when none is left today).

    The check and the increment are one conditional UPDATE, so parallel requests cannot both take
    the last unit."""
    ai_access_check(user=user)
    rate_limit_check(user=user)
    plan = ai_plan_for_user(user=user)
    today = today or timezone.now().date()
    limit = ai_daily_limit(plan=plan)
    AIUsage.objects.get_or_create(user=user, day=today)
    updated = AIUsage.objects.filter(user=user, day=today, requests__lt=limit).update(
        requests=F("requests") + 1
    )
    if not updated:
        raise QuotaExceededError(
            f"You have used today's {limit} AI requests of your {plan.capitalize()} plan. They "
            "renew at midnight (UTC).",
            extra={"limit": limit, "plan": plan, "used": limit, "remaining": 0},
        )
    return AIUsage.objects.get(user=user, day=today)


def usage_record(*, user_id: int | None, usage: Usage) -> None:
    """Add the tokens a provider spent to the user's counter for today."""
    if user_id is None or not usage.total_tokens:
        return
    today = timezone.now().date()
    AIUsage.objects.get_or_create(user_id=user_id, day=today)
    AIUsage.objects.filter(user_id=user_id, day=today).update(
        prompt_tokens=F("prompt_tokens") + usage.prompt_tokens,
        completion_tokens=F("completion_tokens") + usage.completion_tokens,
    )


# --- entitlement ----------------------------------------------------------------------------------


def lesson_access_check(*, user: Any, lesson: Lesson) -> Lesson:
    """The lesson, when `user` may open it (enrolled or entitled, no exam running elsewhere)."""
    error = lesson_access_error(
        user=user,
        lesson=lesson,
        is_enrolled=enrollment_get(learner=user, course_id=lesson.module.course_id) is not None,
    )
    if error is not None:
        raise NotEntitledError(error.message, extra=error.extra)
    return lesson


def course_access_check(*, user: Any, course: Course) -> None:
    """Only enrolled learners and the course's staff may chat about a course's content, and not
    while an exam of the course is running (the study buddy would answer it)."""
    if enrollment_get(learner=user, course_id=course.pk) is None:
        if entitlements.is_course_staff(user, course):
            return
        raise NotEntitledError("Enroll in this course to ask the study buddy about it.")
    if running_exam_attempt_get(learner=user, course_id=course.pk) is not None:
        raise NotEntitledError("The study buddy is closed while your exam in this course runs.")


def _content_hash(*parts: str) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode())
        digest.update(b"\x00")
    return digest.hexdigest()


# --- summaries ------------------------------------------------------------------------------------


@transaction.atomic
def summary_request(*, user: Any, lesson: Lesson) -> LessonSummary:
    """The lesson's summary for its current text: the cached one, or a new one being generated
    (a quota unit is spent only when something is generated)."""
    ai_access_check(user=user)
    lesson_access_check(user=user, lesson=lesson)
    source = lesson_source_text(lesson)
    if len(text_methods.words(source)) < 20:
        raise NothingToWorkWithError("This lesson has too little text to summarise.")
    provider = provider_get()
    summary, created = LessonSummary.objects.get_or_create(
        lesson=lesson,
        content_hash=_content_hash(lesson.title, source),
        provider=provider.name,
        defaults={"requested_by": user},
    )
    if not created and summary.status != GenerationStatus.FAILED:
        return summary
    quota_consume(user=user)
    if not created:
        summary = LessonSummary.objects.select_for_update().get(pk=summary.pk)
        if summary.status != GenerationStatus.FAILED:
            return summary  # someone else restarted it meanwhile
        summary.status = GenerationStatus.PENDING
        summary.error = ""
        summary.requested_by = user
        summary.save(update_fields=["status", "error", "requested_by", "updated_at"])
    from ai_tools.tasks import summary_generate_task

    transaction.on_commit(lambda: summary_generate_task.delay(summary.pk))
    return summary


def summary_generate(*, summary_id: int) -> LessonSummary:
    """Run the provider for a pending summary and store the result or the error (no lock is held
    while the provider works)."""
    summary = LessonSummary.objects.select_related("lesson").get(pk=summary_id)
    if summary.status == GenerationStatus.READY:
        return summary
    lesson = summary.lesson
    usage = Usage()
    try:
        digest = provider_get().summarize(
            title=lesson.title, text=lesson_source_text(lesson), usage=usage
        )
    except AIProviderError as error:
        LessonSummary.objects.filter(pk=summary.pk).update(
            status=GenerationStatus.FAILED, error=error.message[:300], updated_at=timezone.now()
        )
        usage_record(user_id=summary.requested_by_id, usage=usage)
        summary.refresh_from_db()
        return summary
    LessonSummary.objects.filter(pk=summary.pk).update(
        status=GenerationStatus.READY,
        summary=digest.summary,
        key_points=digest.key_points,
        takeaways=digest.takeaways,
        key_terms=digest.key_terms,
        error="",
        generated_at=timezone.now(),
        updated_at=timezone.now(),
    )
    usage_record(user_id=summary.requested_by_id, usage=usage)
    summary.refresh_from_db()
    return summary


# --- practice questions ---------------------------------------------------------------------------


@transaction.atomic
def practice_set_create(
    *,
    user: Any,
    lesson: Lesson | None = None,
    module: Module | None = None,
    count: int = 5,
    kinds: list[str] | None = None,
    difficulty: str = "medium",
) -> PracticeSet:
    """A new practice set from a lesson or from every lesson of a module the learner may open;
    questions already generated for the same text and options are reused, not regenerated."""
    ai_access_check(user=user)
    kinds = kinds or list(QUESTION_KINDS)
    if (lesson is None) == (module is None):
        raise NothingToWorkWithError("Choose either a lesson or a module.")
    if not 1 <= count <= 20:
        raise NothingToWorkWithError("Ask for between 1 and 20 questions.")
    if difficulty not in DIFFICULTIES or not set(kinds) <= set(QUESTION_KINDS):
        raise NothingToWorkWithError("Unknown question type or difficulty.")
    if lesson is not None:
        lessons = [lesson_access_check(user=user, lesson=lesson)]
        title = lesson.title
    else:
        assert module is not None  # noqa: S101 - narrowed by the either/or check above
        lessons = []
        for candidate in module.lessons.select_related("module__course").order_by("order", "id"):
            try:
                lessons.append(lesson_access_check(user=user, lesson=candidate))
            except NotEntitledError:
                continue
        if not lessons:
            raise NotEntitledError("Enroll in this course to practise its modules.")
        title = module.title
    source = "\n\n".join(lesson_source_text(item) for item in lessons)
    if len(text_methods.words(source)) < 20:
        raise NothingToWorkWithError("There is too little text here to write questions from.")
    provider = provider_get()
    content_hash = _content_hash(title, source)
    kinds = sorted(set(kinds))
    cached = (
        PracticeSet.objects.filter(
            content_hash=content_hash,
            provider=provider.name,
            question_count=count,
            kinds=kinds,
            difficulty=difficulty,
            status=GenerationStatus.READY,
        )
        .only("questions")
        .first()
    )
    practice_set = PracticeSet(
        learner=user,
        lesson=lesson,
        module=module,
        title=title,
        source_lesson_ids=[item.pk for item in lessons],
        content_hash=content_hash,
        provider=provider.name,
        question_count=count,
        kinds=kinds,
        difficulty=difficulty,
    )
    if cached is not None:
        practice_set.questions = cached.questions
        practice_set.status = GenerationStatus.READY
        practice_set.save()
        return practice_set
    quota_consume(user=user)
    practice_set.save()
    from ai_tools.tasks import practice_set_generate_task

    transaction.on_commit(lambda: practice_set_generate_task.delay(practice_set.pk))
    return practice_set


def practice_set_generate(*, practice_set_id: int) -> PracticeSet:
    """Write the questions of a pending practice set (or store why it failed)."""
    practice_set = PracticeSet.objects.select_related("lesson", "module").get(pk=practice_set_id)
    if practice_set.status == GenerationStatus.READY:
        return practice_set
    by_id = Lesson.objects.in_bulk(practice_set.source_lesson_ids)
    lessons = [by_id[pk] for pk in practice_set.source_lesson_ids if pk in by_id]
    usage = Usage()
    status, error, questions = GenerationStatus.READY, "", []
    try:
        generated = provider_get().generate_questions(
            title=practice_set.title,
            text="\n\n".join(lesson_source_text(lesson) for lesson in lessons),
            count=practice_set.question_count,
            kinds=practice_set.kinds,
            difficulty=practice_set.difficulty,
            usage=usage,
        )
        questions = [
            {"number": number, **question.as_dict()}
            for number, question in enumerate(generated, start=1)
        ]
        if not questions:
            status, error = GenerationStatus.FAILED, "No questions could be written from this text."
    except AIProviderError as failure:
        status, error = GenerationStatus.FAILED, failure.message[:300]
    PracticeSet.objects.filter(pk=practice_set.pk).update(
        status=status, error=error, questions=questions, updated_at=timezone.now()
    )
    usage_record(user_id=practice_set.learner_id, usage=usage)
    practice_set.refresh_from_db()
    return practice_set


def normalize_answer(value: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", value.lower()).split())


@transaction.atomic
def practice_set_submit(
    *, user: Any, practice_set: PracticeSet, answers: dict[str, str]
) -> PracticeSet:
    """Grade the learner's answers (again, if they retake it): exact option for multiple choice,
    the blanked term (case and punctuation ignored) for cloze."""
    practice_set = PracticeSet.objects.select_for_update().get(pk=practice_set.pk)
    if practice_set.learner_id != user.pk:
        raise NotEntitledError("This is not your practice set.")
    if practice_set.status != GenerationStatus.READY:
        raise NothingToWorkWithError("These questions are not ready yet.")
    cleaned = {
        str(question["number"]): str(answers.get(str(question["number"]), ""))[:500]
        for question in practice_set.questions
    }
    correct = sum(
        1
        for question in practice_set.questions
        if normalize_answer(cleaned[str(question["number"])])
        == normalize_answer(question["answer"])
    )
    practice_set.answers = cleaned
    practice_set.correct_count = correct
    practice_set.submitted_at = timezone.now()
    practice_set.save(update_fields=["answers", "correct_count", "submitted_at", "updated_at"])
    transaction.on_commit(
        functools.partial(
            events.practice_set_submitted.send,
            sender=PracticeSet,
            practice_set=practice_set,
            learner=user,
        )
    )
    return practice_set


# --- study buddy ----------------------------------------------------------------------------------


@transaction.atomic
def conversation_create(*, user: Any, course: Course) -> Conversation:
    """A new study-buddy chat about a course the learner is enrolled in."""
    ai_access_check(user=user)
    course_access_check(user=user, course=course)
    return Conversation.objects.create(learner=user, course=course)


@dataclass(frozen=True)
class ChatEvent:
    kind: str  # "chunk" (text) or "done" (message)
    text: str = ""
    message: ChatMessage | None = None


@transaction.atomic
def _question_record(*, user: Any, conversation: Conversation, question: str) -> ChatMessage:
    course_access_check(user=user, course=conversation.course)
    quota_consume(user=user)
    if not conversation.title:
        Conversation.objects.filter(pk=conversation.pk).update(title=question[:200])
    return ChatMessage.objects.create(
        conversation=conversation, role=ChatMessage.Role.USER, content=question
    )


def study_buddy_reply(
    *, user: Any, conversation: Conversation, question: str, focus_lesson: Lesson | None = None
) -> Iterator[ChatEvent]:
    """Answer a question from the course's own lessons: streamed chunks, then the saved reply
    with the passages it cites. Only lessons the learner may open are searched; a question asked
    about one lesson (`focus_lesson`, of the same course) is answered from that lesson when it
    covers the question, from the whole course otherwise."""
    question = " ".join(question.split())
    if not question:
        raise NothingToWorkWithError("Type a question first.")
    if len(question) > MAX_QUESTION_LENGTH:
        raise NothingToWorkWithError(f"Keep questions under {MAX_QUESTION_LENGTH} characters.")
    if conversation.learner_id != user.pk:
        raise NotEntitledError("This is not your conversation.")
    if focus_lesson is not None and focus_lesson.module.course_id != conversation.course_id:
        raise NothingToWorkWithError("That lesson is not part of this course.")
    _question_record(user=user, conversation=conversation, question=question)
    passages = course_passages(
        user=user,
        course=conversation.course,
        query=question,
        focus_lesson_id=focus_lesson.pk if focus_lesson is not None else None,
    )
    history = [
        {"role": message.role, "content": message.content}
        for message in conversation.messages.order_by("-created_at", "-id")[1:7]
    ][::-1]
    provider = provider_get()
    usage = Usage()
    parts: list[str] = []
    try:
        for chunk in provider.answer_stream(
            question=question, passages=passages, history=history, usage=usage
        ):
            parts.append(chunk)
            yield ChatEvent("chunk", text=chunk)
    finally:
        usage_record(user_id=user.pk, usage=usage)
    answer = "".join(parts).strip()
    yield ChatEvent("done", message=_reply_record(conversation, answer, passages, provider.name))


def _reply_record(
    conversation: Conversation, answer: str, passages: list[Passage], provider_name: str
) -> ChatMessage:
    cited = {int(number) for number in re.findall(r"\[(\d+)\]", answer)}
    citations = [passage.as_citation() for passage in passages if passage.number in cited]
    with transaction.atomic():
        message = ChatMessage.objects.create(
            conversation=conversation,
            role=ChatMessage.Role.ASSISTANT,
            content=answer,
            citations=citations,
            provider=provider_name,
        )
        Conversation.objects.filter(pk=conversation.pk).update(updated_at=timezone.now())
    return message


# --- skill gaps -----------------------------------------------------------------------------------


def skill_gap_analyze(*, user: Any, course: Course | None = None) -> SkillGapReport:
    """The learner's skill report with study advice for the weakest skills, written by the
    provider from the measured facts (one quota unit when there is something to advise on). If
    the provider fails, the measured report still comes back, with the reason in advice_error."""
    ai_access_check(user=user)
    report = skill_gap_report(user=user, course=course)
    if not report.weakest:
        return report
    quota_consume(user=user)
    provider = provider_get()
    facts = [
        SkillFacts(
            name=skill.name,
            mastery_percent=skill.mastery_percent,
            correct=skill.correct,
            answered=skill.answered,
            confidence_label=skill.confidence_label,
            lesson_titles=[item.title for item in skill.recommendations],
        )
        for skill in report.weakest
    ]
    usage = Usage()
    try:
        advice = provider.skill_advice(skills=facts, usage=usage)
    except AIProviderError as error:
        report.advice_error = error.message
        return report
    finally:
        usage_record(user_id=user.pk, usage=usage)
    for skill in report.weakest:
        skill.advice = advice.get(skill.name, "")
    report.advice_provider = provider.name
    return report
