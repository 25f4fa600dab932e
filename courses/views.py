"""Learner pages: catalog, course page, lesson player, quizzes, dashboard and certificates.

Thin views over courses.selectors and courses.services: each catches ApplicationError and shows
its message; the player saves the playback position through `lesson_position`.
"""

from __future__ import annotations

import functools
import json
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.module_loading import import_string
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRedirect

from core.exceptions import ApplicationError, NotFoundError
from core.pagination import page_of, page_with_total
from courses import catalog_cache, entitlements, selectors, services
from courses.certificates import certificate_pdf
from courses.exceptions import InvalidAnswerError
from courses.forms import CatalogForm, CourseReviewForm
from courses.models import Lesson, Question

CATALOG_PAGE_SIZE = 12


def _panels(setting: str, request: HttpRequest, **kwargs: Any) -> list[dict[str, Any]]:
    """Pieces other apps add to a page (settings.PLAYER_PANELS, DASHBOARD_PANELS, COURSE_PANELS):
    dotted paths of functions returning a dict with a `template` and its context, or None."""
    panels = []
    for dotted in getattr(settings, setting, []):
        panel = import_string(dotted)(request, **kwargs)
        if panel:
            panels.append(panel)
    return panels


def _not_found(error: NotFoundError) -> Http404:
    return Http404(error.message)


def _course_card(course: Any, *, with_progress: bool) -> str:
    # No request: a card shows nothing of the context processors', and skipping them is cheap.
    context = {"course": course, "with_progress": with_progress}
    return render_to_string("courses/_course_card.html", context)


@require_GET
def catalog(request: HttpRequest) -> HttpResponse:
    """The catalog. Its filter form and a page of results' cards, as anyone sees them, come
    from courses.catalog_cache (and an anonymous visitor's whole results); a signed-in learner's
    cards of the courses they are enrolled in are rendered afresh with their progress. The form's
    validation, the facets and the query run only on a miss."""
    query = request.GET.copy()
    query.pop("page", None)
    query_string = query.urlencode()
    store = catalog_cache.CatalogCache(query_string, request.GET.get("page", ""))
    anonymous = not request.user.is_authenticated
    if anonymous:
        store.prefetch(*(["results"] if request.htmx else ["filters", "results"]))
    else:
        store.prefetch(*(["facets", "cards"] if request.htmx else ["facets", "filters", "cards"]))
    context: dict[str, Any] = {"query_string": query_string}

    @functools.cache
    def form_context() -> dict[str, Any]:
        facets = store.get("facets", selectors.catalog_facets)
        form = CatalogForm(
            request.GET or None, categories=facets.categories, languages=facets.languages
        )
        filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
        return {**context, "form": form, "filters": filters, "search": filters.get("q", "")}

    computed: list[Any] = []  # the page's courses when this request queried them

    def cards() -> dict[str, Any]:
        """The page's courses as anyone sees them: ids, cards (nobody's progress), total."""
        filters, search = form_context()["filters"], form_context()["search"]
        courses = selectors.course_list_for_catalog(
            user=request.user,  # the viewer's progress too, for their own cards below
            search=search,
            category=filters.get("category") or None,
            difficulty=filters.get("difficulty") or None,
            language=filters.get("language") or None,
            price=filters.get("price") or None,
            sort=filters.get("sort") or ("relevance" if search else "popular"),
        )
        page = page_with_total(courses, per_page=CATALOG_PAGE_SIZE, number=request.GET.get("page"))
        computed.extend(page)
        return {
            "ids": [course.pk for course in page],
            "cards": [_course_card(course, with_progress=False) for course in page],
            "total": page.paginator.count,
            "number": page.number,
        }

    def results() -> dict[str, Any]:
        shown = store.get("cards", cards)
        # The cards of the viewer's own courses show their progress: never from the cache.
        if computed:
            own = [course for course in computed if course.is_enrolled]
        elif enrolled := selectors.enrolled_course_ids(
            learner=request.user, course_ids=shown["ids"]
        ):
            own = list(selectors.course_list_for_catalog(user=request.user).filter(pk__in=enrolled))
        else:
            own = []
        fresh = {course.pk: _course_card(course, with_progress=True) for course in own}
        html = [fresh.get(pk, card) for pk, card in zip(shown["ids"], shown["cards"], strict=True)]
        page = page_of(
            html, number=shown["number"], per_page=CATALOG_PAGE_SIZE, total=shown["total"]
        )
        # Our own templates' output, escaped when it was rendered.
        safe = [mark_safe(card) for card in html]  # noqa: S308
        return {**form_context(), "page": page, "cards": safe}

    partial = "courses/catalog.html#course-results"
    if request.htmx:
        if anonymous:
            return HttpResponse(
                store.get("results", lambda: render_to_string(partial, results(), request))
            )
        return render(request, partial, results())
    # Our own templates' output, escaped when it was rendered.
    context["filters_html"] = mark_safe(  # noqa: S308
        store.get(
            "filters",
            lambda: render_to_string(
                "courses/catalog.html#catalog-filters", form_context(), request
            ),
        )
    )
    if anonymous:
        context["results_html"] = mark_safe(  # noqa: S308
            store.get("results", lambda: render_to_string(partial, results(), request))
        )
    else:
        context.update(results())
    return render(request, "courses/catalog.html", context)


