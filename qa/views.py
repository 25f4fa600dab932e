"""The help center's pages. Thin: validate with a form, call a service, show its message.

htmx convention (as everywhere in Lumen): a region is an inline partial of its page, rendered as
"page.html#partial" when `request.htmx`; an invalid form answers 422 with the partial re-rendered.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from accounts.models import User
from core.exceptions import ApplicationError, NotFoundError
from core.http import safe_next_url
from core.pagination import CachedCountPaginator
from core.roles import Role
from courses.models import Course
from qa import reputation, selectors, services
from qa.forms import (
    AnswerEditForm,
    AnswerForm,
    CloseForm,
    CommentForm,
    DigestForm,
    FlagForm,
    QuestionEditForm,
    QuestionFilterForm,
    QuestionForm,
    StarRatingForm,
    XpAwardForm,
)
from qa.models import Answer, Category, Comment, Flag, Question, XpAward

PAGE_SIZE = 20
SLUG = re.compile(r"[-a-zA-Z0-9_]{1,80}")


# --- helpers ----------------------------------------------------------------------------------


def _signed_in(request: HttpRequest) -> bool:
    return bool(request.user.is_authenticated)


def _viewer_key(request: HttpRequest) -> str:
    """Who is viewing, for counting views: the user, else the session, else a hashed address."""
    if request.user.is_authenticated:
        return f"user:{request.user.pk}"
    if request.session.session_key:
        return f"session:{request.session.session_key}"
    address = request.META.get("REMOTE_ADDR", "")
    return f"address:{hashlib.sha256(address.encode()).hexdigest()[:16]}" if address else ""


def _question_or_404(request: HttpRequest, question_id: int) -> Question:
    try:
        return selectors.question_get(question_id=question_id, viewer=request.user)
    except NotFoundError as error:
        raise Http404(error.message) from error


def _answer_or_404(request: HttpRequest, answer_id: int) -> Answer:
    try:
        return selectors.answer_get(answer_id=answer_id, viewer=request.user)
    except NotFoundError as error:
        raise Http404(error.message) from error


def _back_to(question_id: int, anchor: str = "") -> HttpResponseRedirect:
    url = reverse("qa:detail", args=[question_id])
    return redirect(f"{url}#{anchor}" if anchor else url)


def _form_errors(form: Any) -> str:
    return " ".join(str(error) for errors in form.errors.values() for error in errors)


def _viewer_context(request: HttpRequest, question: Question) -> dict[str, Any]:
    """What the viewer may do on this question's page (the services enforce it again)."""
    user = request.user
    signed_in = _signed_in(request)
    points = selectors.user_reputation_points(user=user) if signed_in else 0
    privileges = selectors.user_privileges(user=user, points=points)
    is_moderator = selectors.user_can_moderate_question(user, question) if signed_in else False
    is_asker = signed_in and user.pk == question.asker_id
    return {
        "signed_in": signed_in,
        "viewer_points": points,
        "privileges": privileges,
        "is_moderator": is_moderator,
        "is_asker": is_asker,
        "can_edit_question": is_asker or privileges["edit"] or is_moderator,
        "can_close_question": is_asker or privileges["close"] or is_moderator,
        "can_comment_question": is_asker or privileges["comment"] or is_moderator,
        "comment_threshold": reputation.PRIVILEGE_THRESHOLDS["comment"],
    }


def _decorate_answer(
    answer: Answer, *, request: HttpRequest, question: Question, viewer: dict[str, Any]
) -> Answer:
    """Attach what the viewer may do with this answer, for the template."""
    user = request.user
    signed_in = viewer["signed_in"]
    is_author = signed_in and user.pk == answer.author_id
    award = _award_of(answer)
    answer.award = award  # type: ignore[attr-defined]
    answer.is_own = is_author  # type: ignore[attr-defined]
    answer.can_star = signed_in and not is_author and not answer.is_hidden  # type: ignore[attr-defined]
    answer.can_award_xp = (  # type: ignore[attr-defined]
        viewer["is_asker"]
        and not is_author
        and not answer.is_hidden
        and selectors.xp_award_is_changeable(award)
    )
    answer.can_accept = viewer["is_asker"] and not answer.is_hidden  # type: ignore[attr-defined]
    answer.can_edit = is_author or viewer["privileges"]["edit"] or viewer["is_moderator"]  # type: ignore[attr-defined]
    answer.can_delete = viewer["is_moderator"] or (  # type: ignore[attr-defined]
        is_author and not answer.is_accepted and award is None
    )
    answer.can_comment = (  # type: ignore[attr-defined]
        is_author or viewer["is_asker"] or viewer["privileges"]["comment"] or viewer["is_moderator"]
    )
    answer.can_flag = signed_in and not is_author  # type: ignore[attr-defined]
    answer.star_form = StarRatingForm(  # type: ignore[attr-defined]
        initial={"stars": getattr(answer, "viewer_stars", None)}, auto_id=f"id_a{answer.pk}_%s"
    )
    answer.xp_form = XpAwardForm(  # type: ignore[attr-defined]
        initial={"xp": award.amount if award else None}, auto_id=f"id_a{answer.pk}x_%s"
    )
    return answer


