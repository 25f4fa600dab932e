"""The AI tools' reads: lesson text, passages for the study buddy, lists, and skill mastery."""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.module_loading import import_string

from ai_tools import text as text_methods
from ai_tools.models import (
    AIUsage,
    ChatMessage,
    Conversation,
    GenerationStatus,
    LessonSummary,
    PracticeSet,
)
from ai_tools.providers import provider_get
from ai_tools.providers.base import Passage
from billing import entitlements as billing_entitlements
from billing.models import PLAN_RANK
from billing.selectors import plan_rank_for_user
from core import semantic
from core.roles import STAFF_ROLES
from courses import entitlements
from courses.models import Course, Lesson, LessonProgress, Question, QuizAttempt
from courses.selectors import enrollment_get

PASSAGE_SENTENCES = 3
PASSAGES_PER_ANSWER = 4


# --- plan and quota -------------------------------------------------------------------------------

# The plan name for each of billing's plan ranks (0: no plan).
_PLAN_BY_RANK = {rank: plan for plan, rank in PLAN_RANK.items()}


@dataclass(frozen=True)
class AIAllowance:
    """What billing allows a user with the AI tools today, and how much of it is left."""

    plan: str  # billing's plan ("free", "basic", "pro", "premium") or "staff"
    can_use: bool
    required_plan: str
    daily_limit: int
    used_today: int
    prompt_tokens_today: int = 0
    completion_tokens_today: int = 0

    @property
    def remaining_today(self) -> int:
        return max(0, self.daily_limit - self.used_today)

    @property
    def plan_label(self) -> str:
        return "Staff" if self.plan == "staff" else self.plan.capitalize()

    @property
    def message(self) -> str:
        """Why the tools are closed (empty when they are open)."""
        if self.can_use:
            return ""
        return plan_required_message(plan=self.plan, required_plan=self.required_plan)


def plan_required_message(*, plan: str, required_plan: str) -> str:
    """What a user whose plan lacks the AI tools is told, wherever they meet the refusal."""
    current = "no plan" if plan == "free" else f"the {plan.capitalize()} plan"
    return (
        f"The AI study tools come with the {required_plan.capitalize()} plan and above; you have "
        f"{current}. Upgrade on the pricing page to use them."
    )


def ai_plan_for_user(*, user: Any) -> str:
    """The plan whose AI quota applies: billing's highest active plan (grace periods included),
    or "staff" for instructors and admins, who always have the tools."""
    if getattr(user, "role", None) in STAFF_ROLES:
        return "staff"
    return _PLAN_BY_RANK.get(plan_rank_for_user(user=user), "free")


def ai_daily_limit(*, plan: str) -> int:
    """AI requests a day for a plan (settings.AI_DAILY_QUOTAS; staff get the largest)."""
    quotas: dict[str, int] = settings.AI_DAILY_QUOTAS
    if plan == "staff":
        return max(quotas.values(), default=0)
    return quotas.get(plan, 0)


def ai_allowance_get(*, user: Any) -> AIAllowance:
    """May the user use the AI tools (billing's `can_use_ai_tools` decides), with which plan, and
    how many of today's requests are left. Three queries at most."""
    can_use = billing_entitlements.can_use_ai_tools(user)
    plan = ai_plan_for_user(user=user)
    usage = AIUsage.objects.filter(user=user, day=timezone.now().date()).first()
    return AIAllowance(
        plan=plan,
        can_use=can_use,
        required_plan=billing_entitlements.ai_tools_plan(),
        daily_limit=ai_daily_limit(plan=plan) if can_use else 0,
        used_today=usage.requests if usage else 0,
        prompt_tokens_today=usage.prompt_tokens if usage else 0,
        completion_tokens_today=usage.completion_tokens if usage else 0,
    )


def lesson_source_text(lesson: Lesson) -> str:
    """What the AI tools read of a lesson: its body and its video transcript."""
    return "\n\n".join(part for part in (lesson.body, lesson.transcript) if part.strip())


