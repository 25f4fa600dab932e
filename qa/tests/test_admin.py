"""The help center in the admin: pages load, actions call the services, instructors see their
courses' questions only, and the ledgers are read-only."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from courses.tests.factories import CourseFactory
from qa import services
from qa.models import Answer, Flag, Question
from qa.tests.factories import StudentFactory, make_answer, make_question

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_staff_mfa")]


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize(
    "model",
    [
        "category",
        "tag",
        "question",
        "answer",
        "comment",
        "flag",
        "xpaward",
        "starrating",
        "userreputation",
        "reputationevent",
        "follow",
        "digestsubscription",
    ],
)
def test_every_changelist_loads_for_admins(
    admin_user: User, question: Question, model: str
) -> None:
    response = _client(admin_user).get(reverse(f"admin:qa_{model}_changelist"))

    assert response.status_code == 200


def test_instructors_see_only_questions_about_their_courses(instructor: User) -> None:
    from accounts.services import role_groups_sync

    role_groups_sync()
    own = make_question(
        title="About my own course here", course=CourseFactory(instructors=[instructor])
    )
    make_question(title="About somebody else's course")

    response = _client(instructor).get(reverse("admin:qa_question_changelist"))

    html = response.content.decode()
    assert response.status_code == 200
    assert own.title in html
    assert "somebody else" not in html
    assert _client(instructor).get(reverse("admin:qa_category_add")).status_code == 403


def test_the_hide_action_calls_the_service(admin_user: User, question: Question) -> None:
    answer = make_answer(question=question)

    _client(admin_user).post(
        reverse("admin:qa_answer_changelist"),
        {"action": "hide", "_selected_action": [answer.pk]},
    )

    answer.refresh_from_db()
    assert (answer.is_hidden, answer.hidden_by) == (True, admin_user)


def test_the_uphold_action_resolves_flags(admin_user: User, question: Question) -> None:
    flag = services.post_flag(flagger=StudentFactory(), post=question, reason="spam")

    _client(admin_user).post(
        reverse("admin:qa_flag_changelist"), {"action": "uphold", "_selected_action": [flag.pk]}
    )

    assert Flag.objects.get(pk=flag.pk).status == Flag.Status.UPHELD
    assert Question.objects.get(pk=question.pk).is_hidden


def test_editing_a_question_in_the_admin_keeps_a_revision(
    admin_user: User, question: Question, categories
) -> None:
    response = _client(admin_user).post(
        reverse("admin:qa_question_change", args=[question.pk]),
        {
            "title": "Docker container exits at once",
            "body": question.body,
            "category": categories["devops"].pk,
            "tags": [],
            "revisions-TOTAL_FORMS": 0,
            "revisions-INITIAL_FORMS": 0,
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    question.refresh_from_db()
    assert question.title == "Docker container exits at once"
    assert question.revisions.count() == 2


def test_the_rating_ledgers_are_read_only(admin_user: User, answer: Answer) -> None:
    services.answer_star(answer=answer, rater=StudentFactory(), stars=4)
    rating = answer.star_ratings.get()

    assert _client(admin_user).get(reverse("admin:qa_starrating_add")).status_code == 403
    change = _client(admin_user).post(
        reverse("admin:qa_starrating_change", args=[rating.pk]), {"stars": 1}
    )
    assert change.status_code in (302, 403)
    assert answer.star_ratings.get().stars == 4
