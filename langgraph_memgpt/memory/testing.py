"""Deterministic stand-ins for tests and offline demos (no model, no network).

``HashEmbeddings`` maps each word to a fixed pseudo-random direction and sums them, so texts
sharing words get similar vectors: enough semantics to test dense search end to end in
milliseconds, and stable across processes (no Python ``hash`` randomisation).
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

import numpy as np
from langchain_core.embeddings import Embeddings

_WORD = re.compile(r"\w+")


class HashEmbeddings(Embeddings):
    """Bag-of-words embeddings from hashed words; L2-normalised; ``dim`` dimensions."""

    def __init__(self, dim: int = 64) -> None:
        self.dim = dim
        self.model = f"hash-{dim}"
        self.calls = 0

    def _word(self, word: str) -> np.ndarray:
        seed = int.from_bytes(hashlib.sha256(word.encode()).digest()[:8], "little")
        return np.random.default_rng(seed).standard_normal(self.dim)

    def _embed(self, text: str) -> list[float]:
        vector = np.zeros(self.dim)
        for word in _WORD.findall(text.lower()):
            vector += self._word(word)
        norm = float(np.linalg.norm(vector))
        if norm == 0:
            vector[0] = 1.0
            norm = 1.0
        return [float(v) for v in vector / norm]

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        self.calls += 1
        return [self._embed(text) for text in texts]

    def embed_query(self, text: str) -> list[float]:
        return self._embed(text)


def sql_row(memory: Any, sql: str, params: tuple[Any, ...] = ()) -> tuple[Any, ...]:
    """One row of a read on a store's own connection, whichever its backend (for tests that
    look under the API, e.g. at the lexical index)."""
    with memory._db.read() as conn:
        return tuple(conn.execute(sql, params).fetchone())
