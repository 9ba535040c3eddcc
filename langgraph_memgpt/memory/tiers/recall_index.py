"""Recall's lexical index, kept off the turn: messages are stored at once and indexed in
batches, before anything reads the index.

Indexing a message (its words, its date and its neighbours' words, ``search.indexing``) and
indexing the messages before it again with the new ones as their following context was most
of a turn's recall work. None of it is needed until something reads the index: a search or a
count. So an append stores its rows and marks the namespace's first unindexed message (a
``meta`` row per namespace: the lowest id not indexed yet, every later message of the namespace
waits too); the idle-time worker indexes the waiting messages (``RecallMemory.catch_up``), and
so does every reader before it reads (``search``, ``count``). A message is indexed with the same
context as when indexed on write: the index a reader sees is the one eager indexing would have
built (a test compares them), and a waiting message is never missing from a search.

The mark lives in the database, in the append's transaction, so another process's search sees
it and a crash loses nothing. Concurrent appends keep the lowest id (an ``ON CONFLICT`` minimum);
the indexer locks the mark's row while it indexes, so an append that commits meanwhile marks
its rows again afterwards.
"""

from __future__ import annotations

from typing import Any

from langgraph_memgpt.memory.backends.lexical import LexicalIndex, Tier
from langgraph_memgpt.memory.search.indexing import RECALL_AFTER, WINDOW
from langgraph_memgpt.memory.tiers.recall_base import UNINDEXED_KEY, RecallBase
from langgraph_memgpt.memory.tiers.recall_write import thread_documents


def index_waiting_in(conn: Any, ns: int, row_lock: str = "") -> int:
    """Index a namespace's waiting messages in the caller's transaction; returns how many.

    Each thread's waiting messages are indexed with their neighbours, and the ``RECALL_AFTER``
    messages before them again (their following context grew), as an append would have.
    """
    key = UNINDEXED_KEY.format(ns=ns)
    row = conn.execute(f"SELECT value FROM meta WHERE key=?{row_lock}", (key,)).fetchone()
    if row is None:
        return 0
    waiting = conn.execute(
        "SELECT id, thread_id, content, created_at FROM recall WHERE ns=? AND id>=? ORDER BY id",
        (ns, int(row[0])),
    ).fetchall()
    threads: dict[str, list[tuple[int, str, str]]] = {}
    for rid, thread, content, created_at in waiting:
        threads.setdefault(str(thread), []).append((int(rid), content, created_at))
    docs: list[tuple[int, list[tuple[str, float]]]] = []
    for thread, rows in threads.items():
        tail = conn.execute(
            "SELECT id, content, created_at FROM recall WHERE ns=? AND thread_id=? AND id<? "
            "ORDER BY id DESC LIMIT ?",
            (ns, thread, rows[0][0], WINDOW + RECALL_AFTER),
        ).fetchall()[::-1]
        sequence = [(int(r[0]), r[1], r[2]) for r in tail] + rows
        first_new = len(tail)
        again = range(max(0, first_new - RECALL_AFTER), first_new)
        docs += thread_documents(sequence, (*again, *range(first_new, len(sequence))))
    # Everything indexed here is unindexed first: a message indexed already (the one before
    # the waiting ones, or one a rebuild of the index reached) is replaced, never doubled.
    LexicalIndex.remove(conn, ns, Tier.RECALL, [doc for doc, _ in docs])
    LexicalIndex.add_fields(conn, ns, Tier.RECALL, docs)
    conn.execute("DELETE FROM meta WHERE key=?", (key,))
    return len(waiting)


class RecallIndexing(RecallBase):
    """Index waiting messages: before a read, or when the caller or the worker has time."""

    def _index_waiting(self, ns: int) -> int:
        """Index a namespace's waiting messages now (a read-only store reads what it has)."""
        if getattr(self._db, "read_only", False):
            return 0
        if self._db.get_meta(UNINDEXED_KEY.format(ns=ns)) is None:
            return 0  # nothing waits: a read, not a write transaction
        with self._db.transaction() as conn:
            return index_waiting_in(conn, ns, self._db.row_lock)

    def _index_all_waiting(self) -> int:
        """Index the waiting messages of every namespace (closing the store)."""
        if getattr(self._db, "read_only", False) or self._db.closed:
            return 0
        prefix = UNINDEXED_KEY.format(ns="")
        with self._db.read() as conn:
            keys = [
                str(k)
                for (k,) in conn.execute("SELECT key FROM meta WHERE key LIKE ?", (prefix + "%",))
            ]
        return sum(self._index_waiting(int(key[len(prefix) :])) for key in keys)

    def _waiting_count(self, conn: Any, ns: int) -> int:
        """How many messages of a namespace wait to be indexed (in a read)."""
        row = conn.execute(
            "SELECT value FROM meta WHERE key=?", (UNINDEXED_KEY.format(ns=ns),)
        ).fetchone()
        if row is None:
            return 0
        (count,) = conn.execute(
            "SELECT count(*) FROM recall WHERE ns=? AND id>=?", (ns, int(row[0]))
        ).fetchone()
        return int(count)