def _award_of(answer: Answer) -> XpAward | None:
    try:
        return answer.xp_award
    except XpAward.DoesNotExist:
        return None


def _render_rating(request: HttpRequest, answer_id: int, status: int = 200) -> HttpResponse:
    """The rating region of one answer (htmx), freshly read."""
    answer = _answer_or_404(request, answer_id)
    question = answer.question
    viewer = _viewer_context(request, question)
    answer = selectors.answer_list_for_question(question=question, viewer=request.user).get(
        pk=answer_id
    )
    answer.viewer_stars = selectors.star_ratings_by_user(  # type: ignore[attr-defined]
        user=request.user, answer_ids=[answer.pk]
    ).get(answer.pk)
    _decorate_answer(answer, request=request, question=question, viewer=viewer)
    context = {"answer": answer, "question": question, **viewer, "messages_oob": True}
    return render(request, "qa/question_detail.html#answer-rating", context, status=status)


# --- browsing ---------------------------------------------------------------------------------


@require_GET
def question_list(request: HttpRequest) -> HttpResponse:
    """/questions/: search, filter, sort and page through the questions."""
    form = QuestionFilterForm(request.GET or None, viewer=request.user)
    filters = selectors.QuestionFilters()
    course = None
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        course = data["course"]
        filters = selectors.QuestionFilters(
            search=data["q"],
            category=data["category"].slug if data["category"] else "",
            tag=data["tag"],
            course=data["course"].pk if data["course"] else None,
            unanswered=data["unanswered"],
            sort=data["sort"],
        )
    questions = selectors.question_list(viewer=request.user, filters=filters)
    page = CachedCountPaginator(questions, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "questions": page.object_list,
        "filters": filters,
        "course": course,
        "query_string": query.urlencode(),
    }
    if request.htmx:
        return render(request, "qa/question_list.html#question-results", context)
    context["categories"] = selectors.category_list()
    context["followed"] = selectors.follow_targets(user=request.user)
    return render(request, "qa/question_list.html", context)


