"""The AI tools' services with the offline provider (no key, no network) and with DeepSeek."""

from __future__ import annotations

import json
import re

import pytest
import time_machine

from accounts.tests.factories import InstructorFactory
from ai_tools import selectors, services
from ai_tools.exceptions import (
    AIProviderBusyError,
    NotEntitledError,
    NothingToWorkWithError,
    PlanRequiredError,
    QuotaExceededError,
    RateLimitedError,
)
from ai_tools.models import AIUsage, ChatMessage, Conversation, LessonSummary, PracticeSet
from ai_tools.providers.local import BLANK
from ai_tools.tests.factories import (
    TIDES_TEXT,
    VOLCANO_TEXT,
    EnrollmentFactory,
    StudentFactory,
    tides_course,
)
from ai_tools.tests.fake_deepseek import FakeDeepSeek, Step
from ai_tools.text import plain_text, split_sentences
from courses.models import Course

pytestmark = pytest.mark.django_db

TIDES_SENTENCES = set(split_sentences(plain_text(TIDES_TEXT)))


@pytest.fixture
def enrolled():
    course, tides, volcanoes = tides_course()
    learner = StudentFactory()
    EnrollmentFactory(learner=learner, course=course)
    return learner, course, tides, volcanoes


def test_offline_summary_is_made_of_the_lessons_own_sentences(
    enrolled, django_capture_on_commit_callbacks
) -> None:
    learner, _, tides, _ = enrolled

    with django_capture_on_commit_callbacks(execute=True):
        summary = services.summary_request(user=learner, lesson=tides)

    summary.refresh_from_db()
    assert summary.status == "ready"
    assert summary.provider == "local"
    summary_sentences = split_sentences(summary.summary)
    assert 2 <= len(summary_sentences) <= 3
    assert set(summary_sentences) <= TIDES_SENTENCES
    assert set(summary.key_points) <= TIDES_SENTENCES
    assert len(summary.key_points) == 6
    assert summary.takeaways == [
        "Sailors should always check a tide table before entering a shallow harbour."
    ]
    assert "Moon" in summary.key_terms
    assert AIUsage.objects.get(user=learner).requests == 1


def test_a_summary_is_cached_until_the_lesson_changes(
    enrolled, django_capture_on_commit_callbacks
) -> None:
    learner, _, tides, _ = enrolled
    other = StudentFactory()
    EnrollmentFactory(learner=other, course=tides.module.course)
    with django_capture_on_commit_callbacks(execute=True):
        first = services.summary_request(user=learner, lesson=tides)
        again = services.summary_request(user=other, lesson=tides)

    assert again.pk == first.pk
    assert not AIUsage.objects.filter(user=other).exists()  # a cached answer costs nothing

    tides.body = VOLCANO_TEXT
    tides.save()
    with django_capture_on_commit_callbacks(execute=True):
        changed = services.summary_request(user=learner, lesson=tides)
    changed.refresh_from_db()
    assert changed.pk != first.pk
    assert "magma" in changed.summary
    assert LessonSummary.objects.count() == 2


def test_a_learner_not_enrolled_in_a_paid_course_gets_nothing_from_it() -> None:
    course, tides, _ = tides_course(required_plan=Course.Plan.PRO)
    outsider = StudentFactory()

    with pytest.raises(NotEntitledError, match="enroll to open it"):
        services.summary_request(user=outsider, lesson=tides)
    with pytest.raises(NotEntitledError):
        services.practice_set_create(user=outsider, lesson=tides)
    with pytest.raises(NotEntitledError, match="Enroll in this course"):
        services.conversation_create(user=outsider, course=course)

    assert LessonSummary.objects.count() == 0
    assert PracticeSet.objects.count() == 0
    assert Conversation.objects.count() == 0
    assert AIUsage.objects.count() == 0


