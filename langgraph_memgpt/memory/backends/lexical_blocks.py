"""Posting blocks: the lexical index's postings, packed a block of a term's class per row.

A row per posting (``ns, tier, term, rank, doc, tf, dl`` plus its primary-key entry) took
about 140 bytes on Postgres, 70% of a store. Here a row holds up to ``BLOCK`` postings of one
term, consecutive in class order (``lexical_scoring.impact_rank``: frequency class, then
length, then record id) and never from two frequency classes, packed little-endian
(``doc`` int64, ``tf`` uint16, ``dl`` uint32 per posting: 14 bytes). A block is keyed by its
first posting's ``(rank, doc)``, so a search reading a class from its cursor on reads the
blocks whose key comes after the last posting it decoded (``lexical_cursor.ClassCursor``
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
from langgraph_memgpt.memory.backends.lexical_block_keys import (
    block_keys,
    class_keys,
    is_postgres,
    targets,
)
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


def _write(conn: Any, ns: int, tier: int, postings: Postings, segment: np.ndarray) -> None:
    order = np.lexsort((postings.docs, postings.rank, segment))
    keys, blobs = block_rows(ns, tier, postings.take(order), segment[order], block_size(conn))
    insert_matrix_blobs(conn, "lex_blocks", COLUMNS, keys, blobs)


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
    conn: Any, ns: int, tier: int, postings: Postings, stored_df: np.ndarray | None = None
) -> tuple[np.ndarray, Postings, np.ndarray]:
    """Take out the blocks ``postings`` fall into: each posting's target block (-1: none),
    the taken blocks' postings, and the target index of each of those. ``stored_df``: each
    posting's term's postings before this write (``lexical_block_keys.block_keys``)."""
    keys, handles = block_keys(conn, ns, tier, postings, stored_df)
    target = targets(keys, postings)
    hit = np.unique(target[target >= 0])
    rows = _take(conn, ns, tier, keys[hit], [handles[i] for i in hit.tolist()])
    index = {(int(r[0]), int(r[1]), int(r[2])): i for i, r in enumerate(keys[hit].tolist())}
    old, owner = _unpack([int(r[0]) for r in rows], [r[3] for r in rows])
    block_of = np.array([hit[index[(int(r[0]), int(r[1]), int(r[2]))]] for r in rows])
    return target, old, block_of[owner] if len(rows) else owner


# -- writes -----------------------------------------------------------------------------------
def add_postings(
    conn: Any, ns: int, tier: int, new: Postings, stored_df: np.ndarray | None = None
) -> None:
    """Merge ``new`` postings (none already stored) into the tenant's blocks; ``stored_df``
    (each posting's term's document frequency before them), where known, spares looking up
    blocks of terms that have none and reads small classes whole."""
    if not len(new):
        return
    target, old, old_target = _touched(conn, ns, tier, new, stored_df)
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
        # The tenant has no blocks left: none to look up.
        add_postings(conn, int(ns), int(tier), postings, np.zeros(len(postings), dtype=np.int64))
    conn.execute("DROP TABLE lex_postings")
    return True
