"""The ``Memory`` facade: one directory holding all three MemGPT memory tiers.

Layout of the directory::

    memory.sqlite (+ -wal, -shm)   core blocks, recall messages + FTS5, archival records,
                                   their vectors (float32 BLOBs) + FTS5, metadata
    faiss/ns-<n>.faiss             FAISS index of archival namespace n (a rebuildable cache)

The embedder's identity is recorded with the vectors. Opening a store whose vectors came from
another model raises :class:`MemoryStoreError` (mixing vector spaces would silently ruin
search) unless ``reembed=True``, which drops the stored vectors; each namespace is then
re-embedded from its texts the first time it is searched.
"""

from __future__ import annotations

import os
from pathlib import Path
from types import TracebackType
from typing import Any

from langgraph_memgpt.memory.analysis import term_frequencies
from langgraph_memgpt.memory.archival import ArchivalMemory
from langgraph_memgpt.memory.backends.faiss_cache import FaissCache
from langgraph_memgpt.memory.backends.lexical import LexicalIndex, Tier
from langgraph_memgpt.memory.backends.sqlite_db import REINDEX_KEY, Database
from langgraph_memgpt.memory.backends.sqlite_faiss import SqliteFaissArchival
from langgraph_memgpt.memory.core import CoreMemory
from langgraph_memgpt.memory.embeddings import (
    EmbeddingsSpec,
    embedder_identity,
    resolve_embeddings,
)
from langgraph_memgpt.memory.fusion import DEFAULT_FUSION, FusionFn
from langgraph_memgpt.memory.recall import (
    PENDING_SQL,
    RecallMemory,
    pending_embedding_text,
    thread_documents,
)
from langgraph_memgpt.memory.types import DEFAULT_AGENT_ID, MemoryStoreError

DB_FILE = "memory.sqlite"


class Memory:
    """Core, recall and archival memory over one storage directory.

    Thread-safe (one SQLite connection behind a lock). Use :meth:`open`, and close it (or use
    it as a context manager) so the FAISS index files are saved; if the process dies instead,
    the next open repairs them from SQLite.
    """

    def __init__(
        self,
        path: Path,
        db: Database,
        core: CoreMemory,
        recall: RecallMemory,
        archival: ArchivalMemory,
        backend: SqliteFaissArchival,
    ) -> None:
        self.path = path
        self._db = db
        self.core = core
        self.recall = recall
        self.archival = archival
        self._backend = backend

    @classmethod
    def open(
        cls,
        path: str | os.PathLike[str],
        embeddings: EmbeddingsSpec = "auto",
        *,
        reembed: bool = False,
        fusion: FusionFn = DEFAULT_FUSION,
        save_interval: float = 30.0,
    ) -> Memory:
        """Open (creating if missing) the memory directory at ``path``.

        ``embeddings``: ``"auto"`` (env ``MEMGPT_EMBEDDINGS`` = local | openai | none, else the
        local MiniLM when installed, else lexical only), ``"local"``, ``"openai"``, ``"none"``/
        ``None`` (lexical only), or any LangChain ``Embeddings``.
        """
        directory = Path(path)
        try:
            directory.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise MemoryStoreError(
                f"cannot create the memory directory {directory}: {exc}"
            ) from exc
        embedder = resolve_embeddings(embeddings)
        db = Database(directory / DB_FILE)
        try:
            archival_holder: list[ArchivalMemory] = []
            backend = SqliteFaissArchival(
                db,
                directory,
                dim=lambda: archival_holder[0].dim,
                embed=None
                if embedder is None
                else lambda texts: archival_holder[0].embed_texts(texts),
                save_interval=save_interval,
            )
            archival = ArchivalMemory(db, backend, embedder, fusion=fusion)
            archival_holder.append(archival)
            recall_vectors = FaissCache(
                db,
                directory,
                table="recall",
                state_table="recall_state",
                pending_sql=PENDING_SQL,
                compose=pending_embedding_text,
                prefix="recall",
                dim=lambda: archival.dim,
                embed=None if embedder is None else archival.embed_texts,
                save_interval=save_interval,
                embed_on_load=False,
            )
            recall = RecallMemory(
                db,
                vectors=recall_vectors,
                embed_query=None if embedder is None else archival.embed_query,
                fusion=fusion,
            )
            if embedder is not None:
                _check_embedder(
                    db, backend, recall_vectors, embedder_identity(embedder), reembed=reembed
                )
            if db.get_meta(REINDEX_KEY):
                _build_lexical_index(db)
        except BaseException:
            db.close()
            raise
        return cls(directory, db, CoreMemory(db), recall, archival, backend)

    def stats(self, *, user_id: str, agent_id: str = DEFAULT_AGENT_ID) -> dict[str, Any]:
        """Record counts per tier, for the prompt's memory statistics."""
        return {
            "core": self.core.count(user_id=user_id, agent_id=agent_id),
            "recall": self.recall.count(user_id=user_id, agent_id=agent_id),
            "archival": self.archival.count(user_id=user_id, agent_id=agent_id),
            "archival_search": "hybrid" if self.archival.embeddings is not None else "lexical",
        }

    def flush(self) -> None:
        """Save changed FAISS index files now (``close`` does it too)."""
        self._db.check_open()
        self._backend.flush()
        self.recall.flush()

    @property
    def closed(self) -> bool:
        return self._db.closed

    def close(self) -> None:
        """Save the FAISS files and close the database; later calls raise MemoryStoreError."""
        if self._db.closed:
            return
        try:
            self.recall.stop_worker()
            self._backend.flush()
            self.recall.flush()
        finally:
            self._db.close()

    def __enter__(self) -> Memory:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        state = "closed" if self.closed else "open"
        return f"Memory({str(self.path)!r}, {state})"