def test_offline_questions_are_answerable_from_the_lesson(
    enrolled, django_capture_on_commit_callbacks
) -> None:
    learner, _, tides, _ = enrolled

    with django_capture_on_commit_callbacks(execute=True):
        practice = services.practice_set_create(
            user=learner, lesson=tides, count=5, kinds=["multiple_choice", "cloze"]
        )

    practice.refresh_from_db()
    assert practice.status == "ready"
    assert len(practice.questions) == 5
    for question in practice.questions:
        assert question["source_sentence"] in TIDES_SENTENCES
        stem = question["stem"].split(": ", 1)[1]
        assert stem.replace(BLANK, question["answer"], 1) == question["source_sentence"]
        assert question["explanation"] == f"The lesson says: “{question['source_sentence']}”"
        if question["kind"] == "multiple_choice":
            assert question["answer"] in question["choices"]
            assert len(set(question["choices"])) == len(question["choices"]) >= 3
            for distractor in set(question["choices"]) - {question["answer"]}:
                assert distractor.lower() not in question["source_sentence"].lower()
    assert {question["kind"] for question in practice.questions} == {"multiple_choice", "cloze"}


def test_practice_questions_are_graded(enrolled, django_capture_on_commit_callbacks) -> None:
    learner, _, tides, _ = enrolled
    with django_capture_on_commit_callbacks(execute=True):
        practice = services.practice_set_create(user=learner, lesson=tides, count=3)
    practice.refresh_from_db()
    first, _, third = practice.questions
    answers = {"1": first["answer"].upper() + "!", "2": "not it", "3": third["answer"]}

    graded = services.practice_set_submit(user=learner, practice_set=practice, answers=answers)

    assert graded.correct_count == 2
    assert graded.answers == {
        "1": first["answer"].upper() + "!",
        "2": "not it",
        "3": third["answer"],
    }


def test_practice_from_a_module_reuses_questions_for_the_same_text(
    enrolled, django_capture_on_commit_callbacks
) -> None:
    learner, _, tides, _ = enrolled
    with django_capture_on_commit_callbacks(execute=True):
        first = services.practice_set_create(user=learner, module=tides.module, count=4)
    with django_capture_on_commit_callbacks(execute=True):
        second = services.practice_set_create(user=learner, module=tides.module, count=4)

    first.refresh_from_db()
    assert second.questions == first.questions
    assert second.status == "ready"
    assert AIUsage.objects.get(user=learner).requests == 1


def test_practice_options_are_validated(enrolled) -> None:
    learner, _, tides, _ = enrolled
    with pytest.raises(NothingToWorkWithError, match="between 1 and 20"):
        services.practice_set_create(user=learner, lesson=tides, count=50)
    with pytest.raises(NothingToWorkWithError, match="Unknown question type"):
        services.practice_set_create(user=learner, lesson=tides, kinds=["essay"])
    assert PracticeSet.objects.count() == 0


def test_offline_study_buddy_quotes_and_cites_real_passages(enrolled) -> None:
    learner, course, tides, _ = enrolled
    conversation = services.conversation_create(user=learner, course=course)

    events = list(
        services.study_buddy_reply(
            user=learner, conversation=conversation, question="What causes spring tides?"
        )
    )

    chunks = [event.text for event in events if event.kind == "chunk"]
    done = events[-1]
    assert done.kind == "done"
    assert len(chunks) > 5
    reply = done.message
    assert reply.content == "".join(chunks).strip()
    assert reply.citations
    for citation in reply.citations:
        assert citation["lesson_id"] == tides.pk
        assert f"[{citation['number']}]" in reply.content
        assert set(split_sentences(citation["quote"])) <= TIDES_SENTENCES
    quoted = re.findall(r"“([^”]+)”", reply.content)
    assert quoted
    assert set(quoted) <= TIDES_SENTENCES
    assert any("spring tides" in sentence for sentence in quoted)
    assert list(conversation.messages.values_list("role", flat=True)) == ["user", "assistant"]
    conversation.refresh_from_db()
    assert conversation.title == "What causes spring tides?"


def test_study_buddy_says_so_when_the_course_does_not_cover_it(enrolled) -> None:
    learner, course, _, _ = enrolled
    conversation = services.conversation_create(user=learner, course=course)

    *_, done = services.study_buddy_reply(
        user=learner, conversation=conversation, question="Who painted Guernica?"
    )

    assert done.message.content.startswith("I could not find this in the course")
    assert done.message.citations == []


def test_the_daily_quota_is_enforced_and_a_refusal_changes_nothing(enrolled, settings) -> None:
    learner, course, _, _ = enrolled
    settings.AI_DAILY_QUOTAS = {"basic": 5, "pro": 1, "premium": 10}
    conversation = services.conversation_create(user=learner, course=course)
    list(services.study_buddy_reply(user=learner, conversation=conversation, question="Moon?"))

    with pytest.raises(QuotaExceededError, match="today's 1 AI requests of your Pro plan"):
        list(services.study_buddy_reply(user=learner, conversation=conversation, question="Sun?"))

    assert ChatMessage.objects.filter(conversation=conversation).count() == 2
    assert AIUsage.objects.get(user=learner).requests == 1


