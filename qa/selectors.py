"""Reads of the Peer Help Center: querysets already shaped for the pages and the API.

Every list here is one query (plus one per prefetched relation), whatever the number of rows:
reputation next to each name is a LEFT JOIN, answer, rating and question counts are stored on the
rows (qa.services.counters), and the viewer's own ratings come from one extra query for the whole
page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connection
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    FloatField,
    IntegerField,
    Max,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce
from django.utils import timezone

from accounts.models import User
from core import semantic
from core.roles import Role
from courses.models import Course
from qa import classifier, reputation
from qa.exceptions import AnswerNotFoundError, CommentNotFoundError, QuestionNotFoundError
from qa.models import (
    Answer,
    Category,
    Comment,
    DigestSubscription,
    Flag,
    Follow,
    PostRevision,
    Question,
    ReputationEvent,
    StarRating,
    UserReputation,
    XpAward,
    question_search_vector,
)

SORTS = ("newest", "active", "votes", "unanswered")


# --- Roles and visibility --------------------------------------------------------------------


def _is_signed_in(user: Any) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def user_is_admin(user: Any) -> bool:
    """Admins moderate everything."""
    return _is_signed_in(user) and user.role == Role.ADMIN


def courses_moderated_by(user: Any) -> QuerySet[Course]:
    """The courses whose questions the user moderates: the ones they teach (admins: all)."""
    if user_is_admin(user):
        return Course.objects.all()
    if _is_signed_in(user) and user.role == Role.INSTRUCTOR:
        return Course.objects.filter(instructors=user)
    return Course.objects.none()


def user_can_moderate_question(user: Any, question: Question) -> bool:
    """Admins moderate every question; instructors the questions about courses they teach."""
    if user_is_admin(user):
        return True
    if not (_is_signed_in(user) and user.role == Role.INSTRUCTOR and question.course_id):
        return False
    return Course.objects.filter(pk=question.course_id, instructors=user).exists()


def _visible_questions_q(viewer: Any) -> Q:
    if user_is_admin(viewer):
        return Q()
    if not _is_signed_in(viewer):
        return Q(is_hidden=False)
    condition = Q(is_hidden=False) | Q(asker=viewer)
    if viewer.role == Role.INSTRUCTOR:
        condition |= Q(course__in=courses_moderated_by(viewer))
    return condition


def _visible_answers_q(viewer: Any, prefix: str = "") -> Q:
    if user_is_admin(viewer):
        return Q()
    if not _is_signed_in(viewer):
        return Q(**{f"{prefix}is_hidden": False})
    condition = Q(**{f"{prefix}is_hidden": False}) | Q(**{f"{prefix}author": viewer})
    if viewer.role == Role.INSTRUCTOR:
        condition |= Q(**{f"{prefix}question__course__in": courses_moderated_by(viewer)})
    return condition


def _reputation_of(path: str) -> Coalesce:
    """Annotation: the reputation of the user at `path` (0 when they have none yet)."""
    return Coalesce(F(f"{path}__qa_reputation__points"), Value(0))


def _asker_reputation() -> Coalesce:
    """Annotation: the asker's reputation read by the question's own asker_id, so a list pays it
    for the rows of its page only and its count carries no join to users."""
    points = UserReputation.objects.filter(user_id=OuterRef("asker_id")).values("points")[:1]
    return Coalesce(Subquery(points, output_field=IntegerField()), Value(0))


# --- Categories --------------------------------------------------------------------------------


def category_list(*, include_inactive: bool = False) -> QuerySet[Category]:
    """Categories in display order, each with its stored count of visible questions."""
    categories = Category.objects.all()
    if not include_inactive:
        categories = categories.filter(is_active=True)
    return categories.order_by("position", "name")


def category_experts(*, category: Category, limit: int = 5) -> list[User]:
    """The category's top answerers: accepted answers first, then stars received, then XP."""
    answers = Answer.objects.filter(
        question__category=category, is_hidden=False, question__is_hidden=False
    )
    ranked = (
        answers.values("author")
        .annotate(
            accepted=Count("pk", filter=Q(is_accepted=True)),
            stars=Coalesce(Sum("star_total"), Value(0)),
            answered=Count("pk"),
        )
        .filter(author__is_active=True)
        .order_by("-accepted", "-stars", "-answered", "author")[:limit]
    )
    author_ids = [row["author"] for row in ranked]
    users = User.objects.in_bulk(author_ids)
    return [users[author_id] for author_id in author_ids if author_id in users]


