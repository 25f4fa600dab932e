"""/api/v1/ai/: wiring, roles, error shape, streaming and query budgets."""

from __future__ import annotations

import json

import pytest
from asgiref.sync import async_to_sync
from django.test import AsyncClient
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.tokens import token_pair_issue
from ai_tools import services
from ai_tools.models import AIUsage, ChatMessage, Conversation, LessonSummary, PracticeSet
from ai_tools.tests.factories import EnrollmentFactory, StudentFactory, tides_course
from ai_tools.tests.fake_deepseek import FakeDeepSeek, Step
from courses.models import Course

pytestmark = pytest.mark.django_db


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def setup():
    course, tides, volcanoes = tides_course()
    learner = StudentFactory()
    EnrollmentFactory(learner=learner, course=course)
    return learner, course, tides, volcanoes


@pytest.mark.parametrize(
    ("name", "method"),
    [
        ("ai-summarize-lesson", "post"),
        ("ai-generate-questions", "post"),
        ("ai-study-buddy", "post"),
        ("ai-analyze-skill-gaps", "post"),
        ("ai-practice-sets", "get"),
    ],
)
def test_anonymous_callers_get_401(name: str, method: str) -> None:
    response = getattr(APIClient(), method)(reverse(f"api:{name}"), {}, format="json")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


def test_summarize_lesson_answers_202_then_200_from_the_cache(
    setup, django_capture_on_commit_callbacks
) -> None:
    learner, _, tides, _ = setup
    client = client_for(learner)
    url = reverse("api:ai-summarize-lesson")

    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(url, {"lesson_id": tides.pk}, format="json")
    # Eager Celery ran the job on commit, after the response body was made.
    assert first.status_code == 202
    assert first.json()["status"] == "pending"
    second = client.post(url, {"lesson_id": tides.pk}, format="json")
    assert second.status_code == 200
    body = second.json()
    assert body["status"] == "ready"
    assert body["is_generated"] is True
    assert body["provider"] == "local"
    assert "Sailors should always check a tide table" in " ".join(body["takeaways"])
    detail = client.get(reverse("api:ai-summary", args=[body["id"]]))
    assert detail.json()["summary"] == body["summary"]


def test_summarize_a_paid_lesson_without_enrolment_is_403_and_nothing_is_made() -> None:
    _, tides, _ = tides_course(required_plan=Course.Plan.PRO)
    outsider = StudentFactory()

    response = client_for(outsider).post(
        reverse("api:ai-summarize-lesson"), {"lesson_id": tides.pk}, format="json"
    )

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "ai_not_entitled"
    assert LessonSummary.objects.count() == 0


def test_summarize_an_unknown_lesson_is_404_and_bad_input_is_400(setup) -> None:
    learner, *_ = setup
    client = client_for(learner)
    url = reverse("api:ai-summarize-lesson")

    assert client.post(url, {"lesson_id": 999999}, format="json").status_code == 404
    bad = client.post(url, {"lesson_id": "x"}, format="json")
    assert bad.status_code == 400
    assert bad.json()["error"]["fields"]["lesson_id"] == ["Give a whole number (a JSON number)."]


def test_generate_questions_hides_answers_until_submitted(
    setup, django_capture_on_commit_callbacks
) -> None:
    learner, _, tides, _ = setup
    client = client_for(learner)
    with django_capture_on_commit_callbacks(execute=True):
        created = client.post(
            reverse("api:ai-generate-questions"),
            {"lesson_id": tides.pk, "count": 3, "kinds": ["cloze"], "difficulty": "easy"},
            format="json",
        )
    assert created.status_code == 202
    practice_url = reverse("api:ai-practice-set", args=[created.json()["id"]])

    ready = client.get(practice_url).json()
    assert ready["status"] == "ready"
    assert len(ready["questions"]) == 3
    assert all("answer" not in question for question in ready["questions"])
    practice = PracticeSet.objects.get()
    right = {str(q["number"]): q["answer"] for q in practice.questions}

    submitted = client.post(
        reverse("api:ai-practice-set-submit", args=[practice.pk]), {"answers": right}, format="json"
    )
    assert submitted.status_code == 200
    assert submitted.json()["correct_count"] == 3
    assert submitted.json()["questions"][0]["answer"] == practice.questions[0]["answer"]


