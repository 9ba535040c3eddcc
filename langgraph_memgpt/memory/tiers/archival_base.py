"""What every part of :class:`~langgraph_memgpt.memory.tiers.archival.ArchivalMemory` shares:
its limits, the storage protocol, the embedder, and turning stored rows into cited hits.

``ArchivalMemory`` is assembled from one mixin per job (``archival_write``, ``archival_search``,
``archival_validity``) over :class:`ArchivalBase`, so each stays small and reads on its own.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal, Protocol

import numpy as np
from langchain_core.embeddings import Embeddings

from langgraph_memgpt.memory._validate import (
    check_id,
    check_storable,
)
from langgraph_memgpt.memory.backends.database import MemoryDatabase
from langgraph_memgpt.memory.backends.embedding_cache import EmbeddingCache, embed_cached
from langgraph_memgpt.memory.backends.sql_archival import ArchivalRow
from langgraph_memgpt.memory.backends.validity import Validity
from langgraph_memgpt.memory.search.embeddings import embedder_identity
from langgraph_memgpt.memory.search.fusion import (
    DEFAULT_FUSION,
    FusionFn,
)
from langgraph_memgpt.memory.text.guard_flags import hit_metadata, searchable
from langgraph_memgpt.memory.types import (
    DEFAULT_AGENT_ID,
    EXTERNAL,
    MemoryStoreError,
    SearchHit,
    WriteGuard,
)

MAX_TEXT_CHARS = 20_000
MAX_QUERY_CHARS = 20_000
MAX_BATCH = 100_000
CITATION_KEYS = ("thread_id", "turn", "created_at", "source")
RESERVED_KEYS = ("user_id", "agent_id", "tags", "id")
SearchMode = Literal["hybrid", "lexical", "dense"]
MODES = ("hybrid", "lexical", "dense")


MAX_REASON_CHARS = 500


@dataclass(frozen=True)
class Stored:
    """What one text of :meth:`ArchivalMemory.insert_many_detailed` became."""

    id: str
    #: True when a current record with the same normalised text already existed (or came
    #: earlier in the batch): ``id`` is that record's and nothing new was stored.
    duplicate: bool = False


class ArchivalBackend(Protocol):
    """What archival search needs from storage; ids are backend-internal integers."""

    def insert(
        self,
        ns: int,
        rows: Sequence[ArchivalRow],
        vectors: np.ndarray | None,
        *,
        reindex: Sequence[tuple[int, list[tuple[str, float]]]] = (),
    ) -> list[int]: ...
    def thread_tail(self, ns: int, thread_id: str, n: int) -> list[tuple[int, str, str]]: ...
    def delete(self, ns: int, rid: int, *, uid: str | None = None, reason: str = "") -> None: ...
    def lexical(
        self, ns: int, terms: Sequence[str], limit: int, tags: list[str] | None = None
    ) -> list[tuple[int, float]]: ...
    def dense(
        self, ns: int, query: np.ndarray, limit: int, tags: list[str] | None = None
    ) -> list[tuple[int, float]]: ...
    def fetch(self, ns: int, rids: Sequence[int]) -> dict[int, tuple[Any, ...]]: ...
    def by_uid(self, ns: int, uid: str) -> tuple[Any, ...] | None: ...
    def heads(self, ns: int, rids: Sequence[int], chars: int) -> dict[int, tuple[str, str]]: ...
    def count(self, ns: int) -> int: ...
    def scan(
        self, ns: int, after: int, limit: int, source: str | None = None
    ) -> list[tuple[Any, ...]]: ...
    def vectors_of(self, ns: int, rids: Sequence[int]) -> dict[int, np.ndarray]: ...
    def flush(self) -> None: ...


class ArchivalBase:
    """State and shared helpers of the archival tier (see ``archival.ArchivalMemory``)."""

    def __init__(
        self,
        db: MemoryDatabase,
        backend: ArchivalBackend,
        embeddings: Embeddings | None,
        *,
        on_write: WriteGuard,
        fusion: FusionFn = DEFAULT_FUSION,
    ) -> None:
        self._db = db
        self._backend = backend
        self.embeddings = embeddings
        self.fusion = fusion
        #: The guard's write policy (``types.WriteGuard``): the guard column of a new text.
        self._on_write = on_write
        #: Raise the facts of the person a question names (``subject_focus.py``); a store of
        #: passages rather than one-line facts may turn it off.
        self.subject_focus = True
        self._query_cache: dict[str, tuple[Embeddings, np.ndarray]] = {}
        #: Vectors by (model, text) in the store (``backends.embedding_cache``), wired by
        #: ``opening.assemble``; None embeds every text it is given.
        self.embedding_cache: EmbeddingCache | None = None

    # -- embedding -----------------------------------------------------------------------
    @property
    def dim(self) -> int | None:
        """Dimension of stored vectors (recorded with the first one), None before that."""
        value = self._db.get_meta("embedding_dim")
        return None if value is None else int(value)

    def _check_dim(self, vectors: np.ndarray, what: str) -> np.ndarray:
        if vectors.ndim != 2 or not vectors.shape[1] or not np.isfinite(vectors).all():
            raise MemoryStoreError(f"{what} must be a finite 2-D array of shape (n, dims).")
        dim = self.dim
        if dim is None:
            if not getattr(self._db, "read_only", False):  # a read-only store records none
                self._db.set_meta("embedding_dim", str(vectors.shape[1]))
        elif vectors.shape[1] != dim:
            raise MemoryStoreError(
                f"{what} have {vectors.shape[1]} dimensions but this store holds {dim}-dim "
                "vectors; use the same embedding model (or re-open with reembed=True)."
            )
        return vectors

    def embed_texts(self, texts: list[str]) -> np.ndarray:
        """Embed documents with the configured model, as float32 (n, dims)."""
        if self.embeddings is None:
            raise MemoryStoreError("no embedding model configured; archival search is lexical.")
        model = self.embeddings

        def run(batch: list[str]) -> list[list[float]]:
            try:
                return model.embed_documents(batch)
            except Exception as exc:
                raise MemoryStoreError(
                    f"embedding failed ({type(exc).__name__}: {exc}); nothing was stored."
                ) from exc

        vectors = embed_cached(self.embedding_cache, embedder_identity(model), texts, run)
        return self._check_dim(vectors, "embeddings")

    def embed_query(self, query: str) -> np.ndarray:
        """The query's vector (the last few are cached: a turn often searches both tiers
        with the same words)."""
        assert self.embeddings is not None
        cached = self._query_cache.get(query)
        if cached is not None and cached[0] is self.embeddings:
            return cached[1]
        vector = self._embed_query_uncached(query)
        if len(self._query_cache) >= 64:
            self._query_cache.pop(next(iter(self._query_cache)))
        self._query_cache[query] = (self.embeddings, vector)
        return vector

    def embed_queries(self, queries: Sequence[str]) -> None:
        """Embed queries about to be searched one by one (consolidation's, one per new
        record) in one batch. Only for a model whose query and document vectors are the same
        (``symmetric``, e.g. the local MiniLM): they go through the embedding cache, where
        ``embed_query`` then finds them; other models keep one call per query."""
        if self.embeddings is not None and getattr(self.embeddings, "symmetric", False):
            self.embed_texts(list(dict.fromkeys(queries)))

    def _embed_query_uncached(self, query: str) -> np.ndarray:
        assert self.embeddings is not None
        if getattr(self.embeddings, "symmetric", False):
            # One text as a document is the query's vector: cached with the documents, so a
            # query that is a stored text's, or asked before, costs no model call.
            return self.embed_texts([query])
        try:
            raw = self.embeddings.embed_query(query)
        except Exception as exc:
            raise MemoryStoreError(
                f"embedding the query failed ({type(exc).__name__}: {exc})."
            ) from exc
        return self._check_dim(np.asarray(raw, dtype=np.float32).reshape(1, -1), "query vector")

    # -- reading -------------------------------------------------------------------------
    def _read_ns(self, user_id: str, agent_id: str) -> int | None:
        check_id(user_id, "user_id")
        check_id(agent_id, "agent_id")
        self._db.check_open()
        return self._db.namespace(agent_id, user_id, create=False)

    @staticmethod
    def _hit(row: tuple[Any, ...], score: float, user_id: str, agent_id: str) -> SearchHit:
        _rid, uid, text, tags, thread_id, turn, created_at, source, extra = row[:9]
        metadata: dict[str, Any] = json.loads(extra)
        metadata.update(hit_metadata(text, row[9], row[10], EXTERNAL))
        metadata.update(
            thread_id=thread_id,
            turn=turn,
            created_at=created_at,
            source=source,
            tags=json.loads(tags),
            user_id=user_id,
            agent_id=agent_id,
        )
        return SearchHit(id=uid, text=text, score=score, metadata=metadata)

    def resolve(
        self,
        ranking: Sequence[tuple[int, float]],
        *,
        user_id: str,
        agent_id: str = DEFAULT_AGENT_ID,
    ) -> list[SearchHit]:
        """Turn (internal id, score) pairs from :meth:`candidates` into cited hits, in order."""
        ns = self._read_ns(user_id, agent_id)
        if ns is None or not ranking:
            return []
        rows = self._backend.fetch(ns, [rid for rid, _ in ranking])
        hits = [
            (rid, self._hit(rows[rid], score, user_id, agent_id))
            for rid, score in ranking
            if rid in rows and searchable(rows[rid][10])
        ]
        self._annotate(ns, hits)
        return [hit for _, hit in hits]

    def _annotate(self, ns: int, hits: Sequence[tuple[int, SearchHit]]) -> None:
        """Validity in the hits' metadata: superseded by what, or what each replaced."""
        if not hits:
            return
        with self._db.read() as conn:
            old = Validity.details(conn, ns, [rid for rid, _ in hits])
            replaced = Validity.replaced(conn, ns, [hit.id for _, hit in hits])
        for rid, hit in hits:
            if rid in old:
                by, at, reason = old[rid]
                hit.metadata.update(superseded_by=by, superseded_at=at, superseded_reason=reason)
            if hit.id in replaced:
                hit.metadata["supersedes"] = [
                    {"id": uid, "text": text} for uid, text in replaced[hit.id]
                ]

    @staticmethod
    def _reason(reason: object, name: str, *, required: bool = True) -> str:
        if not isinstance(reason, str) or (required and not reason.strip()):
            raise MemoryStoreError(f"{name} must be a non-empty string saying why, got {reason!r}.")
        if len(reason) > MAX_REASON_CHARS:
            raise MemoryStoreError(f"{name} is longer than {MAX_REASON_CHARS} characters.")
        check_storable(reason, name)
        return reason.strip()

    def _require(
        self, record_id: object, user_id: str, agent_id: str
    ) -> tuple[int, tuple[Any, ...]]:
        if not isinstance(record_id, str) or not record_id:
            raise MemoryStoreError(f"record id must be a non-empty string, got {record_id!r}.")
        ns = self._read_ns(user_id, agent_id)
        row = None if ns is None else self._backend.by_uid(ns, record_id)
        if ns is None or row is None:
            raise MemoryStoreError(
                f"no archival record with id {record_id!r} for this user; ids come from "
                "archival search results."
            )
        return ns, row
