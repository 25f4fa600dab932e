"""Learner pages: catalog, course page, lesson player, quizzes, dashboard, completion, certificates.

Thin views: selectors read, services write; an `ApplicationError` becomes a message (or the
page's error status) and never a 500.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from core.exceptions import ApplicationError, NotFoundError
from courses import selectors, services
from courses.certificates import certificate_pdf_render
from courses.models import Course, Lesson, Question

CATALOG_PAGE_SIZE = 12
SORT_LABELS = {
    "popular": "Most popular",
    "newest": "Newest",
    "rating": "Top rated",
    "title": "Title (A to Z)",
    "relevance": "Best match",
}
PRICE_LABELS = {"free": "Free", "paid": "Paid"}


def _not_found(error: ApplicationError) -> Http404:
    return Http404(error.message)


# --- Catalog and course page ----------------------------------------------------------------------


@require_GET
def course_list(request: HttpRequest) -> HttpResponse:
    """The catalog: search, filters, sorting and pagination; the results region alone for htmx."""
    search = request.GET.get("q", "").strip()[:200]
    category = request.GET.get("category", "").strip()
    difficulty = request.GET.get("difficulty", "").strip()
    language = request.GET.get("language", "").strip()
    price = request.GET.get("price", "").strip()
    sort = request.GET.get("sort", "").strip() or ("relevance" if search else "popular")
    if difficulty and difficulty not in Course.Difficulty.values:
        difficulty = ""
    if price not in PRICE_LABELS:
        price = ""
    if sort not in SORT_LABELS:
        sort = "popular"
    courses = selectors.course_list_for_catalog(
        user=request.user,
        search=search,
        category=category or None,
        difficulty=difficulty or None,
        language=language or None,
        price=price or None,
        sort=sort,
    )
    page = Paginator(courses, CATALOG_PAGE_SIZE).get_page(request.GET.get("page"))
    filters = request.GET.copy()
    filters.pop("page", None)
    context = {
        "page_obj": page,
        "courses": page.object_list,
        "search": search,
        "selected": {
            "category": category,
            "difficulty": difficulty,
            "language": language,
            "price": price,
            "sort": sort,
        },
        "categories": selectors.category_list_for_catalog(),
        "difficulties": Course.Difficulty.choices,
        "languages": selectors.course_languages(),
        "sorts": SORT_LABELS.items(),
        "prices": PRICE_LABELS.items(),
        "filter_query": filters.urlencode(),
        "is_filtered": bool(search or category or difficulty or language or price),
    }
    template = "courses/course_list.html"
    if getattr(request, "htmx", False) and not request.htmx.boosted:
        template += "#course-results"
    return render(request, template, context)


@require_GET
def course_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """A course page: outline with progress ticks, instructors, outcomes, enroll or continue."""
    try:
        course = selectors.course_get_for_learner(user=request.user, slug=slug)
    except NotFoundError as error:
        raise _not_found(error) from error
    return render(request, "courses/course_detail.html", {"course": course})


@require_POST
def course_enroll(request: HttpRequest, slug: str) -> HttpResponse:
    """Enroll (idempotent) and go to the first lesson; anonymous visitors sign in first."""
    if not request.user.is_authenticated:
        login = reverse("account_login")
        return redirect(f"{login}?next={reverse('courses:detail', kwargs={'slug': slug})}")
    try:
        course = selectors.course_get(user=request.user, slug=slug)
        _, created = services.enrollment_create(learner=request.user, course=course)
    except NotFoundError as error:
        raise _not_found(error) from error
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("courses:detail", slug=slug)
    if created:
        messages.success(request, f"You are enrolled in {course.title}. Enjoy the course!")
    outline = selectors.course_get_for_learner(user=request.user, slug=slug)
    if outline.resume_lesson is not None:
        return redirect("courses:lesson", course_slug=slug, lesson_id=outline.resume_lesson.pk)
    return redirect("courses:detail", slug=slug)


# --- Lesson player --------------------------------------------------------------------------------


def _player_context(request: HttpRequest, course_slug: str, lesson_id: int) -> dict[str, Any]:
    try:
        view = selectors.lesson_get_for_learner(
            user=request.user, lesson_id=lesson_id, course_slug=course_slug
        )
        course = selectors.course_get_for_learner(user=request.user, slug=course_slug)
    except NotFoundError as error:
        raise _not_found(error) from error
    context: dict[str, Any] = {"view": view, "lesson": view.lesson, "course": course}
    if view.lesson.kind == Lesson.Kind.QUIZ and hasattr(view.lesson, "quiz"):
        context["quiz"] = selectors.quiz_get_for_learner(
            user=request.user, quiz_id=view.lesson.quiz.pk
        )
    return context


@require_GET
def lesson_detail(request: HttpRequest, course_slug: str, lesson_id: int) -> HttpResponse:
    """The lesson player; opening a lesson makes it the course's resume point."""
    context = _player_context(request, course_slug, lesson_id)
    view = context["view"]
    if not view.can_access:
        return render(request, "courses/lesson_locked.html", context, status=403)
    if view.enrollment is not None:
        services.lesson_start(learner=request.user, lesson=view.lesson)
    return render(request, "courses/lesson_detail.html", context)


