"""Which posting blocks a write touches (``lexical_blocks.py``): the keys of the blocks new
or removed postings fall into, found by index seeks, never by reading a big class whole.

A posting belongs in the last block of its (term, frequency class) keyed at or before it, or
the class's first block if none is (``targets``). A merge used to read the keys of every block
of every class it wrote to: a few per class for a small tenant, but O(index) keys per merge
for a big one (a common word's class holds a block per 128 records). Now:

* a term with no postings before the write (its document frequency was 0: the merge reads it
  back from its ``lex_df`` upsert) has no blocks, and is not looked up at all (most of a bulk
  import's words are new: names, numbers);
* a term with at most ``SCAN_DF`` postings has its touched classes' keys read whole (a few);
* a bigger one is probed: per distinct (term, rank) of the postings, the last block keyed at
  or before the group's first posting and the blocks keyed within the group (records indexed
  again keep their old ids, so theirs fall inside blocks written since), and per class its
  first block. A few keys per group, whatever the class's size.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from langgraph_memgpt.memory.backends.database import VALUES_ROWS
from langgraph_memgpt.memory.backends.pg_copy import array_literal

if TYPE_CHECKING:
    from langgraph_memgpt.memory.backends.lexical_blocks import Postings

#: Postings of a term up to which a merge reads its touched classes' block keys whole.
SCAN_DF = 4_096
#: A (term, frequency class) as one int64: the 47-bit term id, then the class's 15 bits.
_CLASS_BITS = 15
_CLASS_MASK = (1 << _CLASS_BITS) - 1


def is_postgres(conn: Any) -> bool:
    return getattr(conn, "dialect", "sqlite") == "postgres"


def class_keys(terms: np.ndarray, rank: np.ndarray) -> np.ndarray:
    """One sortable int64 per (term, class) pair, ordered as the pairs are (a 1-D ``unique``
    is many times faster than one over rows)."""
    return (terms << _CLASS_BITS) | (rank // 65_536)


def _class_starts(terms: np.ndarray, rank: np.ndarray) -> np.ndarray:
    """Distinct (term, class start) rows of postings."""
    key = np.unique(class_keys(terms, rank))
    return np.column_stack((key >> _CLASS_BITS, (key & _CLASS_MASK) * 65_536))


def block_keys(
    conn: Any, ns: int, tier: int, postings: Postings, stored_df: np.ndarray | None
) -> tuple[np.ndarray, list]:
    """Keys (term, rank, doc) of the blocks ``postings`` may fall into, sorted and distinct,
    with a handle per block for ``lexical_blocks._take`` (its ``ctid`` on Postgres).
    ``stored_df``: each posting's term's postings before the write (None: unknown, probe)."""
    if stored_df is None:
        stored_df = np.full(len(postings), SCAN_DF + 1, dtype=np.int64)
    scan = (stored_df > 0) & (stored_df <= SCAN_DF)
    probe = np.flatnonzero(stored_df > SCAN_DF)
    groups, starts = _probes(postings.take(probe))
    whole = _class_starts(postings.terms[scan], postings.rank[scan])
    if is_postgres(conn):
        columns = [array_literal(groups[:, i].tolist()) for i in range(4)]
        heads = [array_literal(starts[:, i].tolist()) for i in range(2)]
        scans = [array_literal(whole[:, i].tolist()) for i in range(2)]
        found = conn.execute(
            _PG_PROBES + _PG_SCAN,
            (*columns, ns, tier, ns, tier, *heads, ns, tier, *scans, ns, tier),
        ).fetchall()
    else:
        found = _lite_probes(conn, ns, tier, groups, starts) + _lite_scan(conn, ns, tier, whole)
    if not found:
        return np.empty((0, 3), dtype=np.int64), []
    keys = np.array([r[:3] for r in found], dtype=np.int64)
    order = np.lexsort((keys[:, 2], keys[:, 1], keys[:, 0]))
    keys = keys[order]
    # A block found by several lookups is listed once.
    fresh = np.r_[True, np.any(keys[1:] != keys[:-1], axis=1)]
    return keys[fresh], [found[i][3] for i in order[fresh].tolist()]


_PG_SCAN = (
    " UNION ALL SELECT b.term, b.rank, b.doc, b.ctid::text FROM unnest(?::bigint[], ?::int[])"
    " AS s(term, lo) CROSS JOIN LATERAL (SELECT term, rank, doc, ctid FROM lex_blocks"
    " WHERE ns=? AND tier=? AND term=s.term AND rank >= s.lo AND rank < s.lo + 65536) b"
)


def _lite_scan(conn: Any, ns: int, tier: int, whole: np.ndarray) -> list[tuple]:
    found: list[tuple] = []
    for start in range(0, len(whole), VALUES_ROWS):
        chunk = whole[start : start + VALUES_ROWS]
        found += conn.execute(
            f"WITH g(term, lo) AS (VALUES {','.join(['(?,?)'] * len(chunk))}) "
            "SELECT b.term, b.rank, b.doc, NULL FROM g JOIN lex_blocks b ON b.ns=? "
            "AND b.tier=? AND b.term=g.term AND b.rank >= g.lo AND b.rank < g.lo + 65536",
            (*chunk.ravel().tolist(), ns, tier),
        ).fetchall()
    return found


def _probes(postings: Postings) -> tuple[np.ndarray, np.ndarray]:
    """What to look up for ``postings``: per distinct (term, rank), its first and last doc
    (rows ``term, rank, lo, hi``), and per (term, class), the class's start (``term, lo``)."""
    if not len(postings):
        return np.empty((0, 4), dtype=np.int64), np.empty((0, 2), dtype=np.int64)
    order = postings.order()
    terms, rank, docs = postings.terms[order], postings.rank[order], postings.docs[order]
    edge = np.r_[True, (terms[1:] != terms[:-1]) | (rank[1:] != rank[:-1])]
    first = np.flatnonzero(edge)
    last = np.r_[first[1:], len(terms)] - 1
    groups = np.column_stack((terms[first], rank[first], docs[first], docs[last]))
    return groups, _class_starts(terms[first], rank[first])


