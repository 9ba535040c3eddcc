"""Searching archival records: each ranker's candidates, fusion with the speaker and subject
boosts, paging, and single-record get/delete."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from langgraph_memgpt.memory._validate import (
    check_k_page,
    check_tags,
    check_text,
    page_past_end,
    pool_size,
)
from langgraph_memgpt.memory.backends.validity import Validity
from langgraph_memgpt.memory.search.fusion import (
    boost_speaker,
    relevance_floor,
    speaker_of,
)
from langgraph_memgpt.memory.search.subject_focus import MAX_FACT_CHARS, boost_subject
from langgraph_memgpt.memory.text.analysis import query_terms
from langgraph_memgpt.memory.tiers.archival_base import (
    MAX_QUERY_CHARS,
    MODES,
    ArchivalBase,
    SearchMode,
)
from langgraph_memgpt.memory.types import (
    DEFAULT_AGENT_ID,
    MemoryStoreError,
    SearchHit,
)


class ArchivalSearch(ArchivalBase):
    """Hybrid (BM25 + dense) search over one user's archive, with cited hits."""

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
