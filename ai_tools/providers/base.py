"""What every AI provider offers, and the plain data it exchanges with the services."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol


@dataclass
class Usage:
    """Tokens a provider spent on one request (zero for the local provider)."""

    prompt_tokens: int = 0
    completion_tokens: int = 0

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens

    def add(self, other: Usage) -> None:
        self.prompt_tokens += other.prompt_tokens
        self.completion_tokens += other.completion_tokens


@dataclass
class LessonDigest:
    summary: str
    key_points: list[str]
    takeaways: list[str]
    key_terms: list[str]

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class PracticeQuestion:
    kind: str  # "multiple_choice" or "cloze"
    stem: str
    answer: str
    explanation: str
    source_sentence: str
    choices: list[str] = field(default_factory=list)
    difficulty: str = "medium"

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Passage:
    """A piece of a lesson the study buddy may quote; `number` is its citation mark [n]."""

    number: int
    lesson_id: int
    lesson_title: str
    text: str
    url: str

    def as_citation(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "lesson_id": self.lesson_id,
            "lesson_title": self.lesson_title,
            "url": self.url,
            "quote": self.text,
        }


@dataclass(frozen=True)
class SkillFacts:
    """What the skill-gap analyser measured about one weak skill: what advice is written from."""

    name: str
    mastery_percent: int
    correct: int
    answered: int
    confidence_label: str
    lesson_titles: list[str] = field(default_factory=list)


QUESTION_KINDS = ("multiple_choice", "cloze")
DIFFICULTIES = ("easy", "medium", "hard")


class Provider(Protocol):
    name: str

    def summarize(self, *, title: str, text: str, usage: Usage) -> LessonDigest:
        """Summary, key points, takeaways and key terms of one lesson's text."""
        ...

    def generate_questions(
        self,
        *,
        title: str,
        text: str,
        count: int,
        kinds: list[str],
        difficulty: str,
        usage: Usage,
    ) -> list[PracticeQuestion]:
        """Up to `count` questions answerable from `text`, each citing its source sentence."""
        ...

    def answer_stream(
        self,
        *,
        question: str,
        passages: list[Passage],
        history: list[dict[str, str]],
        usage: Usage,
    ) -> Iterator[str]:
        """The answer to `question` from `passages` only, chunk by chunk, citing them as [n]."""
        ...

    def skill_advice(self, *, skills: list[SkillFacts], usage: Usage) -> dict[str, str]:
        """Short study advice per weak skill (by skill name) from the measured facts only."""
        ...
