"""Vectors in a pgvector column, searched by Postgres: nothing outside the database to sync.

The column is ``halfvec`` (16-bit floats, half the bytes; ``halfvec.py``); queries are sent
as ``vector`` and cast, so a similarity is computed on half-precision values.

Small tenants (the many-users case) are searched by an exact cosine scan of their own rows
(``WHERE ns = ...`` on the ``(ns, id)`` index, then ``ORDER BY vector <=> query``): about a
millisecond for a few thousand rows, always k rows back, and a cost that depends on that user's
rows only. An HNSW index shared by every tenant would not do: filtered by tenant after the
index scan it returned half of k (pgvector's post-filtering) unless iterative scans are tuned.

A tenant past ``HNSW_MIN_ROWS`` rows gets its own *partial* HNSW index (``WHERE ns = <n>``),
built once, in the background, with ``CREATE INDEX CONCURRENTLY`` (other writers are not
blocked; searches scan exactly until it is valid), and used from then on with
``hnsw.iterative_scan`` so that a restricted search (tags, a thread) still returns k rows. Only
big tenants pay the index's upkeep on insert. The build is started by the writes that make a
tenant big (checked every ``CHECK_EVERY`` vectors written, so a bulk import starts it once,
near its end when the batches are large) or by ``build_indexes`` after an import; never by a
search, which only uses an index that is already valid.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from langgraph_memgpt.memory.backends.halfvec import hnsw_ddl, indexed
from langgraph_memgpt.memory.backends.lexical import Tier
from langgraph_memgpt.memory.backends.postgres_db import PostgresDatabase

logger = logging.getLogger(__name__)

EmbedFn = Callable[[list[Any]], np.ndarray]  # what `compose` made of each row -> vectors
HNSW_MIN_ROWS = 5_000  # a tenant this big gets its own HNSW index (exact scan: ~5 ms)
CHECK_EVERY = 1_000  # vectors written to a tenant between two checks of its size
QUIET_S = 2.0  # a big tenant's index is built once its writes paused this long (an import ended)
LOOK_AGAIN_S = 30.0  # how often a search looks for an index another process built
_TIERS = {"archival": Tier.ARCHIVAL, "recall": Tier.RECALL}
_BUILD_LOCK = 0x4D47  # seed of the index builds' advisory lock keys (schema, index name)


def _index_state(conn: Any, name: str) -> bool | None:
    """True: the index exists and is valid; False: it exists, invalid (being built, or a
    build died); None: no such index in the current schema."""
    row = conn.execute(
        "SELECT i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
        "WHERE c.relname = ? AND c.relnamespace = "
        "(SELECT oid FROM pg_namespace WHERE nspname = current_schema())",
        (name,),
    ).fetchone()
    return None if row is None else bool(row[0])


def build_lock_key(conn: Any, index: str) -> int:
    """The advisory lock key of building ``index`` in the connection's current schema."""
    (key,) = conn.execute(
        "SELECT hashtextextended(current_schema() || '/' || ?, ?)", (index, _BUILD_LOCK)
    ).fetchone()
    return int(key)