# --- Questions ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class QuestionFilters:
    """What the list page and the API filter and sort by (all optional)."""

    search: str = ""
    category: str = ""  # a category slug
    tag: str = ""
    course: int | None = None
    unanswered: bool = False
    sort: str = ""  # "" = relevance when searching, newest otherwise
    asker_id: int | None = None


def _without_nul(filters: QuestionFilters) -> QuestionFilters:
    """The filters with NUL characters dropped from the text ones (PostgreSQL refuses them)."""
    return replace(
        filters,
        search=filters.search.replace("\x00", " "),
        category=filters.category.replace("\x00", ""),
        tag=filters.tag.replace("\x00", ""),
    )


def _search_words(text: str) -> list[str]:
    return [word for word in re.findall(r"\w[\w+#.-]*", text.lower()) if len(word) > 1][:12]


def _apply_search(questions: QuerySet[Question], text: str) -> QuerySet[Question]:
    text = text.strip()
    if not text:
        return questions
    if connection.vendor == "postgresql":
        # websearch syntax: words are ANDed, "quoted phrases", -excluded and OR work as on the web.
        query = SearchQuery(text, search_type="websearch", config="english")
        vector = question_search_vector()
        return questions.annotate(search_document=vector, rank=SearchRank(vector, query)).filter(
            search_document=query
        )
    # SQLite (development): every word must appear in the title or the body; title hits rank higher.
    words = _search_words(text)
    if not words:
        # Nothing searchable (one-letter words, punctuation): no match, but still sortable by rank.
        return questions.annotate(rank=Value(0.0, output_field=FloatField())).none()
    rank: Any = Value(1.0)
    for word in words:
        questions = questions.filter(Q(title__icontains=word) | Q(body__icontains=word))
        rank = rank + Case(
            When(title__icontains=word, then=Value(2.0)),
            default=Value(0.0),
            output_field=FloatField(),
        )
    return questions.annotate(rank=rank)


def question_list(*, viewer: Any, filters: QuestionFilters | None = None) -> QuerySet[Question]:
    """Questions the viewer may see, filtered and sorted, shaped for the list page and API."""
    filters = _without_nul(filters or QuestionFilters())
    questions = (
        Question.objects.filter(_visible_questions_q(viewer))
        .select_related("asker", "category", "course")
        .prefetch_related("tags")
        .annotate(asker_reputation=_asker_reputation())
    )
    if filters.category:
        questions = questions.filter(category__slug=filters.category)
    if filters.tag:
        questions = questions.filter(tags__name=filters.tag.lower())
    if filters.course:
        questions = questions.filter(course_id=filters.course)
    if filters.asker_id:
        questions = questions.filter(asker_id=filters.asker_id)
    if filters.unanswered or filters.sort == "unanswered":
        questions = questions.filter(answer_count=0).exclude(status=Question.Status.CLOSED)
    searching = bool(filters.search.strip())
    questions = _apply_search(questions, filters.search)
    ordering: list[Any]
    if filters.sort == "active":
        ordering = ["-last_activity_at", "-id"]
    elif filters.sort == "votes":
        ordering = ["-rating_count", "-answer_count", "-created_at", "-id"]
    elif searching and filters.sort in ("", "relevance"):
        ordering = ["-rank", "-created_at", "-id"]
    else:
        ordering = ["-created_at", "-id"]
    return questions.order_by(*ordering)