@require_GET
def question_detail(request: HttpRequest, question_id: int) -> HttpResponse:
    """/questions/<id>/: the question, its comments and its ranked answers."""
    question = _question_or_404(request, question_id)
    if services.question_view_record(question=question, viewer_key=_viewer_key(request)):
        question.view_count += 1
    viewer = _viewer_context(request, question)
    answers = list(selectors.answer_list_for_question(question=question, viewer=request.user))
    my_stars = selectors.star_ratings_by_user(
        user=request.user, answer_ids=[answer.pk for answer in answers]
    )
    for answer in answers:
        answer.viewer_stars = my_stars.get(answer.pk)  # type: ignore[attr-defined]
        _decorate_answer(answer, request=request, question=question, viewer=viewer)
    followed = selectors.follow_targets(user=request.user)
    context = {
        "question": question,
        "answers": answers,
        "comments": list(selectors.question_comment_list(question=question, viewer=request.user)),
        "is_following": question.pk in followed["question"],
        "answer_form": AnswerForm(),
        "comment_form": CommentForm(),
        "flag_form": FlagForm(),
        "close_form": CloseForm(),
        "xp_window_minutes": int(reputation.XP_AWARD_CHANGE_WINDOW.total_seconds() // 60),
        "bounty": selectors.bounty_panel(question=question, viewer=request.user),
        **viewer,
    }
    return render(request, "qa/question_detail.html", context)


@require_GET
def question_similar(request: HttpRequest) -> HttpResponse:
    """htmx: questions like the title being typed (possible duplicates)."""
    title = request.GET.get("title", "")[:200]
    similar = selectors.question_similar_list(title=title, viewer=request.user)
    return render(
        request,
        "qa/question_form.html#similar-questions",
        {"similar": similar, "title": title},
    )


@require_GET
def question_history(request: HttpRequest, question_id: int) -> HttpResponse:
    """Every version of the question and of its answers."""
    question = _question_or_404(request, question_id)
    revisions = list(selectors.question_revision_list(question=question))
    return render(
        request, "qa/question_history.html", {"question": question, "revisions": revisions}
    )


@require_GET
def answer_history(request: HttpRequest, answer_id: int) -> HttpResponse:
    answer = _answer_or_404(request, answer_id)
    revisions = list(selectors.answer_revision_list(answer=answer))
    return render(
        request,
        "qa/question_history.html",
        {"question": answer.question, "answer": answer, "revisions": revisions},
    )


@require_GET
def user_profile(request: HttpRequest, user_id: int) -> HttpResponse:
    """A member's help-center profile: reputation, privileges and recent answers."""
    member = get_object_or_404(User, pk=user_id, is_active=True)
    summary = selectors.user_profile_summary(user=member)
    events = (
        list(selectors.reputation_event_list(user=member))
        if request.user.is_authenticated and request.user.pk == member.pk
        else []
    )
    return render(
        request,
        "qa/user_profile.html",
        {
            "member": member,
            "privilege_rows": [
                (privilege, summary["privileges"][privilege.code])
                for privilege in reputation.PRIVILEGES
            ],
            "reputation_events": events,
            **summary,
        },
    )


@require_GET
def privileges(request: HttpRequest) -> HttpResponse:
    """How reputation is earned and what it unlocks."""
    points = selectors.user_reputation_points(user=request.user) if _signed_in(request) else None
    return render(
        request,
        "qa/privileges.html",
        {
            "privilege_list": reputation.PRIVILEGES,
            "points": points,
            "rules": reputation,
            "star_points": sorted(reputation.STAR_POINTS.items()),
        },
    )


# --- asking and answering -------------------------------------------------------------------


@login_required
def question_create(request: HttpRequest) -> HttpResponse:
    """/questions/ask/: the ask form, with live duplicate suggestions."""
    initial = {key: request.GET[key] for key in ("course", "lesson", "title") if key in request.GET}
    form = QuestionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            question = services.question_create(
                asker=request.user,
                title=data["title"],
                body=data["body"],
                category=data["category"],
                tags=data["tags"],
                course=data["course"],
                lesson=data.get("lesson"),
            )
        except ApplicationError as error:
            _attach_error(form, error)
        else:
            if data["category"] is None and question.category_id:
                messages.success(
                    request,
                    f"Your question is posted under {question.category}. "
                    f"{question.category_explanation}",
                )
            else:
                messages.success(request, "Your question is posted.")
            return redirect(question)
    similar = (
        selectors.question_similar_list(title=form.data.get("title", ""), viewer=request.user)
        if form.is_bound
        else []
    )
    status = 422 if form.is_bound else 200
    return render(
        request,
        "qa/question_form.html",
        {"form": form, "similar": similar, "mode": "ask"},
        status=status,
    )


def _attach_error(form: Any, error: ApplicationError) -> None:
    if error.fields:
        for field, field_messages in error.fields.items():
            for message in field_messages:
                form.add_error(field if field in form.fields else None, message)
    else:
        form.add_error(None, error.message)


def _edit_refusal(request: HttpRequest, question: Question, author_id: int) -> str:
    """Why the user may not open this post's edit page ('' when they may): the form is not
    shown to someone whose edit the service would refuse."""
    if request.user.pk == author_id:
        return ""
    return selectors.privilege_refusal(
        user=request.user, code="edit", question=question, action="edit other people's posts"
    )


@login_required
def question_edit(request: HttpRequest, question_id: int) -> HttpResponse:
    question = _question_or_404(request, question_id)
    refusal = _edit_refusal(request, question, question.asker_id)
    if refusal:
        messages.error(request, refusal)
        return _back_to(question.pk)
    initial = {
        "title": question.title,
        "body": question.body,
        "category": question.category,
        "tags": " ".join(tag.name for tag in question.tags.all()),
    }
    form = QuestionEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.question_update(
                question=question,
                editor=request.user,
                title=data["title"],
                body=data["body"],
                category=data["category"],
                tags=data["tags"],
                note=data["note"],
            )
        except ApplicationError as error:
            if error.status_code == 403:
                messages.error(request, error.message)
                return _back_to(question.pk)
            _attach_error(form, error)
        else:
            messages.success(request, "Your edit is saved.")
            return _back_to(question.pk)
    status = 422 if form.is_bound else 200
    return render(
        request,
        "qa/question_form.html",
        {"form": form, "question": question, "mode": "edit", "similar": []},
        status=status,
    )


@login_required
@require_POST
def answer_create(request: HttpRequest, question_id: int) -> HttpResponse:
    question = _question_or_404(request, question_id)
    form = AnswerForm(request.POST)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return _back_to(question.pk, "answer-form")
    try:
        answer = services.answer_create(
            author=request.user, question=question, body=form.cleaned_data["body"]
        )
    except ApplicationError as error:
        messages.error(request, error.message)
        return _back_to(question.pk, "answer-form")
    messages.success(request, "Thanks for answering!")
    return _back_to(question.pk, f"answer-{answer.pk}")


@login_required
def answer_edit(request: HttpRequest, answer_id: int) -> HttpResponse:
    answer = _answer_or_404(request, answer_id)
    refusal = _edit_refusal(request, answer.question, answer.author_id)
    if refusal:
        messages.error(request, refusal)
        return _back_to(answer.question_id, f"answer-{answer.pk}")
    form = AnswerEditForm(request.POST or None, initial={"body": answer.body})
    if request.method == "POST" and form.is_valid():
        try:
            services.answer_update(
                answer=answer,
                editor=request.user,
                body=form.cleaned_data["body"],
                note=form.cleaned_data["note"],
            )
        except ApplicationError as error:
            if error.status_code == 403:
                messages.error(request, error.message)
                return _back_to(answer.question_id, f"answer-{answer.pk}")
            _attach_error(form, error)
        else:
            messages.success(request, "Your edit is saved.")
            return _back_to(answer.question_id, f"answer-{answer.pk}")
    status = 422 if form.is_bound else 200
    return render(request, "qa/answer_form.html", {"form": form, "answer": answer}, status=status)


@login_required
@require_POST
def question_delete(request: HttpRequest, question_id: int) -> HttpResponse:
    question = _question_or_404(request, question_id)
    try:
        services.question_delete(question=question, actor=request.user)
    except ApplicationError as error:
        messages.error(request, error.message)
        return _back_to(question.pk)
    messages.success(request, "The question was deleted.")
    return redirect("qa:list")


@login_required
@require_POST
def answer_delete(request: HttpRequest, answer_id: int) -> HttpResponse:
    answer = _answer_or_404(request, answer_id)
    try:
        services.answer_delete(answer=answer, actor=request.user)
    except ApplicationError as error:
        messages.error(request, error.message)
        return _back_to(answer.question_id, f"answer-{answer.pk}")
    messages.success(request, "The answer was deleted.")
    return _back_to(answer.question_id)


@login_required
@require_POST
def question_close(request: HttpRequest, question_id: int) -> HttpResponse:
    question = _question_or_404(request, question_id)
    form = CloseForm(request.POST)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return _back_to(question.pk)
    duplicate_of = None
    if form.cleaned_data["duplicate_of"]:
        duplicate_of = Question.objects.filter(
            pk=form.cleaned_data["duplicate_of"], is_hidden=False
        ).first()
    try:
        services.question_close(
            question=question,
            actor=request.user,
            reason=form.cleaned_data["reason"],
            duplicate_of=duplicate_of,
        )
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "The question is closed.")
    return _back_to(question.pk)


