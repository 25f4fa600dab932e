"""The AI tools' pages, under /ai/: lesson tools, practice, the study buddy and skill gaps."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from ai_tools import selectors, services
from ai_tools.exceptions import PlanRequiredError
from ai_tools.forms import PracticeForm, QuestionForm
from ai_tools.models import LessonSummary
from ai_tools.providers import provider_get
from core.exceptions import ApplicationError
from courses.models import Course, Lesson
from courses.selectors import course_get, lesson_get


def _lesson(request: HttpRequest, lesson_id: int):  # type: ignore[no-untyped-def]
    try:
        return lesson_get(user=request.user, lesson_id=lesson_id)
    except ApplicationError as error:
        raise Http404(error.message) from error


def _plan_required(
    request: HttpRequest, error: PlanRequiredError, *, back_url: str = "", back_title: str = ""
) -> HttpResponse:
    """The page shown instead of an AI tool to a user whose plan does not include the tools."""
    return render(
        request,
        "ai_tools/plan_required_page.html",
        {"message": error.message, "back_url": back_url, "back_title": back_title},
        status=403,
    )


def _latest_summary(lesson_id: int) -> LessonSummary | None:
    return (
        LessonSummary.objects.filter(lesson_id=lesson_id, provider=provider_get().name)
        .order_by("-created_at", "-id")
        .first()
    )


HUB_ITEMS = 8


@login_required
def index(request: HttpRequest) -> HttpResponse:
    """The AI tools' hub: what is left of today's quota, recent summaries, practice sets and
    chats, the weakest skills, and where to start. A fixed number of queries."""
    allowance = selectors.ai_allowance_get(user=request.user)
    summaries = []
    seen_lessons: set[int] = set()
    if allowance.can_use:
        # Older versions of a changed lesson also have summaries: list each lesson once.
        for summary in selectors.summary_list_for_learner(user=request.user)[: HUB_ITEMS * 3]:
            if summary.lesson_id not in seen_lessons and len(summaries) < HUB_ITEMS:
                seen_lessons.add(summary.lesson_id)
                summaries.append(summary)
    return render(
        request,
        "ai_tools/index.html",
        {
            "allowance": allowance,
            "summaries": summaries,
            "practice_sets": list(
                selectors.practice_set_list_for_learner(user=request.user)[:HUB_ITEMS]
            ),
            "conversations": list(
                selectors.conversation_list_for_learner(user=request.user)[:HUB_ITEMS]
            ),
            "courses": list(selectors.study_buddy_course_list(user=request.user)),
            "report": (
                selectors.skill_gap_report(user=request.user) if allowance.can_use else None
            ),
        },
    )


@login_required
def lesson_tools(request: HttpRequest, lesson_id: int) -> HttpResponse:
    """A lesson's AI tools: its summary (generated on request) and a practice-question form."""
    lesson = _lesson(request, lesson_id)
    try:
        services.ai_access_check(user=request.user)
    except PlanRequiredError as error:
        return _plan_required(
            request,
            error,
            back_url=reverse("courses:lesson", args=[lesson.module.course.slug, lesson.pk]),
            back_title=lesson.title,
        )
    try:
        # The summary retells the lesson: only those who may open the lesson may read it.
        services.lesson_access_check(user=request.user, lesson=lesson)
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("courses:detail", slug=lesson.module.course.slug)
    summary = _latest_summary(lesson.pk)
    template = "ai_tools/lesson_tools.html"
    if request.htmx:
        template += "#lesson-summary"
    return render(
        request,
        template,
        {
            "lesson": lesson,
            "course": lesson.module.course,
            "summary": summary,
            "practice_form": PracticeForm(),
            "practice_sets": selectors.practice_set_list_for_learner(user=request.user).filter(
                lesson=lesson
            )[:5],
        },
    )


@login_required
@require_POST
def summary_create(request: HttpRequest, lesson_id: int) -> HttpResponse:
    lesson = _lesson(request, lesson_id)
    try:
        summary = services.summary_request(user=request.user, lesson=lesson)
    except ApplicationError as error:
        if request.htmx:  # 422 is the one 4xx htmx swaps here (base.html): show it in place
            return render(
                request,
                "ai_tools/lesson_tools.html#lesson-summary",
                {"lesson": lesson, "summary": _latest_summary(lesson.pk), "error": error.message},
                status=422,
            )
        messages.error(request, error.message)
        return redirect("ai_tools:lesson", lesson_id=lesson.pk)
    if request.htmx:
        return render(
            request,
            "ai_tools/lesson_tools.html#lesson-summary",
            {"lesson": lesson, "summary": summary},
        )
    return redirect("ai_tools:lesson", lesson_id=lesson.pk)