#: Per (term, rank, lo, hi): the last block keyed at or before (rank, lo) in its class, and the
#: blocks keyed after it up to (rank, hi); per (term, class start): the class's first block.
#: Index seeks each, so a merge reads a few block keys per group whatever the class's size.
_PG_PROBES = (
    "SELECT b.term, b.rank, b.doc, b.ctid::text FROM unnest(?::bigint[], ?::int[], ?::bigint[],"
    " ?::bigint[]) AS g(term, rank, lo, hi) CROSS JOIN LATERAL ("
    " (SELECT term, rank, doc, ctid FROM lex_blocks WHERE ns=? AND tier=? AND term=g.term"
    " AND rank >= g.rank / 65536 * 65536 AND (rank, doc) <= (g.rank, g.lo)"
    " ORDER BY rank DESC, doc DESC LIMIT 1)"
    " UNION ALL (SELECT term, rank, doc, ctid FROM lex_blocks WHERE ns=? AND tier=?"
    " AND term=g.term AND rank = g.rank AND doc > g.lo AND doc <= g.hi)) b"
    " UNION ALL SELECT b.term, b.rank, b.doc, b.ctid::text FROM unnest(?::bigint[], ?::int[])"
    " AS c(term, lo) CROSS JOIN LATERAL (SELECT term, rank, doc, ctid FROM lex_blocks"
    " WHERE ns=? AND tier=? AND term=c.term AND rank >= c.lo AND rank < c.lo + 65536"
    " ORDER BY rank, doc LIMIT 1) b"
)
_LITE_LAST = (
    "(SELECT b.{col} FROM lex_blocks b WHERE b.ns={ns} AND b.tier={tier} AND b.term=g.term"
    " AND b.rank >= g.rank / 65536 * 65536 AND (b.rank, b.doc) <= (g.rank, g.lo)"
    " ORDER BY b.rank DESC, b.doc DESC LIMIT 1)"
)
_LITE_FIRST = (
    "(SELECT b.{col} FROM lex_blocks b WHERE b.ns={ns} AND b.tier={tier} AND b.term=g.term"
    " AND b.rank >= g.rank AND b.rank < g.rank + 65536 ORDER BY b.rank, b.doc LIMIT 1)"
)
_LITE_RANGE = (
    "SELECT b.term, b.rank, b.doc, NULL FROM g JOIN lex_blocks b ON b.ns={ns} AND"
    " b.tier={tier} AND b.term=g.term AND b.rank = g.rank AND b.doc > g.lo AND b.doc <= g.hi"
)


