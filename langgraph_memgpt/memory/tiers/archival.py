"""Archival memory: unlimited passages with citations, found by hybrid (lexical + dense) search.

``ArchivalMemory`` validates input, embeds text, fuses the two rankers and builds cited
``SearchHit``s; storage and candidate retrieval sit behind :class:`ArchivalBackend`, so a
scale-out backend (e.g. Postgres + pgvector) can implement the same protocol. The embedded
implementation is :class:`~langgraph_memgpt.memory.backends.sql_archival.SqlArchival` (SQLite +
FAISS or Postgres + pgvector). The class is put together from one mixin per job: writing
(``archival_write``), searching (``archival_search``), validity (``archival_validity``), access
by key (``keyed``, for the LangGraph store) over the shared state and embedder
(``archival_base``).
"""

from __future__ import annotations

from collections.abc import Iterator

from langgraph_memgpt.memory.tiers.archival_base import (
    CITATION_KEYS,
    MAX_BATCH,
    MAX_QUERY_CHARS,
    MAX_REASON_CHARS,
    MAX_TEXT_CHARS,
    MODES,
    RESERVED_KEYS,
    ArchivalBackend,
    SearchMode,
    Stored,
)
from langgraph_memgpt.memory.tiers.archival_search import ArchivalSearch
from langgraph_memgpt.memory.tiers.archival_validity import ArchivalValidity
from langgraph_memgpt.memory.tiers.archival_write import ArchivalWrite
from langgraph_memgpt.memory.tiers.keyed import KeyedArchival
from langgraph_memgpt.memory.types import (
    DEFAULT_AGENT_ID,
    SearchHit,
)

__all__ = [
    "CITATION_KEYS",
    "MAX_BATCH",
    "MAX_QUERY_CHARS",
    "MAX_REASON_CHARS",
    "MAX_TEXT_CHARS",
    "MODES",
    "RESERVED_KEYS",
    "ArchivalBackend",
    "ArchivalMemory",
    "SearchMode",
    "Stored",
]


class ArchivalMemory(ArchivalWrite, ArchivalSearch, ArchivalValidity, KeyedArchival):
    """Insert, search, get and delete archival passages of one (agent_id, user_id)."""

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