@login_required
@require_POST
def practice_create(request: HttpRequest, lesson_id: int) -> HttpResponse:
    lesson = _lesson(request, lesson_id)
    form = PracticeForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Check the practice options: " + form.errors.as_text())
        return redirect("ai_tools:lesson", lesson_id=lesson.pk)
    scope = form.cleaned_data["scope"]
    try:
        practice_set = services.practice_set_create(
            user=request.user,
            lesson=lesson if scope == "lesson" else None,
            module=lesson.module if scope == "module" else None,
            count=form.cleaned_data["count"],
            kinds=form.cleaned_data["kinds"],
            difficulty=form.cleaned_data["difficulty"],
        )
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("ai_tools:lesson", lesson_id=lesson.pk)
    return redirect("ai_tools:practice", practice_set_id=practice_set.pk)


@login_required
def practice_detail(request: HttpRequest, practice_set_id: int) -> HttpResponse:
    """Take a practice set (after it is generated), then see the answers and their sources."""
    practice_set = selectors.practice_set_get_for_learner(
        user=request.user, practice_set_id=practice_set_id
    )
    if practice_set is None:
        raise Http404("Practice set not found.")
    if request.method == "POST":
        answers = {
            str(question["number"]): request.POST.get(f"answer-{question['number']}", "")
            for question in practice_set.questions
        }
        try:
            practice_set = services.practice_set_submit(
                user=request.user, practice_set=practice_set, answers=answers
            )
        except ApplicationError as error:
            messages.error(request, error.message)
        return redirect("ai_tools:practice", practice_set_id=practice_set.pk)
    template = "ai_tools/practice_detail.html"
    if request.htmx:
        template += "#practice-body"
    return render(request, template, {"practice_set": practice_set})


def _focus_lesson(request: HttpRequest, course: Course) -> Lesson | None:
    """The lesson a question from the player is about (the form's `lesson`), in this course."""
    lesson_id = request.POST.get("lesson", "")
    if not lesson_id.isdigit():
        return None
    return (
        Lesson.objects.filter(pk=int(lesson_id), module__course=course)
        .select_related("module")
        .first()
    )


@login_required
def study_buddy(request: HttpRequest, course_id: int) -> HttpResponse:
    """The study-buddy chat of a course: answers stream over the WebSocket; without JavaScript
    the form posts and the page shows the whole answer."""
    try:
        course = course_get(user=request.user, course_id=course_id)
        services.ai_access_check(user=request.user)
        services.course_access_check(user=request.user, course=course)
    except PlanRequiredError as error:
        return _plan_required(request, error)
    except ApplicationError as error:
        if error.status_code == 404:
            raise Http404(error.message) from error
        messages.error(request, error.message)
        return redirect("home")
    conversations = selectors.conversation_list_for_learner(user=request.user, course=course)
    conversation = None
    if request.GET.get("conversation", "").isdigit():
        conversation = conversations.filter(pk=int(request.GET["conversation"])).first()
        if conversation is None:
            raise Http404("Conversation not found.")
    form = QuestionForm()
    if request.method == "POST":
        form = QuestionForm(request.POST)
        if form.is_valid():
            try:
                conversation = conversation or services.conversation_create(
                    user=request.user, course=course
                )
                for _ in services.study_buddy_reply(
                    user=request.user,
                    conversation=conversation,
                    question=form.cleaned_data["question"],
                    focus_lesson=_focus_lesson(request, course),
                ):
                    pass
            except ApplicationError as error:
                messages.error(request, error.message)
            if conversation is not None:
                url = reverse("ai_tools:study_buddy", args=[course.pk])
                return redirect(f"{url}?conversation={conversation.pk}")
            return redirect("ai_tools:study_buddy", course_id=course.pk)
    return render(
        request,
        "ai_tools/study_buddy.html",
        {
            "course": course,
            "conversation": conversation,
            "chat_messages": (
                selectors.chat_message_list(conversation=conversation) if conversation else []
            ),
            "conversations": conversations[:20],
            "form": form,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def skill_gaps(request: HttpRequest) -> HttpResponse:
    """The learner's skills from their quiz answers: mastery chart, weakest skills, lessons, and
    (on request) AI-written study advice for the weakest."""
    course = None
    if request.GET.get("course", "").isdigit():
        course = get_object_or_404(Course, pk=int(request.GET["course"]))
    try:
        services.ai_access_check(user=request.user)
    except PlanRequiredError as error:
        return _plan_required(request, error)
    report = None
    if request.method == "POST":  # "Write study advice": the provider writes it (a quota unit)
        try:
            report = services.skill_gap_analyze(user=request.user, course=course)
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            if report.advice_error:
                messages.error(request, report.advice_error)
    if report is None:
        report = selectors.skill_gap_report(user=request.user, course=course)
    return render(request, "ai_tools/skill_gaps.html", {"report": report, "course": course})