@require_GET
def course_detail(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        course = selectors.course_get_for_learner(user=request.user, slug=slug)
    except NotFoundError as error:
        raise _not_found(error) from error
    return render(request, "courses/course_detail.html", _course_page_context(request, course))


REVIEWS_ON_COURSE_PAGE = 10


def _course_page_context(request: HttpRequest, course: Any, **extra: Any) -> dict[str, Any]:
    reviews = selectors.reviews_for_course_page(
        course=course, user=request.user, limit=REVIEWS_ON_COURSE_PAGE
    )
    my_review = reviews.mine
    form = extra.pop("review_form", None) or CourseReviewForm(
        initial={"rating": my_review.rating, "comment": my_review.comment} if my_review else None
    )
    return {
        "course": course,
        "offer": None if course.enrollment else entitlements.course_offer(request.user, course),
        "reviews": reviews.newest,
        "my_review": my_review,
        "can_review": course.enrollment is not None and course.completed_lesson_count > 0,
        "review_form": form,
        "panels": _panels("COURSE_PANELS", request, course=course),
        **extra,
    }


@login_required
@require_POST
def course_review(request: HttpRequest, slug: str) -> HttpResponse:
    """Rate the course (or withdraw the rating with `delete`); errors show on the course page."""
    try:
        course = selectors.course_get_for_learner(user=request.user, slug=slug)
    except NotFoundError as error:
        raise _not_found(error) from error
    if request.POST.get("delete"):
        if services.review_delete(learner=request.user, course=course):
            messages.success(request, "Your rating was withdrawn.")
        return redirect(reverse("courses:detail", args=[slug]) + "#reviews-heading")
    form = CourseReviewForm(request.POST)
    if form.is_valid():
        try:
            _, created = services.review_submit(
                learner=request.user,
                course=course,
                rating=form.cleaned_data["rating"],
                comment=form.cleaned_data["comment"],
            )
        except ApplicationError as error:
            if not error.fields:  # not enrolled, or no lesson finished yet
                messages.error(request, error.message)
                return redirect(reverse("courses:detail", args=[slug]) + "#reviews-heading")
            for field, problems in error.fields.items():
                for problem in problems:
                    form.add_error(field if field in form.fields else None, problem)
        else:
            messages.success(
                request, "Thank you for rating this course." if created else "Rating updated."
            )
            return redirect(reverse("courses:detail", args=[slug]) + "#reviews-heading")
    context = _course_page_context(request, course, review_form=form)
    return render(request, "courses/course_detail.html", context, status=400)


@login_required
@require_POST
def course_enroll(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        course = selectors.course_get(user=request.user, slug=slug)
        _, created = services.enrollment_create(learner=request.user, course=course)
    except NotFoundError as error:
        raise _not_found(error) from error
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("courses:detail", slug=slug)
    if created:
        messages.success(request, f"You are enrolled in “{course.title}”. Enjoy!")
    course = selectors.course_get_for_learner(user=request.user, slug=slug)
    if course.resume_lesson is not None:
        return redirect("courses:lesson", course_slug=slug, lesson_id=course.resume_lesson.pk)
    return redirect("courses:detail", slug=slug)


@require_GET
def lesson_player(request: HttpRequest, course_slug: str, lesson_id: int) -> HttpResponse:
    try:
        view = selectors.lesson_get_for_player(
            user=request.user, lesson_id=lesson_id, course_slug=course_slug
        )
    except NotFoundError as error:
        raise _not_found(error) from error
    # The service worker saving lessons for offline (a whole module at once) reads the pages
    # without the learner opening them: that is no reason to move the course's resume point.
    saving_for_offline = request.headers.get("X-Lumen-Offline-Save") == "1"
    if view.can_access and view.enrollment is not None and not saving_for_offline:
        services.lesson_start(
            learner=request.user,
            lesson=view.lesson,
            enrollment=view.enrollment,
            progress=view.progress,
        )
    outline = view.course
    quiz = None
    if view.lesson.kind == Lesson.Kind.QUIZ and view.can_access:
        quiz = selectors.quiz_get_for_learner(user=request.user, quiz_id=view.lesson.quiz.pk)
    context = {
        "view": view,
        "lesson": view.lesson,
        "course": outline,
        "quiz": quiz,
        "panels": _panels("PLAYER_PANELS", request, course=outline, lesson=view.lesson, view=view),
    }
    status = 200 if view.can_access else 403
    return render(request, "courses/lesson_player.html", context, status=status)


@login_required
@require_GET
def lesson_preview(request: HttpRequest, course_slug: str, lesson_id: int) -> HttpResponse:
    """The lesson as an enrolled learner sees it, for the course's instructors and admins (also
    in a draft course). Nothing is recorded: no progress, no playback position, no attempts."""
    try:
        view = selectors.lesson_get_for_player(
            user=request.user, lesson_id=lesson_id, course_slug=course_slug
        )
    except NotFoundError as error:
        raise _not_found(error) from error
    if not selectors.course_can_edit(user=request.user, course=view.course):
        raise Http404("Lesson not found.")
    outline = view.course
    quiz = None
    if view.lesson.kind == Lesson.Kind.QUIZ:
        quiz = selectors.quiz_get_for_learner(user=request.user, quiz_id=view.lesson.quiz.pk)
    context = {
        "view": view,
        "lesson": view.lesson,
        "course": outline,
        "quiz": quiz,
        "preview": True,
        "panels": [],
    }
    return render(request, "courses/lesson_player.html", context)


def _lesson_for_write(request: HttpRequest, lesson_id: int) -> Lesson:
    try:
        return selectors.lesson_get(user=request.user, lesson_id=lesson_id)
    except NotFoundError as error:
        raise _not_found(error) from error


@login_required
@require_POST
def lesson_position(request: HttpRequest, lesson_id: int) -> JsonResponse:
    """The player's heartbeat: {"position_seconds": int, "seconds_spent_delta": int} as JSON."""
    lesson = _lesson_for_write(request, lesson_id)
    try:
        payload = json.loads(request.body or b"{}")
    except json.JSONDecodeError:
        return JsonResponse({"error": {"message": "Send JSON."}}, status=400)
    if not isinstance(payload, dict):
        return JsonResponse({"error": {"message": "Send a JSON object."}}, status=400)
    position = payload.get("position_seconds")
    delta = payload.get("seconds_spent_delta", 0)
    if isinstance(position, bool) or not isinstance(position, int):
        return JsonResponse(
            {"error": {"message": "position_seconds must be a whole number of seconds."}},
            status=400,
        )
    if isinstance(delta, bool) or not isinstance(delta, int) or not 0 <= delta <= 300:
        delta = 0
    try:
        progress = services.lesson_position_save(
            learner=request.user,
            lesson=lesson,
            position_seconds=position,
            seconds_spent_delta=delta,
        )
    except ApplicationError as error:
        return JsonResponse(
            {"error": {"message": error.message, "fields": error.fields}},
            status=error.status_code,
        )
    return JsonResponse(
        {
            "position_seconds": progress.last_position_seconds,
            "is_completed": progress.completed_at is not None,
        }
    )


@login_required
@require_POST
def lesson_reading(request: HttpRequest, lesson_id: int) -> JsonResponse:
    """The article reader's heartbeat: {"seconds_spent": int, "reached_end": bool} as JSON."""
    lesson = _lesson_for_write(request, lesson_id)
    try:
        payload = json.loads(request.body or b"{}")
    except json.JSONDecodeError:
        return JsonResponse({"error": {"message": "Send JSON."}}, status=400)
    if not isinstance(payload, dict):
        return JsonResponse({"error": {"message": "Send a JSON object."}}, status=400)
    try:
        progress = services.lesson_reading_report(
            learner=request.user,
            lesson=lesson,
            seconds_spent_delta=payload.get("seconds_spent", 0),
            has_reached_end=payload.get("reached_end", False),
        )
    except ApplicationError as error:
        return JsonResponse(
            {"error": {"message": error.message, "fields": error.fields}},
            status=error.status_code,
        )
    return JsonResponse(
        {
            "seconds_spent": progress.seconds_spent,
            "seconds_to_complete": lesson.reading_seconds_to_complete,
            "reached_end": progress.end_reached_at is not None,
            "is_completed": progress.completed_at is not None,
        }
    )


def _player_progress(request: HttpRequest, course_slug: str, lesson_id: int) -> HttpResponse:
    """The player's outline (ticks, progress bar) and, swapped out of band, its completion
    region: what htmx puts in place when a lesson completes or is unticked."""
    try:
        view = selectors.lesson_get_for_player(
            user=request.user, lesson_id=lesson_id, course_slug=course_slug
        )
    except NotFoundError as error:
        raise _not_found(error) from error
    context = {"view": view, "lesson": view.lesson, "course": view.course, "oob": True}
    return render(request, "courses/lesson_progress.html", context)


@login_required
@require_GET
def lesson_progress(request: HttpRequest, course_slug: str, lesson_id: int) -> HttpResponse:
    """The player's outline and completion region, fresh (the player asks after a lesson
    completes by the video or reading rule)."""
    return _player_progress(request, course_slug, lesson_id)


@login_required
@require_POST
def lesson_complete(request: HttpRequest, lesson_id: int) -> HttpResponse:
    """Mark complete (or untick with `undo`). A plain form post moves on to the next lesson; an
    htmx post that does not continue gets the fresh outline and completion region in place."""
    lesson = _lesson_for_write(request, lesson_id)
    course = lesson.module.course
    undo = request.POST.get("undo") == "1"
    try:
        if undo:
            services.lesson_uncomplete(learner=request.user, lesson=lesson)
        else:
            services.lesson_complete(learner=request.user, lesson=lesson)
    except ApplicationError as error:
        messages.error(request, error.message)
        if request.htmx:  # the whole page, with its message (an outline swap would hide it)
            return HttpResponseClientRedirect(
                reverse("courses:lesson", args=[course.slug, lesson.pk])
            )
        return redirect("courses:lesson", course_slug=course.slug, lesson_id=lesson.pk)
    enrollment = selectors.enrollment_get(learner=request.user, course_id=course.pk)
    if not undo and enrollment is not None and enrollment.completed_at is not None:
        if request.htmx:
            return HttpResponseClientRedirect(reverse("courses:complete", args=[course.slug]))
        return redirect("courses:complete", slug=course.slug)
    if request.htmx:
        return _player_progress(request, course.slug, lesson.pk)
    view = selectors.lesson_get_for_learner(user=request.user, lesson_id=lesson.pk)
    if not undo and view.next_lesson is not None:
        return redirect("courses:lesson", course_slug=course.slug, lesson_id=view.next_lesson.id)
    return redirect("courses:lesson", course_slug=course.slug, lesson_id=lesson.pk)


@login_required
@require_POST
def quiz_start(request: HttpRequest, quiz_id: int) -> HttpResponse:
    try:
        quiz = selectors.quiz_get_for_learner(user=request.user, quiz_id=quiz_id)
    except NotFoundError as error:
        raise _not_found(error) from error
    course = quiz.lesson.module.course
    try:
        attempt, _ = services.quiz_attempt_start(learner=request.user, quiz=quiz)
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("courses:lesson", course_slug=course.slug, lesson_id=quiz.lesson_id)
    return redirect("courses:attempt", attempt_id=attempt.pk)


def _answers_from_post(request: HttpRequest, attempt: Any) -> dict[str, Any]:
    answers: dict[str, Any] = {}
    for question in attempt.drawn_questions:
        name = f"question-{question.pk}"
        if question.kind == Question.Kind.MULTIPLE:
            values = request.POST.getlist(name)
            if values:
                answers[str(question.pk)] = [int(v) for v in values if v.isdigit()]
        elif question.kind == Question.Kind.SHORT_ANSWER:
            if request.POST.get(name, "").strip():
                answers[str(question.pk)] = request.POST[name]
        else:
            value = request.POST.get(name, "")
            if value.isdigit():
                answers[str(question.pk)] = int(value)
    return answers


@login_required
def quiz_attempt(request: HttpRequest, attempt_id: int) -> HttpResponse:
    """A running attempt (the form) or a graded one (score and feedback per question)."""
    try:
        attempt = selectors.quiz_attempt_get_for_learner(user=request.user, attempt_id=attempt_id)
    except NotFoundError as error:
        raise _not_found(error) from error
    if request.method == "POST":
        if attempt.submitted_at is not None:
            messages.info(request, "This attempt was already submitted.")
            return redirect("courses:attempt", attempt_id=attempt.pk)
        try:
            services.quiz_attempt_submit(
                learner=request.user, attempt=attempt, answers=_answers_from_post(request, attempt)
            )
        except ApplicationError as error:
            messages.error(request, error.message)
        return redirect("courses:attempt", attempt_id=attempt.pk)
    if request.method != "GET":
        return HttpResponse(status=405)
    quiz = selectors.quiz_get_for_learner(user=request.user, quiz_id=attempt.quiz_id)
    return render(request, "courses/quiz_attempt.html", {"attempt": attempt, "quiz": quiz})


@login_required
@require_POST
def quiz_attempt_check(request: HttpRequest, attempt_id: int, question_id: int) -> HttpResponse:
    """Immediate feedback on one question. The form's other answers are saved on the way, so a
    plain form post (no JavaScript) loses nothing; htmx gets the question's card, now with its
    feedback, in place, and a refused answer (422) gets the card with the message."""
    try:
        attempt = selectors.quiz_attempt_get_for_learner(user=request.user, attempt_id=attempt_id)
    except NotFoundError as error:
        raise _not_found(error) from error
    page = reverse("courses:attempt", args=[attempt.pk])
    if not any(question.pk == question_id for question in attempt.drawn_questions):
        raise Http404("This question is not part of the attempt.")
    answers = _answers_from_post(request, attempt)
    answer = answers.pop(str(question_id), None)
    try:
        if answers and attempt.submitted_at is None:
            services.quiz_attempt_answer_save(
                learner=request.user, attempt=attempt, answers=answers
            )
        services.quiz_attempt_question_check(
            learner=request.user, attempt=attempt, question_id=question_id, answer=answer
        )
    except InvalidAnswerError as error:
        if not request.htmx:
            messages.error(request, error.message)
            return redirect(f"{page}#question-{question_id}-card")
        return _quiz_question_card(request, attempt_id, question_id, error=error.message)
    except ApplicationError as error:
        messages.error(request, error.message)
        if request.htmx:  # time is up, submitted meanwhile...: the whole page says what is next
            return HttpResponseClientRedirect(page)
        return redirect(page)
    if request.htmx:
        return _quiz_question_card(request, attempt_id, question_id)
    return redirect(f"{page}#question-{question_id}-card")


def _quiz_question_card(
    request: HttpRequest, attempt_id: int, question_id: int, *, error: str = ""
) -> HttpResponse:
    attempt = selectors.quiz_attempt_get_for_learner(user=request.user, attempt_id=attempt_id)
    question = next((q for q in attempt.drawn_questions if q.pk == question_id), None)
    if question is None:  # removed from the quiz a moment ago
        return HttpResponseClientRedirect(reverse("courses:attempt", args=[attempt.pk]))
    context = {
        "attempt": attempt,
        "quiz": attempt.quiz,
        "question": question,
        "check_error": error,
        "just_checked": not error,
    }
    return render(
        request,
        "courses/quiz_attempt.html#question-card",
        context,
        status=422 if error else 200,
    )


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    enrollments = list(selectors.enrollment_list_for_dashboard(user=request.user))
    context = {
        "in_progress": [e for e in enrollments if e.completed_at is None],
        "completed": [e for e in enrollments if e.completed_at is not None],
        "certificates": list(selectors.certificate_list_for_learner(user=request.user)[:10]),
        "panels": _panels("DASHBOARD_PANELS", request),
    }
    return render(request, "courses/dashboard.html", context)


@login_required
@require_GET
def course_complete(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        course = selectors.course_get(user=request.user, slug=slug)
    except NotFoundError as error:
        raise _not_found(error) from error
    enrollment = selectors.enrollment_get(learner=request.user, course_id=course.pk)
    if enrollment is None or enrollment.completed_at is None:
        return redirect("courses:detail", slug=slug)
    certificate = (
        selectors.certificate_list_for_learner(user=request.user).filter(course=course).first()
    )
    context = {"course": course, "enrollment": enrollment, "certificate": certificate}
    return render(request, "courses/course_complete.html", context)


def _certificate(public_id: str) -> Any:
    try:
        return selectors.certificate_get_public(public_id=public_id)
    except NotFoundError as error:
        raise _not_found(error) from error


@require_GET
def certificate_verify(request: HttpRequest, public_id: str) -> HttpResponse:
    certificate = _certificate(public_id)
    return render(request, "courses/certificate_verify.html", {"certificate": certificate})


@require_GET
def certificate_download(request: HttpRequest, public_id: str) -> HttpResponse:
    certificate = _certificate(public_id)
    verify_url = request.build_absolute_uri(
        reverse("courses:certificate_verify", kwargs={"public_id": certificate.public_id})
    )
    response = HttpResponse(
        certificate_pdf(certificate=certificate, verify_url=verify_url),
        content_type="application/pdf",
    )
    response["Content-Disposition"] = (
        f'attachment; filename="lumen-certificate-{certificate.public_id}.pdf"'
    )
    return response