def question_get(*, question_id: int, viewer: Any) -> Question:
    """One question the viewer may see (hidden ones only for their asker and moderators)."""
    # Joined: what every question has. Prefetched: what few have (a prefetch of a relation that
    # is null everywhere costs no query), since each join of ten costs PostgreSQL's planner more
    # than running the query (7 ms of planning for 0.3 ms of execution with all of them joined).
    found = (
        Question.objects.filter(pk=question_id)
        .filter(_visible_questions_q(viewer))
        .select_related("asker", "category", "course", "lesson")
        .prefetch_related("tags", "duplicate_of", "hidden_by", "closed_by")
        .annotate(asker_reputation=_reputation_of("asker"))
        .order_by()[:1]
    )
    question = next(iter(found), None)
    if question is None:
        raise QuestionNotFoundError("There is no such question, or it has been hidden.")
    return question


def _visible_comments(viewer: Any, question: Question) -> QuerySet[Comment]:
    """Comments in the question's thread the viewer may see: hidden ones only for their author
    and the thread's moderators (so an instructor can show them again)."""
    comments = Comment.objects.select_related("author").annotate(
        author_reputation=_reputation_of("author")
    )
    if user_is_admin(viewer) or (
        _is_signed_in(viewer)
        and viewer.role == Role.INSTRUCTOR
        and user_can_moderate_question(viewer, question)
    ):
        return comments
    if not _is_signed_in(viewer):
        return comments.filter(is_hidden=False)
    return comments.filter(Q(is_hidden=False) | Q(author=viewer))


def answer_list_for_question(*, question: Question, viewer: Any) -> QuerySet[Answer]:
    """The question's answers the viewer may see: accepted first, then by Bayesian stars."""
    score = (
        Value(reputation.PRIOR_WEIGHT * reputation.PRIOR_MEAN) + Cast("star_total", FloatField())
    ) / (Value(float(reputation.PRIOR_WEIGHT)) + Cast("star_count", FloatField()))
    return (
        Answer.objects.filter(question=question)
        .filter(_visible_answers_q(viewer))
        .select_related("author", "xp_award", "hidden_by")
        .annotate(author_reputation=_reputation_of("author"), ranking_score=score)
        .prefetch_related(Prefetch("comments", queryset=_visible_comments(viewer, question)))
        .order_by("-is_accepted", "-ranking_score", "-star_count", "created_at", "id")
    )


def question_comment_list(*, question: Question, viewer: Any) -> QuerySet[Comment]:
    """The comments on the question itself that the viewer may see."""
    return (
        _visible_comments(viewer, question).filter(question=question).order_by("created_at", "id")
    )


def answer_get(*, answer_id: int, viewer: Any) -> Answer:
    """One answer the viewer may see, with its question."""
    answers = Answer.objects.select_related("question", "question__asker", "author").filter(
        pk=answer_id
    )
    answers = answers.filter(_visible_answers_q(viewer)).filter(
        question__in=Question.objects.filter(_visible_questions_q(viewer))
    )
    answer = answers.first()
    if answer is None:
        raise AnswerNotFoundError("There is no such answer, or it has been hidden.")
    return answer


def comment_get(*, comment_id: int, viewer: Any) -> Comment:
    """One comment the viewer may see: its thread is visible to them, and a hidden comment only
    to its author and the thread's moderators."""
    comment = (
        Comment.objects.select_related("author", "question", "answer", "answer__question")
        .filter(pk=comment_id)
        .first()
    )
    if comment is None:
        raise CommentNotFoundError("There is no such comment, or it has been hidden.")
    thread_id = comment.question_id or comment.answer.question_id  # type: ignore[union-attr]  # a comment has exactly one parent
    if comment.answer_id:
        answer_get(answer_id=comment.answer_id, viewer=viewer)  # 404 when the answer is hidden
    question = question_get(question_id=thread_id, viewer=viewer)
    if comment.is_hidden and not (
        (_is_signed_in(viewer) and viewer.pk == comment.author_id)
        or user_can_moderate_question(viewer, question)
    ):
        raise CommentNotFoundError("There is no such comment, or it has been hidden.")
    return comment


