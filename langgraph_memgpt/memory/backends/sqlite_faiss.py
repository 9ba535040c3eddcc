"""Embedded archival backend: records in SQLite (with their vectors), a FAISS index per namespace.

Consistency: SQLite is the source of truth and holds every vector as a float32 BLOB. A write
commits to SQLite first and only then touches FAISS, so a crash in between leaves a FAISS index
that merely lacks (or, after a delete, still has) some ids. Whenever a namespace's index is
loaded, and whenever another process has changed the namespace since (a per-namespace version
counter bumped in every write transaction), its ids are compared with SQLite's: missing vectors
are added from their BLOBs, stale ids removed. Rows stored without a vector (no embedder at the
time) are embedded then, if an embedder is configured now.

Files: ``<dir>/faiss/ns-<namespace id>.faiss``, written atomically (temp file + ``os.replace``)
on ``flush()``/``close()`` and at most every ``save_interval`` seconds after writes: a stale
file costs only a cheap repair on the next open, never data.

Isolation: each (agent_id, user_id) has its own FAISS index and every SQL query filters on the
namespace id, so no search can return another user's records.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from langgraph_memgpt.memory.analysis import term_frequencies
from langgraph_memgpt.memory.backends.faiss_index import VectorIndex, build
from langgraph_memgpt.memory.backends.lexical import LexicalIndex, Tier
from langgraph_memgpt.memory.backends.sqlite_db import Database

EmbedFn = Callable[[list[str]], np.ndarray]


def _noop() -> None:
    return None


# Called after the SQLite commit of a write and before FAISS is touched. Tests replace it with
# ``os._exit`` to simulate a crash between the two writes.
after_commit_hook: Callable[[], None] = _noop

_DENSE_EXACT_LIMIT = 20_000  # tag-filtered dense search below this many rows: exact, from BLOBs
_EMBED_BATCH = 256


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


@dataclass
class _Loaded:
    index: VectorIndex
    version: int
    saved_at: float
    dirty: bool = False


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
        self._dir = directory / "faiss"
        self._dir.mkdir(parents=True, exist_ok=True)
        self._dim = dim
        self._embed = embed
        self._save_interval = save_interval
        self._loaded: dict[int, _Loaded] = {}

    def _path(self, ns: int) -> Path:
        return self._dir / f"ns-{ns}.faiss"

    # -- writes --------------------------------------------------------------------------
    def insert(self, ns: int, rows: Sequence[ArchivalRow], vectors: np.ndarray | None) -> list[int]:
        """Insert rows (and their vectors) in one transaction, then add them to FAISS."""
        frequencies = [term_frequencies([(row.text, 1.0)]) for row in rows]
        with self._db.lock:
            with self._db.transaction() as conn:
                ids = []
                for i, row in enumerate(rows):
                    blob = None if vectors is None else vectors[i].astype(np.float32).tobytes()
                    cur = conn.execute(
                        "INSERT INTO archival(ns, uid, text, tags, thread_id, turn, created_at, "
                        "source, extra, vector) VALUES (?,?,?,?,?,?,?,?,?,?)",
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
                    )
                    rid = int(cur.lastrowid or 0)
                    ids.append(rid)
                    conn.executemany(
                        "INSERT INTO archival_tags(record, ns, tag) VALUES (?,?,?)",
                        [(rid, ns, tag) for tag in row.tags],
                    )
                LexicalIndex.add(conn, ns, Tier.ARCHIVAL, zip(ids, frequencies, strict=True))
                version = self._bump(conn, ns)
            after_commit_hook()
            if vectors is not None:
                self._apply(ns, version, lambda index: index.add(np.asarray(ids), vectors))
            return ids

    def delete(self, ns: int, rid: int) -> None:
        with self._db.lock:
            with self._db.transaction() as conn:
                LexicalIndex.remove(conn, ns, Tier.ARCHIVAL, [rid])
                conn.execute("DELETE FROM archival WHERE id=? AND ns=?", (rid, ns))
                version = self._bump(conn, ns)
            after_commit_hook()
            self._apply(ns, version, lambda index: index.remove(np.asarray([rid])))

    @staticmethod
    def _bump(conn: Any, ns: int) -> int:
        conn.execute(
            "INSERT INTO archival_state(ns, version) VALUES (?, 1) "
            "ON CONFLICT(ns) DO UPDATE SET version = version + 1",
            (ns,),
        )
        (version,) = conn.execute("SELECT version FROM archival_state WHERE ns=?", (ns,)).fetchone()
        return int(version)

    def _apply(self, ns: int, version: int, change: Callable[[VectorIndex], object]) -> None:
        """Apply our own committed write to the namespace's index.

        An index not loaded yet is loaded now, which syncs it from SQLite (including this
        write), so every namespace written in this process has a file after ``close``.
        """
        loaded = self._loaded.get(ns)
        if loaded is None:
            self.index(ns)
            return
        if loaded.version != version - 1:
            # Someone else wrote in between: resynchronise from SQLite instead.
            self._sync(ns, loaded)
            return
        change(loaded.index)
        loaded.version = version
        loaded.dirty = True
        if time.monotonic() - loaded.saved_at >= self._save_interval:
            self._save(ns, loaded)

    # -- the FAISS cache -----------------------------------------------------------------
    def _version(self, ns: int) -> int:
        row = self._db.conn.execute(
            "SELECT version FROM archival_state WHERE ns=?", (ns,)
        ).fetchone()
        return 0 if row is None else int(row[0])

    def index(self, ns: int) -> VectorIndex | None:
        """The namespace's FAISS index, loaded/repaired if needed; None without vectors."""
        with self._db.lock:
            self._db.check_open()
            loaded = self._loaded.get(ns)
            if loaded is not None:
                if loaded.version != self._version(ns):
                    self._sync(ns, loaded)
                return loaded.index
            self._embed_missing(ns)
            dim = self._dim()
            if dim is None:
                return None
            version = self._version(ns)
            index: VectorIndex | None = None
            path = self._path(ns)
            if path.exists():
                try:
                    index = VectorIndex.load(path, dim)
                except Exception:  # torn/corrupt/foreign file: rebuild from SQLite
                    index = None
            if index is None:
                ids, vectors = self._vectors(ns)
                index = VectorIndex(dim, build(dim, ids, vectors))
                loaded = _Loaded(index, version, time.monotonic(), dirty=True)
                self._save(ns, loaded)
            else:
                loaded = _Loaded(index, version, time.monotonic())
                self._sync(ns, loaded)
            self._loaded[ns] = loaded
            return loaded.index

    def _sync(self, ns: int, loaded: _Loaded) -> None:
        """Make the index hold exactly the namespace's vector ids in SQLite."""
        self._embed_missing(ns)
        loaded.version = self._version(ns)
        rows = self._db.conn.execute(
            "SELECT id FROM archival WHERE ns=? AND vector IS NOT NULL", (ns,)
        ).fetchall()
        truth = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
        have = loaded.index.ids()
        missing = np.setdiff1d(truth, have, assume_unique=True)
        stale = np.setdiff1d(have, truth, assume_unique=True)
        if len(stale):
            loaded.index.remove(stale)
        if len(missing):
            ids, vectors = self._vectors(ns, missing)
            loaded.index.add(ids, vectors)
        if len(stale) or len(missing):
            loaded.dirty = True
            self._save(ns, loaded)

    def _vectors(self, ns: int, only: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        dim = self._dim() or 0
        if only is None:
            rows = self._db.conn.execute(
                "SELECT id, vector FROM archival WHERE ns=? AND vector IS NOT NULL ORDER BY id",
                (ns,),
            ).fetchall()
        else:
            rows = []
            wanted = [int(i) for i in only]
            for start in range(0, len(wanted), 900):
                chunk = wanted[start : start + 900]
                marks = ",".join("?" * len(chunk))
                rows += self._db.conn.execute(
                    f"SELECT id, vector FROM archival WHERE ns=? AND id IN ({marks})",
                    (ns, *chunk),
                ).fetchall()
        ids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
        vectors = np.frombuffer(b"".join(r[1] for r in rows), dtype=np.float32)
        return ids, vectors.reshape(len(rows), dim)

    def _embed_missing(self, ns: int) -> None:
        """Embed rows stored while no embedder was configured (only if one is now)."""
        if self._embed is None:
            return
        while True:
            rows = self._db.conn.execute(
                "SELECT id, text FROM archival WHERE ns=? AND vector IS NULL LIMIT ?",
                (ns, _EMBED_BATCH),
            ).fetchall()
            if not rows:
                return
            vectors = self._embed([r[1] for r in rows])
            with self._db.transaction() as conn:
                conn.executemany(
                    "UPDATE archival SET vector=? WHERE id=?",
                    [
                        (v.astype(np.float32).tobytes(), r[0])
                        for r, v in zip(rows, vectors, strict=True)
                    ],
                )
                self._bump(conn, ns)

    def _save(self, ns: int, loaded: _Loaded) -> None:
        if loaded.dirty:
            loaded.index.save(self._path(ns))
            loaded.dirty = False
        loaded.saved_at = time.monotonic()

    def flush(self) -> None:
        """Write every changed index file now (also done by ``close``)."""
        with self._db.lock:
            for ns, loaded in self._loaded.items():
                self._save(ns, loaded)

    def drop_indexes(self) -> None:
        """Forget loaded indexes and delete their files (after a re-embedding)."""
        with self._db.lock:
            self._loaded.clear()
            for path in self._dir.glob("ns-*.faiss"):
                path.unlink()

    # -- reads ---------------------------------------------------------------------------
    def lexical(
        self, ns: int, terms: Sequence[str], limit: int, tags: list[str] | None = None
    ) -> list[tuple[int, float]]:
        """Top ``limit`` (rowid, BM25) for the OR of analysed ``terms``, best first."""
        restrict = None
        if tags:
            restrict = (
                "SELECT record FROM archival_tags WHERE ns=? AND tag IN "
                f"({','.join('?' * len(tags))})",
                (ns, *tags),
            )
        with self._db.read() as conn:
            return LexicalIndex.search(conn, ns, Tier.ARCHIVAL, terms, limit, restrict=restrict)

    def dense(
        self, ns: int, query: np.ndarray, limit: int, tags: list[str] | None = None
    ) -> list[tuple[int, float]]:
        """Top ``limit`` (rowid, cosine) by the query vector, best first."""
        with self._db.lock:
            index = self.index(ns)
            if index is None:
                return []
            if not tags:
                return index.search(query, limit)
            allowed = self._tagged(ns, tags)
            if len(allowed) > _DENSE_EXACT_LIMIT:
                return index.search(query, limit, allowed=allowed)
            ids, vectors = self._vectors(ns, allowed)
        if not len(ids):
            return []
        from langgraph_memgpt.memory.backends.faiss_index import normalize

        scores = normalize(vectors) @ normalize(query)[0]
        order = np.lexsort((ids, -scores))[:limit]
        return [(int(ids[i]), float(scores[i])) for i in order]

    def _tagged(self, ns: int, tags: list[str]) -> np.ndarray:
        rows = self._db.conn.execute(
            f"SELECT DISTINCT record FROM archival_tags WHERE ns=? AND tag IN "
            f"({','.join('?' * len(tags))})",
            (ns, *tags),
        ).fetchall()
        return np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))

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
        with self._db.transaction() as conn:
            conn.execute("UPDATE archival SET vector = NULL")
            conn.execute("UPDATE archival_state SET version = version + 1")
        self.drop_indexes()


def _json_list(values: list[str]) -> str:
    import json

    return json.dumps(values, ensure_ascii=False)