def _lesson_for_write(request: HttpRequest, course_slug: str, lesson_id: int) -> Lesson:
    try:
        lesson = selectors.lesson_get(user=request.user, lesson_id=lesson_id)
    except NotFoundError as error:
        raise _not_found(error) from error
    if lesson.module.course.slug != course_slug:
        raise Http404("Lesson not found.")
    return lesson


def _int_field(value: str | None) -> int | None:
    try:
        return int(str(value).strip().split(".")[0])
    except (TypeError, ValueError):
        return None


@login_required
@require_POST
def lesson_position(request: HttpRequest, course_slug: str, lesson_id: int) -> JsonResponse:
    """Save the video position (sent every few seconds by the player); JSON for the script."""
    lesson = _lesson_for_write(request, course_slug, lesson_id)
    position = _int_field(request.POST.get("position_seconds"))
    spent = _int_field(request.POST.get("seconds_spent", "0"))
    if position is None or spent is None:
        return JsonResponse(
            {"error": {"code": "invalid", "message": "Send whole numbers of seconds."}},
            status=400,
        )
    try:
        progress = services.lesson_position_save(
            learner=request.user,
            lesson=lesson,
            position_seconds=position,
            seconds_spent_delta=spent,
        )
    except ApplicationError as error:
        return JsonResponse(
            {"error": {"code": error.code, "message": error.message}}, status=error.status_code
        )
    return JsonResponse(
        {
            "position_seconds": progress.last_position_seconds,
            "is_completed": progress.completed_at is not None,
        }
    )


@login_required
@require_POST
def lesson_complete(request: HttpRequest, course_slug: str, lesson_id: int) -> HttpResponse:
    """Mark complete (or, with `undo`, not complete); go on to the next lesson or the finish."""
    lesson = _lesson_for_write(request, course_slug, lesson_id)
    undo = request.POST.get("undo") == "1"
    try:
        if undo:
            services.lesson_uncomplete(learner=request.user, lesson=lesson)
        else:
            services.lesson_complete(learner=request.user, lesson=lesson)
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("courses:lesson", course_slug=course_slug, lesson_id=lesson_id)
    if undo:
        messages.info(request, f"'{lesson.title}' is marked as not complete.")
        return redirect("courses:lesson", course_slug=course_slug, lesson_id=lesson_id)
    enrollment = selectors.enrollment_get(learner=request.user, course_id=lesson.module.course_id)
    if enrollment is not None and enrollment.completed_at is not None:
        return redirect("courses:complete", slug=course_slug)
    messages.success(request, f"'{lesson.title}' is complete.")
    view = selectors.lesson_get_for_learner(user=request.user, lesson_id=lesson_id)
    if view.next_lesson is not None:
        return redirect("courses:lesson", course_slug=course_slug, lesson_id=view.next_lesson.id)
    return redirect("courses:lesson", course_slug=course_slug, lesson_id=lesson_id)


# --- Quizzes --------------------------------------------------------------------------------------


@login_required
@require_POST
def quiz_start(request: HttpRequest, course_slug: str, lesson_id: int) -> HttpResponse:
    """Start an attempt (or go back to the running one)."""
    lesson = _lesson_for_write(request, course_slug, lesson_id)
    if lesson.kind != Lesson.Kind.QUIZ or not hasattr(lesson, "quiz"):
        raise Http404("This lesson has no quiz.")
    try:
        attempt, _ = services.quiz_attempt_start(learner=request.user, quiz=lesson.quiz)
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("courses:lesson", course_slug=course_slug, lesson_id=lesson_id)
    return redirect("courses:attempt", course_slug=course_slug, attempt_id=attempt.pk)


def _attempt(request: HttpRequest, course_slug: str, attempt_id: int) -> Any:
    try:
        attempt = selectors.quiz_attempt_get_for_learner(user=request.user, attempt_id=attempt_id)
    except NotFoundError as error:
        raise _not_found(error) from error
    if attempt.quiz.lesson.module.course.slug != course_slug:
        raise Http404("Quiz attempt not found.")
    return attempt


