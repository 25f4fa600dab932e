"""Smart matching: choose a category for a question, and measure how alike two questions are.

The classifier is a binarised multinomial Naive Bayes (each term counted once per question, the
variant that suits short texts) over words and adjacent word pairs with Laplace smoothing, written
with the standard library. Those two choices were picked by 5-fold cross-validation on the seed
examples (0.86 against 0.79 for raw counts with lighter smoothing), never on the held-out test
set. It learns from every question whose category a person chose (the asker or an editor, never
the classifier itself, so it cannot reinforce its own mistakes), from the labelled examples
shipped in ``qa/classifier_data/seed.json``, and from each category's keywords. Training a few
thousand questions takes well under a second, so the model is rebuilt in memory whenever its
training set changes (see ``qa.selectors.category_classifier_get``).

With the optional semantic extra (``core.semantic``) the classifier also gets an embedding of each
labelled question: the SEMANTIC_NEIGHBOURS labelled questions closest in meaning to a new one vote
for their categories (their cosine similarities summed), and that vote is blended with the Naive
Bayes posterior, SEMANTIC_WEIGHT to the rest. Both were picked by 5-fold cross-validation on the
seed examples (0.90 against 0.79 for the Naive Bayes posterior alone on the same folds), never on
the held-out set. This module itself stays on the standard library: embeddings come in as a
function.

It is transparent: every ``Prediction`` says how it was made ("classifier", "semantic" or
"keywords") and which words (and, with embeddings, which similar question) decided it.
When the model is unsure (its best probability is below
``CONFIDENCE_THRESHOLD``) a keyword rule takes over: the category whose keywords appear most often
in the question wins. When neither has anything to go on, the question stays uncategorised.
"""

from __future__ import annotations

import itertools
import json
import math
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

SEED_PATH = Path(__file__).resolve().parent / "classifier_data" / "seed.json"

# Below this posterior probability the keyword rule is consulted first.
CONFIDENCE_THRESHOLD = 0.55
# Laplace (add-one) smoothing.
SMOOTHING = 1.0
# How many deciding words a prediction reports.
EVIDENCE_SIZE = 4
# With embeddings: how many nearest labelled questions vote, and the vote's share of the blend.
SEMANTIC_NEIGHBOURS = 11
SEMANTIC_WEIGHT = 0.7

_TOKEN = re.compile(r"[a-z0-9][a-z0-9+#]*(?:[.\-][a-z0-9+#]+)*")
_STOPWORDS = frozenset(
    """
    a about above after again against all am an and any are as at be because been before being
    below between both but by can could did do does doing down during each few for from further
    get gets getting got had has have having he her here hers herself him himself his how i if
    in into is it its itself just me more most my myself no nor not now of off on once only or
    other our ours ourselves out over own same she should so some such than that the their
    theirs them themselves then there these they this those through to too under until up very
    was we were what when where which while who whom why will with would you your yours
    yourself yourselves im ive dont doesnt didnt cant isnt wont whats hi hello thanks thank
    please help anyone someone something anything way ways using use used want wanted need
    needs trying try tried still keep also really like one two make makes made know best better
    good new work works working question questions problem issue hey guys ok okay etc vs via
    e.g i.e
    """.split()  # noqa: SIM905 - a word list reads better as words than as 200 quoted strings
)


def _stem(word: str) -> str:
    """A deliberately light stemmer: plurals and a few verb endings, nothing that merges terms.
    Technical names (node.js, c++, ci-cd) are left alone."""
    if not word.isalpha():
        return word
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 4 and word.endswith(("sses", "xes", "ches", "shes")):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    if len(word) > 5 and word.endswith("ing"):
        return word[:-3]
    if len(word) > 4 and word.endswith("ed") and not word.endswith("eed"):
        return word[:-2]
    return word


def tokenize(text: str) -> list[str]:
    """Lower-case words of two or more characters, without stop words, lightly stemmed."""
    words = []
    for match in _TOKEN.finditer(text.lower()):
        word = match.group().strip(".-")
        if len(word) < 2 or word in _STOPWORDS or word.isdigit():
            continue
        words.append(_stem(word))
    return words


def features(title: str, body: str = "") -> list[str]:
    """The distinct terms a question is classified by: its words and adjacent word pairs."""
    terms: list[str] = []
    for words in (tokenize(title), tokenize(body)):
        terms.extend(words)
        terms.extend(f"{first}_{second}" for first, second in itertools.pairwise(words))
    return list(dict.fromkeys(terms))


