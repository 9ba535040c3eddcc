"""A FAISS index per namespace over vectors kept in SQLite: a rebuildable cache.

Consistency: SQLite is the source of truth and holds every vector as a float32 BLOB. A write
commits to SQLite first and only then touches FAISS, so a crash in between leaves a FAISS index
that merely lacks (or, after a delete, still has) some ids. Whenever a namespace's index is
loaded, and whenever another process has changed the namespace since (a per-namespace version
counter bumped in every write transaction), its ids are compared with SQLite's: missing vectors
are added from their BLOBs, stale ids removed. Rows stored without a vector (no embedder at the
time, or recall messages waiting for the background embedder) are embedded before a search.

Files: ``<dir>/faiss/<prefix>-<namespace id>.faiss``, written atomically (temp file +
``os.replace``) on ``flush()``/``close()`` and at most every ``save_interval`` seconds after
writes: a stale file costs only a cheap repair on the next open, never data.

One class serves archival records (``ns-<n>.faiss``) and recall messages (``recall-<n>.faiss``).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from langgraph_memgpt.memory.backends.faiss_index import VectorIndex, build, normalize
from langgraph_memgpt.memory.backends.sqlite_db import Database

logger = logging.getLogger(__name__)

EmbedFn = Callable[[list[Any]], np.ndarray]  # what `compose` made of each row -> vectors

_EMBED_BATCH = 256
EXACT_LIMIT = 20_000  # restricted searches below this many ids: exact, from the BLOBs


@dataclass
class _Loaded:
    index: VectorIndex
    version: int
    saved_at: float
    dirty: bool = False


class FaissCache:
    """The FAISS indexes of one table's vectors, one per namespace.

    ``pending_sql`` selects a namespace's rows without a vector, id first (parameters:
    namespace, limit), and ``compose`` turns such a row into what ``embed`` takes (its text, or
    recall's text and neighbours: ``recall_backlog.RecallDense``), so each table
    decides what its rows are embedded as.
    """

    def __init__(
        self,
        db: Database,
        directory: Path,
        *,
        table: str,
        state_table: str,
        pending_sql: str,
        prefix: str,
        compose: Callable[[tuple[Any, ...]], Any] = lambda row: str(row[1]),
        dim: Callable[[], int | None],
        embed: EmbedFn | None,
        save_interval: float = 30.0,
        embed_on_load: bool = True,
    ) -> None:
        self._db = db
        self._dir = directory / "faiss"
        self._dir.mkdir(parents=True, exist_ok=True)
        self._table = table
        self._state = state_table
        self._pending_sql = pending_sql
        self._compose = compose
        self._prefix = prefix
        self._dim = dim
        self._embed = embed
        self._save_interval = save_interval
        self._embed_on_load = embed_on_load
        self._loaded: dict[int, _Loaded] = {}
        self._embedding = threading.Lock()

    @property
    def embeds(self) -> bool:
        return self._embed is not None

    def _path(self, ns: int) -> Path:
        return self._dir / f"{self._prefix}-{ns}.faiss"

    def bump(self, conn: Any, ns: int) -> int:
        """Count a write to the namespace (inside its transaction); returns the new version."""
        conn.execute(
            f"INSERT INTO {self._state}(ns, version) VALUES (?, 1) "
            "ON CONFLICT(ns) DO UPDATE SET version = version + 1",
            (ns,),
        )
        (version,) = conn.execute(f"SELECT version FROM {self._state} WHERE ns=?", (ns,)).fetchone()
        return int(version)

    @staticmethod
    def encode(vector: np.ndarray) -> bytes:
        return np.asarray(vector, dtype=np.float32).tobytes()

    def added(self, ns: int, version: int, ids: np.ndarray, vectors: np.ndarray) -> None:
        with self._db.lock:
            self.apply(ns, version, lambda index: index.add(ids, vectors))

    def removed(self, ns: int, version: int, ids: np.ndarray) -> None:
        with self._db.lock:
            self.apply(ns, version, lambda index: index.remove(ids))

    def apply(self, ns: int, version: int, change: Callable[[VectorIndex], object]) -> None:
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
            f"SELECT version FROM {self._state} WHERE ns=?", (ns,)
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
                except (RuntimeError, ValueError, OSError) as exc:
                    # FAISS raises RuntimeError on a torn or foreign file, VectorIndex.load
                    # ValueError on a wrong shape: the cache is rebuilt from SQLite, the truth.
                    logger.warning("rebuilding FAISS index %s from the database: %s", path, exc)
                    index = None
            if index is None:
                ids, vectors = self.vectors(ns)
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
            f"SELECT id FROM {self._table} WHERE ns=? AND vector IS NOT NULL", (ns,)
        ).fetchall()
        truth = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
        have = loaded.index.ids()
        missing = np.setdiff1d(truth, have, assume_unique=True)
        stale = np.setdiff1d(have, truth, assume_unique=True)
        if len(stale):
            loaded.index.remove(stale)
        if len(missing):
            ids, vectors = self.vectors(ns, missing)
            loaded.index.add(ids, vectors)
        if len(stale) or len(missing):
            loaded.dirty = True
            self._save(ns, loaded)

    def vectors(self, ns: int, only: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        dim = self._dim() or 0
        if only is None:
            rows = self._db.conn.execute(
                f"SELECT id, vector FROM {self._table} WHERE ns=? AND vector IS NOT NULL ORDER BY id",
                (ns,),
            ).fetchall()
        else:
            rows = []
            wanted = [int(i) for i in only]
            for start in range(0, len(wanted), 900):
                chunk = wanted[start : start + 900]
                marks = ",".join("?" * len(chunk))
                rows += self._db.conn.execute(
                    f"SELECT id, vector FROM {self._table} WHERE ns=? AND id IN ({marks})",
                    (ns, *chunk),
                ).fetchall()
        ids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
        vectors = np.frombuffer(b"".join(r[1] for r in rows), dtype=np.float32)
        return ids, vectors.reshape(len(rows), dim)

    def _embed_missing(self, ns: int) -> None:
        """Embed the namespace's rows that have no vector yet (if an embedder is configured),
        unless the owner embeds them itself (``embed_on_load=False``)."""
        if not self._embed_on_load:
            return
        while self._embed_batch(ns, _EMBED_BATCH, refresh=False):
            pass

    def embed_pending(self, ns: int, limit: int, *, refresh: bool = True) -> int:
        """Embed up to ``limit`` rows without a vector; returns how many were embedded.

        The embedding runs without the database lock, so a background worker calling this
        never blocks a turn's writes for the length of a model call. ``refresh`` brings a
        loaded index up to date at once (the load itself passes False: it syncs afterwards).

        One caller at a time per store (the background embedder and a search that catches up
        first would otherwise both embed the same waiting rows); the load path, which holds
        the database lock, goes straight to ``_embed_batch`` and so never waits on a caller
        that needs that lock to finish.
        """
        if self._embed is None:
            return 0
        with self._embedding:
            return self._embed_batch(ns, limit, refresh=refresh)

    def _embed_batch(self, ns: int, limit: int, *, refresh: bool) -> int:
        if self._embed is None or getattr(self._db, "read_only", False):
            return 0  # a store opened read-only keeps rows without a vector as they are
        with self._db.lock:
            self._db.check_open()
            rows = self._db.conn.execute(self._pending_sql, (ns, limit)).fetchall()
        if not rows:
            return 0
        vectors = self._embed([self._compose(tuple(r)) for r in rows])
        with self._db.lock, self._db.transaction() as conn:
            conn.executemany(
                f"UPDATE {self._table} SET vector=? WHERE id=? AND vector IS NULL",
                [
                    (v.astype(np.float32).tobytes(), r[0])
                    for r, v in zip(rows, vectors, strict=True)
                ],
            )
            self.bump(conn, ns)
        if refresh and ns in self._loaded:
            self.index(ns)
        return len(rows)

    def pending(self) -> list[int]:
        """Namespaces with rows still to embed."""
        if self._embed is None:
            return []
        with self._db.read() as conn:
            return [
                int(r[0])
                for r in conn.execute(f"SELECT DISTINCT ns FROM {self._table} WHERE vector IS NULL")
            ]

    def _save(self, ns: int, loaded: _Loaded) -> None:
        if getattr(self._db, "read_only", False):
            return  # a store opened read-only writes no file: the index lives in memory
        if loaded.dirty:
            try:
                loaded.index.save(self._path(ns))
            except OSError as exc:  # a cache: kept dirty, and repaired from SQLite on open
                logger.warning("FAISS index not saved (%s); it is rebuilt on the next open", exc)
                return
            loaded.dirty = False
        loaded.saved_at = time.monotonic()

    def flush(self) -> None:
        """Write every changed index file now (also done by ``close``)."""
        with self._db.lock:
            for ns, loaded in self._loaded.items():
                self._save(ns, loaded)

    def clear_vectors(self) -> None:
        """Forget every stored vector of the table (before re-embedding with another model)."""
        with self._db.transaction() as conn:
            conn.execute(f"UPDATE {self._table} SET vector = NULL")
            conn.execute(f"UPDATE {self._state} SET version = version + 1")
        self.drop_indexes()

    def drop_indexes(self) -> None:
        """Forget loaded indexes and delete their files (after a re-embedding)."""
        with self._db.lock:
            self._loaded.clear()
            for path in self._dir.glob(f"{self._prefix}-*.faiss"):
                path.unlink()

    def search(
        self,
        ns: int,
        query: np.ndarray,
        limit: int,
        restrict: tuple[str, tuple[Any, ...]] | None = None,
    ) -> list[tuple[int, float]]:
        """Top ``limit`` (id, cosine) of the namespace, best first.

        ``restrict`` is an SQL query selecting the ids allowed (with its parameters), e.g. a
        thread's messages or a tag's records: a few thousand are scored exactly from their
        BLOBs; more are searched in FAISS with an id selector.
        """
        if restrict is None:
            index = self.index(ns)
            return [] if index is None else index.search(query, limit)
        with self._db.lock:
            rows = self._db.conn.execute(*restrict).fetchall()
            allowed = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
            if len(allowed) > EXACT_LIMIT:
                index = self.index(ns)
                return [] if index is None else index.search(query, limit, allowed=allowed)
        return self.exact(ns, query, limit, allowed)

    def exact(
        self, ns: int, query: np.ndarray, limit: int, allowed: np.ndarray
    ) -> list[tuple[int, float]]:
        """Top ``limit`` among ``allowed`` ids by exact cosine, from the stored BLOBs."""
        with self._db.lock:
            ids, vectors = self.vectors(ns, allowed)
        if not len(ids):
            return []
        scores = normalize(vectors) @ normalize(query)[0]
        order = np.lexsort((ids, -scores))[:limit]
        return [(int(ids[i]), float(scores[i])) for i in order]