def _attempt_page(
    request: HttpRequest, attempt: Any, *, error: str = "", status: int = 200
) -> HttpResponse:
    lesson = attempt.quiz.lesson
    return render(
        request,
        "courses/quiz_attempt.html",
        {
            "attempt": attempt,
            "quiz": attempt.quiz,
            "lesson": lesson,
            "course": lesson.module.course,
            "enrollment": selectors.enrollment_get(
                learner=request.user, course_id=lesson.module.course_id
            ),
            "error": error,
        },
        status=status,
    )


@login_required
@require_GET
def quiz_attempt_detail(request: HttpRequest, course_slug: str, attempt_id: int) -> HttpResponse:
    """A running attempt (questions, timer) or a graded one (score and per-question feedback)."""
    attempt = _attempt(request, course_slug, attempt_id)
    if attempt.submitted_at is None and attempt.seconds_left == 0:
        services.quiz_attempt_close_expired(attempt=attempt)
        attempt = _attempt(request, course_slug, attempt_id)
    return _attempt_page(request, attempt)


def _answers_from_form(request: HttpRequest, attempt: Any) -> dict[str, Any]:
    answers: dict[str, Any] = {}
    for question in attempt.drawn_questions:
        name = f"question-{question.pk}"
        if question.kind == Question.Kind.MULTIPLE:
            values = [_int_field(value) for value in request.POST.getlist(name)]
            answers[str(question.pk)] = [value for value in values if value is not None]
        elif question.kind == Question.Kind.SHORT_ANSWER:
            answers[str(question.pk)] = request.POST.get(name, "")
        else:
            raw = request.POST.get(name)
            answers[str(question.pk)] = _int_field(raw) if raw else None
    return answers


@login_required
@require_POST
def quiz_attempt_submit(request: HttpRequest, course_slug: str, attempt_id: int) -> HttpResponse:
    """Grade the attempt on the server and show the result."""
    attempt = _attempt(request, course_slug, attempt_id)
    try:
        services.quiz_attempt_submit(
            learner=request.user, attempt=attempt, answers=_answers_from_form(request, attempt)
        )
    except ApplicationError as error:
        if attempt.submitted_at is None and error.status_code == 400:
            return _attempt_page(request, attempt, error=error.message, status=422)
        messages.error(request, error.message)
    return redirect("courses:attempt", course_slug=course_slug, attempt_id=attempt_id)


# --- Dashboard, completion, certificates ----------------------------------------------------------


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    """My learning: courses in progress with a continue button, finished ones, certificates."""
    enrollments = list(selectors.enrollment_list_for_dashboard(user=request.user))
    certificates = {
        certificate.course_id: certificate
        for certificate in selectors.certificate_list_for_learner(user=request.user)
    }
    for enrollment in enrollments:
        enrollment.certificate = certificates.get(enrollment.course_id)
    return render(
        request,
        "courses/dashboard.html",
        {
            "in_progress": [e for e in enrollments if e.completed_at is None],
            "completed": [e for e in enrollments if e.completed_at is not None],
        },
    )


@login_required
@require_GET
def course_complete(request: HttpRequest, slug: str) -> HttpResponse:
    """The "you finished" page, with the certificate."""
    try:
        course = selectors.course_get(user=request.user, slug=slug)
    except NotFoundError as error:
        raise _not_found(error) from error
    enrollment = selectors.enrollment_get(learner=request.user, course_id=course.pk)
    if enrollment is None or enrollment.completed_at is None:
        messages.info(request, "Finish every lesson to complete this course.")
        return redirect("courses:detail", slug=slug)
    certificate = services.certificate_issue(enrollment=enrollment)
    return render(
        request,
        "courses/course_complete.html",
        {"course": course, "enrollment": enrollment, "certificate": certificate},
    )


def _certificate(public_id: UUID) -> Any:
    try:
        return selectors.certificate_get_public(public_id=public_id)
    except NotFoundError as error:
        raise _not_found(error) from error


@require_GET
def certificate_verify(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """Public: anyone holding the link can check that the certificate is genuine."""
    certificate = _certificate(public_id)
    return render(request, "courses/certificate_verify.html", {"certificate": certificate})


@require_GET
def certificate_pdf(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """The certificate as a PDF (as public as its verification page)."""
    certificate = _certificate(public_id)
    verify_url = request.build_absolute_uri(certificate.get_absolute_url())
    response = HttpResponse(
        certificate_pdf_render(certificate=certificate, verify_url=verify_url),
        content_type="application/pdf",
    )
    response["Content-Disposition"] = (
        f'attachment; filename="lumen-certificate-{certificate.public_id}.pdf"'
    )
    return response