def star_ratings_by_user(*, user: Any, answer_ids: list[int]) -> dict[int, int]:
    """The stars the user gave each of these answers ({answer_id: stars}), in one query."""
    if not _is_signed_in(user) or not answer_ids:
        return {}
    return dict(
        StarRating.objects.filter(rater=user, answer_id__in=answer_ids).values_list(
            "answer_id", "stars"
        )
    )


def xp_award_is_changeable(award: XpAward | None, *, now: datetime | None = None) -> bool:
    """An award may change until XP_AWARD_CHANGE_WINDOW after it was first given."""
    if award is None:
        return True
    return (now or timezone.now()) < award.created_at + reputation.XP_AWARD_CHANGE_WINDOW


def question_revision_list(*, question: Question) -> QuerySet[PostRevision]:
    """The question's versions, oldest first."""
    return PostRevision.objects.filter(question=question).select_related("editor")


def answer_revision_list(*, answer: Answer) -> QuerySet[PostRevision]:
    """The answer's versions, oldest first."""
    return PostRevision.objects.filter(answer=answer).select_related("editor")


# --- Smart matching --------------------------------------------------------------------------

# Cached per process; rebuilt when the labelled questions or the categories change.
_classifier_cache: dict[str, Any] = {"fingerprint": None, "model": None}
TRAINING_LIMIT = 5000


def _classifier_fingerprint() -> tuple[Any, ...]:
    labelled = Question.objects.filter(
        category__isnull=False,
        category_source__in=[Question.CategorySource.ASKER, Question.CategorySource.EDITOR],
    ).aggregate(total=Count("pk"), latest=Max("updated_at"))
    categories = Category.objects.filter(is_active=True).values_list("slug", "keywords")
    return (labelled["total"], labelled["latest"], tuple(categories), semantic.is_available())


def classifier_training_examples() -> list[classifier.Example]:
    """Questions people filed themselves (never the classifier's own guesses), newest first."""
    rows = (
        Question.objects.filter(
            category__isnull=False,
            category__is_active=True,
            is_hidden=False,
            category_source__in=[Question.CategorySource.ASKER, Question.CategorySource.EDITOR],
        )
        .order_by("-id")
        .values_list("title", "body", "category__slug")[:TRAINING_LIMIT]
    )
    return [classifier.Example(title, body[:2000], slug) for title, body, slug in rows]


def category_classifier_get() -> classifier.CategoryClassifier:
    """The classifier trained on labelled questions, the seed examples and category keywords
    (blended with the nearest questions in meaning when the semantic extra is installed)."""
    fingerprint = _classifier_fingerprint()
    if _classifier_cache["fingerprint"] != fingerprint:
        active = {slug for slug, _ in fingerprint[2]}
        keywords = {
            category.slug: category.keyword_list
            for category in Category.objects.filter(is_active=True)
        }
        examples = [
            example for example in classifier.seed_examples() if example.label in active
        ] + classifier_training_examples()
        embed = semantic.embeddings if semantic.is_available() else None
        _classifier_cache["model"] = classifier.CategoryClassifier(examples, keywords, embed=embed)
        _classifier_cache["fingerprint"] = fingerprint
    return _classifier_cache["model"]


# Duplicate suggestions: word overlap (Jaccard) of at least this much, or, with the semantic
# extra, a cosine similarity of the titles' embeddings of at least SEMANTIC_DUPLICATE_THRESHOLD
# (paraphrases that share no word: "make my site look right on phones" / "responsive layout for
# mobile screens" scores 0.47, unrelated titles stay under 0.15).
LEXICAL_DUPLICATE_THRESHOLD = 0.2
SEMANTIC_DUPLICATE_THRESHOLD = 0.45
# With the extra, the most recently active questions compared by meaning as well.
SEMANTIC_CANDIDATES = 200


