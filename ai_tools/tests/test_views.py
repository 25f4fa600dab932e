"""The AI tools' pages: wiring, permissions, generated-content labels and query budgets."""

from __future__ import annotations

import pytest
import time_machine
from django.urls import reverse

from ai_tools import services
from ai_tools.models import ChatMessage, LessonSummary
from ai_tools.tests.factories import EnrollmentFactory, StudentFactory, tides_course
from ai_tools.tests.fake_deepseek import Step
from courses.models import Course

pytestmark = pytest.mark.django_db


@pytest.fixture
def learner_client(client):
    course, tides, _volcanoes = tides_course()
    learner = StudentFactory()
    EnrollmentFactory(learner=learner, course=course)
    client.force_login(learner)
    return client, learner, course, tides


def test_pages_need_a_signed_in_user(client) -> None:
    _, tides, _ = tides_course()
    response = client.get(reverse("ai_tools:lesson", args=[tides.pk]))
    assert response.status_code == 302
    assert "/login" in response["Location"]


def test_summarising_from_the_lesson_page(learner_client, django_capture_on_commit_callbacks):
    client, _, _course, tides = learner_client
    page = client.get(reverse("ai_tools:lesson", args=[tides.pk]))
    assert page.status_code == 200
    assert b"Summarise this lesson" in page.content

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("ai_tools:summary_create", args=[tides.pk]), headers={"HX-Request": "true"}
        )
    assert response.status_code == 200
    assert b'id="lesson-summary"' in response.content
    assert b"every 2s" in response.content  # the job runs after the response: the page polls

    polled = client.get(reverse("ai_tools:lesson", args=[tides.pk]), headers={"HX-Request": "true"})
    assert b"AI-generated" in polled.content
    assert b"Sailors should always check a tide table" in polled.content
    assert b"<html" not in polled.content
    assert LessonSummary.objects.get().status == "ready"


def test_lesson_text_is_escaped_in_the_summary(learner_client, django_capture_on_commit_callbacks):
    client, learner, _, tides = learner_client
    tides.body += "\n\nNever trust <script>alert(1)</script> tags in a lesson body at all."
    tides.save()
    with django_capture_on_commit_callbacks(execute=True):
        services.summary_request(user=learner, lesson=tides)
    LessonSummary.objects.update(summary="<b>bold</b> claim")

    page = client.get(reverse("ai_tools:lesson", args=[tides.pk]))

    assert b"&lt;b&gt;bold&lt;/b&gt; claim" in page.content


def test_a_paid_lesson_is_refused_with_a_message(client) -> None:
    _, tides, _ = tides_course(required_plan=Course.Plan.PRO)
    client.force_login(StudentFactory())

    response = client.post(reverse("ai_tools:summary_create", args=[tides.pk]), follow=True)

    assert b"enroll to open it" in response.content
    assert LessonSummary.objects.count() == 0


def test_taking_a_practice_set(learner_client, django_capture_on_commit_callbacks) -> None:
    client, _, _, tides = learner_client
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("ai_tools:practice_create", args=[tides.pk]),
            {"count": 2, "kinds": ["cloze"], "difficulty": "easy", "scope": "lesson"},
        )
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert b"Check my answers" in page.content
    practice = page.context["practice_set"]
    first, _second = practice.questions

    result = client.post(
        response["Location"], {"answer-1": first["answer"], "answer-2": "wrong"}, follow=True
    )

    assert b"You got 1 of 2 right." in result.content
    assert first["explanation"].encode() in result.content


def test_someone_elses_practice_set_is_404(
    learner_client, client, django_capture_on_commit_callbacks
):
    _, learner, _, tides = learner_client
    with django_capture_on_commit_callbacks(execute=True):
        practice = services.practice_set_create(user=learner, lesson=tides, count=1)
    client.force_login(StudentFactory())
    assert client.get(reverse("ai_tools:practice", args=[practice.pk])).status_code == 404


def test_study_buddy_page_answers_without_javascript(
    learner_client, django_assert_max_num_queries
) -> None:
    client, learner, course, _ = learner_client
    url = reverse("ai_tools:study_buddy", args=[course.pk])

    response = client.post(url, {"question": "What are neap tides?"}, follow=True)

    assert response.status_code == 200
    assert b"neap tides" in response.content
    assert b"AI-generated" in response.content
    assert b'aria-label="Sources"' in response.content
    assert ChatMessage.objects.count() == 2
    for question in ("Moon?", "Sun?"):
        conversation = services.conversation_create(user=learner, course=course)
        list(services.study_buddy_reply(user=learner, conversation=conversation, question=question))
    with django_assert_max_num_queries(12):
        page = client.get(url, {"conversation": conversation.pk})
    assert len(page.context["conversations"]) == 3


def test_study_buddy_page_past_the_per_minute_limit_shows_the_reason(
    learner_client, settings
) -> None:
    settings.AI_REQUESTS_PER_MINUTE = 1
    client, _, course, _ = learner_client
    url = reverse("ai_tools:study_buddy", args=[course.pk])

    with time_machine.travel("2026-03-02 10:15:05+00:00", tick=True):
        client.post(url, {"question": "What are neap tides?"})
        response = client.post(url, {"question": "And spring tides?"}, follow=True)

    assert response.status_code == 200
    assert b"You have made 1 AI requests this minute." in response.content
    assert ChatMessage.objects.filter(role="assistant").count() == 1


