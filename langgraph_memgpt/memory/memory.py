"""The ``Memory`` facade: the three MemGPT memory tiers over one store.

A store is either a local directory (the embedded default) or a PostgreSQL database::

    memory.sqlite (+ -wal, -shm)   core blocks, recall messages, archival records, their
                                   vectors (float32 BLOBs), the lexical index, metadata
    faiss/ns-<n>.faiss             FAISS index of archival namespace n (a rebuildable cache)
    faiss/recall-<n>.faiss         FAISS index of namespace n's recall messages

    postgresql://...               the same tables in Postgres, vectors in pgvector columns
                                   (``backends/postgres_schema.py``): nothing on local disk

The embedder's identity is recorded with the vectors. Opening a store whose vectors came from
another model raises :class:`MemoryStoreError` (mixing vector spaces would silently ruin
search) unless ``reembed=True``, which drops the stored vectors; each namespace is then
re-embedded from its texts the first time it is searched.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Any

from langchain_core.embeddings import Embeddings

from langgraph_memgpt.memory.backends.database import MemoryDatabase
from langgraph_memgpt.memory.backends.faiss_cache import FaissCache
from langgraph_memgpt.memory.backends.lexical import LexicalIndex, Tier
from langgraph_memgpt.memory.backends.postgres_db import is_postgres_url
from langgraph_memgpt.memory.backends.sql_archival import ARCHIVAL_PENDING_SQL, SqlArchival
from langgraph_memgpt.memory.backends.sqlite_db import REINDEX_KEY, Database
from langgraph_memgpt.memory.backends.vectors import VectorStore
from langgraph_memgpt.memory.guard.policy import GuardControl
from langgraph_memgpt.memory.search.embeddings import (
    EmbeddingsSpec,
    embedder_identity,
    resolve_embeddings,
)
from langgraph_memgpt.memory.search.fusion import DEFAULT_FUSION, FusionFn
from langgraph_memgpt.memory.text.analysis import term_frequencies
from langgraph_memgpt.memory.tiers.archival import ArchivalMemory
from langgraph_memgpt.memory.tiers.core import CoreMemory
from langgraph_memgpt.memory.tiers.recall import (
    PENDING_SQL,
    RecallMemory,
    pending_embedding_text,
    thread_documents,
)
from langgraph_memgpt.memory.types import DEFAULT_AGENT_ID, MemoryStoreError, StoreNotFoundError

DB_FILE = "memory.sqlite"
DATABASE_URL_ENV = "MEMGPT_DATABASE_URL"


class Memory:
    """Core, recall and archival memory over one store (a directory or a Postgres database).

    Thread-safe. Use :meth:`open`, and close it (or use it as a context manager) so the FAISS
    index files of a local store are saved; if the process dies instead, the next open
    repairs them from SQLite.
    """

    def __init__(
        self,
        location: Path | str,
        db: MemoryDatabase,
        core: CoreMemory,
        recall: RecallMemory,
        archival: ArchivalMemory,
        backend: SqlArchival,
    ) -> None:
        #: The local directory, or None for a Postgres store (see ``url``).
        self.path: Path | None = location if isinstance(location, Path) else None
        #: The Postgres URL, or None for a local store.
        self.url: str | None = None if isinstance(location, Path) else location
        self._db = db
        self.core = core
        self.recall = recall
        self.archival = archival
        self._backend = backend
        self._savers: list[Any] = []
        self._close_hooks: list[Callable[[], None]] = []

    @property
    def guard(self) -> GuardControl:
        """Operator control of the memory poisoning guard: quarantine, flagged, approve."""
        return GuardControl(self._db)

    @property
    def backend(self) -> str:
        """``"sqlite"`` (a local directory: SQLite + FAISS) or ``"postgres"``."""
        return "sqlite" if self.path is not None else "postgres"

    @property
    def location(self) -> str:
        """Where the store lives, safe to print (a Postgres password is masked)."""
        return self._db.location

    @classmethod
    def open(
        cls,
        path: str | os.PathLike[str] | None = None,
        embeddings: EmbeddingsSpec = "auto",
        *,
        reembed: bool = False,
        fusion: FusionFn = DEFAULT_FUSION,
        save_interval: float = 30.0,
        create: bool = True,
    ) -> Memory:
        """Open (creating if missing) the store at ``path``: a directory, or a
        ``postgresql://`` URL. Without ``path``, ``MEMGPT_DATABASE_URL`` names the database.
        ``create=False`` opens an existing store only: where there is none it raises
        :class:`StoreNotFoundError` and creates nothing (no directory, no schema).

        ``embeddings``: ``"auto"`` (env ``MEMGPT_EMBEDDINGS`` = local | openai | none, else the
        local MiniLM when installed, else lexical only), ``"local"``, ``"openai"``, ``"none"``/
        ``None`` (lexical only), or any LangChain ``Embeddings``.
        """
        if path is None:
            path = os.environ.get(DATABASE_URL_ENV) or None
            if path is None:
                raise MemoryStoreError(
                    f"Memory.open() needs a directory or a postgresql:// URL (or set "
                    f"{DATABASE_URL_ENV})."
                )
        embedder = resolve_embeddings(embeddings)
        if is_postgres_url(path):
            return cls._open_postgres(
                str(path), embedder, reembed=reembed, fusion=fusion, create=create
            )
        if isinstance(path, str) and "://" in path:
            raise MemoryStoreError(
                f"{path.split('://')[0]}:// stores are not supported; use a directory or a "
                "postgresql:// URL."
            )
        if not create and not (Path(path) / DB_FILE).is_file():
            raise StoreNotFoundError(f"no memory store in {path} (no {DB_FILE})")
        return cls._open_sqlite(
            Path(path), embedder, reembed=reembed, fusion=fusion, save_interval=save_interval
        )

    @classmethod
    def _open_sqlite(
        cls,
        directory: Path,
        embedder: Embeddings | None,
        *,
        reembed: bool,
        fusion: FusionFn,
        save_interval: float,
    ) -> Memory:
        try:
            directory.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise MemoryStoreError(
                f"cannot create the memory directory {directory}: {exc}"
            ) from exc
        db = Database(directory / DB_FILE)
        try:
            holder: list[ArchivalMemory] = []
            embed = None if embedder is None else lambda texts: holder[0].embed_texts(texts)

            def dim() -> int | None:
                return holder[0].dim

            archival_vectors = FaissCache(
                db,
                directory,
                table="archival",
                state_table="archival_state",
                pending_sql=ARCHIVAL_PENDING_SQL,
                prefix="ns",
                dim=dim,
                embed=embed,
                save_interval=save_interval,
            )
            recall_vectors = FaissCache(
                db,
                directory,
                table="recall",
                state_table="recall_state",
                pending_sql=PENDING_SQL,
                compose=pending_embedding_text,
                prefix="recall",
                dim=dim,
                embed=embed,
                save_interval=save_interval,
                embed_on_load=False,
            )
            memory = cls._assemble(
                directory, db, archival_vectors, recall_vectors, embedder, holder, fusion, reembed
            )
            if db.get_meta(REINDEX_KEY):
                _build_lexical_index(db)
        except BaseException:
            db.close()
            raise
        return memory

    @classmethod
    def _open_postgres(
        cls,
        url: str,
        embedder: Embeddings | None,
        *,
        reembed: bool,
        fusion: FusionFn,
        create: bool = True,
    ) -> Memory:
        from langgraph_memgpt.memory.backends.pgvector_store import PgVectors
        from langgraph_memgpt.memory.backends.postgres_db import PostgresDatabase

        db = PostgresDatabase(url, create=create)
        try:
            holder: list[ArchivalMemory] = []
            embed = None if embedder is None else lambda texts: holder[0].embed_texts(texts)
            archival_vectors = PgVectors(
                db, table="archival", pending_sql=ARCHIVAL_PENDING_SQL, embed=embed
            )
            recall_vectors = PgVectors(
                db,
                table="recall",
                pending_sql=PENDING_SQL,
                compose=pending_embedding_text,
                embed=embed,
                embed_on_first_search=False,  # RecallMemory embeds what waits before searching
            )
            return cls._assemble(
                url, db, archival_vectors, recall_vectors, embedder, holder, fusion, reembed
            )
        except BaseException:
            db.close()
            raise

    @classmethod
    def _assemble(
        cls,
        location: Path | str,
        db: MemoryDatabase,
        archival_vectors: VectorStore,
        recall_vectors: VectorStore,
        embedder: Embeddings | None,
        holder: list[ArchivalMemory],
        fusion: FusionFn,
        reembed: bool,
    ) -> Memory:
        """The tiers over a database and its two vector stores (the same on both engines)."""
        backend = SqlArchival(db, archival_vectors)
        archival = ArchivalMemory(db, backend, embedder, fusion=fusion)
        holder.append(archival)
        recall = RecallMemory(
            db,
            vectors=recall_vectors,
            embed_query=None if embedder is None else archival.embed_query,
            fusion=fusion,
        )
        if embedder is not None:
            _check_embedder(
                db, archival_vectors, recall_vectors, embedder_identity(embedder), reembed=reembed
            )
        return cls(location, db, CoreMemory(db), recall, archival, backend)

    def default_checkpointer(self) -> Any:
        """The checkpointer that goes with this store, pruned to the newest snapshots (recall
        keeps every message): ``checkpoints.sqlite`` in a local directory, or LangGraph's
        ``PostgresSaver`` on the same database, so a Postgres-backed agent writes no file."""
        self._db.check_open()
        if self.path is not None:
            from langgraph_memgpt.checkpointing.sqlite import sqlite_checkpointer

            saver: Any = sqlite_checkpointer(self.path)
        else:
            from langgraph_memgpt.checkpointing.postgres import postgres_checkpointer

            assert self.url is not None
            saver = postgres_checkpointer(self.url)
        self._savers.append(saver)
        return saver

    def stats(self, *, user_id: str, agent_id: str = DEFAULT_AGENT_ID) -> dict[str, Any]:
        """Record counts per tier, for the prompt's memory statistics."""
        return {
            "core": self.core.count(user_id=user_id, agent_id=agent_id),
            "recall": self.recall.count(user_id=user_id, agent_id=agent_id),
            "archival": self.archival.count(user_id=user_id, agent_id=agent_id),
            "archival_superseded": self.archival.count_superseded(
                user_id=user_id, agent_id=agent_id
            ),
            "archival_search": "hybrid" if self.archival.embeddings is not None else "lexical",
        }

    def on_close(self, hook: Callable[[], None]) -> None:
        """Run ``hook`` first when the store closes (background consolidation finishes)."""
        self._close_hooks.append(hook)

    # -- data in and out (``portable.py``) -------------------------------------------------
    def export_agent(self, path: str | os.PathLike[str] | None = None, **options: Any) -> Any:
        """One user's memory as an agent-file document, written to ``path`` if given
        (``portable.export_agent``: ``user_id``, ``agent_id``, ``vectors``)."""
        from langgraph_memgpt.memory.io import portable

        if path is None:
            return portable.export_agent(self, **options)
        return portable.export_to_file(self, path, **options)

    def import_agent(self, source: Any, **options: Any) -> Any:
        """Import an agent file (a path, or a parsed document) into a user with no memory yet;
        returns an ``ImportReport`` (``portable.import_agent``: ``user_id``, ``agent_id``,
        ``agent``, ``dry_run``)."""
        from langgraph_memgpt.memory.io import portable

        if isinstance(source, str | os.PathLike):
            return portable.import_file(self, source, **options)
        return portable.import_agent(self, source, **options)

    def has_namespace(self, *, user_id: str, agent_id: str = DEFAULT_AGENT_ID) -> bool:
        """Whether anything was ever stored for (user_id, agent_id)."""
        return self._db.namespace(agent_id, user_id, create=False) is not None

    def users(self) -> list[tuple[str, str]]:
        """Every (user_id, agent_id) with anything stored, sorted (read only)."""
        with self._db.read() as conn:
            rows = conn.execute("SELECT user_id, agent_id FROM namespaces").fetchall()
        return sorted((str(user), str(agent)) for user, agent in rows)

    def get_meta(self, key: str) -> str | None:
        """A store-wide bookkeeping value (e.g. the import log), None if unset."""
        return self._db.get_meta(key)

    def set_meta(self, key: str, value: str) -> None:
        self._db.set_meta(key, value)

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
        for hook in self._close_hooks:
            hook()
        try:
            self.recall.stop_worker()
            self._backend.flush()
            self.recall.flush()
        finally:
            self._db.close()
            for saver in self._savers:
                pool: Any = getattr(saver, "conn", None)
                if self.url is not None and pool is not None:
                    pool.close()  # the Postgres saver's own pool; SQLite savers stay usable

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
        return f"Memory({self.location!r}, {state})"


def _check_embedder(
    db: MemoryDatabase,
    archival_vectors: VectorStore,
    recall_vectors: VectorStore,
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
        archival_vectors.clear_vectors()
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
