"""The help center's pages: wiring, permissions per role, htmx partials and query budgets."""

from __future__ import annotations

import datetime as dt
import re
from html import unescape

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User
from courses.models import Course
from courses.tests.factories import CourseFactory, EnrollmentFactory
from qa import reputation, services
from qa.models import Answer, Category, Comment, Flag, Question, StarRating
from qa.tests.factories import (
    InstructorFactory,
    StudentFactory,
    forget_cache,
    make_answer,
    make_question,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_staff_mfa")]


def _client(user: User | None = None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _assert_csp_clean(html: str) -> None:
    """No inline styles or scripts: the Content Security Policy would block them."""
    assert " style=" not in html
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
    assert not re.search(r"\son[a-z]+=", html)


def _queries(client: Client, url: str, **headers) -> tuple[int, object]:
    forget_cache()  # every measured visit is a first visit, so the view is counted each time
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, **headers)
    assert response.status_code == 200
    return len(captured), response


# --- list -------------------------------------------------------------------------------------


def test_the_list_page_shows_questions_with_reputation_and_filters(
    question: Question, answer: Answer
) -> None:
    response = _client().get(reverse("qa:list"))

    html = response.content.decode()
    assert response.status_code == 200
    assert question.title in html
    assert "1 answer" in html
    assert 'aria-label="Help center"' in html
    assert 'id="question-results"' in html
    _assert_csp_clean(html)


def test_the_list_page_runs_a_fixed_number_of_queries(categories: dict[str, Category]) -> None:
    client = _client(StudentFactory())

    def populate(count: int) -> None:
        for index in range(count):
            question = make_question(category=categories["python"], tags=["django", f"t{index}"])
            make_answer(question=question)

    populate(2)
    few, _ = _queries(client, reverse("qa:list"))
    populate(18)
    many, response = _queries(client, reverse("qa:list"))

    assert response.content.decode().count('class="qa-question-card card"') == 20
    assert many == few
    assert many <= 12


def test_the_list_page_runs_the_same_queries_however_many_answers_each_question_has(
    categories: dict[str, Category],
) -> None:
    client = _client(StudentFactory())
    questions = [make_question(category=categories["python"], tags=["django"]) for _ in range(3)]
    for question in questions:
        make_answer(question=question)
    few, _ = _queries(client, reverse("qa:list"))
    for question in questions:
        answers = [make_answer(question=question) for _ in range(6)]
        for answer in answers:
            services.answer_star(answer=answer, rater=StudentFactory(), stars=4)
        services.answer_accept(answer=answers[0], actor=question.asker)
    many, response = _queries(client, reverse("qa:list"))

    assert response.content.decode().count("7 answers") == 3
    assert many == few


def test_the_list_answers_htmx_with_the_results_partial_only(question: Question) -> None:
    response = _client().get(reverse("qa:list"), {"q": "docker"}, headers={"HX-Request": "true"})

    html = response.content.decode()
    assert html.lstrip().startswith('<div id="question-results"')
    assert "<html" not in html
    assert question.title in html
    assert "matching “docker”" in html


def test_the_list_is_paginated(categories: dict[str, Category]) -> None:
    for _ in range(21):
        make_question(category=categories["design"])

    first = _client().get(reverse("qa:list"), {"category": "design"}).content.decode()
    second = _client().get(reverse("qa:list"), {"category": "design", "page": 2}).content.decode()

    assert "Page 1 of 2" in first
    assert "category=design&amp;page=2" in first
    assert second.count('class="qa-question-card card"') == 1


def test_the_course_menu_lists_the_viewers_own_courses_and_any_course_still_filters() -> None:
    taking = CourseFactory(title="Course the learner takes")
    teaching = CourseFactory(title="Course the learner teaches")
    other = CourseFactory(title="Someone else's course")
    draft = CourseFactory(title="A draft they take", status=Course.Status.DRAFT)
    learner = StudentFactory()
    EnrollmentFactory(learner=learner, course=taking)
    EnrollmentFactory(learner=learner, course=draft)
    teaching.instructors.add(learner)
    make_question(title="A question about the other course", course=other)

    def course_options(html: str) -> list[str]:
        menu = re.search(r'<select name="course"[^>]*>(.*?)</select>', html, re.S).group(1)
        return [unescape(label) for label in re.findall(r"<option[^>]*>([^<]*)</option>", menu)]

    anonymous = _client().get(reverse("qa:list")).content.decode()
    signed_in = _client(learner).get(reverse("qa:list")).content.decode()
    filtered = _client(learner).get(reverse("qa:list"), {"course": other.pk}).content.decode()

    # The menu does not grow with the catalog: the viewer's courses (published), not every one.
    assert course_options(anonymous) == ["Any course"]
    assert course_options(signed_in) == [
        "Any course",
        "Course the learner takes",
        "Course the learner teaches",
    ]
    # A course page links here for its own questions: the chosen course is listed and filters.
    assert course_options(filtered) == [
        "Any course",
        "Course the learner takes",
        "Course the learner teaches",
        "Someone else's course",
    ]
    assert f'<option value="{other.pk}" selected>' in filtered
    assert "A question about the other course" in filtered
    assert "1 question" in filtered
    filtered_quiet = _client().get(reverse("qa:list"), {"course": taking.pk}).content.decode()
    assert course_options(filtered_quiet) == ["Any course", "Course the learner takes"]
    assert "0 questions" in filtered_quiet


# --- detail -------------------------------------------------------------------------------------


def test_the_detail_page_shows_the_question_answers_and_rating_controls(
    question: Question, answer: Answer, other_student: User
) -> None:
    response = _client(other_student).get(reverse("qa:detail", args=[question.pk]))

    html = response.content.decode()
    assert response.status_code == 200
    assert question.body_html in html
    assert f'id="answer-rating-{answer.pk}"' in html
    # A real radio group in a fieldset with a legend, and a submit button.
    assert "<legend>Rate this answer</legend>" in html
    assert html.count('name="stars" value=') == 5
    assert 'type="radio"' in html
    assert "Award XP" not in html  # only the asker awards XP
    _assert_csp_clean(html)


def test_the_asker_sees_the_xp_award_and_accept_controls(
    question: Question, answer: Answer, asker: User
) -> None:
    html = _client(asker).get(reverse("qa:detail", args=[question.pk])).content.decode()

    assert "<legend>Award XP to this answer</legend>" in html
    assert html.count('name="xp" value=') == 10
    assert "Accept this answer" in html
    assert "<legend>Rate this answer</legend>" in html  # the asker may also rate with stars


def test_the_author_sees_no_rating_controls_on_their_own_answer(
    question: Question, answer: Answer, answerer: User
) -> None:
    html = _client(answerer).get(reverse("qa:detail", args=[question.pk])).content.decode()

    assert "Rate this answer" not in html
    assert "Award XP" not in html


def test_the_detail_page_runs_a_fixed_number_of_queries(question: Question, asker: User) -> None:
    client = _client(asker)

    def add_answers(count: int) -> None:
        for _ in range(count):
            answer = make_answer(question=question)
            services.answer_star(answer=answer, rater=StudentFactory(), stars=4)
            services.answer_star(answer=answer, rater=asker, stars=5)
            services.comment_create(author=answer.author, body="A comment", answer=answer)
        services.comment_create(author=asker, body="Question comment", question=question)

    add_answers(1)
    few, _ = _queries(client, reverse("qa:detail", args=[question.pk]))
    add_answers(12)
    many, response = _queries(client, reverse("qa:detail", args=[question.pk]))

    assert response.content.decode().count('class="qa-answer card') == 13
    assert many == few
    assert many <= 20


def test_hidden_questions_are_404_for_others(
    question: Question, admin_user: User, asker: User
) -> None:
    services.post_hide(post=question, moderator=admin_user)
    url = reverse("qa:detail", args=[question.pk])

    assert _client().get(url).status_code == 404
    assert _client(StudentFactory()).get(url).status_code == 404
    assert (
        "Only its asker and moderators can see this question."
        in _client(asker).get(url).content.decode()
    )
    assert _client(admin_user).get(url).status_code == 200


def test_views_are_counted_once_per_viewer(question: Question) -> None:
    client = _client(StudentFactory())
    client.get(reverse("qa:detail", args=[question.pk]))
    client.get(reverse("qa:detail", args=[question.pk]))

    question.refresh_from_db()
    assert question.view_count == 1


# --- asking -----------------------------------------------------------------------------------


def test_asking_needs_an_account() -> None:
    response = _client().get(reverse("qa:ask"))

    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_the_ask_form_suggests_similar_questions_while_typing(
    question: Question, asker: User
) -> None:
    page = _client(asker).get(reverse("qa:ask")).content.decode()
    assert f'hx-get="{reverse("qa:similar")}"' in page
    assert 'hx-target="#similar-questions"' in page
    _assert_csp_clean(page)

    partial = (
        _client(asker)
        .get(
            reverse("qa:similar"),
            {"title": "docker container exits"},
            headers={"HX-Request": "true"},
        )
        .content.decode()
    )

    assert partial.lstrip().startswith('<div id="similar-questions">')
    assert question.title in partial


def test_asking_without_a_category_files_the_question_and_says_why(
    asker: User, categories: dict[str, Category]
) -> None:
    response = _client(asker).post(
        reverse("qa:ask"),
        {
            "title": "pandas groupby then sum two columns",
            "body": "How do I group my DataFrame by region and sum sales and profit?",
            "tags": "pandas, groupby",
        },
        follow=True,
    )

    question = Question.objects.get()
    assert response.redirect_chain == [(reverse("qa:detail", args=[question.pk]), 302)]
    assert question.category == categories["data"]
    assert (
        "Your question is posted under Data. Chosen by the classifier" in response.content.decode()
    )


def test_an_invalid_question_is_shown_again_with_422_and_field_errors(asker: User) -> None:
    response = _client(asker).post(reverse("qa:ask"), {"title": "short", "body": ""})

    html = response.content.decode()
    assert response.status_code == 422
    assert 'aria-invalid="true"' in html
    assert "Ensure this value has at least 10 characters" in html
    assert not Question.objects.exists()


def test_answering_from_the_page(question: Question, answerer: User) -> None:
    response = _client(answerer).post(
        reverse("qa:answer", args=[question.pk]), {"body": "Use exec in your entrypoint."}
    )

    answer = Answer.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('qa:detail', args=[question.pk])}#answer-{answer.pk}"


