"""Pages for revision (/review/), learning preferences, mode switching, relax breaks and
challenge runs."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.exceptions import ApplicationError
from core.http import safe_next_url
from courses.models import Category, Course, Question
from learning import selectors, services
from learning.models import ChallengeRun, Mode


@login_required
@require_GET
def review(request: HttpRequest) -> HttpResponse:
    """Today's due cards, one at a time (all courses, or ?course=<id>)."""
    course_id = request.GET.get("course")
    course_id_value = int(course_id) if course_id and course_id.isdigit() else None
    cards = selectors.due_cards(learner=request.user, course_id=course_id_value)
    card = cards.first()
    context = {
        "card": card,
        "due_count": cards.count(),
        "stats": selectors.review_stats(learner=request.user),
        "due_courses": selectors.due_courses(learner=request.user),
        "course_id": course_id_value,
        "shown_at": int(timezone.now().timestamp() * 1000),
    }
    if card is not None:
        context["answers"] = card.answers
    return render(request, "learning/review.html", context)


@login_required
@require_POST
def review_rate(request: HttpRequest, card_id: int) -> HttpResponse:
    shown_at = request.POST.get("shown_at", "")
    duration = None
    if shown_at.isdigit():
        duration = max(int(timezone.now().timestamp() * 1000) - int(shown_at), 0)
    try:
        services.review_submit(
            learner=request.user,
            card_id=card_id,
            rating=request.POST.get("rating", ""),
            duration_ms=duration,
        )
    except services.CardNotFoundError as error:
        raise Http404(error.message) from error
    except ApplicationError as error:
        messages.info(request, error.message)
    url = reverse("learning:review")
    course = request.POST.get("course", "")
    return redirect(f"{url}?course={course}" if course.isdigit() else url)


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest) -> HttpResponse:
    preference = services.preference_get(user=request.user)
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        try:
            services.preference_update(
                user=request.user,
                mode=request.POST.get("mode", preference.mode),
                desired_retention=_number(request.POST.get("desired_retention"), float),
                relax_interval_minutes=_number(request.POST.get("relax_interval_minutes"), int),
                binge_countdown_seconds=_number(request.POST.get("binge_countdown_seconds"), int),
            )
        except ApplicationError as error:
            errors = error.fields
            messages.error(request, error.message)
        else:
            messages.success(request, "Your learning preferences are saved.")
            return redirect("learning:preferences")
    return render(
        request,
        "learning/preferences.html",
        {"preference": preference, "modes": Mode.choices, "errors": errors},
        status=400 if errors else 200,
    )


def _number(value: str | None, kind: type) -> object:
    try:
        return kind(value)
    except (TypeError, ValueError):
        return value  # the model's validation names the field


@login_required
@require_POST
def default_mode(request: HttpRequest) -> HttpResponse:
    """Switch the learner's default mode (the dashboard's switcher)."""
    try:
        preference = services.preference_update(user=request.user, mode=request.POST.get("mode"))
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"{preference.get_mode_display()} mode is on.")
    return redirect(safe_next_url(request, request.POST.get("next"), "courses:dashboard"))


@login_required
@require_POST
def course_mode(request: HttpRequest, course_id: int) -> HttpResponse:
    course = get_object_or_404(Course, pk=course_id, status=Course.Status.PUBLISHED)
    try:
        mode = services.course_mode_set(
            user=request.user, course=course, mode=request.POST.get("mode")
        )
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"{dict(Mode.choices)[mode]} mode is on for this course.")
    return redirect(safe_next_url(request, request.POST.get("next"), "courses:dashboard"))


@login_required
@require_GET
def relax_status(request: HttpRequest) -> JsonResponse:
    """Relax mode's break timer: the active learning the player has reported since the last
    break (counted by learning.receivers from courses' lesson_time_spent)."""
    status = selectors.relax_status(user=request.user)
    return JsonResponse(
        {
            "active_seconds": status.active_seconds,
            "interval_seconds": status.interval_seconds,
            "break_due": status.break_due,
        }
    )


@login_required
@require_POST
def relax_break(request: HttpRequest) -> JsonResponse:
    services.relax_break_taken(user=request.user)
    return JsonResponse({"active_seconds": 0})


@login_required
@require_POST
def challenge_start(request: HttpRequest, course_id: int) -> HttpResponse:
    course = get_object_or_404(Course, pk=course_id, status=Course.Status.PUBLISHED)
    try:
        run = services.challenge_start(learner=request.user, course=course)
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("courses:detail", slug=course.slug)
    return redirect("learning:challenge", run_id=run.pk)


@login_required
@require_POST
def category_challenge_start(request: HttpRequest, slug: str) -> HttpResponse:
    category = get_object_or_404(Category, slug=slug)
    try:
        run = services.challenge_start(learner=request.user, category=category)
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect(f"{reverse('courses:list')}?category={category.slug}")
    return redirect("learning:challenge", run_id=run.pk)


@login_required
@require_http_methods(["GET", "POST"])
def challenge(request: HttpRequest, run_id: int) -> HttpResponse:
    run = get_object_or_404(
        ChallengeRun.objects.select_related("course", "category"), pk=run_id, learner=request.user
    )
    if request.method == "POST":
        answers = {}
        for question_id in run.question_ids:
            values = request.POST.getlist(f"question-{question_id}")
            if len(values) == 1 and values[0].isdigit():
                answers[str(question_id)] = int(values[0])
            elif len(values) > 1:
                answers[str(question_id)] = [int(v) for v in values if v.isdigit()]
            elif values:
                answers[str(question_id)] = values[0]
        try:
            services.challenge_submit(learner=request.user, run_id=run.pk, answers=answers)
        except ApplicationError as error:
            messages.error(request, error.message)
        return redirect("learning:challenge", run_id=run.pk)
    questions = {
        q.pk: q
        for q in Question.objects.filter(pk__in=run.question_ids).prefetch_related("choices")
    }
    context = {
        "run": run,
        "questions": [questions[pk] for pk in run.question_ids if pk in questions],
        "board": selectors.challenge_leaderboard(
            course_id=run.course_id, category_id=run.category_id
        ),
        "seconds_left": max(int((run.deadline - timezone.now()).total_seconds()), 0),
    }
    return render(request, "learning/challenge.html", context)