@pytest.mark.parametrize(("plan", "limit"), [("pro", 2), ("premium", 3)])
def test_each_billing_plan_gets_its_own_daily_quota(settings, plan: str, limit: int) -> None:
    settings.AI_DAILY_QUOTAS = {"basic": 1, "pro": 2, "premium": 3}
    learner = StudentFactory(plan=plan)
    for _ in range(limit):
        services.quota_consume(user=learner)

    with pytest.raises(QuotaExceededError) as refusal:
        services.quota_consume(user=learner)

    assert refusal.value.message == (
        f"You have used today's {limit} AI requests of your {plan.capitalize()} plan. "
        "They renew at midnight (UTC)."
    )
    assert refusal.value.extra == {"limit": limit, "plan": plan, "used": limit, "remaining": 0}
    assert AIUsage.objects.get(user=learner).requests == limit


def test_the_quota_renews_the_next_day(settings) -> None:
    settings.AI_DAILY_QUOTAS = {"basic": 1, "pro": 1, "premium": 1}
    learner = StudentFactory(plan="pro")
    with time_machine.travel("2026-03-02 23:59:00+00:00", tick=False):
        services.quota_consume(user=learner)
        with pytest.raises(QuotaExceededError):
            services.quota_consume(user=learner)
    with time_machine.travel("2026-03-03 00:00:30+00:00", tick=False):
        services.quota_consume(user=learner)
    assert list(AIUsage.objects.filter(user=learner).values_list("requests", flat=True)) == [1, 1]


def test_the_per_minute_limit_refuses_without_spending_quota_until_the_next_minute(
    settings, enrolled
) -> None:
    settings.AI_REQUESTS_PER_MINUTE = 2
    learner, course, _, _ = enrolled
    conversation = services.conversation_create(user=learner, course=course)
    with time_machine.travel("2026-03-02 10:15:40+00:00", tick=False):
        for question in ["Moon?", "Sun?"]:
            list(
                services.study_buddy_reply(
                    user=learner, conversation=conversation, question=question
                )
            )
        with pytest.raises(RateLimitedError) as refusal:
            list(services.study_buddy_reply(user=learner, conversation=conversation, question="?"))
        other = StudentFactory(plan="pro")
        services.quota_consume(user=other)  # the limit is each user's own

    assert (
        refusal.value.message == "You have made 2 AI requests this minute. Try again in 20 seconds."
    )
    assert (refusal.value.code, refusal.value.extra) == (
        "ai_rate_limited",
        {"limit": 2, "retry_after_seconds": 20},
    )
    assert AIUsage.objects.get(user=learner).requests == 2
    assert ChatMessage.objects.filter(conversation=conversation).count() == 4
    with time_machine.travel("2026-03-02 10:16:00+00:00", tick=False):
        services.quota_consume(user=learner)
    assert AIUsage.objects.get(user=learner).requests == 3


@pytest.mark.parametrize(
    ("plan", "current"), [("free", "you have no plan"), ("basic", "you have the Basic plan")]
)
def test_without_pro_every_ai_feature_is_refused_and_nothing_is_made(
    plan: str, current: str
) -> None:
    course, tides, _ = tides_course()
    learner = StudentFactory(plan=plan)
    EnrollmentFactory(learner=learner, course=course)
    attempts = [
        lambda: services.summary_request(user=learner, lesson=tides),
        lambda: services.practice_set_create(user=learner, lesson=tides),
        lambda: services.conversation_create(user=learner, course=course),
        lambda: services.quota_consume(user=learner),
    ]

    for attempt in attempts:
        with pytest.raises(PlanRequiredError) as refusal:
            attempt()
        assert refusal.value.status_code == 403
        assert refusal.value.message == (
            f"The AI study tools come with the Pro plan and above; {current}. "
            "Upgrade on the pricing page to use them."
        )
        assert refusal.value.extra == {
            "plan": plan,
            "required_plan": "pro",
            "upgrade_url": "/pricing/",
        }
    assert LessonSummary.objects.count() == 0
    assert PracticeSet.objects.count() == 0
    assert Conversation.objects.count() == 0
    assert AIUsage.objects.count() == 0


