"""Scores a provider on the labelled set: ROUGE for summaries, answerability and correctness of
generated questions, retrieval hit rate for the study buddy, precision of weak-skill detection."""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ai_tools import selectors
from ai_tools import text as text_methods
from ai_tools.providers.base import Provider, Usage

DATASET = Path(__file__).parent / "dataset.json"


def load_dataset() -> dict[str, Any]:
    data = json.loads(DATASET.read_text())
    for lesson in data["lessons"]:
        if "text_file" in lesson:
            lesson["text"] = (DATASET.parent / lesson["text_file"]).read_text()
    return data


def _tokens(text: str) -> list[str]:
    return [word.lower() for word in text_methods.words(text)]


def rouge_1(candidate: str, reference: str) -> float:
    """ROUGE-1 F1: unigram overlap between candidate and reference."""
    left, right = Counter(_tokens(candidate)), Counter(_tokens(reference))
    overlap = sum((left & right).values())
    if not overlap:
        return 0.0
    precision, recall = overlap / sum(left.values()), overlap / sum(right.values())
    return 2 * precision * recall / (precision + recall)


def rouge_l(candidate: str, reference: str) -> float:
    """ROUGE-L F1: longest common subsequence of words."""
    a, b = _tokens(candidate), _tokens(reference)
    if not a or not b:
        return 0.0
    previous = [0] * (len(b) + 1)
    for word in a:
        current = [0]
        for j, other in enumerate(b, start=1):
            current.append(previous[j - 1] + 1 if word == other else max(previous[j], current[-1]))
        previous = current
    lcs = previous[-1]
    if not lcs:
        return 0.0
    precision, recall = lcs / len(a), lcs / len(b)
    return 2 * precision * recall / (precision + recall)


@dataclass
class Scores:
    provider: str
    rouge_1: float
    rouge_l: float
    answerable: float
    correct: float
    retrieval_hit_rate: float
    gap_precision: float
    gap_recall: float


def _is_answerable(question: dict[str, Any], lesson_text: str) -> bool:
    """The source sentence is really in the lesson and mentions the answer."""
    plain = " ".join(text_methods.plain_text(lesson_text).split()).lower()
    source = " ".join(str(question.get("source_sentence", "")).split()).lower()
    return bool(source) and source in plain and str(question["answer"]).lower() in source


def _is_correct(question: dict[str, Any]) -> bool:
    """Putting the answer in the blank (cloze) gives back the source sentence; a multiple-choice
    answer is one of its distinct options."""
    if question["kind"] == "multiple_choice":
        choices = question.get("choices") or []
        if question["answer"] not in choices or len(set(choices)) != len(choices):
            return False
    stem = str(question["stem"])
    if "_____" not in stem:
        return question["kind"] == "multiple_choice"
    filled = stem.split(": ", 1)[-1].replace("_____", str(question["answer"]), 1)
    return re.sub(r"\W+", " ", filled).strip().lower() in re.sub(
        r"\W+", " ", str(question.get("source_sentence", ""))
    ).strip().lower() or not question.get("source_sentence")


def evaluate(provider: Provider, *, label: str | None = None) -> Scores:
    data = load_dataset()
    rouge_ones, rouge_ls, answerable, correct = [], [], [], []
    hits, queries = 0, 0
    windows: list[tuple[str, str]] = []
    for lesson in data["lessons"]:
        digest = provider.summarize(title=lesson["title"], text=lesson["text"], usage=Usage())
        candidate = " ".join(digest.key_points) or digest.summary
        reference = " ".join(lesson["reference_key_points"])
        rouge_ones.append(rouge_1(candidate, reference))
        rouge_ls.append(rouge_l(candidate, reference))
        questions = provider.generate_questions(
            title=lesson["title"],
            text=lesson["text"],
            count=5,
            kinds=["multiple_choice", "cloze"],
            difficulty="medium",
            usage=Usage(),
        )
        for question in questions:
            item = question.as_dict()
            answerable.append(_is_answerable(item, lesson["text"]))
            correct.append(_is_correct(item))
        windows.extend(
            (lesson["id"], window) for window in selectors.passage_windows(lesson["text"])
        )
    for lesson in data["lessons"]:
        for query in lesson["queries"]:
            queries += 1
            ranked = selectors.passages_rank([text for _, text in windows], query["question"])
            top = [windows[i] for i in ranked[:2]]
            if any(
                lesson_id == lesson["id"] and query["expected_phrase"].lower() in text.lower()
                for lesson_id, text in top
            ):
                hits += 1
    found, expected, true_positives = 0, 0, 0
    for learner in data["learners"]:
        tally: dict[str, list[bool]] = {}
        for skill, right in learner["answers"]:
            tally.setdefault(skill, []).append(bool(right))
        estimated = {
            skill: selectors.mastery_estimate(correct=sum(results), answered=len(results))[0]
            for skill, results in tally.items()
        }
        weak = {skill for skill, mastery in estimated.items() if mastery < selectors.WEAK_BELOW}
        found += len(weak)
        expected += len(learner["weak_skills"])
        true_positives += len(weak & set(learner["weak_skills"]))

    def mean(values: list[Any]) -> float:
        return sum(values) / len(values) if values else 0.0

    return Scores(
        provider=label or provider.name,
        rouge_1=mean(rouge_ones),
        rouge_l=mean(rouge_ls),
        answerable=mean(answerable),
        correct=mean(correct),
        retrieval_hit_rate=hits / queries if queries else 0.0,
        gap_precision=true_positives / found if found else 1.0,
        gap_recall=true_positives / expected if expected else 1.0,
    )


def table(rows: list[Scores]) -> str:
    header = (
        "| provider | ROUGE-1 | ROUGE-L | questions answerable | questions correct "
        "| retrieval hit@2 | gap precision | gap recall |"
    )
    lines = [header, "|" + "---|" * 8]
    lines.extend(
        f"| {row.provider} | {row.rouge_1:.3f} | {row.rouge_l:.3f} | {row.answerable:.0%} "
        f"| {row.correct:.0%} | {row.retrieval_hit_rate:.0%} | {row.gap_precision:.0%} "
        f"| {row.gap_recall:.0%} |"
        for row in rows
    )
    return "\n".join(lines)