@login_required
@require_POST
def question_reopen(request: HttpRequest, question_id: int) -> HttpResponse:
    question = _question_or_404(request, question_id)
    try:
        services.question_reopen(question=question, actor=request.user)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "The question is open again.")
    return _back_to(question.pk)


# --- rating and accepting ---------------------------------------------------------------------


def _rating_response(
    request: HttpRequest, answer: Answer, error: str | None = None, invalid: bool = False
) -> HttpResponse:
    if error:
        messages.error(request, error)
    if request.htmx:
        return _render_rating(request, answer.pk, status=422 if invalid else 200)
    return _back_to(answer.question_id, f"answer-{answer.pk}")


@login_required
@require_POST
def answer_star(request: HttpRequest, answer_id: int) -> HttpResponse:
    """Rate an answer 1-5 stars (a second rating replaces the first)."""
    answer = _answer_or_404(request, answer_id)
    form = StarRatingForm(request.POST)
    if not form.is_valid():
        return _rating_response(request, answer, "Choose from 1 to 5 stars.", invalid=True)
    try:
        services.answer_star(answer=answer, rater=request.user, stars=form.cleaned_data["stars"])
    except ApplicationError as error:
        return _rating_response(request, answer, error.message)
    messages.success(request, f"You rated this answer {form.cleaned_data['stars']} of 5 stars.")
    return _rating_response(request, answer)