def lesson_url(lesson: Lesson) -> str:
    """The lesson player's page for a lesson (citations and recommendations link there)."""
    return reverse("courses:lesson", args=[lesson.module.course.slug, lesson.pk])


def _is_heading(sentence: str) -> bool:
    return sentence[-1] not in ".!?:;\"'”)" and len(text_methods.words(sentence)) < 8


def course_passages(
    *, user: Any, course: Course, query: str, focus_lesson_id: int | None = None
) -> list[Passage]:
    """The passages of the course's lessons (only those `user` may open) that best match `query`
    by BM25, numbered [1], [2]... for citation; with `focus_lesson_id` ("ask about this
    lesson"), only that lesson's passages, unless none of them matches (then the course's)."""
    is_enrolled = enrollment_get(learner=user, course_id=course.pk) is not None
    lessons = (
        Lesson.objects.filter(module__course=course)
        .select_related("module__course")
        .order_by("module__order", "order", "id")
    )
    chunks: list[tuple[Lesson, str]] = []
    for lesson in lessons:
        if not entitlements.can_access_lesson(user, lesson, is_enrolled=is_enrolled):
            continue
        chunks.extend((lesson, window) for window in passage_windows(lesson_source_text(lesson)))
    texts = [chunk for _, chunk in chunks]
    ranked = passages_rank(texts, query)
    if focus_lesson_id is not None:
        in_focus = [i for i, (lesson, _) in enumerate(chunks) if lesson.pk == focus_lesson_id]
        first = [in_focus[j] for j in passages_rank([texts[i] for i in in_focus], query)]
        ranked = first or ranked
    return [
        Passage(
            number=number,
            lesson_id=chunks[i][0].pk,
            lesson_title=chunks[i][0].title,
            text=chunks[i][1],
            url=lesson_url(chunks[i][0]),
        )
        for number, i in enumerate(ranked, start=1)
    ]


def passage_windows(text: str) -> list[str]:
    """A lesson's text as overlapping windows of sentences (headings left out), for retrieval."""
    sentences = [
        sentence
        for sentence in text_methods.split_sentences(text_methods.plain_text(text))
        if not _is_heading(sentence)
    ]
    windows = []
    for start in range(0, len(sentences), PASSAGE_SENTENCES - 1):  # windows overlap by one
        windows.append(" ".join(sentences[start : start + PASSAGE_SENTENCES]))
        if start + PASSAGE_SENTENCES >= len(sentences):
            break
    return [window for window in windows if window]


SEMANTIC_MIN_SIMILARITY = 0.3
_RRF_K = 60  # reciprocal rank fusion's usual constant (Cormack et al. 2009)


def passages_rank(texts: list[str], query: str) -> list[int]:
    """Indexes of the texts that match `query` best (at most PASSAGES_PER_ANSWER): BM25, fused
    by reciprocal rank with embedding similarity when the semantic extra is installed."""
    if not texts:
        return []
    index = text_methods.BM25([text_methods.content_tokens(text) for text in texts])
    scores = index.scores(text_methods.content_tokens(query))
    lexical = sorted(
        (i for i, score in enumerate(scores) if score > 0), key=lambda i: (-scores[i], i)
    )
    if not semantic.is_available():
        return lexical[:PASSAGES_PER_ANSWER]
    similarity = semantic.similarities(query, texts)
    dense = sorted(
        (i for i, value in enumerate(similarity) if value >= SEMANTIC_MIN_SIMILARITY),
        key=lambda i: (-similarity[i], i),
    )
    fused: dict[int, float] = {}
    for ranking in (lexical, dense):
        for rank, i in enumerate(ranking):
            fused[i] = fused.get(i, 0.0) + 1 / (_RRF_K + rank + 1)
    return sorted(fused, key=lambda i: (-fused[i], i))[:PASSAGES_PER_ANSWER]


