"""The evaluation command runs on the labelled set and prints its table."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command

from ai_tools.evaluation.scoring import load_dataset, rouge_1, rouge_l
from ai_tools.tests.fake_deepseek import VALID_KEY, Step
from ai_tools.text import plain_text, split_sentences
from core import semantic


def test_rouge_scores() -> None:
    assert rouge_1("the moon pulls", "the moon pulls") == 1.0
    assert rouge_1("sun", "moon") == 0.0
    assert rouge_l("a b c d", "a c d") == pytest.approx(2 * (3 / 4) * 1 / (3 / 4 + 1))


def test_the_evaluation_command_prints_the_local_providers_table() -> None:
    out = io.StringIO()

    call_command("ai_evaluate", "--min-correct", "0.9", stdout=out)

    lines = out.getvalue().strip().splitlines()
    assert lines[0].startswith("| provider | ROUGE-1 | ROUGE-L |")
    row = [cell.strip() for cell in lines[2].strip("|").split("|")]
    assert row[0] == "local"
    assert float(row[1]) > 0.4
    assert row[3:6] == ["100%", "100%", "100%"]


def test_scoring_deepseek_needs_a_key(settings) -> None:
    settings.DEEPSEEK_API_KEY = ""
    with pytest.raises(CommandError, match="Set DEEPSEEK_API_KEY"):
        call_command("ai_evaluate", "--deepseek", stdout=io.StringIO())


def _lesson_sentences(body: dict) -> list[str]:
    lesson = body["messages"][-1]["content"].split("\n", 1)[1].rsplit("\n</lesson>", 1)[0]
    return [s for s in split_sentences(plain_text(lesson)) if s.endswith(".")]


def _fake_author(body: dict) -> str:
    """Stands in for the model: a summary of the lesson's first sentences, and two questions, one
    made right from a lesson sentence and one wrong (its source sentence does not say it)."""
    sentences = _lesson_sentences(body)
    if "practice questions" in body["messages"][0]["content"]:
        source = sentences[0]
        answer = max(source.rstrip(".").split(), key=len)
        return json.dumps(
            {
                "questions": [
                    {
                        "kind": "cloze",
                        "stem": source.replace(answer, "_____", 1),
                        "answer": answer,
                        "explanation": "From the lesson.",
                        "source_sentence": source,
                    },
                    {
                        "kind": "cloze",
                        "stem": "The lesson is about _____.",
                        "answer": "Jupiter",
                        "explanation": "Made up.",
                        "source_sentence": sentences[1],  # real, but it does not say that
                    },
                ]
            }
        )
    return json.dumps({"summary": " ".join(sentences[:2]), "key_points": sentences[:4]})


def test_the_evaluation_scores_deepseek_through_its_client(deepseek_settings) -> None:
    deepseek_settings.responder = _fake_author
    out = io.StringIO()

    call_command("ai_evaluate", "--deepseek", stdout=out)

    lines = out.getvalue().strip().splitlines()
    rows = {line.split("|")[1].strip(): line for line in lines[2:]}
    # The semantic extra (CI's second step) adds its own row of the local provider.
    local_rows = {"local", "local + semantic"} if semantic.is_available() else {"local"}
    assert set(rows) == local_rows | {"deepseek"}
    deepseek = [cell.strip() for cell in rows["deepseek"].strip("|").split("|")]
    # The scorer judged what came back: the made-up question is neither answerable nor correct.
    assert deepseek[3:5] == ["50%", "50%"]
    lessons = len(load_dataset()["lessons"])
    assert len(deepseek_settings.requests) == 2 * lessons  # a summary and questions per lesson
    for request in deepseek_settings.requests:
        assert request.headers["Authorization"] == f"Bearer {VALID_KEY}"
        assert request.body["response_format"] == {"type": "json_object"}
        assert request.body["model"] == "deepseek-chat"


def test_a_deepseek_failure_during_the_evaluation_is_reported(deepseek_settings) -> None:
    deepseek_settings.queue(Step(status=500), Step(status=500), Step(status=500))

    with pytest.raises(CommandError, match="Scoring deepseek failed: "):
        call_command("ai_evaluate", "--deepseek", stdout=io.StringIO())
