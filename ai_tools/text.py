"""Offline text methods on plain Python: sentence splitting, TF-IDF, TextRank, YAKE, BM25.

These are the classic, well-studied algorithms (Mihalcea & Tarau 2004 for TextRank; Campos et al.
2020 for YAKE; Robertson & Zaragoza 2009 for Okapi BM25), written out here so the default install
needs no numeric library. Lessons are short (a few thousand words), so the quadratic TextRank graph
stays small.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass

STOPWORDS = frozenset(
    """
    a about above after again against all also am an and any are as at be because been before
    being below between both but by can could did do does doing down during each either else
    even ever every few for from further get gets got had has have having he her here hers
    herself him himself his how however i if in into is it its itself just let lets like may me
    might more most much must my myself no nor not now of off often on once one only or other
    others our ours ourselves out over own per rather same shall she should since so some such
    than that the their theirs them themselves then there these they this those through thus to
    too under until up upon us use used uses using very via was we well were what when where
    whether which while who whom whose why will with within without would yet you your yours
    yourself yourselves
""".split()  # noqa: SIM905 - a word list reads better as text
)

_CODE_FENCE = re.compile(r"```.*?```", re.DOTALL)
_INLINE_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_HTML_TAG = re.compile(r"<[^>]+>")
_MARKUP = re.compile(r"^\s{0,3}(#{1,6}\s+|>\s?|[-*+]\s+|\d+[.)]\s+)", re.MULTILINE)
_EMPHASIS = re.compile(r"(\*\*|__|\*|`)")
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"')\]]*\s+(?=[\"'(\[]?[A-Z0-9])")
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9'+#-]*[A-Za-z0-9+#]|[A-Za-z]")


def plain_text(markdown_text: str) -> str:
    """The readable text of a Markdown lesson: code blocks, markup and link targets removed."""
    text = _CODE_FENCE.sub("\n", markdown_text)
    text = _INLINE_LINK.sub(r"\1", text)
    text = _HTML_TAG.sub(" ", text)
    text = _MARKUP.sub("", text)
    return _EMPHASIS.sub("", text)


def split_sentences(text: str) -> list[str]:
    """Sentences of plain text; a heading or list item without a full stop is its own sentence,
    and a line that goes on in lower case continues the sentence above (a soft line break)."""
    sentences: list[str] = []
    for block in re.split(r"\n\s*\n|\n(?=\S)(?![a-z])", text):
        block = " ".join(block.split())
        if not block:
            continue
        for sentence in _SENTENCE_END.split(block):
            sentence = sentence.strip()
            if sentence:
                sentences.append(sentence)
    return sentences


def words(text: str) -> list[str]:
    """The words of `text` in their original case."""
    return _WORD.findall(text)


def content_tokens(text: str) -> list[str]:
    """Lower-cased words without stopwords, crudely stemmed (plural s) for matching."""
    return [_stem(word.lower()) for word in words(text) if word.lower() not in STOPWORDS]


def _stem(word: str) -> str:
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def _tfidf_vectors(documents: list[list[str]]) -> list[dict[str, float]]:
    document_frequency: Counter[str] = Counter()
    for tokens in documents:
        document_frequency.update(set(tokens))
    count = len(documents)
    vectors = []
    for tokens in documents:
        term_counts = Counter(tokens)
        vector = {
            term: (1 + math.log(n)) * (math.log((1 + count) / (1 + document_frequency[term])) + 1)
            for term, n in term_counts.items()
        }
        norm = math.sqrt(sum(value * value for value in vector.values())) or 1.0
        vectors.append({term: value / norm for term, value in vector.items()})
    return vectors


def _cosine(left: dict[str, float], right: dict[str, float]) -> float:
    if len(left) > len(right):
        left, right = right, left
    return sum(value * right.get(term, 0.0) for term, value in left.items())


def textrank(sentences: list[str], *, damping: float = 0.85, iterations: int = 60) -> list[float]:
    """TextRank centrality of each sentence over its TF-IDF cosine similarity graph."""
    count = len(sentences)
    if count == 0:
        return []
    vectors = _tfidf_vectors([content_tokens(sentence) for sentence in sentences])
    weights = [[0.0] * count for _ in range(count)]
    for i in range(count):
        for j in range(i + 1, count):
            similarity = _cosine(vectors[i], vectors[j])
            weights[i][j] = weights[j][i] = similarity
    out_sums = [sum(row) for row in weights]
    scores = [1.0 / count] * count
    for _ in range(iterations):
        scores = [
            (1 - damping) / count
            + damping
            * sum(weights[j][i] * scores[j] / out_sums[j] for j in range(count) if out_sums[j])
            for i in range(count)
        ]
    return scores


@dataclass(frozen=True)
class KeyTerm:
    term: str
    score: float  # YAKE: lower is more important


def _yake_word_features(sentences: list[list[str]]) -> dict[str, float]:
    """YAKE's per-word score S(w) from casing, position, frequency, relatedness and spread."""
    frequency: Counter[str] = Counter()
    uppercase: Counter[str] = Counter()
    positions: dict[str, list[int]] = defaultdict(list)
    left: dict[str, set[str]] = defaultdict(set)
    right: dict[str, set[str]] = defaultdict(set)
    for index, sentence in enumerate(sentences):
        for position, word in enumerate(sentence):
            key = _stem(word.lower())
            frequency[key] += 1
            if (word[0].isupper() and position > 0) or (word.isupper() and len(word) > 1):
                uppercase[key] += 1
            positions[key].append(index)
            if position > 0:
                left[key].add(sentence[position - 1].lower())
            if position + 1 < len(sentence):
                right[key].add(sentence[position + 1].lower())
    content = [n for key, n in frequency.items() if key not in STOPWORDS]
    if not content:
        return {}
    mean = sum(content) / len(content)
    std = math.sqrt(sum((n - mean) ** 2 for n in content) / len(content))
    max_frequency = max(content)
    scores: dict[str, float] = {}
    for key, n in frequency.items():
        casing = max(uppercase[key], 0) / (1 + math.log(n))
        position = math.log(3 + sorted(positions[key])[len(positions[key]) // 2])
        normalised_frequency = n / (mean + std)
        relatedness = 1 + (len(left[key]) / n + len(right[key]) / n) * (n / max_frequency)
        spread = len(set(positions[key])) / len(sentences)
        scores[key] = (relatedness * position) / (
            casing + normalised_frequency / relatedness + spread / relatedness
        )
    return scores


def key_terms(text: str, *, limit: int = 12, max_words: int = 3) -> list[KeyTerm]:
    """The lesson's key terms by YAKE: n-grams of important words, no stopword at either end."""
    sentence_words = [words(sentence) for sentence in split_sentences(text)]
    sentence_words = [sentence for sentence in sentence_words if sentence]
    word_scores = _yake_word_features(sentence_words)
    candidates: Counter[str] = Counter()
    surface: dict[str, str] = {}
    for sentence in sentence_words:
        for size in range(1, max_words + 1):
            for start in range(len(sentence) - size + 1):
                gram = sentence[start : start + size]
                lowered = [word.lower() for word in gram]
                if lowered[0] in STOPWORDS or lowered[-1] in STOPWORDS:
                    continue
                if any(len(word) < 2 for word in lowered) or any(w.isdigit() for w in lowered):
                    continue
                key = " ".join(_stem(word) for word in lowered)
                candidates[key] += 1
                surface.setdefault(key, " ".join(gram))
    scored: list[KeyTerm] = []
    for key, n in candidates.items():
        parts = key.split()
        if len(parts) > 1 and n < 2:
            continue  # a phrase seen once is rarely a term of the lesson
        product = 1.0
        total = 0.0
        for part in parts:
            value = word_scores.get(part, 1.0)
            if part in STOPWORDS:
                product *= 1 + (1 - value)
                total -= 1 - value
            else:
                product *= value
                total += value
        scored.append(KeyTerm(surface[key], product / (n * (1 + total))))
    scored.sort(key=lambda term: term.score)
    chosen: list[KeyTerm] = []
    for term in scored:
        lowered = term.term.lower()
        if any(lowered in kept.term.lower() or kept.term.lower() in lowered for kept in chosen):
            continue  # keep "gradient descent", drop "gradient" and "descent"
        chosen.append(term)
        if len(chosen) == limit:
            break
    return chosen


class BM25:
    """Okapi BM25 (k1=1.5, b=0.75) over tokenised passages."""

    def __init__(self, documents: list[list[str]], *, k1: float = 1.5, b: float = 0.75) -> None:
        self.documents = documents
        self.k1 = k1
        self.b = b
        self.lengths = [len(document) for document in documents]
        self.average_length = (sum(self.lengths) / len(documents)) if documents else 0.0
        self.term_counts = [Counter(document) for document in documents]
        document_frequency: Counter[str] = Counter()
        for document in documents:
            document_frequency.update(set(document))
        count = len(documents)
        self.idf = {
            term: math.log(1 + (count - n + 0.5) / (n + 0.5))
            for term, n in document_frequency.items()
        }

    def scores(self, query: list[str]) -> list[float]:
        results = []
        for counts, length in zip(self.term_counts, self.lengths, strict=True):
            score = 0.0
            for term in query:
                n = counts.get(term)
                if not n:
                    continue
                norm = self.k1 * (1 - self.b + self.b * length / (self.average_length or 1))
                score += self.idf[term] * n * (self.k1 + 1) / (n + norm)
            results.append(score)
        return results
