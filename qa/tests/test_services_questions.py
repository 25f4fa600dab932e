"""Asking, editing, closing, deleting questions; answers, acceptance and comments."""

from __future__ import annotations

import pytest

from accounts.models import User
from courses.models import Course
from courses.tests.factories import CourseFactory, LessonFactory
from qa import events, services
from qa.exceptions import (
    CannotDeleteError,
    InvalidInputError,
    NotAskerError,
    NotAuthorError,
    PrivilegeRequiredError,
    QuestionClosedError,
)
from qa.models import (
    Answer,
    Category,
    Comment,
    Follow,
    PostRevision,
    Question,
    ReputationEvent,
    UserReputation,
)
from qa.tests.factories import StudentFactory, forget_cache, make_answer, make_question

pytestmark = pytest.mark.django_db


def _reputation(user: User) -> int:
    return UserReputation.objects.filter(user=user).values_list("points", flat=True).first() or 0


def _give_reputation(user: User, points: int) -> None:
    UserReputation.objects.update_or_create(user=user, defaults={"points": points})


# --- asking -----------------------------------------------------------------------------------


def test_asking_renders_sanitised_markdown_and_keeps_a_first_revision(
    asker: User, categories: dict[str, Category]
) -> None:
    question = services.question_create(
        asker=asker,
        title="Why does my script tag not run?",
        body="**Bold** and <script>alert(1)</script> and [x](javascript:alert(1))",
        category=categories["javascript"],
        tags=["JavaScript", "#dom", "dom"],
    )

    assert "<strong>Bold</strong>" in question.body_html
    assert "<script" not in question.body_html
    assert "javascript:" not in question.body_html
    assert sorted(question.tags.values_list("name", flat=True)) == ["dom", "javascript"]
    revision = PostRevision.objects.get(question=question)
    assert (revision.number, revision.title, revision.editor) == (1, question.title, asker)
    assert Follow.objects.filter(follower=asker, question=question).exists()


@pytest.mark.parametrize(
    ("field", "values", "message"),
    [
        ("title", {"title": "Too short"}, "The title must be at least 10 characters."),
        ("body", {"body": "short"}, "The question must be at least 20 characters."),
        ("tags", {"tags": ["a", "b", "c", "d", "e", "f"]}, "Use at most 5 tags."),
        ("tags", {"tags": ["no spaces allowed!"]}, None),
    ],
)
def test_asking_refuses_bad_input_naming_the_field(
    asker: User, field: str, values: dict, message: str | None
) -> None:
    arguments = {"title": "A perfectly fine title", "body": "A body that is long enough."} | values

    with pytest.raises(InvalidInputError) as error:
        services.question_create(asker=asker, **arguments)

    assert list(error.value.fields) == [field]
    if message:
        assert error.value.message == message
    assert not Question.objects.exists()


def test_a_question_can_be_about_a_lesson_of_a_published_course(asker: User) -> None:
    lesson = LessonFactory()

    question = make_question(asker=asker, lesson=lesson)

    assert question.course == lesson.module.course
    assert question.lesson == lesson


def test_a_lesson_from_another_course_is_refused(asker: User) -> None:
    with pytest.raises(InvalidInputError) as error:
        make_question(asker=asker, course=CourseFactory(), lesson=LessonFactory())

    assert list(error.value.fields) == ["lesson"]


def test_questions_about_draft_courses_are_refused(asker: User) -> None:
    draft = CourseFactory(status=Course.Status.DRAFT, published_at=None)

    with pytest.raises(InvalidInputError) as error:
        make_question(asker=asker, course=draft)

    assert error.value.fields == {"course": ["That course is not published."]}


def test_an_inactive_category_takes_no_questions(asker: User, categories: dict) -> None:
    Category.objects.filter(pk=categories["design"].pk).update(is_active=False)
    categories["design"].refresh_from_db()

    with pytest.raises(InvalidInputError) as error:
        make_question(asker=asker, category=categories["design"])

    assert list(error.value.fields) == ["category"]


