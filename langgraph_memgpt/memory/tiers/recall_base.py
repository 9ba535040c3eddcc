"""What every part of :class:`~langgraph_memgpt.memory.tiers.recall.RecallMemory` shares: its
limits, the vector store and embedder, and turning stored rows into cited hits.

``RecallMemory`` is assembled from one mixin per job (``recall_write``, ``recall_search``,
``recall_backlog``) over :class:`RecallBase`.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Sequence
from typing import Any, Protocol

import numpy as np

from langgraph_memgpt.memory._validate import (
    check_id,
    page_past_end,
)
from langgraph_memgpt.memory.backends.database import MemoryDatabase
from langgraph_memgpt.memory.backends.vectors import VectorStore
from langgraph_memgpt.memory.search.embed_worker import BackgroundEmbedder
from langgraph_memgpt.memory.search.fusion import (
    DEFAULT_FUSION,
    FusionFn,
)
from langgraph_memgpt.memory.search.indexing import RecallDense
from langgraph_memgpt.memory.text.guard_flags import PENDING, hit_metadata
from langgraph_memgpt.memory.types import (
    ROLE_TRUST,
    SearchHit,
    WriteGuard,
)

MAX_MESSAGE_CHARS = 1_000_000  # tool outputs can be long; recall must not drop them
MAX_QUERY_CHARS = 2_000
ROLES = ("user", "assistant", "system", "tool")
SOURCE = "recall"
SEARCH_EMBED_CAP = 512  # messages a search embeds before answering, at most
_COLUMNS = "r.id, r.message_id, r.thread_id, r.turn, r.role, r.content, r.created_at, " + (
    "r.tool_calls, r.tool_call_id, r.name, r.trust, r.guard"
)


#: ``meta`` key holding a namespace's lowest recall id not indexed yet.
UNINDEXED_KEY = "recall_unindexed:{ns}"

_MARK_SQL = (
    "INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = "
    "CASE WHEN CAST(excluded.value AS BIGINT) < CAST(meta.value AS BIGINT) "
    "THEN excluded.value ELSE meta.value END"
)


def mark_unindexed(conn: Any, ns: int, first_id: int) -> None:
    """Record in the caller's transaction that messages from ``first_id`` on wait."""
    conn.execute(_MARK_SQL, (UNINDEXED_KEY.format(ns=ns), str(first_id)))


class PendingVerdicts(Protocol):
    """The guard's deferred verdicts as the tier sees them (``guard.policy.PendingVerdicts``):
    a message stored with ``PENDING`` in its guard column is settled by its first reader
    (``settle``) or off the turn (``settle_pending``), to the value its write would have
    stored."""

    def settle(self, text: str, trust: str) -> str | None: ...

    def settle_pending(self, ns: int, limit: int | None) -> int: ...


class RecallBase:
    """State and shared helpers of the recall tier (see ``recall.RecallMemory``)."""

    def __init__(
        self,
        db: MemoryDatabase,
        *,
        on_write: WriteGuard,
        vectors: VectorStore | None = None,
        embed_query: Callable[[str], np.ndarray] | None = None,
        fusion: FusionFn = DEFAULT_FUSION,
        background: bool = True,
        dense: RecallDense | None = None,
        verdicts: PendingVerdicts | None = None,
    ) -> None:
        self._db = db
        #: What a message's vector is made of (``indexing.RecallDense``: its ``mode`` may be
        #: changed, e.g. by a benchmark comparing them); None without an embedder.
        self.dense = dense
        #: The guard's write policy (``types.WriteGuard``): the guard column of a new message.
        self._on_write = on_write
        #: Settles the verdicts ``on_write`` left ``PENDING`` (None: it never does).
        self._verdicts = verdicts
        self._vectors = vectors if vectors is not None and vectors.embeds else None
        self._embed_query = embed_query
        self.fusion = fusion
        #: Index appended messages off the turn (``recall_index``); False: in the append.
        self.defer_indexing = True
        self._worker = BackgroundEmbedder(self._catch_up) if background else None

    @property
    def hybrid(self) -> bool:
        """Whether search fuses dense similarity with BM25 (an embedder is configured)."""
        return self._vectors is not None and self._embed_query is not None

    def embed_pending(self, ns: int, limit: int) -> int:
        """Embed up to ``limit`` waiting messages of a namespace and add them to its index."""
        if self._vectors is None:
            return 0
        return self._vectors.embed_pending(ns, limit)

    def _catch_up(self, ns: int, limit: int) -> int:
        """The idle-time worker's batch: index waiting messages, settle pending verdicts,
        then embed; returns how much was done (0: nothing waits)."""
        done = self._index_waiting(ns)
        if self._verdicts is not None:
            done += self._verdicts.settle_pending(ns, limit)
        return done + self.embed_pending(ns, limit)

    def _index_waiting(self, ns: int) -> int:  # ``recall_index.RecallIndexing``
        raise NotImplementedError

    def _guard_of(self, row: sqlite3.Row | tuple[Any, ...]) -> str | None:
        """The guard column of a stored row (``_COLUMNS``), settled if still pending."""
        guard: str | None = row[11]
        if guard == PENDING and self._verdicts is not None:
            return self._verdicts.settle(row[5], row[10] or ROLE_TRUST[row[4]])
        return guard

    def _read_ns(self, user_id: str, agent_id: str) -> int | None:
        check_id(user_id, "user_id")
        check_id(agent_id, "agent_id")
        self._db.check_open()
        return self._db.namespace(agent_id, user_id, create=False)

    def _hit(
        self, row: sqlite3.Row | tuple[Any, ...], score: float, user_id: str, agent_id: str
    ) -> SearchHit:
        (_rid, message_id, thread_id, turn, role, content, created_at, tool_calls, tcid, name) = (
            row[:10]
        )
        metadata: dict[str, Any] = {
            "thread_id": thread_id,
            "turn": turn,
            "created_at": created_at,
            "source": SOURCE,
            "tags": [],
            "user_id": user_id,
            "agent_id": agent_id,
            "role": role,
        }
        metadata.update(hit_metadata(content, row[10], self._guard_of(row), ROLE_TRUST[role]))
        if tool_calls:
            metadata["tool_calls"] = json.loads(tool_calls)
        if tcid:
            metadata["tool_call_id"] = tcid
        if name:
            metadata["name"] = name
        return SearchHit(id=message_id, text=content, score=score, metadata=metadata)

    def _page(
        self, sql: str, count_sql: str, params: tuple[Any, ...], k: int, page: int
    ) -> list[tuple[Any, ...]]:
        with self._db.read() as conn:
            rows = conn.execute(sql + " LIMIT ? OFFSET ?", (*params, k, page * k)).fetchall()
            if not rows and page > 0:
                (total,) = conn.execute(count_sql, params).fetchone()
                raise page_past_end(int(total), k, page)
        return rows

    def _fetch(self, ns: int, rids: Sequence[int]) -> dict[int, tuple[Any, ...]]:
        marks = ",".join("?" * len(rids))
        with self._db.read() as conn:
            return {
                int(row[0]): tuple(row)
                for row in conn.execute(
                    f"SELECT {_COLUMNS} FROM recall r WHERE r.ns=? AND r.id IN ({marks})",
                    (ns, *rids),
                )
            }