def practice_set_list_for_learner(*, user: Any) -> QuerySet[PracticeSet]:
    """The learner's practice sets, newest first, with their lesson or module."""
    return PracticeSet.objects.filter(learner=user).select_related("lesson", "module")


def practice_set_get_for_learner(*, user: Any, practice_set_id: int) -> PracticeSet | None:
    """One of the learner's own practice sets (None for anyone else's)."""
    return practice_set_list_for_learner(user=user).filter(pk=practice_set_id).first()


def conversation_list_for_learner(
    *, user: Any, course: Course | None = None
) -> QuerySet[Conversation]:
    """The learner's chats (about one course, or all of them), most recent first."""
    conversations = Conversation.objects.filter(learner=user).select_related("course")
    return conversations if course is None else conversations.filter(course=course)


def summary_list_for_learner(*, user: Any) -> QuerySet[LessonSummary]:
    """Ready summaries of the current provider for lessons of the learner's courses, newest
    first, with their lesson, module and course (one query however many)."""
    return (
        LessonSummary.objects.filter(
            status=GenerationStatus.READY,
            provider=provider_get().name,
            lesson__module__course__enrollments__learner=user,
        )
        .select_related("lesson__module__course")
        .order_by("-generated_at", "-id")
    )


def study_buddy_course_list(*, user: Any) -> QuerySet[Course]:
    """The courses the learner may ask the study buddy about: those they are enrolled in."""
    return Course.objects.filter(enrollments__learner=user).order_by("title").only("id", "title")


def conversation_get_for_learner(*, user: Any, conversation_id: int) -> Conversation | None:
    """One of the learner's own chats (None for anyone else's), with its course."""
    return (
        Conversation.objects.filter(learner=user, pk=conversation_id)
        .select_related("course")
        .first()
    )


def chat_message_list(*, conversation: Conversation) -> QuerySet[ChatMessage]:
    """A chat's messages in order."""
    return ChatMessage.objects.filter(conversation=conversation).order_by("created_at", "id")


# --- skill gaps -----------------------------------------------------------------------------------


@dataclass
class LessonRecommendation:
    lesson_id: int
    title: str
    url: str
    reason: str


@dataclass
class SkillMastery:
    skill_id: int
    name: str
    slug: str
    correct: int
    answered: int
    mastery: float  # posterior mean of a Beta(1, 1) prior, 0-1
    confidence: float  # 0-1, from the width of the 90% interval
    recommendations: list[LessonRecommendation] = field(default_factory=list)
    advice: str = ""  # written by the provider when the learner asks for an analysis

    @property
    def mastery_percent(self) -> int:
        return round(self.mastery * 100)

    @property
    def confidence_label(self) -> str:
        return "high" if self.confidence >= 0.7 else "medium" if self.confidence >= 0.45 else "low"


@dataclass
class SkillGapReport:
    skills: list[SkillMastery]
    weakest: list[SkillMastery]
    attempts_used: int
    lessons_completed: int
    reviews_used: int = 0
    advice_provider: str = ""
    advice_error: str = ""


WEAK_BELOW = 0.7


def mastery_estimate(*, correct: int, answered: int) -> tuple[float, float]:
    """(mastery, confidence): the mean of a Beta(1 + right, 1 + wrong) posterior, and how narrow
    its 90% interval is (0 with no answers, towards 1 with many)."""
    alpha, beta = 1 + correct, 1 + answered - correct
    mean = alpha / (alpha + beta)
    deviation = math.sqrt(alpha * beta / ((alpha + beta) ** 2 * (alpha + beta + 1)))
    # 1.645 standard deviations each side is a 90% interval; the flat prior's spans about 0.95.
    return mean, max(0.0, 1 - (2 * 1.645 * deviation) / 0.95)


