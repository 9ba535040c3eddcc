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
import time
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from langgraph_memgpt.memory.aio import MemoryExecutor, memory_threads
from langgraph_memgpt.memory.backends.database import MemoryDatabase
from langgraph_memgpt.memory.backends.postgres_db import is_postgres_url
from langgraph_memgpt.memory.backends.sql_archival import SqlArchival
from langgraph_memgpt.memory.guard.policy import GuardControl, GuardOptions
from langgraph_memgpt.memory.opening import DB_FILE, open_postgres, open_sqlite
from langgraph_memgpt.memory.search.embeddings import EmbeddingsSpec, resolve_embeddings
from langgraph_memgpt.memory.search.fusion import DEFAULT_FUSION, FusionFn
from langgraph_memgpt.memory.tiers.archival import ArchivalMemory
from langgraph_memgpt.memory.tiers.core import CoreMemory
from langgraph_memgpt.memory.tiers.recall import RecallMemory
from langgraph_memgpt.memory.types import (
    DEFAULT_AGENT_ID,
    MemoryStoreError,
    PromptView,
    StoreNotFoundError,
)

if TYPE_CHECKING:
    from langgraph_memgpt.memory.io.ingest import IngestReport

__all__ = ["DB_FILE", "Memory"]
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
        *,
        guard_options: GuardOptions | None = None,
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
        self._guard_options = guard_options if guard_options is not None else GuardOptions()
        self._executor = MemoryExecutor(memory_threads(self.backend))

    @property
    def guard(self) -> GuardControl:
        """Operator control of the memory poisoning guard: quarantine, flagged, approve, and
        the reviewer of texts the learned score is unsure of."""
        return GuardControl(self._db, self._guard_options)

    @property
    def backend(self) -> str:
        """``"sqlite"`` (a local directory: SQLite + FAISS) or ``"postgres"``."""
        return "sqlite" if self.path is not None else "postgres"

    @property
    def executor(self) -> MemoryExecutor:
        """The threads async callers run this store's calls on (``memory.aio.off_loop_in``)."""
        return self._executor

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
        read_only: bool = False,
    ) -> Memory:
        """Open (creating if missing) the store at ``path``: a directory, or a
        ``postgresql://`` URL. Without ``path``, ``MEMGPT_DATABASE_URL`` names the database.
        ``create=False`` opens an existing store only: where there is none it raises
        :class:`StoreNotFoundError` and creates nothing (no directory, no schema).
        ``read_only=True`` (a local directory; implies ``create=False``) opens the database
        with SQLite's ``mode=ro`` and writes nothing at all, not even a search's bookkeeping
        (vectors of rows not embedded yet, FAISS files): for a read-only mount, or to look.

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
        # A bad setting is refused before anything is opened (nothing to close again).
        memory_threads("postgres" if is_postgres_url(path) else "sqlite")
        embedder = resolve_embeddings(embeddings)
        if is_postgres_url(path):
            return open_postgres(
                cls, str(path), embedder, reembed=reembed, fusion=fusion, create=create
            )
        if isinstance(path, str) and "://" in path:
            raise MemoryStoreError(
                f"{path.split('://')[0]}:// stores are not supported; use a directory or a "
                "postgresql:// URL."
            )
        if (read_only or not create) and not (Path(path) / DB_FILE).is_file():
            raise StoreNotFoundError(f"no memory store in {path} (no {DB_FILE})")
        return open_sqlite(
            cls,
            Path(path),
            embedder,
            reembed=reembed,
            fusion=fusion,
            save_interval=save_interval,
            read_only=read_only,
        )

    def default_checkpointer(self, *, keep_last: int | None | str = "default") -> Any:
        """The checkpointer that goes with this store, with both the sync and the async API:
        ``checkpoints.sqlite`` in a local directory, or LangGraph's ``PostgresSaver`` on the
        same database, so a Postgres-backed agent writes no file. It keeps the newest
        ``keep_last`` checkpoints of each thread (``checkpointing/retention.py``; recall keeps
        every message)."""
        self._db.check_open()
        if self.path is not None:
            from langgraph_memgpt.checkpointing.sqlite import sqlite_checkpointer

            saver: Any = sqlite_checkpointer(self.path, keep_last=keep_last)
        else:
            from langgraph_memgpt.checkpointing.postgres import postgres_checkpointer

            assert self.url is not None
            saver = postgres_checkpointer(self.url, keep_last=keep_last)
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

    def prompt_view(self, *, user_id: str, agent_id: str = DEFAULT_AGENT_ID) -> PromptView:
        """The core blocks and the memory statistics a system prompt shows (recall and
        archival counts, superseded records), read in one statement: one round trip per render
        on Postgres. Never cached, so writes by another ``Memory`` on the store show at once."""
        return self.core.prompt_view(user_id=user_id, agent_id=agent_id)

    def on_close(self, hook: Callable[[], None]) -> None:
        """Run ``hook`` first when the store closes (background consolidation finishes)."""
        self._close_hooks.append(hook)

    # -- data in and out (``io/``: ingestion, agent files) ----------------------------------
    def ingest(
        self, paths: Any, *, user_id: str, agent_id: str = DEFAULT_AGENT_ID, **options: Any
    ) -> IngestReport:
        """Ingest document files and directories into archival memory, each chunk cited; an
        unchanged file adds nothing. Returns an ``IngestReport`` (options: ``io.ingest.Ingester``).
        """
        from langgraph_memgpt.memory.io.ingest import ingest

        return ingest(self.archival, paths, user_id=user_id, agent_id=agent_id, **options)

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

    def ping(self, timeout: float = 5.0) -> float:
        """Seconds for one round trip to the database, for a readiness probe; raises
        ``MemoryStoreUnavailable`` when a Postgres server does not answer within ``timeout``."""
        ping = getattr(self._db, "ping", None)
        if ping is not None:
            return float(ping(timeout))
        started = time.perf_counter()
        self._db.get_meta("schema_version")
        return time.perf_counter() - started

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
