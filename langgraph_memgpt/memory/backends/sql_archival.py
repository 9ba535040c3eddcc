"""Archival storage on either engine: records, tags, lexical index and vectors in one transaction.

The SQL is the shared dialect of ``database.py``; what differs between SQLite and Postgres is
only where vectors are searched (``vectors.py``): a FAISS cache beside the SQLite file, or
pgvector inside Postgres. A write commits to the database first and only then tells the vector
store, so a crash in between costs a cache repair, never a record.

Isolation: each (agent_id, user_id) has its own lexical corpus and vector search, and every SQL
query filters on the namespace id, so no search can return another user's records.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from langgraph_memgpt.memory.backends.database import MemoryDatabase, insert_rows, new_ids
from langgraph_memgpt.memory.backends.halfvec import as_vector
from langgraph_memgpt.memory.backends.lexical import LexicalIndex, Tier
from langgraph_memgpt.memory.backends.term_vectors import TermVectors
from langgraph_memgpt.memory.backends.validity import Validity
from langgraph_memgpt.memory.backends.vectors import VectorStore

ARCHIVAL_PENDING_SQL = (
    "SELECT id, text FROM archival WHERE ns=? AND vector IS NULL ORDER BY id LIMIT ?"
)

_ARCHIVAL_COLUMNS = (
    "ns",
    "uid",
    "text",
    "tags",
    "thread_id",
    "turn",
    "created_at",
    "source",
    "extra",
    "vector",
    "trust",
    "guard",
)


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
    #: What the lexical index sees (``search/indexing.py``).
    fields: list[tuple[str, float]] | None = None
    trust: str | None = None  # origin and flag of the memory poisoning guard (guard/policy.py)
    guard: str | None = None


class SqlArchival:
    """Archival storage and candidate retrieval; ranking fusion lives in ``tiers/archival_search.py``."""

    COLUMNS = (
        "a.id, a.uid, a.text, a.tags, a.thread_id, a.turn, a.created_at, a.source, a.extra, "
        "a.trust, a.guard"
    )

    def __init__(
        self,
        db: MemoryDatabase,
        vectors: VectorStore,
        *,
        after_commit: Callable[[], None] | None = None,
    ) -> None:
        self._db = db
        self.vectors = vectors
        #: Called after a write commits and before the vector store is told: the window a crash
        #: must not lose a record in. None in use; a crash test sets it to ``os._exit``.
        self.after_commit = after_commit

    # -- writes --------------------------------------------------------------------------
    def insert(
        self,
        ns: int,
        rows: Sequence[ArchivalRow],
        vectors: np.ndarray | None,
        *,
        reindex: Sequence[tuple[int, list[tuple[str, float]]]] = (),
    ) -> list[int]:
        """Insert rows (and their vectors) in one transaction, then tell the vector store.
        ``reindex``: stored records of the namespace to index again with new fields (a thread's
        last records, now followed by the new ones); records deleted meanwhile are skipped."""
        # Analysed before the transaction (the ids come with the rows' insert).
        terms = TermVectors.from_fields(
            range(len(rows)), [row.fields or [(row.text, 1.0)] for row in rows]
        )
        with self._db.transaction() as conn:
            if reindex:
                self._reindex(conn, ns, reindex)
            ids = self._insert_rows(conn, ns, rows, vectors)
            LexicalIndex.add_vectors(conn, ns, Tier.ARCHIVAL, terms.with_docs(ids))
            Validity.added(conn, ns, ids, [r.uid for r in rows], [r.text for r in rows])
            version = self.vectors.bump(conn, ns)
        if self.after_commit is not None:
            self.after_commit()
        if vectors is not None:
            self.vectors.added(ns, version, np.asarray(ids, dtype=np.int64), vectors)
        return ids

    def _insert_rows(
        self, conn: Any, ns: int, rows: Sequence[ArchivalRow], vectors: np.ndarray | None
    ) -> list[int]:
        """The rows and their tags, with their new ids. Where the database hands out ids in
        one statement (Postgres) the rows go in one ``COPY``, the tags in another; SQLite
        takes an ``INSERT`` per row (in process: no round trip to save)."""
        values = [
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
                None if vectors is None else self.vectors.encode(vectors[i]),
                row.trust,
                row.guard,
            )
            for i, row in enumerate(rows)
        ]
        ids = new_ids(conn, "archival", len(rows))
        if ids is None:
            ids = [
                int(
                    conn.execute(
                        f"INSERT INTO archival({', '.join(_ARCHIVAL_COLUMNS)}) "
                        f"VALUES ({','.join('?' * len(_ARCHIVAL_COLUMNS))}) RETURNING id",
                        value,
                    ).fetchone()[0]
                )
                for value in values
            ]
        else:
            insert_rows(
                conn,
                "archival",
                ("id", *_ARCHIVAL_COLUMNS),
                [(rid, *value) for rid, value in zip(ids, values, strict=True)],
            )
        insert_rows(
            conn,
            "archival_tags",
            ("record", "ns", "tag"),
            [(rid, ns, tag) for rid, row in zip(ids, rows, strict=True) for tag in row.tags],
        )
        return ids

    @staticmethod
    def _reindex(conn: Any, ns: int, docs: Sequence[tuple[int, list[tuple[str, float]]]]) -> None:
        marks = ",".join("?" * len(docs))
        alive = {
            int(rid)
            for (rid,) in conn.execute(
                f"SELECT id FROM archival WHERE ns=? AND id IN ({marks})",
                (ns, *(rid for rid, _ in docs)),
            )
        }
        docs = [(rid, fields) for rid, fields in docs if rid in alive]
        LexicalIndex.remove(conn, ns, Tier.ARCHIVAL, [rid for rid, _ in docs])
        LexicalIndex.add_fields(conn, ns, Tier.ARCHIVAL, docs)

    def thread_tail(self, ns: int, thread_id: str, n: int) -> list[tuple[int, str, str]]:
        """The last ``n`` records of a thread, oldest first: ``(id, text, created_at)``."""
        with self._db.read() as conn:
            rows = conn.execute(
                "SELECT id, text, created_at FROM archival WHERE ns=? AND thread_id=? "
                "ORDER BY id DESC LIMIT ?",
                (ns, thread_id, n),
            ).fetchall()
        return [(int(rid), text, created_at) for rid, text, created_at in rows[::-1]]

    def delete(self, ns: int, rid: int, *, uid: str | None = None, reason: str = "") -> None:
        """Remove a record for good; records it had superseded become current again, and the
        history keeps an event saying so (``validity.py``)."""
        with self._db.transaction() as conn:
            if uid is not None:
                Validity.deleted(conn, ns, uid, reason)
            LexicalIndex.remove(conn, ns, Tier.ARCHIVAL, [rid])
            conn.execute("DELETE FROM archival WHERE id=? AND ns=?", (rid, ns))
            version = self.vectors.bump(conn, ns)
        if self.after_commit is not None:
            self.after_commit()
        self.vectors.removed(ns, version, np.asarray([rid], dtype=np.int64))

    def index(self, ns: int) -> Any:
        """The namespace's FAISS index (SQLite stores only), loaded or repaired if needed."""
        index = getattr(self.vectors, "index", None)
        return None if index is None else index(ns)

    def flush(self) -> None:
        """Write changed index files now (also done by ``close``); nothing on Postgres."""
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

    def heads(self, ns: int, rids: Sequence[int], chars: int) -> dict[int, tuple[str, str]]:
        """The first ``chars`` characters of each record and its time: enough to tell who
        said it, to read a one-line fact and to tell the newer of two, without moving whole
        passages."""
        marks = ",".join("?" * len(rids))
        with self._db.read() as conn:
            rows = conn.execute(
                f"SELECT id, substr(text, 1, ?), created_at FROM archival "
                f"WHERE ns=? AND id IN ({marks})",
                (chars, ns, *rids),
            ).fetchall()
        return {int(rid): (head, str(created_at or "")) for rid, head, created_at in rows}

    def by_uid(self, ns: int, uid: str) -> tuple[Any, ...] | None:
        with self._db.read() as conn:
            row = conn.execute(
                f"SELECT {self.COLUMNS} FROM archival a WHERE a.ns=? AND a.uid=?", (ns, uid)
            ).fetchone()
        return None if row is None else tuple(row)

    def count(self, ns: int) -> int:
        with self._db.read() as conn:
            return LexicalIndex.count(conn, ns, Tier.ARCHIVAL)

    def scan(
        self, ns: int, after: int, limit: int, source: str | None = None
    ) -> list[tuple[Any, ...]]:
        """Up to ``limit`` rows with id > ``after`` in id order (optionally of one source),
        for export and ingestion bookkeeping; the last row's id continues the scan."""
        where = "a.ns=? AND a.id>?" + (" AND a.source=?" if source is not None else "")
        params = (ns, after) if source is None else (ns, after, source)
        with self._db.read() as conn:
            rows = conn.execute(
                f"SELECT {self.COLUMNS} FROM archival a WHERE {where} ORDER BY a.id LIMIT ?",
                (*params, limit),
            ).fetchall()
        return [tuple(row) for row in rows]

    def vectors_of(self, ns: int, rids: Sequence[int]) -> dict[int, np.ndarray]:
        """The stored vectors of these records (those embedded), for an export with vectors."""
        out: dict[int, np.ndarray] = {}
        with self._db.read() as conn:
            for start in range(0, len(rids), 900):
                chunk = list(rids[start : start + 900])
                marks = ",".join("?" * len(chunk))
                for rid, blob in conn.execute(
                    f"SELECT id, vector FROM archival WHERE ns=? AND id IN ({marks}) "
                    "AND vector IS NOT NULL",
                    (ns, *chunk),
                ):
                    out[int(rid)] = as_vector(blob)
        return out

    def clear_vectors(self) -> None:
        """Forget every stored vector (before re-embedding with another model)."""
        self.vectors.clear_vectors()


def tagged(ns: int, tags: Sequence[str]) -> tuple[str, tuple[Any, ...]]:
    """The SQL selecting a namespace's records that carry any of ``tags``."""
    marks = ",".join("?" * len(tags))
    return f"SELECT record FROM archival_tags WHERE ns=? AND tag IN ({marks})", (ns, *tags)


def _json_list(values: list[str]) -> str:
    if not values:
        return "[]"
    import json

    return json.dumps(values, ensure_ascii=False)
