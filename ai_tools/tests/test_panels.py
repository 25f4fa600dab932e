"""The AI tools inside the core's pages: the lesson player's study-tools panel and the dashboard's
skill chart (settings.PLAYER_PANELS / DASHBOARD_PANELS), and the /ai/ hub."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from ai_tools import services
from ai_tools.models import ChatMessage, LessonSummary, PracticeSet
from ai_tools.tests.factories import (
    EnrollmentFactory,
    LessonFactory,
    QuestionFactory,
    QuizFactory,
    SkillFactory,
    StudentFactory,
    tides_course,
)
from ai_tools.tests.test_selectors import graded
from courses.models import Course, Lesson

pytestmark = pytest.mark.django_db


@pytest.fixture
def enrolled(client, settings):
    settings.AI_DAILY_QUOTAS = {"basic": 5, "pro": 20, "premium": 90}
    course, tides, volcanoes = tides_course()
    learner = StudentFactory()
    EnrollmentFactory(learner=learner, course=course)
    client.force_login(learner)
    return client, learner, course, tides, volcanoes


def player_url(lesson: Lesson) -> str:
    return reverse("courses:lesson", args=[lesson.module.course.slug, lesson.pk])


def panel_of(page: str) -> str:
    match = re.search(r'<details class="card ai-lesson-panel".*?</details>', page, re.S)
    assert match, "the study-tools panel is not on the page"
    return match.group(0)


# --- the lesson player ------------------------------------------------------------------------


def test_the_player_offers_summary_practice_and_the_study_buddy_for_this_lesson(enrolled) -> None:
    client, _, course, tides, _ = enrolled

    page = client.get(player_url(tides))

    assert page.status_code == 200
    panel = panel_of(page.content.decode())
    assert f'action="{reverse("ai_tools:summary_create", args=[tides.pk])}"' in panel
    assert f'action="{reverse("ai_tools:practice_create", args=[tides.pk])}"' in panel
    assert f'action="{reverse("ai_tools:study_buddy", args=[course.pk])}"' in panel
    assert f'name="lesson" value="{tides.pk}"' in panel
    assert "Ask the study buddy about this lesson" in panel
    assert reverse("ai_tools:index") in panel


def test_summarise_from_the_player_shows_the_summary_of_that_lesson(
    enrolled, django_capture_on_commit_callbacks
) -> None:
    client, _, _, tides, _ = enrolled

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("ai_tools:summary_create", args=[tides.pk]))
    page = client.get(response["Location"])

    assert response["Location"] == reverse("ai_tools:lesson", args=[tides.pk])
    assert b"AI-generated" in page.content
    assert b"Sailors should always check a tide table" in page.content


def test_the_players_practice_button_writes_five_questions_from_the_lesson(
    enrolled, django_capture_on_commit_callbacks
) -> None:
    client, learner, _, tides, _ = enrolled
    panel = panel_of(client.get(player_url(tides)).content.decode())
    form = re.search(r'<form[^>]*practice/"[^>]*>(.*?)</form>', panel, re.S).group(1)
    fields: dict[str, list[str]] = {}
    for name, value in re.findall(r'type="hidden" name="(\w+)" value="([^"]*)"', form):
        fields.setdefault(name, []).append(value)
    fields.pop("csrfmiddlewaretoken", None)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("ai_tools:practice_create", args=[tides.pk]), fields)

    practice = PracticeSet.objects.get(learner=learner)
    assert response["Location"] == reverse("ai_tools:practice", args=[practice.pk])
    assert (practice.lesson_id, practice.question_count, practice.status) == (tides.pk, 5, "ready")
    assert sorted(practice.kinds) == ["cloze", "multiple_choice"]


def test_asking_about_this_lesson_answers_from_it(enrolled) -> None:
    client, _, course, tides, volcanoes = enrolled
    url = reverse("ai_tools:study_buddy", args=[course.pk])
    question = "How does the pull of the Moon change the surface?"  # both mention the surface

    client.post(url, {"question": question})
    response = client.post(url, {"question": question, "lesson": volcanoes.pk}, follow=True)

    assert response.status_code == 200
    course_wide, about_volcanoes = ChatMessage.objects.filter(role="assistant").order_by("id")
    assert course_wide.citations[0]["lesson_id"] == tides.pk
    assert {citation["lesson_id"] for citation in about_volcanoes.citations} == {volcanoes.pk}
    assert about_volcanoes.citations[0]["url"] == player_url(volcanoes)
    assert about_volcanoes.citations[0]["quote"] in " ".join(volcanoes.body.split())


@pytest.mark.parametrize("plan", ["free", "basic"])
def test_without_pro_the_player_panel_points_to_the_plans(client, plan: str) -> None:
    course, tides, _ = tides_course()
    learner = StudentFactory(plan=plan)
    EnrollmentFactory(learner=learner, course=course)
    client.force_login(learner)

    panel = panel_of(client.get(player_url(tides)).content.decode())

    assert "come with the Pro plan and above" in panel
    assert reverse("billing:pricing") in panel
    assert "<form" not in panel


def test_no_panel_on_a_locked_lesson_or_for_visitors(client) -> None:
    _, tides, _ = tides_course(required_plan=Course.Plan.PRO)
    assert "ai-lesson-panel" not in client.get(player_url(tides)).content.decode()
    client.force_login(StudentFactory())
    response = client.get(player_url(tides))
    assert response.status_code == 403
    assert "ai-lesson-panel" not in response.content.decode()


def test_the_player_with_the_panel_keeps_a_fixed_query_budget(
    enrolled, django_assert_max_num_queries
) -> None:
    client, _, _, tides, _ = enrolled
    for lessons in (2, 12):
        for order in range(tides.module.lessons.count() + 1, lessons + 1):
            LessonFactory(module=tides.module, order=order, body="More text about the sea.")
        with django_assert_max_num_queries(34):  # the player's own budget (courses' test)
            page = client.get(player_url(tides))
        assert "Summarise this lesson" in page.content.decode()


# --- the dashboard ------------------------------------------------------------------------------


def skilled_learner(learner, course, tides):
    quiz = QuizFactory(
        lesson=LessonFactory(module=tides.module, order=3, kind=Lesson.Kind.QUIZ, body="")
    )
    gravity, geology = SkillFactory(name="Gravity"), SkillFactory(name="Geology")
    gravity_questions = [QuestionFactory(quiz=quiz) for _ in range(3)]
    geology_question = QuestionFactory(quiz=quiz)
    for question in gravity_questions:
        question.skills.add(gravity)
    geology_question.skills.add(geology)
    graded(learner, quiz, 1, {**dict.fromkeys(gravity_questions, False), geology_question: True})
    graded(learner, quiz, 2, {gravity_questions[0]: True, geology_question: True})


def test_the_dashboard_shows_the_skill_chart_with_a_data_table(enrolled) -> None:
    client, learner, course, tides, _ = enrolled
    skilled_learner(learner, course, tides)

    page = client.get(reverse("courses:dashboard")).content.decode()

    section = re.search(r'<section[^>]*id="dashboard-skills".*?</section>', page, re.S).group(0)
    assert 'class="ai-skill-bars" aria-hidden="true"' in section
    rows = re.findall(
        r"<tr>\s*<th scope=\"row\">(.*?)</th>\s*<td>(.*?)</td>\s*<td>(.*?)</td>", section
    )
    assert rows == [("Gravity", "33% (weak)", "1 of 4"), ("Geology", "75%", "2 of 2")]
    assert '<caption id="dashboard-skills-caption">Your skills as a table' in section
    assert "Work on next" in section
    assert player_url(tides) in section  # the recommended lesson opens in the player


def test_the_dashboard_skill_panel_for_a_plan_without_the_tools(client) -> None:
    learner = StudentFactory(plan="basic")
    client.force_login(learner)

    page = client.get(reverse("courses:dashboard")).content.decode()

    assert "Skill-gap analysis is one of the AI study tools" in page
    assert "dashboard-skills-table" not in page


def test_the_dashboard_skill_chart_costs_a_fixed_six_queries_however_many_skills(
    enrolled, settings
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client, learner, course, tides, _ = enrolled
    with_chart = list(settings.DASHBOARD_PANELS)
    without_chart = [path for path in with_chart if path != "ai_tools.panels.dashboard_skill_gaps"]

    def chart_cost() -> int:
        counts = []
        for panels in (without_chart, with_chart):
            settings.DASHBOARD_PANELS = panels
            with CaptureQueriesContext(connection) as captured:
                assert client.get(reverse("courses:dashboard")).status_code == 200
            counts.append(len(captured))
        return counts[1] - counts[0]

    skilled_learner(learner, course, tides)
    few = chart_cost()
    quiz = QuizFactory(
        lesson=LessonFactory(module=tides.module, order=4, kind=Lesson.Kind.QUIZ, body="")
    )
    questions = {}
    for index in range(6):
        question = QuestionFactory(quiz=quiz)
        question.skills.add(SkillFactory(name=f"Skill {index}"))
        questions[question] = index % 2 == 0
    graded(learner, quiz, 1, questions)
    many = chart_cost()

    # The skill report's six (attempts, revision reviews, questions, their skills, lessons,
    # progress); the plan came with the signed-in user (billing's REQUEST_USER_LOADERS entry),
    # and the dashboard's own queries are courses' budget, not this one's.
    assert (few, many) == (6, 6)
    assert "Skill 5" in client.get(reverse("courses:dashboard")).content.decode()


# --- the /ai/ hub -------------------------------------------------------------------------------


def test_the_hub_lists_summaries_practice_chats_skills_and_quota(
    enrolled, django_capture_on_commit_callbacks
) -> None:
    client, learner, course, tides, volcanoes = enrolled
    skilled_learner(learner, course, tides)
    with django_capture_on_commit_callbacks(execute=True):
        services.summary_request(user=learner, lesson=tides)
        practice = services.practice_set_create(user=learner, lesson=volcanoes, count=2)
    conversation = services.conversation_create(user=learner, course=course)
    list(services.study_buddy_reply(user=learner, conversation=conversation, question="Neap?"))

    response = client.get(reverse("ai_tools:index"))

    page = response.content.decode()
    assert response.status_code == 200
    assert "<h1>AI study tools</h1>" in page
    assert "<strong>17</strong> AI requests left today" in page
    assert "<strong>3 of 20</strong> used (Pro plan)" in page
    assert f'href="{reverse("ai_tools:lesson", args=[tides.pk])}">How tides work</a>' in page
    assert f'href="{reverse("ai_tools:practice", args=[practice.pk])}">Volcanoes</a>' in page
    assert "2 medium questions, not taken yet" in page
    assert f'?conversation={conversation.pk}">Neap?</a>' in page
    assert f'href="{reverse("ai_tools:study_buddy", args=[course.pk])}">Earth science</a>' in page
    assert "Gravity: 33% (" in page


def test_the_hub_is_empty_but_helpful_for_a_new_learner(client) -> None:
    client.force_login(StudentFactory())

    page = client.get(reverse("ai_tools:index")).content.decode()

    assert "No summaries in your courses yet." in page
    assert "No practice sets yet." in page
    assert "Enroll in a course to ask the study buddy about it." in page
    assert "No quiz answers about tagged skills yet." in page


def test_the_hub_without_the_plan_says_how_to_get_the_tools(client) -> None:
    client.force_login(StudentFactory(plan="basic"))

    page = client.get(reverse("ai_tools:index")).content.decode()

    assert "The AI study tools come with the Pro plan and above; you have the Basic plan." in page
    assert reverse("billing:pricing") in page
    assert "Lesson summaries" not in page


def test_the_hub_needs_a_signed_in_user(client) -> None:
    response = client.get(reverse("ai_tools:index"))
    assert response.status_code == 302
    assert "/login" in response["Location"]


def test_the_hub_runs_a_fixed_number_of_queries(
    enrolled, django_assert_max_num_queries, django_capture_on_commit_callbacks
) -> None:
    client, learner, course, tides, volcanoes = enrolled
    skilled_learner(learner, course, tides)
    for round_number in (1, 2):
        with django_capture_on_commit_callbacks(execute=True):
            for count in range(1, 5):
                services.practice_set_create(user=learner, lesson=volcanoes, count=count)
            services.summary_request(user=learner, lesson=tides)
        tides.body += f"\n\nRound {round_number} adds another sentence about the moon and tides."
        tides.save()
        for _ in range(3):
            conversation = services.conversation_create(user=learner, course=course)
            list(
                services.study_buddy_reply(
                    user=learner, conversation=conversation, question="Moon?"
                )
            )
        # session, user, plan (twice: billing's check, then the plan's quota), usage, summaries,
        # practice sets, chats, courses, the 6 of the skill report, unread notifications
        with django_assert_max_num_queries(16):
            response = client.get(reverse("ai_tools:index"))
        assert response.status_code == 200
    assert LessonSummary.objects.count() == 2
    assert len(response.context["summaries"]) == 1  # one line per lesson, not per version
    assert len(response.context["conversations"]) == 6


@pytest.mark.parametrize("name", ["ai_tools:skill_gaps"])
def test_the_tool_pages_answer_403_with_the_reason_without_the_plan(client, name: str) -> None:
    course, tides, _ = tides_course()
    learner = StudentFactory(plan="basic")
    EnrollmentFactory(learner=learner, course=course)
    client.force_login(learner)

    for url in (
        reverse(name),
        reverse("ai_tools:lesson", args=[tides.pk]),
        reverse("ai_tools:study_buddy", args=[course.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 403, url
        assert b"come with the Pro plan and above" in response.content
