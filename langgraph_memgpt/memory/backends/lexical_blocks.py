"""Posting blocks: the lexical index's postings, packed a block of a term's class per row.

A row per posting (``ns, tier, term, rank, doc, tf, dl`` plus its primary-key entry) took
about 140 bytes on Postgres, 70% of a store. Here a row holds up to ``BLOCK`` postings of one
term, consecutive in class order (``lexical_scoring.impact_rank``: frequency class, then
length, then record id) and never from two frequency classes, packed little-endian
(``doc`` int64, ``tf`` uint16, ``dl`` uint32 per posting: 14 bytes). A block is keyed by its
first posting's ``(rank, doc)``, so a search reading a class from its cursor on reads the
blocks whose key comes after the last posting it decoded (``lexical_topk.ThresholdSearch.read``
keeps what it decoded but did not use for its next read); a class's first key is still its
first posting's rank (``class_heads_sql``).

Writes rewrite only the blocks they touch: a merge finds, for each new posting, the block of
its (term, class) whose key is the last at or before it (the class's first block if none is),
takes those blocks out (``DELETE ... RETURNING``), merges the new postings in and writes them
back, split evenly into blocks of at most ``BLOCK``; an unindex likewise removes postings from
the blocks holding them. A new (term, class) starts blocks of its own. 128 postings keep a row
under Postgres's 2 KB TOAST threshold, so a block is read in place, uncompressed; SQLite's
blocks hold 64 (``SQLITE_BLOCK``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from langgraph_memgpt.memory.backends.database import VALUES_ROWS, insert_matrix_blobs
from langgraph_memgpt.memory.backends.lexical_scoring import impact_ranks
from langgraph_memgpt.memory.backends.pg_copy import array_literal

BLOCK = 128  # postings per block at most (Postgres)
#: On SQLite, a ``WITHOUT ROWID`` row over ~1,000 bytes spills to an overflow page of its own,
#: mostly empty: 64 postings (896 bytes) stay in the B-tree page.
SQLITE_BLOCK = 64
POSTING_BYTES = 14
#: One packed posting, little-endian: many blocks decode with one ``frombuffer`` of their bytes.
_POSTING = np.dtype([("doc", "<i8"), ("tf", "<u2"), ("dl", "<u4")])
COLUMNS = ("ns", "tier", "term", "rank", "doc", "postings")

#: How many postings the blocks hold (both engines: ``length`` of a blob/bytea is its bytes).
POSTINGS_COUNT_SQL = f"SELECT coalesce(sum(length(postings)), 0) / {POSTING_BYTES} FROM lex_blocks"


def is_postgres(conn: Any) -> bool:
    return getattr(conn, "dialect", "sqlite") == "postgres"


def block_size(conn: Any) -> int:
    """The most postings a block of this engine holds (the results do not depend on it)."""
    return BLOCK if is_postgres(conn) else SQLITE_BLOCK


# -- packing ---------------------------------------------------------------------------------
def _pack(docs: np.ndarray, tf: np.ndarray, dl: np.ndarray) -> bytes:
    packed = np.empty(len(docs), dtype=_POSTING)
    packed["doc"], packed["tf"], packed["dl"] = docs, tf, dl
    return packed.tobytes()


def decode(blob: bytes) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(docs, tf, dl) of one block, as int64 arrays, in the block's order."""
    docs, tf, dl, _ = decode_many([blob])
    return docs, tf, dl