@login_required
@require_POST
def answer_rate(request: HttpRequest, answer_id: int) -> HttpResponse:
    """The asker awards an answer 1-10 XP."""
    answer = _answer_or_404(request, answer_id)
    form = XpAwardForm(request.POST)
    if not form.is_valid():
        return _rating_response(request, answer, "Choose from 1 to 10 XP.", invalid=True)
    try:
        services.answer_rate(answer=answer, asker=request.user, xp=form.cleaned_data["xp"])
    except ApplicationError as error:
        return _rating_response(request, answer, error.message)
    messages.success(
        request, f"You awarded {form.cleaned_data['xp']} XP to {answer.author.name}'s answer."
    )
    return _rating_response(request, answer)


@login_required
@require_POST
def answer_accept(request: HttpRequest, answer_id: int) -> HttpResponse:
    """The asker accepts an answer (or, with action=unaccept, withdraws the acceptance)."""
    answer = _answer_or_404(request, answer_id)
    unaccept = request.POST.get("action") == "unaccept"
    try:
        if unaccept:
            services.answer_unaccept(answer=answer, actor=request.user)
        else:
            services.answer_accept(answer=answer, actor=request.user)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            "You withdrew your acceptance." if unaccept else "You accepted this answer. Thanks!",
        )
    return _back_to(answer.question_id, f"answer-{answer.pk}")


@login_required
@require_POST
def bounty_offer(request: HttpRequest, question_id: int) -> HttpResponse:
    """The asker offers a bounty of their own XP on their open question."""
    question = _question_or_404(request, question_id)
    raw = request.POST.get("amount", "").strip()
    amount: object = int(raw) if raw.isdigit() else raw
    try:
        bounty = services.bounty_offer(question=question, sponsor=request.user, amount=amount)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            f"Your {bounty.amount} XP bounty is on until {bounty.expires_at:%d %B %Y, %H:%M} UTC.",
        )
    return _back_to(question.pk, "question-title")


# --- comments, flags, moderation, follows -----------------------------------------------------


@login_required
@require_POST
def comment_create(
    request: HttpRequest, question_id: int | None = None, answer_id: int | None = None
) -> HttpResponse:
    question = answer = None
    if answer_id is not None:
        answer = _answer_or_404(request, answer_id)
        thread_id, anchor = answer.question_id, f"answer-{answer.pk}"
    else:
        question = _question_or_404(request, question_id)  # type: ignore[arg-type]
        thread_id, anchor = question.pk, "question-comments"
    form = CommentForm(request.POST)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return _back_to(thread_id, anchor)
    try:
        services.comment_create(
            author=request.user, body=form.cleaned_data["body"], question=question, answer=answer
        )
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "Your comment is posted.")
    return _back_to(thread_id, anchor)


@login_required
@require_POST
def comment_delete(request: HttpRequest, comment_id: int) -> HttpResponse:
    comment = get_object_or_404(
        Comment.objects.select_related("question", "answer", "answer__question"), pk=comment_id
    )
    question = comment.question or comment.answer.question  # type: ignore[union-attr]
    _question_or_404(request, question.pk)
    try:
        services.comment_delete(comment=comment, actor=request.user)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "The comment was deleted.")
    return _back_to(question.pk)


POST_KINDS = {"question": Question, "answer": Answer, "comment": Comment}


def _post_or_404(request: HttpRequest, kind: str, post_id: int) -> tuple[Any, Question]:
    if kind == "question":
        question = _question_or_404(request, post_id)
        return question, question
    if kind == "answer":
        answer = _answer_or_404(request, post_id)
        return answer, answer.question
    if kind == "comment":
        comment = get_object_or_404(
            Comment.objects.select_related("question", "answer__question"), pk=post_id
        )
        question = comment.question or comment.answer.question  # type: ignore[union-attr]
        return comment, _question_or_404(request, question.pk)
    raise Http404("No such kind of post.")


