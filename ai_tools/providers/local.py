"""The offline provider: extractive methods over the lesson's own sentences, no network at all.

Summaries are the lesson's most central sentences (TextRank), key terms come from YAKE, questions
blank a key term out of a central sentence (with distractors drawn from the same lesson's other
terms), and study-buddy answers quote the passages BM25 found, so every answer is the course's own
words with its citation.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterator

from ai_tools import text as text_methods
from ai_tools.providers.base import (
    LessonDigest,
    Passage,
    PracticeQuestion,
    SkillFacts,
    Usage,
)

_ADVICE = re.compile(
    r"\b(should|must|always|never|remember|important|avoid|prefer|make sure|tip|best|key)\b",
    re.IGNORECASE,
)
_MIN_WORDS = 5
BLANK = "_____"


def _ranked_sentences(text: str) -> tuple[list[str], list[int]]:
    """The lesson's sentences (headings and fragments left out) and their indexes by centrality."""
    sentences = [
        sentence
        for sentence in text_methods.split_sentences(text_methods.plain_text(text))
        if len(text_methods.words(sentence)) >= _MIN_WORDS
    ]
    scores = text_methods.textrank(sentences)
    order = sorted(range(len(sentences)), key=lambda index: (-scores[index], index))
    return sentences, order


class LocalProvider:
    name = "local"

    def summarize(self, *, title: str, text: str, usage: Usage) -> LessonDigest:
        sentences, order = _ranked_sentences(text)
        summary_count = 2 if len(sentences) <= 8 else 3
        summary = [sentences[index] for index in sorted(order[:summary_count])]
        key_points = [sentences[index] for index in sorted(order[: min(6, len(order))])]
        advice = [index for index in order if _ADVICE.search(sentences[index])]
        takeaway_indexes = advice[:3] or order[len(key_points) : len(key_points) + 3]
        return LessonDigest(
            summary=" ".join(summary),
            key_points=key_points,
            takeaways=[sentences[index] for index in sorted(takeaway_indexes)],
            key_terms=[term.term for term in text_methods.key_terms(text, limit=10)],
        )

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
        sentences, order = _ranked_sentences(text)
        terms = [term.term for term in text_methods.key_terms(text, limit=30)]
        if difficulty == "hard":
            # Less central sentences ask about details rather than the lesson's main point.
            order = order[len(order) // 3 :] + order[: len(order) // 3]
        # A fixed seed per lesson text: the same request gives the same quiz.
        shuffler = random.Random(len(text) * 7919 + count)  # noqa: S311 - not security
        questions: list[PracticeQuestion] = []
        used_terms: set[str] = set()
        for index in order:
            if len(questions) == count:
                break
            sentence = sentences[index]
            term = self._term_in(sentence, terms, used_terms)
            if term is None:
                continue
            kind = kinds[len(questions) % len(kinds)]
            stem = re.sub(re.escape(term), BLANK, sentence, count=1, flags=re.IGNORECASE)
            answer = re.search(re.escape(term), sentence, flags=re.IGNORECASE)
            answer_text = answer.group(0) if answer else term
            choices: list[str] = []
            if kind == "multiple_choice":
                distractors = self._distractors(answer_text, sentence, terms, difficulty)
                if len(distractors) < 2:
                    kind = "cloze"  # too few other terms in this lesson for fair options
                else:
                    choices = [answer_text, *distractors]
                    shuffler.shuffle(choices)
            used_terms.add(term.lower())
            questions.append(
                PracticeQuestion(
                    kind=kind,
                    stem=f"Complete the sentence from “{title}”: {stem}",
                    answer=answer_text,
                    explanation=f"The lesson says: “{sentence}”",
                    source_sentence=sentence,
                    choices=choices,
                    difficulty=difficulty,
                )
            )
        return questions

    @staticmethod
    def _term_in(sentence: str, terms: list[str], used: set[str]) -> str | None:
        lowered = sentence.lower()
        for term in terms:
            if term.lower() in used:
                continue
            if re.search(rf"\b{re.escape(term.lower())}\b", lowered):
                return term
        return None

    @staticmethod
    def _distractors(answer: str, sentence: str, terms: list[str], difficulty: str) -> list[str]:
        """Other terms of the same lesson, not in the sentence, most alike in shape first."""
        lowered_sentence = sentence.lower()
        pool = [
            term
            for term in terms
            if term.lower() != answer.lower()
            and term.lower() not in lowered_sentence
            and answer.lower() not in term.lower()
            and term.lower() not in answer.lower()
        ]
        answer_words = len(answer.split())
        pool.sort(
            key=lambda term: (abs(len(term.split()) - answer_words), abs(len(term) - len(answer)))
        )
        wanted = {"easy": 2, "medium": 3, "hard": 4}[difficulty]
        return pool[:wanted]

    def answer_stream(
        self,
        *,
        question: str,
        passages: list[Passage],
        history: list[dict[str, str]],
        usage: Usage,
    ) -> Iterator[str]:
        query = text_methods.content_tokens(question)
        candidates: list[tuple[float, int, str]] = []
        for passage in passages:
            for sentence in text_methods.split_sentences(passage.text):
                tokens = set(text_methods.content_tokens(sentence))
                overlap = sum(1 for term in set(query) if term in tokens)
                if overlap:
                    candidates.append(
                        (overlap / (1 + len(tokens)) ** 0.5, passage.number, sentence)
                    )
        candidates.sort(key=lambda item: -item[0])
        chosen = candidates[:3]
        if not chosen:
            yield (
                "I could not find this in the course's lessons. Try other words, or ask in the "
                "course's Q&A."
            )
            return
        yield "From the course:"
        for _, number, sentence in chosen:
            for word in f" “{sentence}” [{number}]".split(" "):
                if word:
                    yield " " + word

    def skill_advice(self, *, skills: list[SkillFacts], usage: Usage) -> dict[str, str]:
        """Advice put together from the measured facts: where the learner stands, how sure the
        estimate is, and which lessons to revisit first."""
        advice = {}
        for skill in skills:
            parts = [
                f"You answered {skill.correct} of {skill.answered} questions on {skill.name} "
                f"right (about {skill.mastery_percent}% mastery, {skill.confidence_label} "
                "confidence)."
            ]
            if skill.lesson_titles:
                lessons = " and ".join(f"“{title}”" for title in skill.lesson_titles[:2])
                parts.append(f"Revisit {lessons}, then practise with a few questions.")
            else:
                parts.append("Retake the quizzes on this skill.")
            if skill.confidence_label == "low":
                parts.append("More answers will make this estimate surer.")
            advice[skill.name] = " ".join(parts)
        return advice
