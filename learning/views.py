"""HTML pages of the learning modes: the review session and the mode switcher."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from core.exceptions import ApplicationError
from learning import selectors, services
from learning.forms import PreferenceForm, RatingForm
from learning.models import ReviewLog


def _course_id(request: HttpRequest) -> int | None:
    value = request.GET.get("course", "")
    return int(value) if value.isdigit() else None


@login_required
def review_session(request: HttpRequest) -> HttpResponse:
    """Today's due cards, one at a time (all courses, or ?course=<id>)."""
    course_id = _course_id(request)
    card = selectors.card_list_due(learner=request.user, course_id=course_id).first()
    stats = selectors.review_stats(learner=request.user, course_id=course_id)
    choices = list(card.question.choices.all()) if card else []
    return render(
        request,
        "learning/review_session.html",
        {
            "card": card,
            "choices": choices,
            "stats": stats,
            "course_id": course_id,
            "ratings": [
                (ReviewLog.Rating.AGAIN, "Again", "1"),
                (ReviewLog.Rating.HARD, "Hard", "2"),
                (ReviewLog.Rating.GOOD, "Good", "3"),
                (ReviewLog.Rating.EASY, "Easy", "4"),
            ],
        },
    )


@login_required
@require_POST
def review_rate(request: HttpRequest, card_id: int) -> HttpResponse:
    """Rate the card on screen, then show the next one."""
    form = RatingForm(request.POST)
    course_id = None
    if not form.is_valid():
        messages.error(request, "Choose again, hard, good or easy.")
    else:
        course_id = form.cleaned_data["course"]
        try:
            services.card_review(
                learner=request.user,
                card_id=card_id,
                rating=form.cleaned_data["rating"],
                duration_ms=form.cleaned_data["duration_ms"],
            )
        except ApplicationError as error:
            messages.error(request, error.message)
    url = reverse("learning:review")
    return redirect(f"{url}?course={course_id}" if course_id else url)


@login_required
def mode_settings(request: HttpRequest) -> HttpResponse:
    """Choose the learning mode and its settings; htmx swaps just the form."""
    preference = selectors.preference_get(learner=request.user)
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}):
        next_url = ""
    form = PreferenceForm(request.POST or None, instance=preference)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = {name: form.cleaned_data[name] for name in PreferenceForm.Meta.fields}
            try:
                services.preference_update(learner=request.user, data=data)
            except ApplicationError as error:
                messages.error(request, error.message)
            else:
                messages.success(request, "Your learning mode is saved.")
                return redirect(next_url or reverse("learning:mode"))
        status = 422
    template = "learning/mode_settings.html"
    if request.htmx:
        template += "#mode-form"
    return render(request, template, {"form": form, "next": next_url}, status=status)