@dataclass(frozen=True)
class Example:
    """One labelled question."""

    title: str
    body: str
    label: str


@dataclass(frozen=True)
class Prediction:
    """What the classifier decided, how, and why."""

    label: str | None
    confidence: float
    method: str  # "classifier", "semantic", "keywords" or "none"
    evidence: tuple[str, ...] = ()
    similar_to: str = ""  # "semantic": the closest labelled question's title

    @property
    def explanation(self) -> str:
        words = ", ".join(word.replace("_", " ") for word in self.evidence)
        if self.method == "semantic":
            sure = min(self.confidence, 0.99)
            reason = f'closest to "{self.similar_to}"'
            if words:
                reason += f", and from: {words}"
            return f"Chosen by the classifier and by meaning ({sure:.0%} sure), {reason}."
        if self.method == "classifier":
            # Never "100% sure": the posterior rounds up, the classifier can still be wrong.
            sure = min(self.confidence, 0.99)
            return f"Chosen by the classifier ({sure:.0%} sure), from: {words}."
        if self.method == "keywords":
            return f"Chosen by matching keywords: {words}."
        return "No category could be chosen automatically."


@dataclass
class NaiveBayes:
    """Multinomial Naive Bayes with Laplace smoothing over term counts."""

    smoothing: float = SMOOTHING
    document_counts: Counter[str] = field(default_factory=Counter)
    term_counts: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    term_totals: Counter[str] = field(default_factory=Counter)
    vocabulary: set[str] = field(default_factory=set)

    def fit(self, documents: Iterable[tuple[Sequence[str], str]]) -> NaiveBayes:
        for terms, label in documents:
            self.document_counts[label] += 1
            self.term_counts[label].update(terms)
            self.term_totals[label] += len(terms)
            self.vocabulary.update(terms)
        return self

    @property
    def labels(self) -> list[str]:
        return sorted(self.document_counts)

    def _log_likelihood(self, term: str, label: str) -> float:
        denominator = self.term_totals[label] + self.smoothing * len(self.vocabulary)
        return math.log((self.term_counts[label][term] + self.smoothing) / denominator)

    def probabilities(self, terms: Sequence[str]) -> dict[str, float]:
        """Posterior probability of each label; empty when no term is known to the model."""
        known = [term for term in terms if term in self.vocabulary]
        if not known or not self.document_counts:
            return {}
        total_documents = sum(self.document_counts.values())
        scores = {}
        for label in self.labels:
            score = math.log(self.document_counts[label] / total_documents)
            score += sum(self._log_likelihood(term, label) for term in known)
            scores[label] = score
        top = max(scores.values())
        exponentials = {label: math.exp(score - top) for label, score in scores.items()}
        normaliser = sum(exponentials.values())
        return {label: value / normaliser for label, value in exponentials.items()}

    def evidence(self, terms: Sequence[str], label: str, size: int = EVIDENCE_SIZE) -> list[str]:
        """The known terms that most favour `label` over the other labels."""
        others = [other for other in self.labels if other != label]
        weights: dict[str, float] = {}
        for term in set(terms) & self.vocabulary:
            own = self._log_likelihood(term, label)
            rest = (
                sum(self._log_likelihood(term, other) for other in others) / len(others)
                if others
                else 0.0
            )
            if own > rest:
                weights[term] = own - rest
        return sorted(weights, key=lambda term: (-weights[term], term))[:size]


def _keyword_pattern(keyword: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![a-z0-9]){re.escape(keyword.lower())}(?![a-z0-9])")


@dataclass
class KeywordMatcher:
    """The fallback: the category with the most distinct keywords present in the text wins."""

    keywords: Mapping[str, Sequence[str]]

    def predict(self, title: str, body: str = "") -> Prediction:
        text = f"{title}\n{body}".lower()
        hits: dict[str, list[str]] = {}
        for label, words in self.keywords.items():
            found = [word for word in words if word and _keyword_pattern(word).search(text)]
            if found:
                hits[label] = found
        if not hits:
            return Prediction(None, 0.0, "none")
        ranked = sorted(hits, key=lambda label: (-len(hits[label]), label))
        best = ranked[0]
        if len(ranked) > 1 and len(hits[ranked[1]]) == len(hits[best]):
            return Prediction(None, 0.0, "none")  # a tie is not a decision
        total = sum(len(found) for found in hits.values())
        return Prediction(best, len(hits[best]) / total, "keywords", tuple(hits[best][:4]))