# --- rating through htmx ------------------------------------------------------------------------


def test_rating_with_htmx_swaps_the_rating_region(answer: Answer, other_student: User) -> None:
    response = _client(other_student).post(
        reverse("qa:answer_star", args=[answer.pk]), {"stars": "4"}, headers={"HX-Request": "true"}
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith(f'<div id="answer-rating-{answer.pk}"')
    assert "<strong>4.0</strong> out of 5 from 1 rating" in html
    assert "Your rating: 4 stars. Change it" in html
    assert 'hx-swap-oob="true"' in html
    assert "You rated this answer 4 of 5 stars." in html
    assert StarRating.objects.get().stars == 4


def test_rating_without_htmx_redirects_back_to_the_answer(
    answer: Answer, other_student: User
) -> None:
    response = _client(other_student).post(
        reverse("qa:answer_star", args=[answer.pk]), {"stars": "2"}
    )

    assert response.status_code == 302
    assert response["Location"].endswith(f"#answer-{answer.pk}")
    assert StarRating.objects.get().stars == 2


def test_an_invalid_rating_answers_422_and_changes_nothing(
    answer: Answer, other_student: User
) -> None:
    response = _client(other_student).post(
        reverse("qa:answer_star", args=[answer.pk]), {"stars": "9"}, headers={"HX-Request": "true"}
    )

    assert response.status_code == 422
    assert "Choose from 1 to 5 stars." in response.content.decode()
    assert not StarRating.objects.exists()


def test_rating_your_own_answer_shows_the_rule(answer: Answer, answerer: User) -> None:
    response = _client(answerer).post(
        reverse("qa:answer_star", args=[answer.pk]), {"stars": "5"}, follow=True
    )

    assert "You cannot rate your own answer." in response.content.decode()
    assert not StarRating.objects.exists()


def test_only_the_asker_accepts_from_the_page(
    answer: Answer, asker: User, other_student: User
) -> None:
    url = reverse("qa:answer_accept", args=[answer.pk])
    refused = _client(other_student).post(url, follow=True)
    assert (
        "Only the person who asked this question can accept an answer." in refused.content.decode()
    )
    assert not Answer.objects.get(pk=answer.pk).is_accepted

    _client(asker).post(url)
    assert Answer.objects.get(pk=answer.pk).is_accepted


# --- moderation and roles -----------------------------------------------------------------------


def test_the_moderation_queue_is_for_instructors_and_admins(
    instructor: User, admin_user: User
) -> None:
    assert _client(StudentFactory()).get(reverse("qa:moderation")).status_code == 404
    assert _client(instructor).get(reverse("qa:moderation")).status_code == 200
    assert _client(admin_user).get(reverse("qa:moderation")).status_code == 200


def test_an_instructor_sees_and_resolves_flags_on_their_courses_only(instructor: User) -> None:
    own = make_question(course=CourseFactory(instructors=[instructor]))
    foreign = make_question(course=CourseFactory())
    own_flag = services.post_flag(flagger=StudentFactory(), post=own, reason="spam")
    services.post_flag(flagger=StudentFactory(), post=foreign, reason="spam")

    page = _client(instructor).get(reverse("qa:moderation")).content.decode()
    assert own.title in page
    assert foreign.title not in page

    _client(instructor).post(reverse("qa:flag_resolve", args=[own_flag.pk]), {"decision": "uphold"})
    own.refresh_from_db()
    assert own.is_hidden
    assert Flag.objects.get(pk=own_flag.pk).status == Flag.Status.UPHELD


def test_a_student_cannot_hide_posts(question: Question, other_student: User) -> None:
    response = _client(other_student).post(
        reverse("qa:moderate", args=["question", question.pk]), {"action": "hide"}, follow=True
    )

    assert "Only the course's instructors and admins can moderate this question." in unescape(
        response.content.decode()
    )
    question.refresh_from_db()
    assert not question.is_hidden


def test_flagging_from_the_page(answer: Answer, other_student: User) -> None:
    response = _client(other_student).post(
        reverse("qa:flag", args=["answer", answer.pk]), {"reason": "spam"}, follow=True
    )

    assert "Thanks, a moderator will look at it." in response.content.decode()
    assert Flag.objects.get().answer == answer


def test_commenting_from_the_page_respects_privileges(
    question: Question, asker: User, other_student: User
) -> None:
    url = reverse("qa:question_comment", args=[question.pk])
    refused = _client(other_student).post(url, {"body": "Me too"}, follow=True)
    assert "You need 15 reputation to comment" in refused.content.decode()

    _client(asker).post(url, {"body": "More details: Docker 27."})
    assert list(Comment.objects.values_list("body", flat=True)) == ["More details: Docker 27."]


# --- follows, profiles, other pages -------------------------------------------------------------


def test_following_a_category_and_choosing_the_digest(
    other_student: User, categories: dict[str, Category]
) -> None:
    client = _client(other_student)
    client.post(reverse("qa:follow"), {"category": "python", "next": reverse("qa:list")})
    response = client.post(reverse("qa:following"), {"frequency": "daily"}, follow=True)

    html = response.content.decode()
    assert "Category: <a" in html
    assert "Python" in html
    assert other_student.qa_digest.frequency == "daily"
    assert other_student.qa_follows.get().category == categories["python"]


def test_a_member_profile_shows_reputation_and_privileges(answer: Answer, answerer: User) -> None:
    services.answer_star(answer=answer, rater=StudentFactory(), stars=5)

    html = _client().get(reverse("qa:user", args=[answerer.pk])).content.decode()

    assert '<strong class="qa-reputation-total">5</strong> reputation' in html
    assert 'Comment everywhere: <span class="muted">not yet</span>' in html


def test_the_privileges_page_documents_the_thresholds() -> None:
    html = _client().get(reverse("qa:privileges")).content.decode()

    assert "<td>200</td><td>Edit others&#x27; posts</td>" in html
    assert "At most <strong>200</strong> reputation a day" in html


def test_edit_pages_need_the_privilege(
    question: Question, other_student: User, asker: User
) -> None:
    url = reverse("qa:edit", args=[question.pk])
    refused = _client(other_student).post(
        url, {"title": "A brand new title here", "body": question.body}, follow=True
    )
    assert "You need 200 reputation to edit other people&#x27;s posts" in refused.content.decode()

    _client(asker).post(url, {"title": "A brand new title here", "body": question.body})
    question.refresh_from_db()
    assert question.title == "A brand new title here"
    history = _client().get(reverse("qa:history", args=[question.pk])).content.decode()
    assert "Revision 2" in history
    assert "Revision 1" in history


def test_instructors_moderate_from_the_detail_page(instructor: User) -> None:
    question = make_question(course=CourseFactory(instructors=[instructor]))
    answer = make_answer(question=question)
    client = _client(instructor)

    html = client.get(reverse("qa:detail", args=[question.pk])).content.decode()
    assert 'Hide<span class="visually-hidden"> answer by' in html

    client.post(reverse("qa:moderate", args=["answer", answer.pk]), {"action": "hide"})
    assert Answer.objects.get(pk=answer.pk).is_hidden
    assert answer.author == Answer.objects.get(pk=answer.pk).author
    assert InstructorFactory  # other instructors are covered in the service tests


def test_the_asker_awards_xp_with_htmx(answer: Answer, asker: User, answerer: User) -> None:
    from qa.tests.ledger import ledger_total

    response = _client(asker).post(
        reverse("qa:answer_rate", args=[answer.pk]), {"xp": "7"}, headers={"HX-Request": "true"}
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith(f'<div id="answer-rating-{answer.pk}"')
    assert "The asker awarded <strong>7 XP</strong>." in html
    assert "You awarded 7 XP. Change it" in html
    assert f"You awarded 7 XP to {answerer.name}&#x27;s answer." in html
    assert ledger_total(answerer) == 7


def test_someone_else_cannot_award_xp_from_the_page(answer: Answer, other_student: User) -> None:
    response = _client(other_student).post(
        reverse("qa:answer_rate", args=[answer.pk]), {"xp": "7"}, follow=True
    )

    assert "Only the person who asked this question can award XP" in response.content.decode()
    assert not answer.__class__.objects.filter(xp_award__isnull=False).exists()


def test_following_a_courses_questions_from_the_filtered_list(other_student: User) -> None:
    course = CourseFactory()
    client = _client(other_student)
    page = client.get(reverse("qa:list"), {"course": course.pk}).content.decode()
    assert "Follow this course's questions" in page

    client.post(
        reverse("qa:follow"), {"course": course.pk, "next": f"/questions/?course={course.pk}"}
    )

    assert other_student.qa_follows.get().course == course
    page = client.get(reverse("qa:list"), {"course": course.pk}).content.decode()
    assert "Unfollow this course's questions" in page


# --- history, the award's window, reputation next to names ----------------------------------


def test_the_answer_history_page_lists_every_version(answer: Answer, answerer: User) -> None:
    services.answer_update(
        answer=answer, editor=answerer, body="Run the server with exec in start.sh.", note="file"
    )

    html = _client().get(reverse("qa:answer_history", args=[answer.pk])).content.decode()
    detail = _client().get(reverse("qa:detail", args=[answer.question_id])).content.decode()

    assert "<h1>History of an answer</h1>" in html
    assert html.index("Revision 2") < html.index("Revision 1")  # newest first
    assert "Run the server with exec in start.sh." in html
    assert "Run the server with exec.</pre>" in html
    assert "file by Ben Answerer" in html
    assert f'href="{reverse("qa:answer_history", args=[answer.pk])}">edited</a>' in detail


def test_after_the_window_the_asker_sees_the_award_but_can_no_longer_change_it(
    answer: Answer, asker: User
) -> None:
    start = dt.datetime(2026, 5, 4, 12, 0, tzinfo=dt.UTC)
    url = reverse("qa:detail", args=[answer.question_id])
    with time_machine.travel(start, tick=False):
        services.answer_rate(answer=answer, asker=asker, xp=8)
        within = _client(asker).get(url).content.decode()
    with time_machine.travel(start + reputation.XP_AWARD_CHANGE_WINDOW, tick=False):
        after = _client(asker).get(url).content.decode()
        refused = _client(asker).post(
            reverse("qa:answer_rate", args=[answer.pk]), {"xp": "10"}, follow=True
        )

    assert "You awarded 8 XP. Change it" in within
    assert "you can change it within 10 minutes" in within
    assert "The asker awarded <strong>8 XP</strong>." in after
    assert 'name="xp"' not in after
    assert "it could only be changed within 10 minutes." in refused.content.decode()
    assert answer.__class__.objects.get(pk=answer.pk).xp_award.amount == 8


def test_reputation_is_shown_next_to_every_name(
    question: Question, answer: Answer, asker: User, answerer: User
) -> None:
    services.answer_star(answer=answer, rater=StudentFactory(), stars=5)  # +5 to the answerer
    services.answer_accept(answer=answer, actor=asker)  # +15 to the answerer, +2 to the asker
    services.comment_create(author=asker, body="Thanks, that fixed it!", answer=answer)

    detail = _client().get(reverse("qa:detail", args=[question.pk])).content.decode()
    listing = _client().get(reverse("qa:list")).content.decode()

    def name_with(member: User, points: int) -> str:
        return (
            f'<a href="{reverse("qa:user", args=[member.pk])}">{member.name}</a> '
            f'<span class="qa-user__reputation"><span class="visually-hidden">reputation </span>'
            f'<abbr title="reputation">rep</abbr> {points}</span>'
        )

    assert name_with(answerer, 20) in detail  # the answer's byline
    assert detail.count(name_with(asker, 2)) == 2  # the question's byline and the comment
    assert name_with(asker, 2) in listing


def test_a_hidden_comment_stays_visible_to_the_courses_instructor_to_show_it_again(
    instructor: User,
) -> None:
    question = make_question(course=CourseFactory(instructors=[instructor]))
    answer = make_answer(question=question)
    comment = services.comment_create(author=answer.author, body="Buy cheap pills", answer=answer)
    services.post_hide(post=comment, moderator=instructor)
    url = reverse("qa:detail", args=[question.pk])

    for_instructor = _client(instructor).get(url).content.decode()
    for_others = _client(StudentFactory()).get(url).content.decode()
    _client(instructor).post(
        reverse("qa:moderate", args=["comment", comment.pk]), {"action": "unhide"}
    )

    assert "Buy cheap pills" in for_instructor
    assert '<span class="badge">Hidden</span> Buy cheap pills' in for_instructor
    assert "Buy cheap pills" not in for_others
    assert Comment.objects.get(pk=comment.pk).is_hidden is False


@pytest.mark.parametrize(
    "target",
    [{"question": "abc"}, {"course": "1; drop"}, {"category": "python\x00"}, {"category": "a/b"}],
)
def test_following_something_that_cannot_exist_is_404_never_500(
    target: dict[str, str], other_student: User, categories: dict[str, Category]
) -> None:
    response = _client(other_student).post(reverse("qa:follow"), target)

    assert response.status_code == 404
    assert not other_student.qa_follows.exists()


def test_the_list_page_filters_and_sorts(categories: dict[str, Category]) -> None:
    course = CourseFactory()
    old = make_question(title="Old pandas question with answers", category=categories["data"])
    rated = make_answer(question=old)
    services.answer_star(answer=rated, rater=StudentFactory(), stars=5)
    make_question(title="Unanswered docker question", category=categories["devops"], tags=["k8s"])
    about_course = make_question(title="Question about the course", course=course)
    services.comment_create(author=about_course.asker, body="Still stuck", question=about_course)
    services.answer_update(answer=rated, editor=rated.author, body="Updated: use groupby.")

    def titles(**params: object) -> list[str]:
        html = _client().get(reverse("qa:list"), params).content.decode()
        return re.findall(r'class="qa-question-card__title"><a href="[^"]+">([^<]+)</a>', html)

    assert titles() == [
        "Question about the course",
        "Unanswered docker question",
        "Old pandas question with answers",
    ]
    assert titles(category="devops") == ["Unanswered docker question"]
    assert titles(tag="k8s") == ["Unanswered docker question"]
    assert titles(course=course.pk) == ["Question about the course"]
    assert titles(unanswered="on") == ["Question about the course", "Unanswered docker question"]
    assert titles(sort="votes")[0] == "Old pandas question with answers"
    assert titles(sort="active")[0] == "Old pandas question with answers"
    assert titles(q="pandas") == ["Old pandas question with answers"]