def skill_gap_report(*, user: Any, course: Course | None = None) -> SkillGapReport:
    """Per skill: mastery from the learner's graded quiz answers and the reviews other apps
    report (settings.SKILL_EVIDENCE_SOURCES: revision cards made from quiz questions), as a
    Beta-Binomial estimate, so a single answer moves it little; confidence, the weakest skills and
    the lessons to revisit and practise.

    Five queries whatever the history (attempts, questions, their skills, lessons, progress), and
    one per evidence source."""
    attempts = QuizAttempt.objects.filter(learner=user, submitted_at__isnull=False)
    if course is not None:
        attempts = attempts.filter(quiz__lesson__module__course=course)
    outcomes: dict[int, list[bool]] = defaultdict(list)
    attempt_count = 0
    for results in attempts.values_list("results", flat=True):
        attempt_count += 1
        for question_id, result in (results or {}).items():
            if result.get("is_answered") or "is_correct" in result:
                outcomes[int(question_id)].append(bool(result.get("is_correct")))
    reviews_used = 0
    for source in settings.SKILL_EVIDENCE_SOURCES:
        for question_id, recalled in import_string(source)(user=user, course=course).items():
            outcomes[question_id].extend(recalled)
            reviews_used += len(recalled)
    questions = Question.objects.filter(pk__in=outcomes).prefetch_related("skills")
    questions = questions.select_related("quiz__lesson__module__course")
    per_skill: dict[int, dict[str, Any]] = {}
    for question in questions:
        for skill in question.skills.all():
            entry = per_skill.setdefault(
                skill.pk, {"skill": skill, "correct": 0, "answered": 0, "wrong_lessons": {}}
            )
            results = outcomes[question.pk]
            entry["answered"] += len(results)
            entry["correct"] += sum(results)
            wrong = results.count(False)
            if wrong:
                quiz_lesson = question.quiz.lesson
                entry["wrong_lessons"].setdefault(quiz_lesson.module_id, [quiz_lesson, 0])
                entry["wrong_lessons"][quiz_lesson.module_id][1] += wrong
    module_lessons: dict[int, list[Lesson]] = defaultdict(list)
    module_ids = {m for entry in per_skill.values() for m in entry["wrong_lessons"]}
    for lesson in (
        Lesson.objects.filter(module_id__in=module_ids)
        .exclude(kind=Lesson.Kind.QUIZ)
        .select_related("module__course")
        .order_by("order", "id")
    ):
        module_lessons[lesson.module_id].append(lesson)
    completed = set(
        LessonProgress.objects.filter(learner=user, completed_at__isnull=False).values_list(
            "lesson_id", flat=True
        )
    )
    skills: list[SkillMastery] = []
    for entry in per_skill.values():
        correct, answered = entry["correct"], entry["answered"]
        mean, confidence = mastery_estimate(correct=correct, answered=answered)
        mastery = SkillMastery(
            skill_id=entry["skill"].pk,
            name=entry["skill"].name,
            slug=entry["skill"].slug,
            correct=correct,
            answered=answered,
            mastery=round(mean, 3),
            confidence=round(confidence, 3),
        )
        for quiz_lesson, wrong in entry["wrong_lessons"].values():
            for lesson in module_lessons[quiz_lesson.module_id][:2]:
                state = "you have not completed it" if lesson.pk not in completed else "review it"
                mastery.recommendations.append(
                    LessonRecommendation(
                        lesson_id=lesson.pk,
                        title=lesson.title,
                        url=lesson_url(lesson),
                        reason=(
                            f"{wrong} wrong answer{'s' if wrong != 1 else ''} on "
                            f"{entry['skill'].name} in “{quiz_lesson.title}”, which this lesson "
                            f"prepares; {state}, then practise it."
                        ),
                    )
                )
        skills.append(mastery)
    skills.sort(key=lambda item: (item.mastery, -item.answered, item.name))
    weakest = [item for item in skills if item.mastery < WEAK_BELOW][:3]
    return SkillGapReport(
        skills=skills,
        weakest=weakest,
        attempts_used=attempt_count,
        lessons_completed=len(completed),
        reviews_used=reviews_used,
    )