def decode_many(blobs: Sequence[bytes]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(docs, tf, dl, block index) of many blocks, concatenated in the given order."""
    raw = [bytes(b) for b in blobs]
    packed = np.frombuffer(b"".join(raw), dtype=_POSTING)
    owner = np.repeat(np.arange(len(raw)), [len(b) // POSTING_BYTES for b in raw])
    return (
        packed["doc"].astype(np.int64),
        packed["tf"].astype(np.int64),
        packed["dl"].astype(np.int64),
        owner,
    )


class Postings:
    """Postings of one (ns, tier) as parallel int64 arrays; ``rank`` follows from tf and dl."""

    def __init__(self, terms: np.ndarray, docs: np.ndarray, tf: np.ndarray, dl: np.ndarray):
        self.terms, self.docs, self.tf, self.dl = terms, docs, tf, dl
        self.rank = impact_ranks(tf, dl) if len(tf) else np.empty(0, dtype=np.int64)

    def __len__(self) -> int:
        return len(self.terms)

    def take(self, index: np.ndarray) -> Postings:
        return Postings(self.terms[index], self.docs[index], self.tf[index], self.dl[index])

    @staticmethod
    def concat(parts: Sequence[Postings]) -> Postings:
        return Postings(*(np.concatenate([getattr(p, a) for p in parts]) for a in _FIELDS))

    def order(self) -> np.ndarray:
        return np.lexsort((self.docs, self.rank, self.terms))


_FIELDS = ("terms", "docs", "tf", "dl")


def _unpack(terms: Sequence[int], blobs: Sequence[bytes]) -> tuple[Postings, np.ndarray]:
    """The postings of blocks of ``terms`` (one a block), and the block index of each."""
    docs, tf, dl, owner = decode_many(blobs)
    # np.repeat over no blocks gives no int index to take the terms with.
    of_term = np.asarray(terms, dtype=np.int64)[owner] if len(blobs) else docs
    return Postings(of_term, docs, tf, dl), owner


def block_rows(
    ns: int, tier: int, postings: Postings, segment: np.ndarray, size: int
) -> tuple[np.ndarray, list[bytes]]:
    """Rows of ``lex_blocks`` for ``postings`` sorted by (segment, rank, doc): each segment (a
    rewritten block, or a new term class) split evenly into blocks of at most ``size``. The
    key columns as a matrix (``COLUMNS`` but the last), and each block's packed postings."""
    if not len(postings):
        return np.empty((0, 5), dtype=np.int64), []
    starts = np.flatnonzero(np.r_[True, segment[1:] != segment[:-1]])
    sizes = np.diff(np.r_[starts, len(segment)])
    chunks = -(-sizes // size)
    within = np.arange(len(segment)) - np.repeat(starts, sizes)
    piece = within * np.repeat(chunks, sizes) // np.repeat(sizes, sizes)
    cut = np.flatnonzero(np.r_[True, (segment[1:] != segment[:-1]) | (piece[1:] != piece[:-1])])
    ends = np.r_[cut[1:], len(segment)]
    p = postings
    raw, width = _pack(p.docs, p.tf, p.dl), POSTING_BYTES
    blobs = [raw[width * s : width * e] for s, e in zip(cut.tolist(), ends.tolist(), strict=True)]
    keys = np.column_stack(
        (np.full(len(cut), ns), np.full(len(cut), tier), p.terms[cut], p.rank[cut], p.docs[cut])
    ).astype(np.int64)
    return keys, blobs


#: A (term, frequency class) as one int64: the 47-bit term id, then the class's 15 bits.
_CLASS_BITS = 15
_CLASS_MASK = (1 << _CLASS_BITS) - 1


def class_keys(terms: np.ndarray, rank: np.ndarray) -> np.ndarray:
    """One sortable int64 per (term, class) pair, ordered as the pairs are (a 1-D ``unique``
    is many times faster than one over rows)."""
    return (terms << _CLASS_BITS) | (rank // 65_536)


def _write(conn: Any, ns: int, tier: int, postings: Postings, segment: np.ndarray) -> None:
    order = np.lexsort((postings.docs, postings.rank, segment))
    keys, blobs = block_rows(ns, tier, postings.take(order), segment[order], block_size(conn))
    insert_matrix_blobs(conn, "lex_blocks", COLUMNS, keys, blobs)


# -- finding the blocks a write touches -----------------------------------------------------
def _probes(postings: Postings) -> tuple[np.ndarray, np.ndarray]:
    """What to look up for ``postings``: per distinct (term, rank), its first and last doc
    (rows ``term, rank, lo, hi``), and per (term, class), the class's start (``term, lo``)."""
    order = postings.order()
    terms, rank, docs = postings.terms[order], postings.rank[order], postings.docs[order]
    edge = np.r_[True, (terms[1:] != terms[:-1]) | (rank[1:] != rank[:-1])]
    first = np.flatnonzero(edge)
    last = np.r_[first[1:], len(terms)] - 1
    groups = np.column_stack((terms[first], rank[first], docs[first], docs[last]))
    key = np.unique(class_keys(terms[first], rank[first]))
    return groups, np.column_stack((key >> _CLASS_BITS, (key & _CLASS_MASK) * 65_536))


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


def _class_keys(conn: Any, ns: int, tier: int, postings: Postings) -> tuple[np.ndarray, list]:
    """Keys (term, rank, doc) of the blocks ``postings`` may fall into, sorted: for each, the
    last block of its class keyed at or before it, and its class's first block (``_targets``
    needs no other); a handle per block for :func:`_take` (its ``ctid`` on Postgres)."""
    groups, starts = _probes(postings)
    found: list[tuple] = []
    if is_postgres(conn):
        columns = [array_literal(groups[:, i].tolist()) for i in range(4)]
        heads = [array_literal(starts[:, i].tolist()) for i in range(2)]
        found = conn.execute(
            _PG_PROBES, (*columns, ns, tier, ns, tier, *heads, ns, tier)
        ).fetchall()
    else:
        found = _lite_probes(conn, ns, tier, groups, starts)
    if not found:
        return np.empty((0, 3), dtype=np.int64), []
    keys = np.array([r[:3] for r in found], dtype=np.int64)
    order = np.lexsort((keys[:, 2], keys[:, 1], keys[:, 0]))
    keys = keys[order]
    # A block found by several probes is listed once.
    fresh = np.r_[True, np.any(keys[1:] != keys[:-1], axis=1)]
    return keys[fresh], [found[i][3] for i in order[fresh].tolist()]


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


def _targets(keys: np.ndarray, postings: Postings) -> np.ndarray:
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


def _take(conn: Any, ns: int, tier: int, keys: np.ndarray, handles: list) -> list[tuple]:
    """Delete the blocks ``keys`` and return their (term, rank, doc, postings)."""
    if not len(keys):
        return []
    if is_postgres(conn):
        return list(
            conn.execute(
                "DELETE FROM lex_blocks WHERE ctid = ANY(?::tid[]) "
                "RETURNING term, rank, doc, postings",
                (array_literal(f'"{h}"' for h in handles),),
            ).fetchall()
        )
    rows: list[tuple] = []
    for start in range(0, len(keys), VALUES_ROWS):
        chunk = keys[start : start + VALUES_ROWS]
        rows += conn.execute(
            "DELETE FROM lex_blocks WHERE ns=? AND tier=? AND (term, rank, doc) IN "
            f"(VALUES {','.join(['(?,?,?)'] * len(chunk))}) RETURNING term, rank, doc, postings",
            (ns, tier, *chunk.ravel().tolist()),
        ).fetchall()
    return rows


def _touched(
    conn: Any, ns: int, tier: int, postings: Postings
) -> tuple[np.ndarray, Postings, np.ndarray]:
    """Take out the blocks ``postings`` fall into: each posting's target block (-1: none),
    the taken blocks' postings, and the target index of each of those."""
    keys, handles = _class_keys(conn, ns, tier, postings)
    target = _targets(keys, postings)
    hit = np.unique(target[target >= 0])
    rows = _take(conn, ns, tier, keys[hit], [handles[i] for i in hit.tolist()])
    index = {(int(r[0]), int(r[1]), int(r[2])): i for i, r in enumerate(keys[hit].tolist())}
    old, owner = _unpack([int(r[0]) for r in rows], [r[3] for r in rows])
    block_of = np.array([hit[index[(int(r[0]), int(r[1]), int(r[2]))]] for r in rows])
    return target, old, block_of[owner] if len(rows) else owner


# -- writes -----------------------------------------------------------------------------------
def add_postings(conn: Any, ns: int, tier: int, new: Postings) -> None:
    """Merge ``new`` postings (none already stored) into the tenant's blocks."""
    if not len(new):
        return
    target, old, old_target = _touched(conn, ns, tier, new)
    # A posting's segment: the block it joins, or (no block in its class yet) its class.
    fresh = target < 0
    _, class_id = np.unique(class_keys(new.terms[fresh], new.rank[fresh]), return_inverse=True)
    segment = target.copy()
    segment[fresh] = np.max(target, initial=-1) + 1 + class_id.ravel()
    _write(conn, ns, tier, Postings.concat([new, old]), np.r_[segment, old_target])


def remove_postings(conn: Any, ns: int, tier: int, gone: Postings) -> None:
    """Remove stored postings ``gone`` (term, doc) from the blocks holding them; a block left
    empty is dropped, the others are written back (keyed by their new first posting)."""
    if not len(gone):
        return
    _, old, old_target = _touched(conn, ns, tier, gone)
    drop = _pairs_in(old, gone)
    _write(conn, ns, tier, old.take(np.flatnonzero(~drop)), old_target[~drop])


def _pairs_in(postings: Postings, wanted: Postings) -> np.ndarray:
    """Whether each (term, doc) of ``postings`` is one of ``wanted``'s."""
    want = set(zip(wanted.terms.tolist(), wanted.docs.tolist(), strict=True))
    pairs = zip(postings.terms.tolist(), postings.docs.tolist(), strict=True)
    return np.fromiter((pair in want for pair in pairs), dtype=bool, count=len(postings))


def all_postings(conn: Any, where: str = "", params: Sequence[Any] = ()) -> Postings:
    """Every posting of the blocks matching ``where`` (for upgrades and tests)."""
    rows = conn.execute(f"SELECT term, postings FROM lex_blocks {where}", params).fetchall()
    return _unpack([int(r[0]) for r in rows], [r[1] for r in rows])[0]


# -- upgrade of stores written a row per posting -----------------------------------------------
def _has_row_postings(conn: Any) -> bool:
    if is_postgres(conn):
        found = conn.execute("SELECT to_regclass(current_schema() || '.lex_postings')")
        return found.fetchone()[0] is not None
    sql = "SELECT 1 FROM sqlite_master WHERE type='table' AND name='lex_postings'"
    return conn.execute(sql).fetchone() is not None


def upgrade_to_blocks(conn: Any) -> bool:
    """Rewrite a store's ``lex_postings`` (a row per posting, in any earlier rank order) into
    blocks and drop the table, in the caller's transaction; False if there was none."""
    if not _has_row_postings(conn):
        return False
    tenants = conn.execute("SELECT DISTINCT ns, tier FROM lex_postings").fetchall()
    for ns, tier in tenants:
        rows = conn.execute(
            "SELECT term, doc, tf, dl FROM lex_postings WHERE ns=? AND tier=?", (ns, tier)
        ).fetchall()
        array = np.asarray(rows, dtype=np.int64).reshape(-1, 4)
        postings = Postings(array[:, 0], array[:, 1], array[:, 2], array[:, 3])
        conn.execute("DELETE FROM lex_blocks WHERE ns=? AND tier=?", (ns, tier))
        add_postings(conn, int(ns), int(tier), postings)
    conn.execute("DROP TABLE lex_postings")
    return True
