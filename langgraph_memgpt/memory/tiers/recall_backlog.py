"""Recall's embedding backlog: messages are stored at once and embedded later (by a search,
the background embedder or ``embed_waiting``), each with its neighbours as context."""

from __future__ import annotations

from typing import Any

from langgraph_memgpt.memory.search.embed_worker import BATCH
from langgraph_memgpt.memory.search.indexing import (
    embedding_text,
)
from langgraph_memgpt.memory.tiers.recall_index import RecallIndexing
from langgraph_memgpt.memory.types import (
    DEFAULT_AGENT_ID,
)

# What a message is embedded from (``indexing.RecallDense`` picks which parts): its text (the
# start of a long tool output; its role and tool calls when it has no text), and the message
# before and after it in the thread.
_OWN = (
    "CASE WHEN {t}.content = '' THEN {t}.role || ' ' || coalesce(substr({t}.tool_calls, 1, 1000), '') "
    "ELSE substr({t}.content, 1, 4000) END"
)
PENDING_SQL = (
    f"SELECT r.id, {_OWN.format(t='r')}, "
    f"(SELECT {_OWN.format(t='p')} FROM recall p WHERE p.ns = r.ns AND p.thread_id = r.thread_id "
    "AND p.id < r.id ORDER BY p.id DESC LIMIT 1), "
    f"(SELECT {_OWN.format(t='n')} FROM recall n WHERE n.ns = r.ns AND n.thread_id = r.thread_id "
    "AND n.id > r.id ORDER BY n.id LIMIT 1) "
    "FROM recall r WHERE r.ns = ? AND r.vector IS NULL ORDER BY r.id LIMIT ?"
)


def pending_embedding_text(row: tuple[Any, ...]) -> str:
    return embedding_text(row[1], row[2], row[3])


def pending_parts(row: tuple[Any, ...]) -> tuple[str, str | None, str | None]:
    """A waiting row's own text and its previous and next message's (``PENDING_SQL``)."""
    return row[1], row[2], row[3]


class RecallBacklog(RecallIndexing):
    """Embed waiting messages in batches; save and stop the vector side."""

    def catch_up(self, *, user_id: str, agent_id: str = DEFAULT_AGENT_ID) -> int:
        """Do now what a user's appends left for later: index their messages, settle the
        guard's verdicts, embed them (``index_waiting``, ``settle_waiting``,
        ``embed_waiting``); returns how many messages were indexed.

        The idle-time worker does this once the store has been idle a while, and every read
        indexes first, so this is for a caller that runs without the worker (a benchmark
        between turns, a script before it exits)."""
        indexed = self.index_waiting(user_id=user_id, agent_id=agent_id)
        self.settle_waiting(user_id=user_id, agent_id=agent_id)
        self.embed_waiting(user_id=user_id, agent_id=agent_id)
        return indexed

    def index_waiting(self, *, user_id: str, agent_id: str = DEFAULT_AGENT_ID) -> int:
        """Index every message of a user still waiting for the lexical index, now."""
        ns = self._read_ns(user_id, agent_id)
        return 0 if ns is None else self._index_waiting(ns)

    def embed_waiting(self, *, user_id: str, agent_id: str = DEFAULT_AGENT_ID) -> int:
        """Embed every message of a user still waiting for its vector, now; returns how many.

        For a quiet moment chosen by the caller (before an export, between scripted turns):
        the background embedder otherwise does this once the store has been idle a while.
        """
        ns = self._read_ns(user_id, agent_id)
        if ns is None or self._vectors is None:
            return 0
        return self._embed_backlog(ns, cap=None, batch=BATCH)

    def settle_waiting(self, *, user_id: str, agent_id: str = DEFAULT_AGENT_ID) -> int:
        """Settle every guard verdict of a user's messages still pending, now; returns how
        many. The idle-time worker does this with the embedding; a caller that runs without
        it (a benchmark between turns, a script) calls it at a quiet moment."""
        ns = self._read_ns(user_id, agent_id)
        if ns is None or self._verdicts is None:
            return 0
        return self._verdicts.settle_pending(ns, None)

    def _embed_backlog(self, ns: int, *, cap: int | None, batch: int) -> int:
        """Embed a namespace's waiting messages in batches, ``cap`` of them at most."""
        assert self._vectors is not None
        total = 0
        while cap is None or total < cap:
            step = batch if cap is None else min(batch, cap - total)
            done = self._vectors.embed_pending(ns, step)
            if not done:
                break
            total += done
        return total

    def flush(self) -> None:
        """Index every waiting message (so a store closed cleanly has none: a read-only
        reader cannot index them) and save changed FAISS files of recall messages."""
        self._index_all_waiting()
        if self._vectors is not None:
            self._vectors.flush()

    def stop_worker(self) -> None:
        """Stop the background embedder (``Memory.close`` does); waiting rows stay waiting."""
        if self._worker is not None:
            self._worker.stop()