def test_a_cached_summary_is_not_given_to_a_learner_without_the_plan(
    enrolled, django_capture_on_commit_callbacks
) -> None:
    learner, course, tides, _ = enrolled
    with django_capture_on_commit_callbacks(execute=True):
        services.summary_request(user=learner, lesson=tides)
    basic = StudentFactory(plan="basic")
    EnrollmentFactory(learner=basic, course=course)

    with pytest.raises(PlanRequiredError):
        services.summary_request(user=basic, lesson=tides)


def test_a_cancelled_subscription_closes_the_tools(enrolled) -> None:
    learner, course, _, _ = enrolled
    learner.subscriptions.update(status="canceled")

    with pytest.raises(PlanRequiredError, match="you have no plan"):
        services.conversation_create(user=learner, course=course)


def test_staff_have_the_tools_with_the_largest_quota(settings) -> None:
    settings.AI_DAILY_QUOTAS = {"basic": 1, "pro": 2, "premium": 3}
    instructor = InstructorFactory()

    services.quota_consume(user=instructor)
    allowance = selectors.ai_allowance_get(user=instructor)

    assert (allowance.plan, allowance.can_use, allowance.daily_limit) == ("staff", True, 3)
    assert (allowance.used_today, allowance.remaining_today) == (1, 2)


@pytest.mark.parametrize(
    ("plan", "can_use", "limit"),
    [("free", False, 0), ("basic", False, 0), ("pro", True, 2), ("premium", True, 3)],
)
def test_the_allowance_follows_billing(settings, plan: str, can_use: bool, limit: int) -> None:
    settings.AI_DAILY_QUOTAS = {"basic": 1, "pro": 2, "premium": 3}
    learner = StudentFactory(plan=plan)

    allowance = selectors.ai_allowance_get(user=learner)

    assert (allowance.plan, allowance.can_use, allowance.daily_limit) == (plan, can_use, limit)
    assert allowance.remaining_today == limit


def test_with_deepseek_the_summary_goes_through_the_client(
    enrolled, deepseek_settings: FakeDeepSeek, django_capture_on_commit_callbacks
) -> None:
    learner, _, tides, _ = enrolled
    deepseek_settings.queue(
        Step(
            content=json.dumps(
                {
                    "summary": "The Moon raises two bulges of water.",
                    "key_points": ["Two tides a day."],
                    "takeaways": ["Check tide tables."],
                    "key_terms": ["spring tide"],
                }
            )
        )
    )
    with django_capture_on_commit_callbacks(execute=True):
        summary = services.summary_request(user=learner, lesson=tides)

    summary.refresh_from_db()
    assert (summary.provider, summary.status) == ("deepseek", "ready")
    assert summary.summary == "The Moon raises two bulges of water."
    [request] = deepseek_settings.requests
    assert "Sailors should always check a tide table" in request.body["messages"][1]["content"]
    usage = AIUsage.objects.get(user=learner)
    assert (usage.requests, usage.prompt_tokens, usage.completion_tokens) == (1, 100, 20)


def test_a_deepseek_outage_is_retried_then_reported_and_can_be_retried(
    enrolled, deepseek_settings: FakeDeepSeek, django_capture_on_commit_callbacks
) -> None:
    learner, _, tides, _ = enrolled
    deepseek_settings.queue(*[Step(status=500)] * 3)
    with django_capture_on_commit_callbacks(execute=True):
        summary = services.summary_request(user=learner, lesson=tides)

    summary.refresh_from_db()
    assert summary.status == "failed"
    assert summary.error == "The AI service is unavailable right now. Try again in a few minutes."
    assert len(deepseek_settings.requests) == 3

    deepseek_settings.queue(Step(content=json.dumps({"summary": "Now it works."})))
    with django_capture_on_commit_callbacks(execute=True):
        retried = services.summary_request(user=learner, lesson=tides)
    retried.refresh_from_db()
    assert (retried.pk, retried.status, retried.summary) == (summary.pk, "ready", "Now it works.")