def _lite_probes(
    conn: Any, ns: int, tier: int, groups: np.ndarray, starts: np.ndarray
) -> list[tuple]:
    """:data:`_PG_PROBES` on SQLite (no ``LATERAL``: a scalar subquery per key column)."""
    where = {"ns": int(ns), "tier": int(tier)}
    last = ", ".join(_LITE_LAST.format(col=c, **where) for c in ("rank", "doc"))
    first = ", ".join(_LITE_FIRST.format(col=c, **where) for c in ("rank", "doc"))
    found: list[tuple] = []
    for rows, names, sqls in (
        (
            groups,
            "term, rank, lo, hi",
            (f"SELECT g.term, {last}, NULL FROM g", _LITE_RANGE.format(**where)),
        ),
        (starts, "term, rank", (f"SELECT g.term, {first}, NULL FROM g",)),
    ):
        width = rows.shape[1]
        step = VALUES_ROWS // 2
        for start in range(0, len(rows), step):
            chunk = rows[start : start + step]
            marks = ",".join(["(" + ",".join("?" * width) + ")"] * len(chunk))
            for sql in sqls:
                found += conn.execute(
                    f"WITH g({names}) AS (VALUES {marks}) {sql}", chunk.ravel().tolist()
                ).fetchall()
    return [r for r in found if r[1] is not None]


def targets(keys: np.ndarray, postings: Postings) -> np.ndarray:
    """For each posting, the index in ``keys`` of the block it belongs in: the last block of
    its (term, class) keyed at or before it, else the class's first; -1 if the class has no
    block. ``keys`` sorted by (term, rank, doc)."""
    n_blocks = len(keys)
    if not n_blocks:
        return np.full(len(postings), -1, dtype=np.int64)
    terms = np.r_[keys[:, 0], postings.terms]
    ranks = np.r_[keys[:, 1], postings.rank]
    docs = np.r_[keys[:, 2], postings.docs]
    flag = np.r_[np.zeros(n_blocks, dtype=np.int64), np.ones(len(postings), dtype=np.int64)]
    order = np.lexsort((flag, docs, ranks, terms))
    is_block = order < n_blocks
    prev = np.maximum.accumulate(np.where(is_block, order, -1))
    big = np.iinfo(np.int64).max
    nxt = np.minimum.accumulate(np.where(is_block, order, big)[::-1])[::-1]
    mine = ~is_block
    at, prev, nxt = order[mine] - n_blocks, prev[mine], nxt[mine]
    group = postings.terms[at], postings.rank[at] // 65_536

    def same(block: np.ndarray) -> np.ndarray:
        safe = np.clip(block, 0, n_blocks - 1)
        ok = (block >= 0) & (block < n_blocks)
        return ok & (keys[safe, 0] == group[0]) & (keys[safe, 1] // 65_536 == group[1])

    target = np.where(same(prev), prev, np.where(same(nxt), nxt, -1))
    out = np.empty(len(postings), dtype=np.int64)
    out[at] = target
    return out