def test_generate_questions_needs_exactly_one_source(setup) -> None:
    learner, _, tides, _ = setup
    response = client_for(learner).post(
        reverse("api:ai-generate-questions"),
        {"lesson_id": tides.pk, "module_id": tides.module_id},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["error"]["message"] == "Give either lesson_id or module_id."


def test_someone_elses_practice_set_is_404(setup, django_capture_on_commit_callbacks) -> None:
    learner, _, tides, _ = setup
    with django_capture_on_commit_callbacks(execute=True):
        practice = services.practice_set_create(user=learner, lesson=tides, count=2)
    other = client_for(StudentFactory())

    assert other.get(reverse("api:ai-practice-set", args=[practice.pk])).status_code == 404
    response = other.post(
        reverse("api:ai-practice-set-submit", args=[practice.pk]), {"answers": {}}, format="json"
    )
    assert response.status_code == 404
    practice.refresh_from_db()
    assert practice.submitted_at is None


def test_practice_set_list_has_a_query_budget(
    setup, django_capture_on_commit_callbacks, django_assert_max_num_queries
) -> None:
    learner, _, tides, volcanoes = setup
    with django_capture_on_commit_callbacks(execute=True):
        for lesson in (tides, volcanoes, tides):
            services.practice_set_create(user=learner, lesson=lesson, count=2)
    client = client_for(learner)

    with django_assert_max_num_queries(5):
        response = client.get(reverse("api:ai-practice-sets"))

    assert response.json()["count"] == 3


def test_study_buddy_answers_with_citations(setup) -> None:
    learner, course, tides, _ = setup

    response = client_for(learner).post(
        reverse("api:ai-study-buddy"),
        {"course_id": course.pk, "question": "What are neap tides?"},
        format="json",
    )

    assert response.status_code == 200
    body = response.json()
    assert body["message"]["is_generated"] is True
    assert "neap tides" in body["message"]["content"]
    assert body["message"]["citations"][0]["lesson_id"] == tides.pk
    assert Conversation.objects.get().pk == body["conversation_id"]


def test_study_buddy_streams_server_sent_events_through_deepseek(
    setup, deepseek_settings: FakeDeepSeek
) -> None:
    learner, course, _, _ = setup
    deepseek_settings.queue(Step(chunks=["Neap ", "tides ", "are small [1]."]))

    response = client_for(learner).post(
        reverse("api:ai-study-buddy"),
        {"course_id": course.pk, "question": "What are neap tides?", "stream": True},
        format="json",
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "text/event-stream"
    raw = b"".join(response.streaming_content).decode()
    events = [
        (block.split("\n")[0][len("event: ") :], json.loads(block.split("\n")[1][len("data: ") :]))
        for block in raw.strip().split("\n\n")
    ]
    assert [name for name, _ in events] == ["conversation", "chunk", "chunk", "chunk", "done"]
    assert [data["text"] for name, data in events if name == "chunk"] == [
        "Neap ",
        "tides ",
        "are small [1].",
    ]
    done = events[-1][1]
    assert done["content"] == "Neap tides are small [1]."
    assert [citation["number"] for citation in done["citations"]] == [1]
    request = deepseek_settings.requests[0]
    assert request.headers["Authorization"] == "Bearer sk-test-lumen"
    assert request.body["stream"] is True


def test_study_buddy_streams_event_by_event_on_the_asgi_server(
    setup, deepseek_settings: FakeDeepSeek
) -> None:
    """Under ASGI (the `ws` process nginx sends this endpoint to) the response must be an async
    iterator: Django would collect a plain generator whole before sending any of it."""
    learner, course, _, _ = setup
    deepseek_settings.queue(Step(chunks=["Neap ", "tides ", "are small [1]."]))
    access = token_pair_issue(user=learner)["access"]

    async def ask() -> tuple[bool, list[bytes]]:
        response = await AsyncClient().post(
            reverse("api:ai-study-buddy"),
            {"course_id": course.pk, "question": "What are neap tides?", "stream": True},
            content_type="application/json",
            headers={"Authorization": f"Bearer {access}"},
        )
        assert response.status_code == 200
        return response.is_async, [chunk async for chunk in response.streaming_content]

    is_async, chunks = async_to_sync(ask)()

    assert is_async
    assert [chunk.split(b"\n")[0] for chunk in chunks] == [
        b"event: conversation",
        *[b"event: chunk"] * 3,
        b"event: done",
    ]
    assert json.loads(chunks[-1].split(b"\n")[1][len(b"data: ") :])["content"] == (
        "Neap tides are small [1]."
    )
    assert ChatMessage.objects.filter(conversation__course=course).count() == 2


def test_study_buddy_reports_a_deepseek_outage_as_a_clear_error(
    setup, deepseek_settings: FakeDeepSeek
) -> None:
    learner, course, _, _ = setup
    deepseek_settings.queue(*[Step(status=503)] * 3)

    response = client_for(learner).post(
        reverse("api:ai-study-buddy"),
        {"course_id": course.pk, "question": "Moon?"},
        format="json",
    )

    assert response.status_code == 502
    assert response.json()["error"] == {
        "code": "ai_provider_error",
        "message": "The AI service is unavailable right now. Try again in a few minutes.",
        "fields": {},
    }
    assert len(deepseek_settings.requests) == 3


def test_study_buddy_refuses_a_learner_not_enrolled() -> None:
    course, _, _ = tides_course(required_plan=Course.Plan.PRO)
    response = client_for(StudentFactory()).post(
        reverse("api:ai-study-buddy"),
        {"course_id": course.pk, "question": "Moon?"},
        format="json",
    )
    assert response.status_code == 403
    assert ChatMessage.objects.count() == 0


def test_the_quota_answers_429(setup, settings) -> None:
    learner, course, _, _ = setup
    settings.AI_DAILY_QUOTAS = {"basic": 0, "pro": 0, "premium": 0}
    response = client_for(learner).post(
        reverse("api:ai-study-buddy"),
        {"course_id": course.pk, "question": "Moon?"},
        format="json",
    )
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "ai_quota_exceeded"
    assert not AIUsage.objects.filter(user=learner, requests__gt=0).exists()
    assert ChatMessage.objects.count() == 0


def test_the_ai_rate_limit_applies(setup, settings) -> None:
    learner, _course, _, _ = setup
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            "ai": "2/min",
        },
    }
    client = client_for(learner)
    url = reverse("api:ai-analyze-skill-gaps")
    statuses = [client.post(url, {}, format="json").status_code for _ in range(3)]
    assert statuses == [200, 200, 429]


