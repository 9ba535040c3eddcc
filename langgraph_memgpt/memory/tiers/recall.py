"""Recall memory: every message of every thread, stored once, searchable by text and date.

This is MemGPT's conversation log. The graph appends each message as it enters the prompt, so
whatever compaction later evicts is already here; appends are idempotent on ``message_id`` so
the graph may safely append the same message twice (e.g. on a retried step). The class is put
together from one mixin per job: writing (``recall_write``), searching (``recall_search``) and
the embedding backlog (``recall_backlog``) over the shared state (``recall_base``).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from langgraph_memgpt.memory._validate import (
    check_id,
)
from langgraph_memgpt.memory.backends.lexical import LexicalIndex, Tier
from langgraph_memgpt.memory.tiers.recall_backlog import (
    PENDING_SQL,
    pending_embedding_text,
    pending_parts,
)
from langgraph_memgpt.memory.tiers.recall_base import (
    _COLUMNS,
    MAX_MESSAGE_CHARS,
    MAX_QUERY_CHARS,
    ROLES,
    SEARCH_EMBED_CAP,
    SOURCE,
)
from langgraph_memgpt.memory.tiers.recall_search import RecallSearch
from langgraph_memgpt.memory.tiers.recall_write import (
    RecallWrite,
    storable_message,
    thread_documents,
)
from langgraph_memgpt.memory.types import (
    DEFAULT_AGENT_ID,
    SearchHit,
)

__all__ = [
    "MAX_MESSAGE_CHARS",
    "MAX_QUERY_CHARS",
    "PENDING_SQL",
    "ROLES",
    "SEARCH_EMBED_CAP",
    "SOURCE",
    "RecallMemory",
    "pending_embedding_text",
    "pending_parts",
    "storable_message",
    "thread_documents",
]


class RecallMemory(RecallWrite, RecallSearch):
    """Append-only message log with BM25 search (per-tenant index) and date-range search."""

    def messages(
        self, *, user_id: str, thread_id: str, agent_id: str = DEFAULT_AGENT_ID
    ) -> list[SearchHit]:
        """Every message of a thread in the order it was appended."""
        check_id(thread_id, "thread_id")
        ns = self._read_ns(user_id, agent_id)
        if ns is None:
            return []
        with self._db.read() as conn:
            rows = conn.execute(
                f"SELECT {_COLUMNS} FROM recall r WHERE r.ns=? AND r.thread_id=? ORDER BY r.id",
                (ns, thread_id),
            ).fetchall()
        return [self._hit(row, 1.0, user_id, agent_id) for row in rows]

    def count(self, *, user_id: str, agent_id: str = DEFAULT_AGENT_ID) -> int:
        ns = self._read_ns(user_id, agent_id)
        if ns is None:
            return 0
        with self._db.read() as conn:  # indexed, and waiting to be (``recall_index``)
            return LexicalIndex.count(conn, ns, Tier.RECALL) + self._waiting_count(conn, ns)

    def all_messages(
        self, *, user_id: str, agent_id: str = DEFAULT_AGENT_ID, batch: int = 1000
    ) -> Iterator[SearchHit]:
        """Every message of every thread in the order stored, read in batches (export)."""
        ns = self._read_ns(user_id, agent_id)
        if ns is None:
            return
        after = 0
        while True:
            with self._db.read() as conn:
                rows = conn.execute(
                    f"SELECT {_COLUMNS} FROM recall r WHERE r.ns=? AND r.id>? ORDER BY r.id "
                    "LIMIT ?",
                    (ns, after, batch),
                ).fetchall()
            if not rows:
                return
            after = int(rows[-1][0])
            for row in rows:
                yield self._hit(row, 1.0, user_id, agent_id)

    def contains(self, message_id: str, *, user_id: str, agent_id: str = DEFAULT_AGENT_ID) -> bool:
        return bool(self.stored_ids([message_id], user_id=user_id, agent_id=agent_id))

    def stored_ids(
        self, message_ids: Sequence[str], *, user_id: str, agent_id: str = DEFAULT_AGENT_ID
    ) -> set[str]:
        """Which of ``message_ids`` recall holds: one lookup for many, as a turn's checks
        (a step's possible reply ids, a parent's resent transcript) need."""
        wanted = list(dict.fromkeys(message_ids))
        ns = self._read_ns(user_id, agent_id) if wanted else None
        if ns is None:
            return set()
        found: set[str] = set()
        with self._db.read() as conn:
            for start in range(0, len(wanted), 900):  # under SQLite's parameter limit
                chunk = wanted[start : start + 900]
                marks = ",".join("?" * len(chunk))
                found.update(
                    str(row[0])
                    for row in conn.execute(
                        f"SELECT message_id FROM recall WHERE ns=? AND message_id IN ({marks})",
                        (ns, *chunk),
                    )
                )
        return found