def _check_embedder(
    db: Database,
    backend: SqliteFaissArchival,
    recall_vectors: FaissCache,
    identity: str,
    *,
    reembed: bool,
) -> None:
    """Refuse to mix vectors of two embedding models (or drop the old ones if asked).

    Vectors stored without a recorded model (precomputed, passed to ``insert_many``) are
    adopted as they are unless ``reembed``; a dimension mismatch still fails on first use.
    """
    stored = db.get_meta("embedding_model")
    if stored == identity and not reembed:
        return
    with db.read() as conn:
        has_vectors = conn.execute(
            "SELECT 1 FROM archival WHERE vector IS NOT NULL "
            "UNION ALL SELECT 1 FROM recall WHERE vector IS NOT NULL LIMIT 1"
        ).fetchone()
    if stored is not None and stored != identity and has_vectors and not reembed:
        raise MemoryStoreError(
            f"{db.location} holds archival vectors from embedding model {stored!r} but it "
            f"was opened with {identity!r}. Open it with the same model, or pass "
            "reembed=True to re-embed every archival record with the new one."
        )
    with db.transaction() as conn:
        if reembed or not has_vectors:  # no vectors kept: no dimension to hold to
            conn.execute("DELETE FROM meta WHERE key='embedding_dim'")
        conn.execute(
            "INSERT INTO meta(key, value) VALUES ('embedding_model', ?) "
            "ON CONFLICT(key) DO UPDATE SET value=excluded.value",
            (identity,),
        )
    if reembed and has_vectors:
        backend.clear_vectors()
        recall_vectors.clear_vectors()


def _build_lexical_index(db: Database) -> None:
    """Index every stored text once, for a store written before the per-tenant index.

    One transaction: a crash leaves the flag set and the next open starts over.
    """
    with db.transaction() as conn:
        conn.execute("DELETE FROM lex_postings")
        conn.execute("DELETE FROM lex_df")
        conn.execute("DELETE FROM lex_docs")
        conn.execute("DELETE FROM lex_stats")
        conn.execute("DELETE FROM lex_tail")
        by_ns: dict[int, list[tuple[int, dict[str, float]]]] = {}
        for ns, rid, text in conn.execute("SELECT ns, id, text FROM archival ORDER BY ns, id"):
            by_ns.setdefault(int(ns), []).append((int(rid), term_frequencies([(text, 1.0)])))
        for ns, docs in by_ns.items():
            LexicalIndex.add(conn, ns, Tier.ARCHIVAL, docs)
        threads: dict[tuple[int, str], list[tuple[int, str, str]]] = {}
        for ns, rid, thread, content, created_at in conn.execute(
            "SELECT ns, id, thread_id, content, created_at FROM recall ORDER BY ns, id"
        ).fetchall():
            threads.setdefault((int(ns), thread), []).append((int(rid), content, created_at))
        for (ns, _thread), rows in threads.items():
            LexicalIndex.add(conn, ns, Tier.RECALL, thread_documents(rows, range(len(rows))))
        conn.execute("DELETE FROM meta WHERE key=?", (REINDEX_KEY,))