def test_conversation_lists_have_query_budgets(setup, django_assert_max_num_queries) -> None:
    learner, course, _, _ = setup
    for question in ("Moon?", "Sun?", "Tide table?"):
        conversation = services.conversation_create(user=learner, course=course)
        list(services.study_buddy_reply(user=learner, conversation=conversation, question=question))
    client = client_for(learner)

    with django_assert_max_num_queries(6):
        listed = client.get(reverse("api:ai-conversations"), {"course_id": course.pk})
    assert listed.json()["count"] == 3
    with django_assert_max_num_queries(4):
        messages = client.get(reverse("api:ai-conversation-messages", args=[conversation.pk]))
    assert [message["role"] for message in messages.json()] == ["user", "assistant"]
    other = client_for(StudentFactory())
    assert (
        other.get(reverse("api:ai-conversation-messages", args=[conversation.pk])).status_code
        == 404
    )


# --- plans and quotas (billing decides who has the AI tools) ----------------------------------


@pytest.mark.parametrize("plan", ["free", "basic"])
def test_every_ai_endpoint_answers_403_without_the_pro_plan(plan: str) -> None:
    course, tides, _ = tides_course()
    learner = StudentFactory(plan=plan)
    EnrollmentFactory(learner=learner, course=course)
    client = client_for(learner)
    calls = [
        ("ai-summarize-lesson", {"lesson_id": tides.pk}),
        ("ai-generate-questions", {"lesson_id": tides.pk, "count": 3}),
        ("ai-study-buddy", {"course_id": course.pk, "question": "Moon?"}),
        ("ai-analyze-skill-gaps", {}),
    ]

    for name, body in calls:
        response = client.post(reverse(f"api:{name}"), body, format="json")
        assert response.status_code == 403, name
        error = response.json()["error"]
        assert error["code"] == "ai_plan_required"
        assert error["message"].startswith("The AI study tools come with the Pro plan and above")
    assert LessonSummary.objects.count() == 0
    assert PracticeSet.objects.count() == 0
    assert ChatMessage.objects.count() == 0
    assert AIUsage.objects.count() == 0


