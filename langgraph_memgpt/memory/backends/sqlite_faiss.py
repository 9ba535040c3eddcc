"""Embedded archival backend: records in SQLite (with their vectors), a FAISS index per namespace.

Records, tags, the per-tenant lexical index and the vectors (float32 BLOBs) commit in one SQLite
transaction; FAISS is a rebuildable cache of the vectors (``faiss_cache.py``).

Isolation: each (agent_id, user_id) has its own FAISS index and lexical corpus, and every SQL
query filters on the namespace id, so no search can return another user's records.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from langgraph_memgpt.memory.analysis import term_frequencies
from langgraph_memgpt.memory.backends.faiss_cache import EmbedFn, FaissCache
from langgraph_memgpt.memory.backends.faiss_index import VectorIndex
from langgraph_memgpt.memory.backends.lexical import LexicalIndex, Tier
from langgraph_memgpt.memory.backends.sqlite_db import Database
from langgraph_memgpt.memory.fusion import speaker_of


def _noop() -> None:
    return None


# Called after the SQLite commit of a write and before FAISS is touched. Tests replace it with
# ``os._exit`` to simulate a crash between the two writes.
after_commit_hook: Callable[[], None] = _noop


@dataclass
class ArchivalRow:
    """One record ready to insert (validated by the caller)."""

    uid: str
    text: str
    tags: list[str]
    thread_id: str | None
    turn: int | None
    created_at: str
    source: str | None
    extra: str  # JSON object
    fields: list[tuple[str, float]] | None = None  # what the lexical index sees (documents.py)


class SqliteFaissArchival:
    """Archival storage and candidate retrieval; ranking fusion lives in ``archival.py``."""

    COLUMNS = "a.id, a.uid, a.text, a.tags, a.thread_id, a.turn, a.created_at, a.source, a.extra"

    def __init__(
        self,
        db: Database,
        directory: Path,
        *,
        dim: Callable[[], int | None],
        embed: EmbedFn | None,
        save_interval: float = 30.0,
    ) -> None:
        self._db = db
        self.vectors = FaissCache(
            db,
            directory,
            table="archival",
            state_table="archival_state",
            pending_sql="SELECT id, text FROM archival WHERE ns=? AND vector IS NULL "
            "ORDER BY id LIMIT ?",
            prefix="ns",
            dim=dim,
            embed=embed,
            save_interval=save_interval,
        )

    # -- writes --------------------------------------------------------------------------
    def insert(self, ns: int, rows: Sequence[ArchivalRow], vectors: np.ndarray | None) -> list[int]:
        """Insert rows (and their vectors) in one transaction, then add them to FAISS."""
        frequencies = [term_frequencies(row.fields or [(row.text, 1.0)]) for row in rows]
        with self._db.lock:
            with self._db.transaction() as conn:
                ids = []
                for i, row in enumerate(rows):
                    blob = None if vectors is None else vectors[i].astype(np.float32).tobytes()
                    (rid,) = conn.execute(
                        "INSERT INTO archival(ns, uid, text, tags, thread_id, turn, created_at, "
                        "source, extra, vector) VALUES (?,?,?,?,?,?,?,?,?,?) RETURNING id",
                        (
                            ns,
                            row.uid,
                            row.text,
                            _json_list(row.tags),
                            row.thread_id,
                            row.turn,
                            row.created_at,
                            row.source,
                            row.extra,
                            blob,
                        ),
                    ).fetchone()
                    ids.append(int(rid))
                    conn.executemany(
                        "INSERT INTO archival_tags(record, ns, tag) VALUES (?,?,?)",
                        [(rid, ns, tag) for tag in row.tags],
                    )
                LexicalIndex.add(conn, ns, Tier.ARCHIVAL, zip(ids, frequencies, strict=True))
                version = self.vectors.bump(conn, ns)
            after_commit_hook()
            if vectors is not None:
                self.vectors.apply(ns, version, lambda index: index.add(np.asarray(ids), vectors))
            return ids

    def delete(self, ns: int, rid: int) -> None:
        with self._db.lock:
            with self._db.transaction() as conn:
                LexicalIndex.remove(conn, ns, Tier.ARCHIVAL, [rid])
                conn.execute("DELETE FROM archival WHERE id=? AND ns=?", (rid, ns))
                version = self.vectors.bump(conn, ns)
            after_commit_hook()
            self.vectors.apply(ns, version, lambda index: index.remove(np.asarray([rid])))

    def index(self, ns: int) -> VectorIndex | None:
        """The namespace's FAISS index, loaded/repaired if needed; None without vectors."""
        return self.vectors.index(ns)

    def flush(self) -> None:
        """Write every changed index file now (also done by ``close``)."""
        self.vectors.flush()

    # -- reads ---------------------------------------------------------------------------
    def lexical(
        self, ns: int, terms: Sequence[str], limit: int, tags: list[str] | None = None
    ) -> list[tuple[int, float]]:
        """Top ``limit`` (rowid, BM25) for the OR of analysed ``terms``, best first."""
        restrict = tagged(ns, tags) if tags else None
        with self._db.read() as conn:
            return LexicalIndex.search(conn, ns, Tier.ARCHIVAL, terms, limit, restrict=restrict)

    def dense(
        self, ns: int, query: np.ndarray, limit: int, tags: list[str] | None = None
    ) -> list[tuple[int, float]]:
        """Top ``limit`` (rowid, cosine) by the query vector, best first."""
        return self.vectors.search(ns, query, limit, tagged(ns, tags) if tags else None)

    def fetch(self, ns: int, rids: Sequence[int]) -> dict[int, tuple[Any, ...]]:
        """Rows by rowid, restricted to the namespace (stale ids simply do not come back)."""
        out: dict[int, tuple[Any, ...]] = {}
        wanted = list(rids)
        with self._db.read() as conn:
            for start in range(0, len(wanted), 900):
                chunk = wanted[start : start + 900]
                marks = ",".join("?" * len(chunk))
                for row in conn.execute(
                    f"SELECT {self.COLUMNS} FROM archival a WHERE a.ns=? AND a.id IN ({marks})",
                    (ns, *chunk),
                ):
                    out[int(row[0])] = tuple(row)
        return out

    def speakers(self, ns: int, rids: Sequence[int]) -> dict[int, str | None]:
        """Who said each record (``fusion.speaker_of`` its first characters)."""
        marks = ",".join("?" * len(rids))
        with self._db.read() as conn:
            rows = conn.execute(
                f"SELECT id, substr(text, 1, 64) FROM archival WHERE ns=? AND id IN ({marks})",
                (ns, *rids),
            ).fetchall()
        return {int(rid): speaker_of(head) for rid, head in rows}

    def by_uid(self, ns: int, uid: str) -> tuple[Any, ...] | None:
        with self._db.read() as conn:
            row = conn.execute(
                f"SELECT {self.COLUMNS} FROM archival a WHERE a.ns=? AND a.uid=?", (ns, uid)
            ).fetchone()
        return None if row is None else tuple(row)

    def count(self, ns: int) -> int:
        with self._db.read() as conn:
            return LexicalIndex.count(conn, ns, Tier.ARCHIVAL)

    def clear_vectors(self) -> None:
        """Forget every stored vector (before re-embedding with another model)."""
        self.vectors.clear_vectors()


def tagged(ns: int, tags: Sequence[str]) -> tuple[str, tuple[Any, ...]]:
    """The SQL selecting a namespace's records that carry any of ``tags``."""
    marks = ",".join("?" * len(tags))
    return f"SELECT record FROM archival_tags WHERE ns=? AND tag IN ({marks})", (ns, *tags)


def _json_list(values: list[str]) -> str:
    import json

    return json.dumps(values, ensure_ascii=False)