@login_required
@require_POST
def post_flag(request: HttpRequest, kind: str, post_id: int) -> HttpResponse:
    post, question = _post_or_404(request, kind, post_id)
    form = FlagForm(request.POST)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return _back_to(question.pk)
    try:
        services.post_flag(
            flagger=request.user,
            post=post,
            reason=form.cleaned_data["reason"],
            note=form.cleaned_data["note"],
        )
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "Thanks, a moderator will look at it.")
    return _back_to(question.pk)


@login_required
@require_POST
def post_moderate(request: HttpRequest, kind: str, post_id: int) -> HttpResponse:
    """A moderator hides (action=hide) or shows again (action=unhide) a post."""
    post, question = _post_or_404(request, kind, post_id)
    try:
        if request.POST.get("action") == "unhide":
            services.post_unhide(post=post, moderator=request.user)
            messages.success(request, "The post is visible again.")
        else:
            services.post_hide(
                post=post, moderator=request.user, reason=request.POST.get("reason", "")[:200]
            )
            messages.success(request, "The post is hidden from everyone but its author.")
    except ApplicationError as error:
        messages.error(request, error.message)
    if kind == "question" and request.POST.get("next") == "moderation":
        return redirect("qa:moderation")
    return _back_to(question.pk)


@login_required
def moderation_queue(request: HttpRequest) -> HttpResponse:
    """Open flags on the posts the user moderates."""
    if request.user.role not in (Role.INSTRUCTOR, Role.ADMIN):
        raise Http404("Only instructors and admins moderate.")
    flags = list(selectors.flag_list_for_moderator(moderator=request.user)[:100])
    return render(request, "qa/moderation.html", {"flags": flags})


@login_required
@require_POST
def flag_resolve(request: HttpRequest, flag_id: int) -> HttpResponse:
    flag = get_object_or_404(Flag, pk=flag_id)
    try:
        services.flag_resolve(
            flag=flag, moderator=request.user, uphold=request.POST.get("decision") == "uphold"
        )
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "The flag is resolved.")
    return redirect("qa:moderation")


@login_required
@require_POST
def follow_toggle(request: HttpRequest) -> HttpResponse:
    """Follow or unfollow (action=unfollow) a question, a category or a course."""
    target: dict[str, Any] = {}
    for key in ("question", "course"):
        if request.POST.get(key) and not request.POST[key].isdigit():
            raise Http404(f"No such {key}.")
    if request.POST.get("category") and not SLUG.fullmatch(request.POST["category"]):
        raise Http404("No such category.")
    if request.POST.get("question"):
        target["question"] = _question_or_404(request, int(request.POST["question"]))
    elif request.POST.get("category"):
        target["category"] = get_object_or_404(Category, slug=request.POST["category"][:80])
    elif request.POST.get("course"):
        target["course"] = get_object_or_404(Course, pk=int(request.POST["course"]))
    try:
        if request.POST.get("action") == "unfollow":
            services.follow_delete(follower=request.user, **target)
            messages.success(request, "You no longer follow it.")
        else:
            services.follow_create(follower=request.user, **target)
            messages.success(request, "You follow it now; activity will be in your digest.")
    except ApplicationError as error:
        messages.error(request, error.message)
    return redirect(safe_next_url(request, request.POST.get("next"), "qa:following"))


@login_required
def following(request: HttpRequest) -> HttpResponse:
    """What the user follows, and how often their digest comes."""
    subscription = selectors.digest_subscription_get(user=request.user)
    form = DigestForm(
        request.POST or None,
        initial={
            "frequency": subscription.frequency,
            "notify_as_expert": subscription.notify_as_expert,
        },
    )
    if request.method == "POST" and form.is_valid():
        services.digest_subscription_update(
            user=request.user,
            frequency=form.cleaned_data["frequency"],
            notify_as_expert=form.cleaned_data["notify_as_expert"],
        )
        messages.success(request, "Your digest settings are saved.")
        return redirect("qa:following")
    return render(
        request,
        "qa/following.html",
        {
            "form": form,
            "follows": list(selectors.follow_list(user=request.user)),
            "categories": list(selectors.category_list()),
        },
        status=422 if form.is_bound else 200,
    )