def example_text(title: str, body: str = "") -> str:
    """The text of a question as the embeddings see it."""
    return f"{title}\n{body}".strip()


class CategoryClassifier:
    """Naive Bayes when it is sure, keywords when it is not, nothing when neither knows; with an
    `embed` function (texts -> normalised vectors), Naive Bayes blended with a vote of the
    nearest labelled questions in meaning."""

    def __init__(
        self,
        examples: Iterable[Example],
        keywords: Mapping[str, Sequence[str]] | None = None,
        *,
        threshold: float = CONFIDENCE_THRESHOLD,
        embed: Callable[[list[str]], Any] | None = None,
    ) -> None:
        keywords = dict(keywords or {})
        examples = list(examples)
        self.threshold = threshold
        self.keywords = KeywordMatcher(keywords)
        self.embed = embed
        self.examples = examples
        self.example_vectors = (
            embed([example_text(e.title, e.body) for e in examples]) if embed and examples else None
        )
        documents: list[tuple[Sequence[str], str]] = [
            (features(example.title, example.body), example.label) for example in examples
        ]
        # Each keyword list is also a small document, so a category with no questions yet can
        # still be learned from its keywords.
        documents.extend(
            (features(" ".join(words)), label) for label, words in keywords.items() if words
        )
        self.model = NaiveBayes().fit(documents)

    @property
    def labels(self) -> list[str]:
        return self.model.labels

    def _semantic_blend(
        self, title: str, body: str, probabilities: dict[str, float]
    ) -> tuple[dict[str, float], str]:
        """The Naive Bayes posterior blended with the nearest labelled questions' vote, and the
        closest question's title."""
        vector = self.embed([example_text(title, body)])[0]  # type: ignore[misc]  # set by caller
        similarity = self.example_vectors @ vector
        nearest = sorted(range(len(self.examples)), key=lambda i: -similarity[i])
        votes: dict[str, float] = defaultdict(float)
        for index in nearest[:SEMANTIC_NEIGHBOURS]:
            votes[self.examples[index].label] += max(float(similarity[index]), 0.0)
        total = sum(votes.values()) or 1.0
        labels = set(probabilities) | set(votes)
        blended = {
            label: SEMANTIC_WEIGHT * votes.get(label, 0.0) / total
            + (1 - SEMANTIC_WEIGHT) * probabilities.get(label, 0.0)
            for label in labels
        }
        return blended, self.examples[nearest[0]].title

    def predict(self, title: str, body: str = "") -> Prediction:
        terms = features(title, body)
        probabilities = self.model.probabilities(terms)
        method, closest = "classifier", ""
        if probabilities and self.example_vectors is not None:
            # With embeddings the blend is the model's answer, under the same rules below.
            probabilities, closest = self._semantic_blend(title, body, probabilities)
            method = "semantic"
        if probabilities:
            best = max(probabilities, key=lambda label: (probabilities[label], label))
            confidence = probabilities[best]
            evidence = tuple(self.model.evidence(terms, best))
            if confidence >= self.threshold and (evidence or closest):
                return Prediction(best, confidence, method, evidence, closest)
        keyword_prediction = self.keywords.predict(title, body)
        if keyword_prediction.label is not None:
            return keyword_prediction
        if probabilities and (evidence or closest):
            # Unsure but not clueless: the model's best guess, labelled with its low confidence.
            return Prediction(best, confidence, method, evidence, closest)
        return Prediction(None, 0.0, "none")


@cache
def seed_examples() -> tuple[Example, ...]:
    """The labelled examples shipped with Lumen (category slug, title, body)."""
    rows = json.loads(SEED_PATH.read_text(encoding="utf-8"))
    return tuple(Example(row["title"], row.get("body", ""), row["category"]) for row in rows)


def accuracy(classifier: CategoryClassifier, examples: Sequence[Example]) -> float:
    """Share of examples whose predicted label is their true label."""
    if not examples:
        return 0.0
    correct = sum(
        1
        for example in examples
        if classifier.predict(example.title, example.body).label == example.label
    )
    return correct / len(examples)


def similarity(first: str, second: str) -> float:
    """Overlap of two titles' words (Jaccard on stemmed words), 0 to 1."""
    first_words, second_words = set(tokenize(first)), set(tokenize(second))
    if not first_words or not second_words:
        return 0.0
    return len(first_words & second_words) / len(first_words | second_words)