def test_question_posted_event_names_the_category_experts(
    categories: dict, django_capture_on_commit_callbacks, mailoutbox
) -> None:
    expert = StudentFactory()
    earlier = make_question(category=categories["python"])
    make_answer(question=earlier, author=expert)
    received = []

    def receiver(sender, question, expert_ids, **kwargs):
        received.append((question.title, expert_ids))

    events.question_posted.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            new = make_question(
                title="How do Python decorators with arguments work?",
                category=categories["python"],
            )
    finally:
        events.question_posted.disconnect(receiver)

    assert received == [(new.title, [expert.pk])]
    assert [message.to for message in mailoutbox] == [[expert.email]]
    assert new.title in mailoutbox[0].body


def test_experts_who_opted_out_get_no_email(categories: dict, mailoutbox) -> None:
    expert = StudentFactory()
    make_answer(question=make_question(category=categories["python"]), author=expert)
    services.digest_subscription_update(user=expert, frequency="daily", notify_as_expert=False)

    sent = services.experts_notify(
        question_id=make_question(category=categories["python"]).pk, expert_ids=[expert.pk]
    )

    assert sent == 0
    assert mailoutbox == []


# --- editing ------------------------------------------------------------------------------------


def test_the_asker_edits_and_the_history_keeps_every_version(
    question: Question, asker: User
) -> None:
    services.question_update(
        question=question, editor=asker, title="Docker container stops at once", note="clearer"
    )

    question.refresh_from_db()
    assert question.title == "Docker container stops at once"
    assert question.edited_at is not None
    assert list(
        PostRevision.objects.filter(question=question).values_list("number", "title", "note")
    ) == [
        (1, "Docker container exits immediately after docker run", "Asked"),
        (2, "Docker container stops at once", "clearer"),
    ]


def test_an_edit_that_changes_nothing_adds_no_revision(question: Question, asker: User) -> None:
    services.question_update(question=question, editor=asker, title=question.title)

    assert PostRevision.objects.filter(question=question).count() == 1


def test_others_need_the_edit_privilege(question: Question, other_student: User) -> None:
    with pytest.raises(PrivilegeRequiredError) as error:
        services.question_update(question=question, editor=other_student, title="Hijacked title!")

    assert (
        error.value.message == "You need 200 reputation to edit other people's posts (you have 0)."
    )
    assert error.value.extra == {"privilege": "edit", "required": 200, "reputation": 0}
    question.refresh_from_db()
    assert question.title == "Docker container exits immediately after docker run"

    _give_reputation(other_student, 200)
    services.question_update(question=question, editor=other_student, title="Docker exits at once")
    question.refresh_from_db()
    assert question.title == "Docker exits at once"


def test_an_editor_recategorising_labels_the_category_as_theirs(
    question: Question, admin_user: User, categories: dict
) -> None:
    services.question_update(question=question, editor=admin_user, category=categories["python"])

    question.refresh_from_db()
    assert question.category == categories["python"]
    assert question.category_source == Question.CategorySource.EDITOR


# --- closing ------------------------------------------------------------------------------------


def test_closing_as_duplicate_needs_another_question(question: Question, asker: User) -> None:
    with pytest.raises(InvalidInputError) as error:
        services.question_close(question=question, actor=asker, reason="duplicate")
    assert list(error.value.fields) == ["duplicate_of"]

    other = make_question()
    services.question_close(question=question, actor=asker, reason="duplicate", duplicate_of=other)

    question.refresh_from_db()
    assert (question.status, question.close_reason, question.duplicate_of) == (
        Question.Status.CLOSED,
        "duplicate",
        other,
    )


def test_closing_needs_the_close_privilege(question: Question, other_student: User) -> None:
    with pytest.raises(PrivilegeRequiredError):
        services.question_close(question=question, actor=other_student, reason="off_topic")
    question.refresh_from_db()
    assert question.status == Question.Status.OPEN

    _give_reputation(other_student, 500)
    services.question_close(question=question, actor=other_student, reason="off_topic")
    question.refresh_from_db()
    assert question.status == Question.Status.CLOSED


