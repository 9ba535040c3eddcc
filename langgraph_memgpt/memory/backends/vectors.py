"""Where a tier's vectors live and how they are searched, one class per engine.

The rows (and each row's vector column) are written by the tier in its own transaction; the
vector store decides what the column holds and keeps any index outside the database in step:

* ``faiss_cache.FaissCache`` (SQLite): float32 BLOBs, searched through a FAISS index per
  namespace that is a rebuildable cache next to the database file;
* ``pgvector_store.PgVectors`` (Postgres): a pgvector column, searched by the database itself,
  so several processes and machines share it with nothing to keep in step.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

import numpy as np


class VectorStore(Protocol):
    @property
    def embeds(self) -> bool:
        """Whether rows stored without a vector can be embedded here (an embedder is set)."""
        ...

    def encode(self, vector: np.ndarray) -> Any:
        """The value of the vector column for one float32 vector."""
        ...

    def bump(self, conn: Any, ns: int) -> int:
        """Count a write to the namespace inside its transaction; returns the new version."""
        ...

    def added(self, ns: int, version: int, ids: np.ndarray, vectors: np.ndarray) -> None:
        """After the commit of rows with vectors: bring any outside index up to date."""
        ...

    def removed(self, ns: int, version: int, ids: np.ndarray) -> None: ...

    def search(
        self,
        ns: int,
        query: np.ndarray,
        limit: int,
        restrict: tuple[str, tuple[Any, ...]] | None = None,
    ) -> list[tuple[int, float]]:
        """Top ``limit`` (id, cosine), best first; ``restrict`` is SQL selecting allowed ids."""
        ...

    def embed_pending(self, ns: int, limit: int) -> int:
        """Embed up to ``limit`` rows of the namespace stored without a vector."""
        ...

    def flush(self) -> None: ...

    def clear_vectors(self) -> None:
        """Forget every stored vector (before re-embedding with another model)."""
        ...


def as_params(values: Sequence[Any]) -> tuple[Any, ...]:
    """Plain Python values for SQL parameters (NumPy scalars are not adapted by every driver)."""
    return tuple(v.item() if isinstance(v, np.generic) else v for v in values)