def test_with_deepseek_the_study_buddy_streams_from_the_client(
    enrolled, deepseek_settings: FakeDeepSeek
) -> None:
    learner, course, _, _ = enrolled
    deepseek_settings.queue(Step(chunks=["The Moon ", "pulls the sea ", "[1]."]))
    conversation = services.conversation_create(user=learner, course=course)

    events = list(
        services.study_buddy_reply(user=learner, conversation=conversation, question="Moon pull?")
    )

    assert [event.text for event in events[:-1]] == ["The Moon ", "pulls the sea ", "[1]."]
    assert events[-1].message.content == "The Moon pulls the sea [1]."
    assert [citation["number"] for citation in events[-1].message.citations] == [1]
    assert deepseek_settings.requests[0].body["stream"] is True
    # The stream's final usage chunk (50 prompt tokens, one per chunk) is the learner's.
    usage = AIUsage.objects.get(user=learner)
    assert (usage.requests, usage.prompt_tokens, usage.completion_tokens) == (1, 50, 3)


def test_a_deepseek_429_during_chat_is_reported(enrolled, deepseek_settings: FakeDeepSeek) -> None:
    learner, course, _, _ = enrolled
    deepseek_settings.queue(*[Step(status=429)] * 3)
    conversation = services.conversation_create(user=learner, course=course)

    with pytest.raises(AIProviderBusyError):
        list(services.study_buddy_reply(user=learner, conversation=conversation, question="Moon?"))

    assert len(deepseek_settings.requests) == 3
    assert list(conversation.messages.values_list("role", flat=True)) == ["user"]


def test_the_study_buddy_is_closed_while_an_exam_runs(enrolled) -> None:
    from courses.models import Lesson, QuizAttempt
    from courses.tests.factories import LessonFactory, QuizFactory

    learner, course, tides, _ = enrolled
    conversation = services.conversation_create(user=learner, course=course)
    exam = QuizFactory(
        lesson=LessonFactory(module=tides.module, kind=Lesson.Kind.QUIZ, body=""), is_exam=True
    )
    QuizAttempt.objects.create(learner=learner, quiz=exam, number=1, question_ids=[])

    with pytest.raises(NotEntitledError, match="closed while your exam"):
        list(services.study_buddy_reply(user=learner, conversation=conversation, question="Moon?"))

    assert ChatMessage.objects.count() == 0


def test_module_practice_uses_only_the_lessons_the_learner_may_open(
    django_capture_on_commit_callbacks,
) -> None:
    _course, tides, _volcanoes = tides_course(required_plan=Course.Plan.PRO)
    tides.is_free_preview = True
    tides.save()
    outsider = StudentFactory()

    with django_capture_on_commit_callbacks(execute=True):
        practice = services.practice_set_create(user=outsider, module=tides.module, count=6)

    practice.refresh_from_db()
    assert practice.source_lesson_ids == [tides.pk]
    assert practice.status == "ready"
    for question in practice.questions:
        assert question["source_sentence"] in TIDES_SENTENCES


def test_a_soft_line_break_does_not_cut_a_sentence() -> None:
    text = "Shield volcanoes have slopes built from\nrunny basalt lava.\n## Heading\nNext one."
    assert split_sentences(text) == [
        "Shield volcanoes have slopes built from runny basalt lava.",
        "## Heading",
        "Next one.",
    ]


def test_with_deepseek_practice_questions_go_through_the_client(
    enrolled, deepseek_settings: FakeDeepSeek, django_capture_on_commit_callbacks
) -> None:
    learner, _, tides, _ = enrolled
    source = "Sailors should always check a tide table before entering a shallow harbour."
    deepseek_settings.queue(
        Step(
            content=json.dumps(
                {
                    "questions": [
                        {
                            "kind": "multiple_choice",
                            "stem": "What should sailors check before entering a shallow harbour?",
                            "choices": ["A tide table", "A star chart", "A compass"],
                            "answer": "A tide table",
                            "explanation": "The lesson says so.",
                            "source_sentence": source,
                        },
                        {
                            "kind": "multiple_choice",
                            "stem": "Whose key is missing from its options?",
                            "choices": ["One", "Two"],
                            "answer": "Three",
                        },
                    ]
                }
            )
        )
    )

    with django_capture_on_commit_callbacks(execute=True):
        practice = services.practice_set_create(
            user=learner, lesson=tides, count=2, kinds=["multiple_choice"]
        )

    practice.refresh_from_db()
    assert (practice.provider, practice.status) == ("deepseek", "ready")
    assert [question["answer"] for question in practice.questions] == ["A tide table"]
    assert practice.questions[0]["source_sentence"] == source
    [request] = deepseek_settings.requests
    assert request.body["response_format"] == {"type": "json_object"}
    assert request.headers["Authorization"] == "Bearer sk-test-lumen"
    assert (
        "Write 2 medium questions of these kinds: multiple_choice"
        in (request.body["messages"][0]["content"])
    )
    assert source in request.body["messages"][1]["content"]