def test_study_buddy_page_refuses_a_learner_not_enrolled(client) -> None:
    course, _, _ = tides_course(required_plan=Course.Plan.PRO)
    client.force_login(StudentFactory())
    response = client.get(reverse("ai_tools:study_buddy", args=[course.pk]), follow=True)
    assert b"Enroll in this course to ask the study buddy" in response.content


def test_the_player_partial_links_to_the_tools(learner_client) -> None:
    from django.template.loader import render_to_string

    _, _, course, tides = learner_client
    html = render_to_string("ai_tools/lesson_tools_links.html", {"lesson": tides, "course": course})
    assert reverse("ai_tools:lesson", args=[tides.pk]) in html
    assert reverse("ai_tools:study_buddy", args=[course.pk]) in html


def test_skill_gap_page_without_quiz_answers(learner_client) -> None:
    client, _, _, _ = learner_client
    page = client.get(reverse("ai_tools:skill_gaps"))
    assert page.status_code == 200
    assert b"No quiz answers about tagged skills yet" in page.content
    dashboard = client.get(reverse("courses:dashboard"))
    assert b"Take a quiz to see your skills here." in dashboard.content


def test_an_htmx_refusal_is_shown_in_the_summary_region(client) -> None:
    _, tides, _ = tides_course(required_plan=Course.Plan.PRO)
    client.force_login(StudentFactory())

    response = client.post(
        reverse("ai_tools:summary_create", args=[tides.pk]), headers={"HX-Request": "true"}
    )

    assert response.status_code == 422
    assert b'id="lesson-summary"' in response.content
    assert b'role="alert"' in response.content
    assert b"enroll to open it" in response.content
    assert LessonSummary.objects.count() == 0


def test_pages_show_a_deepseek_outage_as_a_message_never_a_500(
    learner_client, deepseek_settings, django_capture_on_commit_callbacks
) -> None:
    client, _, course, tides = learner_client
    deepseek_settings.queue(*[Step(status=500)] * 3)  # the summary: three tries, then failed
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("ai_tools:summary_create", args=[tides.pk]))
    summary = client.get(reverse("ai_tools:lesson", args=[tides.pk]))
    deepseek_settings.queue(*[Step(status=429)] * 3)  # the study buddy: busy three times
    chat = client.post(
        reverse("ai_tools:study_buddy", args=[course.pk]), {"question": "Moon?"}, follow=True
    )
    deepseek_settings.queue(*[Step(status=503)] * 3)  # practice questions
    with django_capture_on_commit_callbacks(execute=True):
        created = client.post(
            reverse("ai_tools:practice_create", args=[tides.pk]),
            {"count": 2, "kinds": ["cloze"], "difficulty": "easy", "scope": "lesson"},
        )
    practice = client.get(created["Location"])

    assert (summary.status_code, chat.status_code, practice.status_code) == (200, 200, 200)
    unavailable = b"The AI service is unavailable right now. Try again in a few minutes."
    assert b"The last summary failed: " + unavailable in summary.content
    assert b"Try again" in summary.content  # the button to retry
    assert b"The AI service is busy" in chat.content
    assert b'role="alert">' + unavailable in practice.content
    assert len(deepseek_settings.requests) == 9


def test_asking_for_skill_advice_on_the_skills_page(learner_client) -> None:
    from ai_tools.tests.test_panels import skilled_learner

    client, learner, course, tides = learner_client
    skilled_learner(learner, course, tides)
    page = client.get(reverse("ai_tools:skill_gaps"))
    assert b"Write study advice for these skills" in page.content

    response = client.post(reverse("ai_tools:skill_gaps"))

    assert response.status_code == 200
    assert b"AI-generated" in response.content
    assert b"You answered 1 of 4 questions on Gravity right" in response.content
    assert b"Write study advice for these skills" not in response.content


@pytest.mark.parametrize(
    ("key", "steps", "message", "tries"),
    [
        (
            "sk-test-lumen",
            [Step(status=500)] * 3,
            "The AI service is unavailable right now. Try again in a few minutes.",
            3,
        ),
        ("sk-test-lumen", [Step(status=429)] * 3, "The AI service is busy right now.", 3),
        ("sk-wrong", [], "The AI service rejected Lumen&#x27;s API key", 1),
    ],
    ids=["500", "429", "wrong-key"],
)
def test_the_skills_page_shows_a_deepseek_failure_as_a_message_with_the_measured_report(
    learner_client, deepseek_settings, settings, key, steps, message, tries
) -> None:
    from ai_tools.tests.test_panels import skilled_learner

    client, learner, course, tides = learner_client
    skilled_learner(learner, course, tides)
    settings.DEEPSEEK_API_KEY = key
    deepseek_settings.queue(*steps)

    response = client.post(reverse("ai_tools:skill_gaps"))

    assert response.status_code == 200
    assert message.encode() in response.content
    assert b"Gravity" in response.content  # the measured report is still shown
    assert b"You answered 1 of 4 questions on Gravity right" not in response.content
    assert len(deepseek_settings.requests) == tries