class PgVectors:
    """The vectors of one table (``archival`` or ``recall``) in its ``vector`` column."""

    def __init__(
        self,
        db: PostgresDatabase,
        *,
        table: str,
        pending_sql: str,
        compose: Callable[[tuple[Any, ...]], Any] = lambda row: str(row[1]),
        embed: EmbedFn | None,
        embed_on_first_search: bool = True,
    ) -> None:
        self._db = db
        self._table = table
        self._pending_sql = pending_sql
        self._compose = compose
        self._embed = embed
        # Rows stored without a vector (a lexical-only process wrote them, or a re-embedding)
        # are embedded the first time this process searches their namespace, as the FAISS
        # cache does when it loads; recall memory embeds its own backlog before each search.
        self._embed_on_first_search = embed_on_first_search
        self._searched: set[int] = set()
        self._indexed: dict[int, int] = {}  # namespace -> dimension of its valid HNSW index
        self._building: set[int] = set()
        self._written: dict[int, int] = {}  # namespace -> vectors written since last check
        self._last_write: dict[int, float] = {}  # namespace -> when a vector was last written
        self._waiting: set[int] = set()  # big namespaces whose build waits for writes to pause
        self._looked: dict[int, float] = {}  # namespace -> when a search looked for its index
        self._threads: list[threading.Thread] = []
        self._embedding = threading.Lock()

    @property
    def embeds(self) -> bool:
        return self._embed is not None

    @staticmethod
    def encode(vector: np.ndarray) -> np.ndarray:
        return np.asarray(vector, dtype=np.float32)

    def bump(self, conn: Any, ns: int) -> int:
        return 0  # no outside index to keep in step

    def added(self, ns: int, version: int, ids: np.ndarray, vectors: np.ndarray) -> None:
        self._wrote(ns, len(ids))

    def _wrote(self, ns: int, count: int) -> None:
        """Count vectors written; past ``CHECK_EVERY`` since the last check, see whether the
        tenant is now big enough for its own index (one query, outside the write)."""
        self._last_write[ns] = time.monotonic()
        if ns in self._indexed or ns in self._building or ns in self._waiting:
            return
        written = self._written.get(ns, CHECK_EVERY - 1) + count  # the first write checks
        if written < CHECK_EVERY:
            self._written[ns] = written
            return
        self._written[ns] = 0
        try:
            big = self._big(ns)
        except Exception as exc:  # the write succeeded; the index can wait for the next check
            logger.warning("HNSW index check for namespace %s failed: %s", ns, exc)
            return
        if big:
            self._waiting.add(ns)
            self._when_quiet(ns)

    def _when_quiet(self, ns: int, now: bool = False) -> None:
        """Start the build once the tenant's writes paused for ``QUIET_S`` (a bulk import
        ended): built once over every row, not kept up by each insert of the import."""
        if ns not in self._waiting:
            return  # started already (by flush)
        idle = time.monotonic() - self._last_write.get(ns, 0.0)
        if idle < QUIET_S and not now:
            timer = threading.Timer(QUIET_S - idle, self._when_quiet, args=(ns,))
            timer.daemon = True
            timer.start()
            return
        self._waiting.discard(ns)
        try:
            self._start_build(ns)
        except Exception as exc:  # the store closed or the server went away: next check
            logger.warning("HNSW index build for namespace %s not started: %s", ns, exc)

    def _big(self, ns: int) -> bool:
        with self._db.read() as conn:
            row = conn.execute(
                "SELECT docs FROM lex_stats WHERE ns=? AND tier=?", (ns, int(_TIERS[self._table]))
            ).fetchone()
        return row is not None and int(row[0]) >= HNSW_MIN_ROWS

    def build_indexes(self, wait: bool = True) -> None:
        """Start the index build of every tenant big enough (after a bulk import), and wait
        for the builds unless ``wait`` is false."""
        with self._db.read() as conn:
            rows = conn.execute(
                "SELECT ns FROM lex_stats WHERE tier=? AND docs>=?",
                (int(_TIERS[self._table]), HNSW_MIN_ROWS),
            ).fetchall()
        for (ns,) in rows:
            if int(ns) not in self._indexed and int(ns) not in self._building:
                self._start_build(int(ns))
        if wait:
            self.wait_for_indexes()

    def removed(self, ns: int, version: int, ids: np.ndarray) -> None:
        return None

    def flush(self) -> None:
        """Nothing to save on Postgres: starts the builds that wait for writes to pause (the
        caller is done writing) and waits for the builds in progress, so that a store flushed
        or closed after an import leaves each big tenant indexed."""
        for ns in list(self._waiting):
            self._when_quiet(ns, now=True)
        self.wait_for_indexes()

    def search(
        self,
        ns: int,
        query: np.ndarray,
        limit: int,
        restrict: tuple[str, tuple[Any, ...]] | None = None,
    ) -> list[tuple[int, float]]:
        """Top ``limit`` (id, cosine similarity) of the namespace: an exact scan, or the
        tenant's own HNSW index once it is big."""
        if self._embed_on_first_search and ns not in self._searched:
            while self.embed_pending(ns, 256):
                pass
            self._searched.add(ns)
        vector = np.asarray(query, dtype=np.float32).reshape(-1)
        where = f" AND id IN ({restrict[0]})" if restrict else ""
        extra = restrict[1] if restrict else ()
        dim = self._hnsw(ns)
        if dim is not None and dim == len(vector):
            # ``ns`` is written into the SQL (an integer of ours) so the planner can match the
            # partial index's predicate; the cast is the indexed expression.
            column = indexed(dim)
            with self._db.transaction() as conn:
                # The choice is made: statistics of a table just loaded would send the planner
                # to a scan and sort (fine at 200 rows, not at 200,000). One round trip.
                conn.execute(
                    "SELECT set_config('hnsw.ef_search', ?, true), "
                    "set_config('hnsw.iterative_scan', 'relaxed_order', true), "
                    "set_config('enable_seqscan', 'off', true), "
                    "set_config('enable_bitmapscan', 'off', true), "
                    "set_config('enable_sort', 'off', true)",
                    (str(max(64, 2 * limit)),),
                )
                rows = conn.execute(
                    f"SELECT id, 1 - ({column} <=> ?) FROM {self._table} "
                    f"WHERE ns = {int(ns)} AND vector IS NOT NULL{where} "
                    f"ORDER BY {column} <=> ? LIMIT ?",
                    (vector, *extra, vector, limit),
                ).fetchall()
            ranked = sorted(((float(s), int(r)) for r, s in rows), key=lambda p: (-p[0], p[1]))
            return [(rid, score) for score, rid in ranked]
        with self._db.read() as conn:
            rows = conn.execute(  # each distance computed once, in the inner query
                f"SELECT id, 1 - d FROM (SELECT id, vector <=> ? AS d FROM {self._table} "
                f"WHERE ns=? AND vector IS NOT NULL{where}) AS scored ORDER BY d, id LIMIT ?",
                (vector, ns, *extra, limit),
            ).fetchall()
        return [(int(rid), float(score)) for rid, score in rows]

    def _hnsw(self, ns: int) -> int | None:
        """The dimension of the tenant's valid HNSW index; None while it has none (exact
        scans). Never starts a build (the writes that make a tenant big do); looks, now and
        then, for one another process built."""
        if ns in self._indexed or ns in self._building:
            return self._indexed.get(ns)
        now = time.monotonic()
        if now - self._looked.get(ns, -LOOK_AGAIN_S) < LOOK_AGAIN_S:
            return None
        self._looked[ns] = now
        with self._db.read() as conn:
            if _index_state(conn, self._index_name(ns)) is not True:
                return None
            meta = conn.execute("SELECT value FROM meta WHERE key='embedding_dim'").fetchone()
        if meta is not None:
            self._indexed[ns] = int(meta[0])
        return self._indexed.get(ns)

    def _start_build(self, ns: int) -> None:
        """Build the tenant's index in the background if it is big and has no valid one (an
        index built by another process is adopted)."""
        with self._db.read() as conn:
            row = conn.execute(
                "SELECT docs FROM lex_stats WHERE ns=? AND tier=?", (ns, int(_TIERS[self._table]))
            ).fetchone()
            if row is None or int(row[0]) < HNSW_MIN_ROWS:
                return
            meta = conn.execute("SELECT value FROM meta WHERE key='embedding_dim'").fetchone()
            if meta is None:
                return
            dim = int(meta[0])
            if _index_state(conn, self._index_name(ns)) is True:
                self._indexed[ns] = dim
                return
        self._building.add(ns)
        thread = threading.Thread(
            target=self._build, args=(ns, dim), name=f"memgpt-hnsw-{ns}", daemon=True
        )
        self._threads.append(thread)
        thread.start()

    def _index_name(self, ns: int) -> str:
        return f"{self._table}_hnsw_{int(ns)}"

    def _build(self, ns: int, dim: int) -> None:
        """Build the tenant's partial HNSW index without blocking writers (``CONCURRENTLY``),
        once across processes (an advisory lock; an invalid index left by a build that died
        is dropped first). Searches scan exactly until it is valid. Advisory locks are shared
        by the whole database, so the lock's key is the index's schema, table and tenant:
        stores in two schemas number their tenants alike and skipped each other's builds."""
        name = self._index_name(ns)
        try:
            with self._db.read() as conn:
                key = build_lock_key(conn, name)
                (mine,) = conn.execute("SELECT pg_try_advisory_lock(?)", (key,)).fetchone()
                if not mine:  # another process is building it
                    return
                try:
                    started = time.monotonic()
                    if _index_state(conn, name) is False:
                        conn.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {name}")
                    conn.execute(hnsw_ddl(self._table, name, ns, dim, concurrently=True))
                    logger.info("built %s in %.1f s", name, time.monotonic() - started)
                finally:
                    conn.execute("SELECT pg_advisory_unlock(?)", (key,))
            self._indexed[ns] = dim
        except Exception as exc:  # the store closed, the server went away: exact scans go on
            logger.warning("HNSW index %s not built (%s); searches stay exact", name, exc)
        finally:
            self._building.discard(ns)

    def wait_for_indexes(self, timeout: float | None = None) -> None:
        """Wait for the HNSW index builds this process started."""
        for thread in list(self._threads):
            thread.join(timeout)
        self._threads = [t for t in self._threads if t.is_alive()]

    def embed_pending(self, ns: int, limit: int) -> int:
        """Embed up to ``limit`` rows stored without a vector (outside any transaction, so a
        slow model never holds a connection's locks). One caller at a time in this process:
        the background embedder and a search catching up would otherwise embed the same rows."""
        if self._embed is None:
            return 0
        with self._embedding:
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
            self._wrote(ns, len(rows))
            return len(rows)

    def clear_vectors(self) -> None:
        """Forget the vectors (a new embedding model): the tenants' HNSW indexes go too."""
        with self._db.read() as conn:
            names = [
                r[0]
                for r in conn.execute(
                    "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() "
                    "AND indexname LIKE ?",
                    (f"{self._table}\\_hnsw\\_%",),
                ).fetchall()
            ]
            for name in names:
                conn.execute(f"DROP INDEX IF EXISTS {name}")
        self._indexed.clear()
        self._looked.clear()
        self._searched.clear()
        with self._db.transaction() as conn:
            conn.execute(f"UPDATE {self._table} SET vector = NULL")