def test_opening_the_ai_tools_to_basic_gives_basic_learners_their_own_quota(settings) -> None:
    settings.BILLING_AI_TOOLS_PLAN = "basic"
    settings.AI_DAILY_QUOTAS = {"basic": 1, "pro": 5, "premium": 9}
    course, tides, _ = tides_course()
    basic, free = StudentFactory(plan="basic"), StudentFactory(plan="free")
    for learner in (basic, free):
        EnrollmentFactory(learner=learner, course=course)
    url = reverse("api:ai-summarize-lesson")

    first = client_for(basic).post(url, {"lesson_id": tides.pk}, format="json")
    usage = client_for(basic).get(reverse("api:ai-usage")).json()
    refused = client_for(free).post(url, {"lesson_id": tides.pk}, format="json")

    assert first.status_code in {200, 202}, first.content
    assert usage["can_use"] is True
    assert usage["daily_limit"] == 1
    assert usage["remaining_today"] == 0
    assert refused.status_code == 403
    assert refused.json()["error"]["message"].startswith(
        "The AI study tools come with the Basic plan and above"
    )


@pytest.mark.parametrize(("plan", "limit"), [("pro", 1), ("premium", 2)])
def test_the_quota_of_each_plan_answers_429_with_a_message(settings, plan: str, limit: int) -> None:
    settings.AI_DAILY_QUOTAS = {"basic": 0, "pro": 1, "premium": 2}
    course, _, _ = tides_course()
    learner = StudentFactory(plan=plan)
    EnrollmentFactory(learner=learner, course=course)
    client = client_for(learner)
    ask = {"course_id": course.pk, "question": "What pulls the tides?"}
    statuses = [
        client.post(reverse("api:ai-study-buddy"), ask, format="json").status_code
        for _ in range(limit + 1)
    ]

    response = client.post(reverse("api:ai-study-buddy"), ask, format="json")

    assert statuses == [200] * limit + [429]
    assert response.status_code == 429
    assert response.json()["error"]["message"] == (
        f"You have used today's {limit} AI requests of your {plan.capitalize()} plan. "
        "They renew at midnight (UTC)."
    )
    assert AIUsage.objects.get(user=learner).requests == limit
    assert ChatMessage.objects.filter(role="assistant").count() == limit


@pytest.mark.parametrize(
    ("plan", "expected"),
    [
        ("free", {"plan": "free", "can_use": False, "daily_limit": 0, "remaining_today": 0}),
        ("basic", {"plan": "basic", "can_use": False, "daily_limit": 0, "remaining_today": 0}),
        ("pro", {"plan": "pro", "can_use": True, "daily_limit": 20, "remaining_today": 19}),
        ("premium", {"plan": "premium", "can_use": True, "daily_limit": 90, "remaining_today": 89}),
    ],
)
def test_the_usage_endpoint_reports_the_plan_and_what_is_left(
    settings, plan: str, expected: dict
) -> None:
    settings.AI_DAILY_QUOTAS = {"basic": 5, "pro": 20, "premium": 90}
    learner = StudentFactory(plan=plan)
    AIUsage.objects.create(
        user=learner, day=timezone.now().date(), requests=1, prompt_tokens=30, completion_tokens=7
    )

    body = client_for(learner).get(reverse("api:ai-usage")).json()

    assert {key: body[key] for key in expected} == expected
    assert body["required_plan"] == "pro"
    assert body["used_today"] == 1
    assert (body["prompt_tokens_today"], body["completion_tokens_today"]) == (30, 7)


def test_analyze_skill_gaps_returns_deepseek_advice(setup, deepseek_settings) -> None:
    from ai_tools.tests.test_panels import skilled_learner

    learner, course, tides, _ = setup
    skilled_learner(learner, course, tides)
    deepseek_settings.queue(
        Step(content=json.dumps({"advice": [{"skill": "Gravity", "text": "Reread the tides."}]}))
    )

    response = client_for(learner).post(reverse("api:ai-analyze-skill-gaps"), {}, format="json")

    body = response.json()
    assert response.status_code == 200
    assert (body["advice_provider"], body["advice_error"]) == ("deepseek", "")
    assert [(skill["name"], skill["advice"]) for skill in body["weakest"]] == [
        ("Gravity", "Reread the tides.")
    ]
    assert [skill["advice"] for skill in body["skills"]] == ["Reread the tides.", ""]