def question_similar_list(
    *, title: str, viewer: Any, exclude_id: int | None = None, limit: int = 5
) -> list[Question]:
    """Visible questions whose titles share the most words with `title` or, with the semantic
    extra, mean the most nearly the same (possible duplicates)."""
    title = title.replace("\x00", " ")  # PostgreSQL text cannot hold NUL
    words = list(dict.fromkeys(classifier.tokenize(title)))[:8]
    if len(" ".join(words)) < 3:
        return []
    raw_words = _search_words(title)
    condition = Q()
    for word in {*raw_words, *words}:
        if len(word) > 2:
            condition |= Q(title__icontains=word)
    by_meaning = semantic.is_available()
    if not condition and not by_meaning:
        return []
    visible = (
        Question.objects.filter(_visible_questions_q(viewer))
        .select_related("asker", "category", "course")
        .prefetch_related("tags")
        .annotate(asker_reputation=_asker_reputation())
        .order_by("-last_activity_at", "-id")
    )
    if exclude_id:
        visible = visible.exclude(pk=exclude_id)
    candidates = {question.pk: question for question in visible.filter(condition)[:100]}
    if by_meaning:
        recent = visible.exclude(pk__in=list(candidates))[:SEMANTIC_CANDIDATES]
        candidates.update((question.pk, question) for question in recent)
    questions = list(candidates.values())
    scores = [classifier.similarity(title, question.title) for question in questions]
    if by_meaning and questions:
        meanings = semantic.similarities(title, [question.title for question in questions])
        scores = [
            max(score, meaning) if meaning >= SEMANTIC_DUPLICATE_THRESHOLD else score
            for score, meaning in zip(scores, meanings, strict=True)
        ]
    scored = [
        (score, question)
        for score, question in zip(scores, questions, strict=True)
        if score >= LEXICAL_DUPLICATE_THRESHOLD
    ]
    scored.sort(key=lambda pair: (-pair[0], -pair[1].pk))
    return [question for _, question in scored[:limit]]


# --- Reputation ---------------------------------------------------------------------------


def user_reputation_points(*, user: Any) -> int:
    """The user's reputation (0 before anything was earned)."""
    if not getattr(user, "pk", None):
        return 0
    return (
        UserReputation.objects.filter(user_id=user.pk).values_list("points", flat=True).first() or 0
    )


def user_privileges(*, user: Any, points: int | None = None) -> dict[str, bool]:
    """Each privilege's code and whether the user holds it (moderators hold them all)."""
    if not _is_signed_in(user):
        return {privilege.code: False for privilege in reputation.PRIVILEGES}
    if user.role in (Role.ADMIN, Role.INSTRUCTOR):
        return {privilege.code: True for privilege in reputation.PRIVILEGES}
    if points is None:
        points = user_reputation_points(user=user)
    return {
        privilege.code: reputation.has_privilege(points, privilege.code)
        for privilege in reputation.PRIVILEGES
    }


def privilege_refusal(*, user: Any, code: str, question: Question, action: str) -> str:
    """'' when the user may `action` on this question's thread with privilege `code` (their
    reputation reaches its threshold, or they moderate the question), else why not."""
    points = user_reputation_points(user=user)
    if reputation.has_privilege(points, code) or user_can_moderate_question(user, question):
        return ""
    threshold = reputation.PRIVILEGE_THRESHOLDS[code]
    return f"You need {threshold} reputation to {action} (you have {points})."


def reputation_event_list(*, user: Any, limit: int = 20) -> QuerySet[ReputationEvent]:
    """The user's latest reputation changes, with the answer and question they came from."""
    return (
        ReputationEvent.objects.filter(user_id=user.pk)
        .select_related("answer", "answer__question")
        .order_by("-created_at", "-id")[:limit]
    )


def reputation_today(*, user: Any, day: Any) -> int:
    """Net reputation counted toward the daily cap on `day`."""
    return ReputationEvent.objects.filter(
        user_id=user.pk, day=day, counts_toward_cap=True
    ).aggregate(total=Coalesce(Sum("points"), Value(0)))["total"]