def test_a_closed_question_takes_no_answers_until_reopened(
    question: Question, asker: User, answerer: User
) -> None:
    services.question_close(question=question, actor=asker, reason="resolved")

    with pytest.raises(QuestionClosedError):
        services.answer_create(author=answerer, question=question, body="Late but useful answer")
    assert not Answer.objects.exists()

    services.question_reopen(question=question, actor=asker)
    question.refresh_from_db()
    assert (question.status, question.close_reason) == (Question.Status.OPEN, "")
    services.answer_create(author=answerer, question=question, body="Late but useful answer")
    assert Answer.objects.count() == 1


# --- deleting -----------------------------------------------------------------------------------


def test_the_asker_deletes_an_unanswered_question_but_not_an_answered_one(
    question: Question, asker: User, answerer: User
) -> None:
    make_answer(question=question, author=answerer)

    with pytest.raises(CannotDeleteError):
        services.question_delete(question=question, actor=asker)
    assert Question.objects.filter(pk=question.pk).exists()

    lonely = make_question(asker=asker)
    services.question_delete(question=lonely, actor=asker)
    assert not Question.objects.filter(pk=lonely.pk).exists()


def test_nobody_else_deletes_a_question(question: Question, other_student: User) -> None:
    with pytest.raises(NotAuthorError):
        services.question_delete(question=question, actor=other_student)
    assert Question.objects.filter(pk=question.pk).exists()


def test_a_moderator_deletes_an_answered_question_and_its_reputation_is_reversed(
    question: Question, answer: Answer, asker: User, answerer: User, admin_user: User
) -> None:
    services.answer_accept(answer=answer, actor=asker)
    assert (_reputation(answerer), _reputation(asker)) == (15, 2)

    services.question_delete(question=question, actor=admin_user)

    assert (_reputation(answerer), _reputation(asker)) == (0, 0)
    assert not Question.objects.filter(pk=question.pk).exists()
    assert ReputationEvent.objects.filter(kind=ReputationEvent.Kind.REVERSAL).count() == 2


def test_an_instructor_moderates_questions_about_their_course_only(
    asker: User, instructor: User
) -> None:
    own = make_question(asker=asker, course=CourseFactory(instructors=[instructor]))
    foreign = make_question(asker=asker, course=CourseFactory())
    make_answer(question=own)
    make_answer(question=foreign)

    services.question_delete(question=own, actor=instructor)
    with pytest.raises(NotAuthorError):
        services.question_delete(question=foreign, actor=instructor)

    assert list(Question.objects.values_list("pk", flat=True)) == [foreign.pk]


# --- answers ------------------------------------------------------------------------------------


def test_answering_notifies_by_event_and_follows_the_question(
    question: Question, answerer: User, django_capture_on_commit_callbacks
) -> None:
    received = []

    def receiver(sender, answer, question, **kwargs):
        received.append((answer.author_id, question.pk))

    events.answer_posted.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            answer = services.answer_create(
                author=answerer, question=question, body="Use `exec` in your entrypoint."
            )
    finally:
        events.answer_posted.disconnect(receiver)

    assert received == [(answerer.pk, question.pk)]
    assert "<code>exec</code>" in answer.body_html
    assert Follow.objects.filter(follower=answerer, question=question).exists()


def test_an_answer_that_is_too_short_is_refused(question: Question, answerer: User) -> None:
    with pytest.raises(InvalidInputError) as error:
        services.answer_create(author=answerer, question=question, body="no")

    assert error.value.fields == {"body": ["The answer must be at least 10 characters."]}
    assert not Answer.objects.exists()


