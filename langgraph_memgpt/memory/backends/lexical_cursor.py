"""One frequency class of one term's postings, read from its stored blocks in key order
(``lexical_blocks.py``) by the lexical top-k search (``lexical_topk.py``): where the class
starts, how far it has been read, and the postings decoded but not taken yet."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from langgraph_memgpt.memory.backends.lexical_blocks import block_size, decode_many
from langgraph_memgpt.memory.backends.lexical_scoring import impact_rank, rank_length


def class_heads_sql(terms: int) -> str:
    """The first key of each frequency class of ``terms`` terms, in one statement (one round
    trip on Postgres): a loose index scan, one seek per class. Parameters: the term ids,
    then (ns, tier) twice."""
    values = ",".join(["(?)"] * terms)
    return (
        f"WITH RECURSIVE q(term) AS (VALUES {values}), h(term, r) AS ("
        " SELECT q.term, (SELECT p.rank FROM lex_blocks p WHERE p.ns=? AND p.tier=?"
        " AND p.term=q.term ORDER BY p.rank LIMIT 1) FROM q"
        " UNION ALL"
        " SELECT h.term, (SELECT p.rank FROM lex_blocks p WHERE p.ns=? AND p.tier=?"
        " AND p.term=h.term AND p.rank >= (CAST(h.r AS BIGINT) / 65536 + 1) * 65536"
        " ORDER BY p.rank LIMIT 1)"
        " FROM h WHERE h.r IS NOT NULL"
        ") SELECT term, r FROM h WHERE r IS NOT NULL"
    )


def whole_list(conn: Any, ns: int, tier: int, term: int) -> tuple[np.ndarray, ...]:
    """Every posting of a term (docs, tf, dl): the exhaustive reference's read."""
    sql = "SELECT postings FROM lex_blocks WHERE ns=? AND tier=? AND term=?"
    rows = conn.execute(sql, (ns, tier, term)).fetchall()
    return decode_many([r[0] for r in rows])[:3]


def _empty() -> tuple[np.ndarray, ...]:
    return tuple(np.empty(0, dtype=np.int64) for _ in range(3))


@dataclass
class ClassCursor:
    """One frequency class of one term's postings, and how far it has been read."""

    column: int
    term: int
    start: int
    tf: float
    dl: int  # the smallest length a posting not read yet can have
    after: tuple[int, int] | None = None  # (rank, doc) of the last posting read
    block: int = 0
    done: bool = False
    fetched: tuple[int, int] | None = None  # (rank, doc) of the last posting decoded
    buffer: tuple[np.ndarray, ...] = ()  # decoded postings not read yet: docs, tf, dl
    exhausted: bool = False  # no block left after ``fetched``

    def tie_doc(self) -> int:
        """The smallest id an unread posting of this class, tying the bound, can have."""
        return 0 if self.after is None else self.after[1] + 1

    def could_hold(self, keys: np.ndarray, docs: np.ndarray) -> np.ndarray:
        """Whether the unread part of the class could hold records of these lengths (capped
        as in the key) and ids: their key comes after the last posting read."""
        if self.after is None:
            return np.ones(len(docs), dtype=bool)
        dl = rank_length(self.after[0])
        return (keys > dl) | ((keys == dl) & (docs > self.after[1]))

    def take(self, count: int) -> tuple[np.ndarray, ...]:
        """The next ``count`` decoded postings (docs, tf, dl), which the cursor moves past."""
        if not self.buffer:
            self.buffer = _empty()
        docs, tf, dl = (a[:count] for a in self.buffer)
        self.buffer = tuple(a[count:] for a in self.buffer)
        self.done = self.exhausted and not len(self.buffer[0])
        if len(docs):
            self.after = (impact_rank(int(tf[-1]), int(dl[-1])), int(docs[-1]))
            self.dl = rank_length(self.after[0])
        return docs, tf, dl

    def fetch(self, conn: Any, ns: int, tier: int, want: int) -> None:
        """Decode the class's next blocks, from the one after ``fetched``, until ``buffer``
        holds ``want`` postings or the class has no more; one block more is asked for than is
        decoded, so a class ending here is known to (a rare word's class is one block)."""
        if not self.buffer:
            self.buffer = _empty()
        missing = want - len(self.buffer[0])
        if missing <= 0 or self.exhausted:
            return
        sql = (
            "SELECT postings FROM lex_blocks WHERE ns=? AND tier=? AND term=? "
            "AND rank >= ? AND rank < ?"
        )
        params: list[Any] = [ns, tier, self.term, self.start, self.start + 65_536]
        if self.fetched is not None:
            sql += " AND (rank, doc) > (?, ?)"
            params += list(self.fetched)
        blocks = -(-missing // block_size(conn))
        rows = conn.execute(sql + " ORDER BY rank, doc LIMIT ?", (*params, blocks + 1))
        rows = rows.fetchall()
        self.exhausted = len(rows) <= blocks
        docs, tf, dl, _ = decode_many([r[0] for r in rows[:blocks]])
        if len(docs):
            self.fetched = (impact_rank(int(tf[-1]), int(dl[-1])), int(docs[-1]))
            self.buffer = tuple(
                np.concatenate((old, new))
                for old, new in zip(self.buffer, (docs, tf, dl), strict=True)
            )
