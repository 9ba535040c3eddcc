"""Archival memory: unlimited passages with citations, found by hybrid (lexical + dense) search.

``ArchivalMemory`` validates input, embeds text, fuses the two rankers and builds cited
``SearchHit``s; storage and candidate retrieval sit behind :class:`ArchivalBackend`, so a
scale-out backend (e.g. Postgres + pgvector) can implement the same protocol. The embedded
implementation is :class:`~langgraph_memgpt.memory.backends.sql_archival.SqlArchival` (SQLite + FAISS or Postgres + pgvector).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, Protocol

import numpy as np
from langchain_core.embeddings import Embeddings

from langgraph_memgpt.memory._validate import (
    check_id,
    check_k_page,
    check_storable,
    check_tags,
    check_text,
    check_turn,
    now_iso,
    page_past_end,
    parse_when,
    pool_size,
    to_json,
)
from langgraph_memgpt.memory.backends.database import MemoryDatabase
from langgraph_memgpt.memory.backends.sql_archival import ArchivalRow
from langgraph_memgpt.memory.backends.validity import Validity, norm_key
from langgraph_memgpt.memory.guard import policy as guard_policy
from langgraph_memgpt.memory.search.fusion import (
    DEFAULT_FUSION,
    FusionFn,
    boost_speaker,
    relevance_floor,
    speaker_of,
)
from langgraph_memgpt.memory.search.indexing import (
    context_fields,
    embedding_text,
    neighbours,
    sequences,
)
from langgraph_memgpt.memory.search.subject_focus import MAX_FACT_CHARS, boost_subject
from langgraph_memgpt.memory.text.analysis import query_terms
from langgraph_memgpt.memory.tiers.keyed import KeyedArchival
from langgraph_memgpt.memory.types import DEFAULT_AGENT_ID, MemoryStoreError, SearchHit

if TYPE_CHECKING:
    from langgraph_memgpt.memory.io.ingest import IngestReport

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
        self, ns: int, rows: Sequence[ArchivalRow], vectors: np.ndarray | None
    ) -> list[int]: ...
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


#: Namespace of the record ids derived from an idempotency key (``insert_many(once_key=)``).
_ONCE_IDS = uuid.UUID("6f1c2a8e-5b7d-4e0f-9a31-2d4c8b6e7f10")


class ArchivalMemory(KeyedArchival):
    """Insert, search, get and delete archival passages of one (agent_id, user_id)."""

    def __init__(
        self,
        db: MemoryDatabase,
        backend: ArchivalBackend,
        embeddings: Embeddings | None,
        *,
        fusion: FusionFn = DEFAULT_FUSION,
    ) -> None:
        self._db = db
        self._backend = backend
        self.embeddings = embeddings
        self.fusion = fusion
        #: Raise the facts of the person a question names (``subject_focus.py``); a store of
        #: passages rather than one-line facts may turn it off.
        self.subject_focus = True
        self._query_cache: dict[str, tuple[Embeddings, np.ndarray]] = {}

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
        try:
            raw = self.embeddings.embed_documents(texts)
        except Exception as exc:
            raise MemoryStoreError(
                f"embedding failed ({type(exc).__name__}: {exc}); nothing was stored."
            ) from exc
        vectors = np.asarray(raw, dtype=np.float32).reshape(len(texts), -1)
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

    def _embed_query_uncached(self, query: str) -> np.ndarray:
        assert self.embeddings is not None
        try:
            raw = self.embeddings.embed_query(query)
        except Exception as exc:
            raise MemoryStoreError(
                f"embedding the query failed ({type(exc).__name__}: {exc})."
            ) from exc
        return self._check_dim(np.asarray(raw, dtype=np.float32).reshape(1, -1), "query vector")

    # -- writing -------------------------------------------------------------------------
    @staticmethod
    def _row(text: object, tags: list[str], metadata: Mapping[str, Any] | None) -> ArchivalRow:
        text = check_text(text, "text", MAX_TEXT_CHARS)
        if metadata is not None and not isinstance(metadata, Mapping):
            raise MemoryStoreError(f"metadata must be a dict, got {type(metadata).__name__}.")
        md = dict(metadata or {})
        bad = [key for key in RESERVED_KEYS if key in md]
        if bad:
            raise MemoryStoreError(
                f"metadata may not set {', '.join(bad)}; pass user_id/agent_id/tags as arguments."
            )
        thread_id = md.pop("thread_id", None)
        if thread_id is not None:
            thread_id = check_id(thread_id, "metadata thread_id")
        source = md.pop("source", None)
        if source is not None and not isinstance(source, str):
            raise MemoryStoreError(f"metadata source must be a string, got {source!r}.")
        if source is not None:
            check_storable(source, "metadata source")
        created = md.pop("created_at", None)
        created_at = now_iso() if created is None else parse_when(created, "metadata created_at")
        return ArchivalRow(
            uid=str(uuid.uuid4()),
            text=text,
            tags=tags,
            thread_id=thread_id,
            turn=check_turn(md.pop("turn", None)),
            created_at=created_at,
            source=source,
            extra=to_json(md, "metadata"),
        )

    def insert(
        self,
        text: str,
        *,
        user_id: str,
        agent_id: str = DEFAULT_AGENT_ID,
        tags: Sequence[str] | None = None,
        metadata: Mapping[str, Any] | None = None,
        dedupe: bool = True,
        trust: str = guard_policy.EXTERNAL,
    ) -> str:
        """Store one passage; returns its id. ``metadata`` may hold the citation keys
        (thread_id, turn, source, created_at) and any JSON-serializable extras. A text equal
        to a current record (case, whitespace and punctuation aside) returns that record's
        id instead, unless ``dedupe=False``; ``trust`` is its origin (``guard_policy``)."""
        return self.insert_many(
            [text],
            user_id=user_id,
            agent_id=agent_id,
            tags=tags,
            metadatas=None if metadata is None else [metadata],
            dedupe=dedupe,
            trust=trust,
        )[0]

    def insert_many(
        self,
        texts: Sequence[str],
        *,
        user_id: str,
        agent_id: str = DEFAULT_AGENT_ID,
        tags: Sequence[str] | None = None,
        metadatas: Sequence[Mapping[str, Any] | None] | None = None,
        vectors: Any = None,
        dedupe: bool = True,
        trust: str = guard_policy.EXTERNAL,
        once_key: str | None = None,
    ) -> list[str]:
        """Store passages in one transaction (all or nothing), embedding them in one batch.

        ``once_key`` makes the call idempotent: the records get ids derived from it, and a
        second call with the same key (a tool call re-run after a crash) returns them
        instead of storing the passages again.

        Passages that share a ``thread_id`` and ``created_at`` (an imported session, a
        document's chunks) form a sequence: each is indexed with its neighbours as context
        (``documents.py``). ``vectors`` (shape (n, dims)) skips the embedder and is stored
        as given, e.g. for benchmarks with precomputed vectors. With ``dedupe`` a text equal
        to a current record after folding case, whitespace and punctuation is not stored
        again: its position gets the existing record's id. ``trust``: where the texts came
        from; every text but an operator's is scanned by the memory poisoning guard and stored
        with its flag (``guard_policy.on_write``).
        """
        return [
            stored.id
            for stored in self.insert_many_detailed(
                texts,
                user_id=user_id,
                agent_id=agent_id,
                tags=tags,
                metadatas=metadatas,
                vectors=vectors,
                dedupe=dedupe,
                trust=trust,
                once_key=once_key,
            )
        ]

    def insert_many_detailed(
        self,
        texts: Sequence[str],
        *,
        user_id: str,
        agent_id: str = DEFAULT_AGENT_ID,
        tags: Sequence[str] | None = None,
        metadatas: Sequence[Mapping[str, Any] | None] | None = None,
        vectors: Any = None,
        dedupe: bool = True,
        trust: str = guard_policy.EXTERNAL,
        once_key: str | None = None,
    ) -> list[Stored]:
        """:meth:`insert_many`, saying for each text whether it was a duplicate."""
        trust = guard_policy.check_trust(trust)
        if isinstance(texts, str) or not isinstance(texts, Sequence):
            raise MemoryStoreError("texts must be a list of strings.")
        if not texts:
            return []
        if len(texts) > MAX_BATCH:
            raise MemoryStoreError(f"at most {MAX_BATCH} texts per call, got {len(texts)}.")
        if metadatas is not None and len(metadatas) != len(texts):
            raise MemoryStoreError(
                f"metadatas has {len(metadatas)} entries for {len(texts)} texts; pass one each."
            )
        tag_list = check_tags(tags)
        rows = [
            self._row(text, tag_list, None if metadatas is None else metadatas[i])
            for i, text in enumerate(texts)
        ]
        ns = self._db.write_namespace(agent_id, user_id)
        if once_key is not None:
            for i, row in enumerate(rows):
                row.uid = str(uuid.uuid5(_ONCE_IDS, f"{ns}:{once_key}:{i}"))
            if any(self._backend.by_uid(ns, row.uid) is not None for row in rows):
                # stored by an earlier run of this call (its duplicates dedupe the same way)
                return [Stored(row.uid) for row in rows]
        array: np.ndarray | None = None
        if vectors is not None:
            try:
                array = np.asarray(vectors, dtype=np.float32)
            except (TypeError, ValueError) as exc:
                raise MemoryStoreError(f"vectors must be numeric: {exc}.") from exc
            if array.ndim != 2 or array.shape[0] != len(texts):
                raise MemoryStoreError(
                    f"vectors must have shape ({len(texts)}, dims), got {array.shape}."
                )
            array = self._check_dim(array, "vectors")
        results: list[Stored | None] = [None] * len(rows)
        if dedupe:
            keep = self._dedupe(ns, rows, results)
            rows = [rows[i] for i in keep]
            if array is not None:
                array = array[keep]
        for row in rows:
            row.trust, row.guard = trust, guard_policy.on_write(self._db, row.text, trust)
        if rows:
            self._store(ns, rows, array)
        fresh = iter(rows)
        return [r if r is not None else Stored(next(fresh).uid) for r in results]

    def _dedupe(self, ns: int, rows: list[ArchivalRow], results: list[Stored | None]) -> list[int]:
        """Fill ``results`` for rows equal to a current record (or to an earlier row of the
        batch); returns the positions still to store. A restatement is logged in the
        existing record's history with the new statement's citation."""
        keys = [norm_key(row.text) for row in rows]
        with self._db.read() as conn:
            existing = Validity.current_by_key(conn, ns, keys)
        first: dict[str, int] = {}
        keep: list[int] = []
        restated: list[tuple[str, ArchivalRow]] = []
        for i, key in enumerate(keys):
            if key in existing:
                results[i] = Stored(existing[key], duplicate=True)
                restated.append((existing[key], rows[i]))
            elif key in first:
                results[i] = Stored(rows[first[key]].uid, duplicate=True)
            else:
                first[key] = i
                keep.append(i)
        if restated:
            with self._db.transaction() as conn:
                for uid, row in restated:
                    where = ", ".join(
                        f"{name} {value}"
                        for name, value in (("thread", row.thread_id), ("turn", row.turn))
                        if value is not None
                    )
                    Validity.log(conn, ns, uid, "restate", reason=where or row.created_at)
        return keep

    def _store(self, ns: int, rows: list[ArchivalRow], array: np.ndarray | None) -> None:
        groups = sequences([(row.thread_id, row.created_at) for row in rows])
        texts = [row.text for row in rows]
        embed_as = list(texts)
        for group in groups:
            for i, position in enumerate(group):
                before, after = neighbours(texts, group, i)
                row = rows[position]
                row.fields = context_fields(row.text, row.created_at, before, after)
                embed_as[position] = embedding_text(
                    row.text, before[-1] if before else None, after[0] if after else None
                )
        if array is None and self.embeddings is not None:
            array = self.embed_texts(embed_as)
        self._backend.insert(ns, rows, array)

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
        metadata.update(guard_policy.hit_metadata(text, row[9], row[10], guard_policy.EXTERNAL))
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

    def candidates(
        self,
        query: str,
        *,
        user_id: str,
        agent_id: str = DEFAULT_AGENT_ID,
        pool: int = 100,
        modes: Sequence[str] = ("lexical", "dense"),
        tags: Sequence[str] | None = None,
        query_vector: Any = None,
        include_superseded: bool = False,
    ) -> dict[str, list[tuple[int, float]]]:
        """Each ranker's top ``pool`` (internal id, score) list, before fusion.

        Public so benchmarks can compare fusion methods on identical candidates. A ranker
        that cannot run (no query words; no embedder) returns an empty list. Superseded
        records are left out unless ``include_superseded``: each ranker is asked for as many
        more as there are superseded records, so the pool stays exact.
        """
        query = check_text(query, "query", MAX_QUERY_CHARS)
        tag_list = check_tags(tags) or None
        ns = self._read_ns(user_id, agent_id)
        hidden: set[int] = set()
        if ns is not None and not include_superseded:
            with self._db.read() as conn:
                hidden = Validity.superseded(conn, ns)
        wanted = pool
        pool += len(hidden)
        out: dict[str, list[tuple[int, float]]] = {}
        if "lexical" in modes:
            terms = query_terms(query)
            out["lexical"] = (
                [] if ns is None or not terms else self._backend.lexical(ns, terms, pool, tag_list)
            )
        if "dense" in modes:
            if query_vector is not None:
                vector = self._check_dim(
                    np.asarray(query_vector, dtype=np.float32).reshape(1, -1), "query_vector"
                )
            elif self.embeddings is not None:
                vector = self.embed_query(query)
            else:
                vector = None
            out["dense"] = (
                []
                if ns is None or vector is None
                else self._backend.dense(ns, vector, pool, tag_list)
            )
        if hidden:
            out = {
                name: [(rid, score) for rid, score in ranking if rid not in hidden][:wanted]
                for name, ranking in out.items()
            }
        return out

    def search(
        self,
        query: str,
        *,
        user_id: str,
        agent_id: str = DEFAULT_AGENT_ID,
        k: int = 10,
        page: int = 0,
        mode: SearchMode = "hybrid",
        tags: Sequence[str] | None = None,
        query_vector: Any = None,
        include_superseded: bool = False,
    ) -> list[SearchHit]:
        """Page ``page`` of the best passages for ``query``, each with its citation.

        ``hybrid`` fuses the BM25 ranking and the FAISS cosine ranking (lexical only
        when no embedder is configured); ``tags`` keeps records carrying any of the tags.
        Superseded records are hidden unless ``include_superseded``; then their hits carry
        ``metadata["superseded_by"]`` (the newer record's id, or None), ``superseded_at`` and
        ``superseded_reason``. A hit that replaced older records lists them under
        ``metadata["supersedes"]`` (``[{"id", "text"}]``).
        """
        k, page = check_k_page(k, page)
        if mode not in MODES:
            raise MemoryStoreError(f"mode must be one of {', '.join(MODES)}; got {mode!r}.")
        if mode == "dense" and self.embeddings is None and query_vector is None:
            raise MemoryStoreError(
                "dense search needs an embedding model and none is configured; use "
                "mode='lexical' or 'hybrid'."
            )
        modes = ("lexical", "dense") if mode == "hybrid" else (mode,)
        lists = self.candidates(
            query,
            user_id=user_id,
            agent_id=agent_id,
            pool=pool_size(k, page),
            modes=modes,
            tags=tags,
            query_vector=query_vector,
            include_superseded=include_superseded,
        )
        rankings = [ranking for ranking in lists.values() if ranking]
        if len(rankings) > 1:
            fused = self.fuse(query, rankings, user_id=user_id, agent_id=agent_id)
        else:
            fused = list(rankings[0]) if rankings else []
        if mode == "hybrid":
            fused = relevance_floor(fused, lists.get("lexical", []), lists.get("dense", []))
        window = fused[page * k : (page + 1) * k]
        if not window:
            if page > 0:
                raise page_past_end(len(fused), k, page)
            return []
        return self.resolve(window, user_id=user_id, agent_id=agent_id)

    def fuse(
        self,
        query: str,
        rankings: Sequence[Sequence[tuple[int, float]]],
        *,
        user_id: str,
        agent_id: str = DEFAULT_AGENT_ID,
    ) -> list[tuple[int, float]]:
        """The hybrid ranking of :meth:`candidates` lists: ``fusion``, then the speaker boost
        (``fusion.boost_speaker``) and the subject boost (``subject_focus.boost_subject``)."""
        fused = self.fusion(rankings)
        ns = self._read_ns(user_id, agent_id)
        if ns is None or not fused:
            return fused
        heads = self._backend.heads(ns, [r for r, _ in fused], MAX_FACT_CHARS + 1)
        speakers = {rid: speaker_of(head[:64]) for rid, (head, _when) in heads.items()}
        fused = boost_speaker(fused, speakers, query)
        if not self.subject_focus:
            return fused
        texts = {rid: head for rid, (head, _when) in heads.items()}
        times = {rid: when for rid, (_head, when) in heads.items()}
        return boost_subject(fused, texts, query, times=times)

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
            if rid in rows and guard_policy.searchable(rows[rid][10])
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

    def get(self, record_id: str, *, user_id: str, agent_id: str = DEFAULT_AGENT_ID) -> SearchHit:
        """One record by id, superseded or not (its metadata says which)."""
        ns, row = self._require(record_id, user_id, agent_id)
        hit = self._hit(row, 1.0, user_id, agent_id)
        self._annotate(ns, [(int(row[0]), hit)])
        return hit

    def delete(
        self,
        record_id: str,
        *,
        user_id: str,
        agent_id: str = DEFAULT_AGENT_ID,
        reason: str = "",
    ) -> None:
        """Remove a record for good: the only way anything leaves archival memory. Records
        it had superseded become current again; the history keeps a "delete" event."""
        ns, row = self._require(record_id, user_id, agent_id)
        reason = self._reason(reason, "reason", required=False)
        self._backend.delete(ns, int(row[0]), uid=record_id, reason=reason)

    # -- validity ------------------------------------------------------------------------
    @staticmethod
    def _reason(reason: object, name: str, *, required: bool = True) -> str:
        if not isinstance(reason, str) or (required and not reason.strip()):
            raise MemoryStoreError(f"{name} must be a non-empty string saying why, got {reason!r}.")
        if len(reason) > MAX_REASON_CHARS:
            raise MemoryStoreError(f"{name} is longer than {MAX_REASON_CHARS} characters.")
        check_storable(reason, name)
        return reason.strip()

    def supersede(
        self,
        record_id: str,
        *,
        by: str | None,
        reason: str,
        user_id: str,
        agent_id: str = DEFAULT_AGENT_ID,
        actor: str | None = None,
    ) -> None:
        """Mark ``record_id`` superseded by the newer record ``by`` (None: by nothing, e.g.
        a fact that stopped being true): kept, hidden from default search, logged.

        ``by`` must be a current record of the same user: superseding by a record that is
        itself superseded would hide the fact behind a stale one (and could form a cycle).
        Superseding again by the same record is a no-op.
        """
        ns, row = self._require(record_id, user_id, agent_id)
        reason = self._reason(reason, "reason")
        rid = int(row[0])
        with self._db.transaction() as conn:
            state = Validity.state(conn, ns, rid)
            if by is not None:
                if by == record_id:
                    raise MemoryStoreError("a record cannot supersede itself.")
                newer = self._backend.by_uid(ns, by) if isinstance(by, str) and by else None
                if newer is None:
                    raise MemoryStoreError(
                        f"no archival record with id {by!r} for this user to supersede with."
                    )
                newer_state = Validity.state(conn, ns, int(newer[0]))
                if newer_state is not None and newer_state[1] is not None:
                    raise MemoryStoreError(
                        f"record {by} is itself superseded (by {newer_state[0]}); supersede "
                        "with the current record."
                    )
            if state is not None and state[1] is not None:
                if state[0] == by:
                    return
                raise MemoryStoreError(
                    f"record {record_id} is already superseded by {state[0]} ({state[2]}); "
                    "restore it first to supersede it by another record."
                )
            Validity.mark(conn, ns, rid, by, reason)
            Validity.log(conn, ns, record_id, "supersede", other=by, reason=reason, actor=actor)

    def restore(
        self,
        record_id: str,
        *,
        reason: str,
        user_id: str,
        agent_id: str = DEFAULT_AGENT_ID,
        actor: str | None = None,
    ) -> None:
        """Undo a supersede: the record is current again (e.g. the decision was wrong)."""
        ns, row = self._require(record_id, user_id, agent_id)
        reason = self._reason(reason, "reason")
        with self._db.transaction() as conn:
            state = Validity.state(conn, ns, int(row[0]))
            if state is None or state[1] is None:
                return
            Validity.unmark(conn, ns, int(row[0]))
            Validity.log(conn, ns, record_id, "restore", other=state[0], reason=reason, actor=actor)

    def history(
        self, record_id: str, *, user_id: str, agent_id: str = DEFAULT_AGENT_ID
    ) -> list[dict[str, Any]]:
        """Every change that involved the record, oldest first: ``{"record", "event",
        "other", "reason", "actor", "at"}`` with events add, restate (stated again: not
        stored twice), supersede (``record`` superseded by ``other``), restore, delete. Kept
        after the record is deleted."""
        if not isinstance(record_id, str) or not record_id:
            raise MemoryStoreError(f"record id must be a non-empty string, got {record_id!r}.")
        ns = self._read_ns(user_id, agent_id)
        events: list[dict[str, Any]] = []
        if ns is not None:
            with self._db.read() as conn:
                events = Validity.history(conn, ns, record_id)
        if not events:
            raise MemoryStoreError(
                f"no archival record with id {record_id!r} for this user; ids come from "
                "archival search results."
            )
        return events

    def count_superseded(self, *, user_id: str, agent_id: str = DEFAULT_AGENT_ID) -> int:
        """Records kept but hidden from default search because something newer replaced them."""
        ns = self._read_ns(user_id, agent_id)
        if ns is None:
            return 0
        with self._db.read() as conn:
            return Validity.count_superseded(conn, ns)

    def unsettled(
        self, *, user_id: str, agent_id: str = DEFAULT_AGENT_ID, limit: int = 200
    ) -> list[SearchHit]:
        """Records past the consolidation watermark, oldest first (``consolidation.py``)."""
        ns = self._read_ns(user_id, agent_id)
        if ns is None:
            return []
        with self._db.read() as conn:
            rids = Validity.unsettled(conn, ns, limit)
        return self.resolve([(rid, 1.0) for rid in rids], user_id=user_id, agent_id=agent_id)

    def settle(
        self, record_ids: Sequence[str], *, user_id: str, agent_id: str = DEFAULT_AGENT_ID
    ) -> None:
        """Move the watermark past these records: consolidation has decided them."""
        ns = self._read_ns(user_id, agent_id)
        if ns is None or not record_ids:
            return
        rids = []
        for uid in record_ids:
            row = self._backend.by_uid(ns, uid)
            if row is not None:
                rids.append(int(row[0]))
        with self._db.transaction() as conn:
            Validity.settle(conn, ns, rids)

    def count(self, *, user_id: str, agent_id: str = DEFAULT_AGENT_ID) -> int:
        ns = self._read_ns(user_id, agent_id)
        return 0 if ns is None else self._backend.count(ns)

    def flush(self) -> None:
        self._backend.flush()

    # -- data in and out (ingest.py, portable.py) ----------------------------------------
    def records(
        self,
        *,
        user_id: str,
        agent_id: str = DEFAULT_AGENT_ID,
        source: str | None = None,
        with_vectors: bool = False,
        batch: int = 1000,
    ) -> Iterator[SearchHit]:
        """Every record of the namespace (or of one ``source``), superseded ones included with
        their validity keys, in insertion order, read in batches; ``with_vectors`` adds each
        stored vector as ``metadata["vector"]``."""
        ns = self._read_ns(user_id, agent_id)
        if ns is None:
            return
        after = 0
        while rows := self._backend.scan(ns, after, batch, source):
            after = int(rows[-1][0])
            vectors = (
                self._backend.vectors_of(ns, [int(r[0]) for r in rows]) if with_vectors else {}
            )
            hits = [(int(row[0]), self._hit(row, 1.0, user_id, agent_id)) for row in rows]
            self._annotate(ns, hits)  # superseded records say by what (an export keeps it)
            for rid, hit in hits:
                if rid in vectors:
                    hit.metadata["vector"] = vectors[rid]
                yield hit

    def ingest(
        self,
        paths: Any,
        *,
        user_id: str,
        agent_id: str = DEFAULT_AGENT_ID,
        **options: Any,
    ) -> IngestReport:
        """Ingest document files and directories, each chunk cited; an unchanged file adds
        nothing. Returns an ``IngestReport`` (options: see ``ingest.Ingester``)."""
        from langgraph_memgpt.memory.io.ingest import ingest

        return ingest(self, paths, user_id=user_id, agent_id=agent_id, **options)