def test_only_the_asker_accepts_and_a_new_acceptance_replaces_the_old(
    question: Question,
    asker: User,
    answerer: User,
    other_student: User,
    django_capture_on_commit_callbacks,
) -> None:
    first = make_answer(question=question, author=answerer)
    second = make_answer(question=question, author=other_student)

    with pytest.raises(NotAskerError):
        services.answer_accept(answer=first, actor=other_student)
    assert not Answer.objects.filter(is_accepted=True).exists()

    accepted = []
    events.answer_accepted.connect(
        lambda sender, answer, **kw: accepted.append(answer.pk), weak=False, dispatch_uid="t"
    )
    try:
        with django_capture_on_commit_callbacks(execute=True):
            services.answer_accept(answer=first, actor=asker)
            services.answer_accept(answer=second, actor=asker)
    finally:
        events.answer_accepted.disconnect(dispatch_uid="t")

    assert list(Answer.objects.filter(is_accepted=True).values_list("pk", flat=True)) == [second.pk]
    assert accepted == [first.pk, second.pk]
    assert (_reputation(answerer), _reputation(other_student), _reputation(asker)) == (0, 15, 2)
    question.refresh_from_db()
    assert question.status == Question.Status.ANSWERED

    services.answer_unaccept(answer=second, actor=asker)
    question.refresh_from_db()
    assert question.status == Question.Status.OPEN
    assert (_reputation(other_student), _reputation(asker)) == (0, 0)


def test_accepting_your_own_answer_earns_nothing(question: Question, asker: User) -> None:
    own = make_answer(question=question, author=asker)

    services.answer_accept(answer=own, actor=asker)

    assert _reputation(asker) == 0
    assert Answer.objects.get(pk=own.pk).is_accepted


def test_an_author_cannot_delete_an_accepted_answer(
    question: Question, answer: Answer, asker: User, answerer: User
) -> None:
    services.answer_accept(answer=answer, actor=asker)

    with pytest.raises(CannotDeleteError):
        services.answer_delete(answer=answer, actor=answerer)
    assert Answer.objects.filter(pk=answer.pk).exists()


def test_editing_an_answer_keeps_its_history(answer: Answer, answerer: User) -> None:
    services.answer_update(answer=answer, editor=answerer, body="Run the server with exec, always.")

    assert list(PostRevision.objects.filter(answer=answer).values_list("number", "body")) == [
        (1, "Run the server with exec."),
        (2, "Run the server with exec, always."),
    ]


# --- comments -----------------------------------------------------------------------------------


def test_commenting_on_others_posts_needs_the_privilege(
    question: Question, answer: Answer, asker: User, answerer: User, other_student: User
) -> None:
    # Always allowed: your own question, answers to it, and your own answer.
    services.comment_create(author=asker, body="Which version?", question=question)
    services.comment_create(author=asker, body="Thanks, that worked", answer=answer)
    services.comment_create(author=answerer, body="Glad it helped", answer=answer)

    with pytest.raises(PrivilegeRequiredError):
        services.comment_create(author=other_student, body="Me too!", question=question)
    assert Comment.objects.count() == 3

    _give_reputation(other_student, 15)
    services.comment_create(author=other_student, body="Me too!", question=question)
    assert Comment.objects.count() == 4


def test_only_the_author_or_a_moderator_deletes_a_comment(
    question: Question, asker: User, other_student: User, admin_user: User
) -> None:
    comment = services.comment_create(author=asker, body="Which version?", question=question)

    with pytest.raises(Exception, match="Only the author or a moderator"):
        services.comment_delete(comment=comment, actor=other_student)
    services.comment_delete(comment=comment, actor=admin_user)

    assert not Comment.objects.exists()


def test_a_view_counts_once_per_viewer_a_day(question: Question) -> None:
    forget_cache()
    assert services.question_view_record(question=question, viewer_key="user:1") is True
    assert services.question_view_record(question=question, viewer_key="user:1") is False
    assert services.question_view_record(question=question, viewer_key="user:2") is True
    assert services.question_view_record(question=question, viewer_key="") is False

    question.refresh_from_db()
    assert question.view_count == 2