def rating_earns_reputation(*, rater: Any, author: Any, now: datetime | None = None) -> str:
    """'' when a rating from `rater` to `author` may earn reputation, else the reason it may not."""
    now = now or timezone.now()
    live = ReputationEvent.objects.filter(
        kind__in=[ReputationEvent.Kind.STARS, ReputationEvent.Kind.XP_AWARD], is_reversed=False
    )
    given_today = live.filter(
        actor_id=rater.pk, user_id=author.pk, created_at__gte=now - timedelta(days=1)
    ).count()
    if given_today >= reputation.SERIAL_RATINGS_PER_DAY:
        return "serial rating: this rater has already rated this author often today"
    since = now - reputation.RECIPROCAL_WINDOW
    given = live.filter(actor_id=rater.pk, user_id=author.pk, created_at__gte=since).count()
    received = live.filter(actor_id=author.pk, user_id=rater.pk, created_at__gte=since).count()
    # A ring: counting this rating, each has rated the other RECIPROCAL_RATINGS times or more.
    if given + 1 >= reputation.RECIPROCAL_RATINGS and received >= reputation.RECIPROCAL_RATINGS:
        return "reciprocal rating: these two people keep rating each other"
    return ""


def user_profile_summary(*, user: User) -> dict[str, Any]:
    """What a Q&A profile shows: reputation, privileges, counts and recent answers."""
    points = user_reputation_points(user=user)
    answers = Answer.objects.filter(author=user, is_hidden=False, question__is_hidden=False)
    return {
        "points": points,
        "privileges": user_privileges(user=user, points=points),
        "question_count": Question.objects.filter(asker=user, is_hidden=False).count(),
        "answer_count": answers.count(),
        "accepted_count": answers.filter(is_accepted=True).count(),
        "recent_answers": list(answers.select_related("question").order_by("-created_at")[:10]),
    }


# --- Moderation ---------------------------------------------------------------------------


def flag_list_for_moderator(*, moderator: Any, status: str = Flag.Status.OPEN) -> QuerySet[Flag]:
    """Flags on posts the moderator moderates (admins: all), oldest first."""
    flags = Flag.objects.filter(status=status).select_related(
        "flagger",
        "question",
        "answer",
        "answer__question",
        "comment",
        "comment__question",
        "comment__answer",
    )
    if not user_is_admin(moderator):
        courses = courses_moderated_by(moderator)
        flags = flags.filter(
            Q(question__course__in=courses)
            | Q(answer__question__course__in=courses)
            | Q(comment__question__course__in=courses)
            | Q(comment__answer__question__course__in=courses)
        )
    return flags.order_by("created_at", "id")


# --- Follows and digests -------------------------------------------------------------------


def follow_list(*, user: Any) -> QuerySet[Follow]:
    """What the user follows, newest first."""
    return Follow.objects.filter(follower=user).select_related("question", "category", "course")


def follow_targets(*, user: Any) -> dict[str, set[int]]:
    """The ids the user follows, per kind ("question", "category" and "course")."""
    targets: dict[str, set[int]] = {"question": set(), "category": set(), "course": set()}
    if not _is_signed_in(user):
        return targets
    for question_id, category_id, course_id in Follow.objects.filter(follower=user).values_list(
        "question_id", "category_id", "course_id"
    ):
        if question_id:
            targets["question"].add(question_id)
        if category_id:
            targets["category"].add(category_id)
        if course_id:
            targets["course"].add(course_id)
    return targets


def digest_subscription_get(*, user: Any) -> DigestSubscription:
    """The user's digest settings (the defaults, unsaved, when they never chose)."""
    subscription = DigestSubscription.objects.filter(user_id=user.pk).first()
    return subscription or DigestSubscription(user_id=user.pk)