def test_a_deepseek_timeout_while_writing_questions_is_retried_then_reported(
    enrolled, deepseek_settings: FakeDeepSeek, settings, django_capture_on_commit_callbacks
) -> None:
    learner, _, tides, _ = enrolled
    settings.DEEPSEEK_TIMEOUT_SECONDS = 0.2
    deepseek_settings.queue(*[Step(delay_seconds=0.5)] * 3)

    with django_capture_on_commit_callbacks(execute=True):
        practice = services.practice_set_create(user=learner, lesson=tides, count=2)

    practice.refresh_from_db()
    assert practice.status == "failed"
    assert practice.error == "The AI service took too long to answer. Try again in a moment."
    assert len(deepseek_settings.requests) == 3


# --- skill-gap advice -----------------------------------------------------------------------------


def test_offline_skill_advice_comes_from_the_measured_facts(enrolled) -> None:
    from ai_tools.tests.test_panels import skilled_learner

    learner, course, tides, _ = enrolled
    skilled_learner(learner, course, tides)

    report = services.skill_gap_analyze(user=learner)

    [gravity] = report.weakest
    assert report.advice_provider == "local"
    assert gravity.advice == (
        "You answered 1 of 4 questions on Gravity right (about 33% mastery, low confidence). "
        "Revisit “How tides work” and “Volcanoes”, then practise with a few questions. "
        "More answers will make this estimate surer."
    )
    assert [skill.advice for skill in report.skills if skill.name == "Geology"] == [""]
    assert AIUsage.objects.get(user=learner).requests == 1


def test_no_weak_skill_no_advice_and_no_quota(enrolled) -> None:
    learner, _, _, _ = enrolled
    report = services.skill_gap_analyze(user=learner)
    assert (report.weakest, report.advice_provider) == ([], "")
    assert not AIUsage.objects.filter(user=learner, requests__gt=0).exists()


def test_with_deepseek_skill_advice_goes_through_the_client(
    enrolled, deepseek_settings: FakeDeepSeek
) -> None:
    from ai_tools.tests.test_panels import skilled_learner

    learner, course, tides, _ = enrolled
    skilled_learner(learner, course, tides)
    deepseek_settings.queue(
        Step(
            content=json.dumps(
                {
                    "advice": [
                        {"skill": "Gravity", "text": "Reread How tides work, then retry."},
                        {"skill": "Hacking", "text": "Not a skill we asked about."},
                    ]
                }
            )
        )
    )

    report = services.skill_gap_analyze(user=learner)

    [gravity] = report.weakest
    assert (report.advice_provider, gravity.advice) == (
        "deepseek",
        "Reread How tides work, then retry.",
    )
    [request] = deepseek_settings.requests
    assert request.body["response_format"] == {"type": "json_object"}
    data = request.body["messages"][1]["content"]
    assert data.startswith("<skills>\n")
    assert data.endswith("\n</skills>")
    [facts] = json.loads(data.split("\n")[1])
    assert facts == {
        "skill": "Gravity",
        "mastery_percent": 33,
        "answers_right": 1,
        "answers": 4,
        "confidence": "low",
        "lessons_to_revisit": ["How tides work", "Volcanoes"],
    }
    usage = AIUsage.objects.get(user=learner)
    assert (usage.requests, usage.prompt_tokens, usage.completion_tokens) == (1, 100, 20)


def test_a_deepseek_outage_keeps_the_measured_skill_report(
    enrolled, deepseek_settings: FakeDeepSeek
) -> None:
    from ai_tools.tests.test_panels import skilled_learner

    learner, course, tides, _ = enrolled
    skilled_learner(learner, course, tides)
    deepseek_settings.queue(*[Step(status=500)] * 3)

    report = services.skill_gap_analyze(user=learner)

    assert report.advice_error == (
        "The AI service is unavailable right now. Try again in a few minutes."
    )
    assert [skill.name for skill in report.skills] == ["Gravity", "Geology"]
    assert report.weakest[0].advice == ""
    assert len(deepseek_settings.requests) == 3
