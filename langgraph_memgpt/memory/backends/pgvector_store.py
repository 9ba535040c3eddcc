"""Vectors in a pgvector column, searched by Postgres: nothing outside the database to sync.

Search is an exact cosine scan of the tenant's rows (``WHERE ns = ...`` on the ``(ns, id)``
index, then ``ORDER BY vector <=> query``). Measured on this project's machine, a tenant of
tens of thousands of rows scans in a few milliseconds, and exact search always returns k rows:
an HNSW index shared by every tenant, filtered by tenant afterwards, returned half of them
(pgvector's post-filtering) unless iterative scans are tuned per query. So the cost per user
depends on that user's rows only, which is what a many-tenant store needs.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from langgraph_memgpt.memory.backends.postgres_db import PostgresDatabase

EmbedFn = Callable[[list[str]], np.ndarray]


class PgVectors:
    """The vectors of one table (``archival`` or ``recall``) in its ``vector`` column."""

    def __init__(
        self,
        db: PostgresDatabase,
        *,
        table: str,
        pending_sql: str,
        compose: Callable[[tuple[Any, ...]], str] = lambda row: str(row[1]),
        embed: EmbedFn | None,
    ) -> None:
        self._db = db
        self._table = table
        self._pending_sql = pending_sql
        self._compose = compose
        self._embed = embed

    @property
    def embeds(self) -> bool:
        return self._embed is not None

    @staticmethod
    def encode(vector: np.ndarray) -> np.ndarray:
        return np.asarray(vector, dtype=np.float32)

    def bump(self, conn: Any, ns: int) -> int:
        return 0  # no outside index to keep in step

    def added(self, ns: int, version: int, ids: np.ndarray, vectors: np.ndarray) -> None:
        return None

    def removed(self, ns: int, version: int, ids: np.ndarray) -> None:
        return None

    def flush(self) -> None:
        return None

    def search(
        self,
        ns: int,
        query: np.ndarray,
        limit: int,
        restrict: tuple[str, tuple[Any, ...]] | None = None,
    ) -> list[tuple[int, float]]:
        """Top ``limit`` (id, cosine similarity) of the namespace by an exact scan."""
        self.embed_pending(ns, 256)
        vector = np.asarray(query, dtype=np.float32).reshape(-1)
        where = f" AND id IN ({restrict[0]})" if restrict else ""
        with self._db.read() as conn:
            rows = conn.execute(
                f"SELECT id, 1 - (vector <=> ?) FROM {self._table} "
                f"WHERE ns=? AND vector IS NOT NULL{where} ORDER BY vector <=> ?, id LIMIT ?",
                (vector, ns, *(restrict[1] if restrict else ()), vector, limit),
            ).fetchall()
        return [(int(rid), float(score)) for rid, score in rows]

    def embed_pending(self, ns: int, limit: int) -> int:
        """Embed up to ``limit`` rows stored without a vector (outside any transaction, so a
        slow model never holds a connection's locks)."""
        if self._embed is None:
            return 0
        with self._db.read() as conn:
            rows = conn.execute(self._pending_sql, (ns, limit)).fetchall()
        if not rows:
            return 0
        vectors = self._embed([self._compose(tuple(r)) for r in rows])
        with self._db.transaction() as conn:
            conn.executemany(
                f"UPDATE {self._table} SET vector=? WHERE id=? AND vector IS NULL",
                [(self.encode(v), int(r[0])) for r, v in zip(rows, vectors, strict=True)],
            )
        return len(rows)

    def clear_vectors(self) -> None:
        with self._db.transaction() as conn:
            conn.execute(f"UPDATE {self._table} SET vector = NULL")