@dataclass
class DigestActivity:
    new_answers: list[Answer]
    new_questions: list[Question]

    @property
    def is_empty(self) -> bool:
        return not self.new_answers and not self.new_questions


def digest_activity(*, user: Any, since: datetime, until: datetime) -> DigestActivity:
    """New answers on followed questions and new questions in followed categories and courses."""
    targets = follow_targets(user=user)
    answers = list(
        Answer.objects.filter(
            question_id__in=targets["question"],
            created_at__gte=since,
            created_at__lt=until,
            is_hidden=False,
            question__is_hidden=False,
        )
        .exclude(author=user)
        .select_related("question", "author")
        .order_by("question_id", "created_at")[:50]
    )
    questions = list(
        Question.objects.filter(
            Q(category_id__in=targets["category"]) | Q(course_id__in=targets["course"]),
            created_at__gte=since,
            created_at__lt=until,
            is_hidden=False,
        )
        .exclude(asker=user)
        .select_related("category", "course", "asker")
        .order_by("-created_at")[:50]
    )
    return DigestActivity(new_answers=answers, new_questions=questions)


def digest_recipients(*, frequency: str) -> QuerySet[DigestSubscription]:
    """Active users with this digest frequency who follow something."""
    return (
        DigestSubscription.objects.filter(frequency=frequency, user__is_active=True)
        .filter(Exists(Follow.objects.filter(follower=OuterRef("user"))))
        .select_related("user")
        .order_by("pk")
    )


# --- bounties ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BountyPanel:
    """What the question page shows of bounties: the running one (else the latest) and, for
    the asker, whether they may offer one now and, if not, why."""

    bounty: Any  # qa.models.Bounty | None
    can_offer: bool
    offer_blocker: str
    minimum: int
    maximum: int
    window_days: int


def bounty_panel(*, question: Question, viewer: Any) -> BountyPanel:
    """The question's bounty (the open one, else the latest settled) and whether `viewer`, its
    asker, may offer one now: an open question, nothing running, level BOUNTY_LEVEL and at
    least the minimum in XP. Two queries for the asker, one for anyone else."""
    from gamification.levels import BOUNTY_LEVEL
    from gamification.selectors import learner_stats_get
    from qa.models import Bounty
    from qa.services.bounties import BOUNTY_MAX, BOUNTY_MIN, BOUNTY_WINDOW

    bounty = (
        Bounty.objects.filter(question=question)
        .select_related("awarded_to")
        .order_by(Case(When(status=Bounty.Status.OPEN, then=0), default=1), "-created_at")
        .first()
    )
    blocker = ""
    is_asker = getattr(viewer, "is_authenticated", False) and viewer.pk == question.asker_id
    if not is_asker:
        blocker = "Only the asker can offer a bounty."
    elif bounty is not None and bounty.status == Bounty.Status.OPEN:
        blocker = "A bounty is running on this question."
    elif question.status != Question.Status.OPEN or question.is_hidden:
        blocker = "Bounties go on open questions without an accepted answer."
    else:
        stats = learner_stats_get(user=viewer)
        if stats.level < BOUNTY_LEVEL:
            blocker = f"Bounties unlock at level {BOUNTY_LEVEL}; you are level {stats.level}."
        elif stats.total_xp < BOUNTY_MIN:
            blocker = f"A bounty needs at least {BOUNTY_MIN} XP of your own."
    return BountyPanel(
        bounty=bounty,
        can_offer=blocker == "",
        offer_blocker=blocker if is_asker else "",
        minimum=BOUNTY_MIN,
        maximum=BOUNTY_MAX,
        window_days=BOUNTY_WINDOW.days,
    )


def achievement_counts(*, user: Any) -> dict[str, int]:
    """What gamification's badges count from the help center's own tables: answers of the
    user's that an asker rewarded with XP, whatever the daily XP cap let through
    (settings.ACHIEVEMENT_METRIC_SOURCES). One query."""
    return {"answers_rewarded": XpAward.objects.filter(recipient=user).count()}
