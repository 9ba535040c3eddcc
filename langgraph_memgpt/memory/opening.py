"""Opening a store: the database, its two vector stores and the tiers over them, per engine.

``Memory.open`` picks the engine from the location and calls :func:`open_sqlite` or
:func:`open_postgres`; both end in :func:`assemble`, which builds the same tiers on either.
Kept apart from the facade so ``memory.py`` holds what a user calls, not how a store is wired.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from langchain_core.embeddings import Embeddings

from langgraph_memgpt.memory.backends.database import MemoryDatabase
from langgraph_memgpt.memory.backends.embedding_cache import EmbeddingCache, max_entries_from_env
from langgraph_memgpt.memory.backends.faiss_cache import FaissCache
from langgraph_memgpt.memory.backends.sql_archival import ARCHIVAL_PENDING_SQL, SqlArchival
from langgraph_memgpt.memory.backends.sqlite_db import DB_FILE, REINDEX_KEY, Database
from langgraph_memgpt.memory.backends.vectors import VectorStore
from langgraph_memgpt.memory.guard.policy import (
    GuardOptions,
    PendingVerdicts,
    deferring_guard,
    write_guard,
)
from langgraph_memgpt.memory.search.embeddings import embedder_identity
from langgraph_memgpt.memory.search.fusion import FusionFn
from langgraph_memgpt.memory.search.indexing import RecallDense
from langgraph_memgpt.memory.tiers.archival import ArchivalMemory
from langgraph_memgpt.memory.tiers.core import CoreMemory
from langgraph_memgpt.memory.tiers.recall import (
    PENDING_SQL,
    RecallMemory,
    pending_parts,
)
from langgraph_memgpt.memory.tiers.reindex import build_lexical_index
from langgraph_memgpt.memory.types import MemoryStoreError

__all__ = ["DB_FILE", "build_lexical_index", "open_postgres", "open_sqlite"]

if TYPE_CHECKING:
    from langgraph_memgpt.memory.memory import Memory


def open_sqlite(
    cls: type[Memory],
    directory: Path,
    embedder: Embeddings | None,
    *,
    reembed: bool,
    fusion: FusionFn,
    save_interval: float,
    read_only: bool = False,
) -> Memory:
    if not read_only:
        try:
            directory.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise MemoryStoreError(
                f"cannot create the memory directory {directory}: {exc}"
            ) from exc
    db = Database(directory / DB_FILE, read_only=read_only)
    try:
        holder: list[ArchivalMemory] = []
        embed = None if embedder is None else lambda texts: holder[0].embed_texts(texts)
        dense = (
            None if embedder is None else RecallDense(lambda texts: holder[0].embed_texts(texts))
        )

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
            compose=pending_parts,
            prefix="recall",
            dim=dim,
            embed=dense,
            save_interval=save_interval,
            embed_on_load=False,
        )
        memory = assemble(
            cls,
            directory,
            db,
            (archival_vectors, recall_vectors),
            embedder,
            holder,
            fusion,
            reembed,
            dense=dense,
            postgres=False,
        )
        if not read_only and db.get_meta(REINDEX_KEY):  # read-only: refused by Database
            build_lexical_index(db)
    except BaseException:
        db.close()
        raise
    return memory


def open_postgres(
    cls: type[Memory],
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
        dense = (
            None if embedder is None else RecallDense(lambda texts: holder[0].embed_texts(texts))
        )
        archival_vectors = PgVectors(
            db, table="archival", pending_sql=ARCHIVAL_PENDING_SQL, embed=embed
        )
        recall_vectors = PgVectors(
            db,
            table="recall",
            pending_sql=PENDING_SQL,
            compose=pending_parts,
            embed=dense,
            embed_on_first_search=False,  # RecallMemory embeds what waits before searching
        )
        return assemble(
            cls,
            url,
            db,
            (archival_vectors, recall_vectors),
            embedder,
            holder,
            fusion,
            reembed,
            dense=dense,
            postgres=True,
        )
    except BaseException:
        db.close()
        raise


def assemble(
    cls: type[Memory],
    location: Path | str,
    db: MemoryDatabase,
    vector_stores: tuple[VectorStore, VectorStore],
    embedder: Embeddings | None,
    holder: list[ArchivalMemory],
    fusion: FusionFn,
    reembed: bool,
    *,
    dense: RecallDense | None,
    postgres: bool,
) -> Memory:
    """The tiers over a database and its (archival, recall) vector stores (the same on both
    engines), with the embedding cache (``backends.embedding_cache``) when there is an
    embedder and ``MEMGPT_EMBEDDING_CACHE`` is not 0."""
    archival_vectors, recall_vectors = vector_stores
    backend = SqlArchival(db, archival_vectors)
    options = GuardOptions()
    guard = write_guard(db, options)
    archival = ArchivalMemory(db, backend, embedder, on_write=guard, fusion=fusion)
    holder.append(archival)
    recall = RecallMemory(
        db,
        on_write=deferring_guard(db, options),
        verdicts=PendingVerdicts(db),
        vectors=recall_vectors,
        embed_query=None if embedder is None else archival.embed_query,
        fusion=fusion,
        dense=dense,
    )
    if embedder is not None:
        entries = max_entries_from_env()
        if entries and not getattr(db, "read_only", False):  # a read-only store writes nothing
            archival.embedding_cache = EmbeddingCache(db, postgres=postgres, max_entries=entries)
        check_embedder(
            db, archival_vectors, recall_vectors, embedder_identity(embedder), reembed=reembed
        )
        if reembed and archival.embedding_cache is not None:
            archival.embedding_cache.clear()  # the model changed under the same name
    return cls(location, db, CoreMemory(db), recall, archival, backend, guard_options=options)


def check_embedder(
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
    if getattr(db, "read_only", False):
        return  # reading: the model is recorded by the next writable open
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
