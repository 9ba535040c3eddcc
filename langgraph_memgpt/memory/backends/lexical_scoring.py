"""The scoring half of the lexical index (``lexical.py``): term ids, BM25 pieces, and term
vectors (a record's analysed words and frequencies, as stored in ``lex_docs``) read back to
score a tenant's tail or re-score candidates exactly. No tables are written here.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import IntEnum
from functools import lru_cache
from typing import Any

import numpy as np

K1 = 1.2
B = 0.4  # less length normalisation than the usual 0.75: records carry context (LoCoMo)
TF_SCALE = 4  # term frequencies are stored in quarters (context fields weigh 0.25 or 0.5)
TF_CLASSES = 32_767  # quantised frequencies with a class of their own (more share the last)
DL_CAP = 65_535  # lengths ordered exactly within a class (longer ones share the last place)
_TF_MAX = 65_535  # the largest stored quantised frequency
_TERM = np.dtype("<i8")
_TF = np.dtype("<u2")
_ENTRY_BYTES = _TERM.itemsize + _TF.itemsize


class Tier(IntEnum):
    """Which memory a document belongs to; each (namespace, tier) is its own corpus."""

    ARCHIVAL = 0
    RECALL = 1


#: The term vectors of a tenant's tail: one primary-key lookup per tail document (at most
#: ``TAIL_LIMIT``), whatever the planner knows of the tables' sizes.
TAIL_VECTORS = (
    "SELECT t.doc, (SELECT d.terms FROM lex_docs d WHERE d.key = t.doc * 2 + t.tier) "
    "FROM lex_tail t WHERE t.ns=? AND t.tier=?"
)


def doc_key(doc: int, tier: int) -> int:
    """A document's row in ``lex_docs``: record ids are unique within their table, and a
    rowid table keeps a term vector of a few KB in its page where an index B-tree (``WITHOUT
    ROWID``) would spill it to a mostly empty overflow page."""
    return doc * 2 + int(tier)


@lru_cache(maxsize=262_144)
def term_id(term: str) -> int:
    """A stable 47-bit id for an analysed term (fits SQLite's 6-byte integer encoding)."""
    digest = hashlib.blake2b(term.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "little") & ((1 << 47) - 1)


def tf_component(tf: np.ndarray, dl: np.ndarray, avgdl: float) -> np.ndarray:
    return tf * (K1 + 1) / (tf + K1 * (1 - B + B * dl / max(avgdl, 1e-9)))


def impact_rank(tf_q: int, dl: int) -> int:
    """The stored sort key of a posting: its frequency class (highest first), then its length
    (shortest first). Within a class the BM25 term component falls as the length grows
    whatever the tenant's average length, so reading a class in key order reads its postings
    best first, and the last one read bounds every later one exactly (``class_bound``)."""
    return (TF_CLASSES - min(tf_q, TF_CLASSES)) * 65_536 + min(dl, DL_CAP)


def impact_ranks(tf_q: np.ndarray, dl: np.ndarray) -> np.ndarray:
    """:func:`impact_rank` of arrays of postings."""
    return (TF_CLASSES - np.minimum(tf_q, TF_CLASSES)) * 65_536 + np.minimum(dl, DL_CAP)


def class_start(rank: int) -> int:
    """The first key of the frequency class holding ``rank``."""
    return rank - rank % 65_536


def class_tf(rank: int) -> float:
    """The largest term frequency a posting of ``rank``'s class can have."""
    tf_q = TF_CLASSES - rank // 65_536
    return (_TF_MAX if tf_q >= TF_CLASSES else tf_q) / TF_SCALE


def rank_length(rank: int) -> int:
    """The smallest length a posting at ``rank`` (or after it, in its class) can have."""
    return rank % 65_536


def idf(df: Sequence[int] | np.ndarray, docs: int) -> np.ndarray:
    """Lucene's BM25 idf: like Robertson's, but never negative for words in most records."""
    freq = np.asarray(df, dtype=np.float64)
    return np.log1p((docs - freq + 0.5) / (freq + 0.5))


@dataclass(frozen=True)
class DocVector:
    terms: np.ndarray  # int64 term ids
    tf_q: np.ndarray  # quantised frequencies
    length: int

    @classmethod
    def from_frequencies(cls, frequencies: Mapping[str, float]) -> DocVector:
        """Frequencies quantised to ``TF_SCALE``; words whose ids collide share one entry."""
        ids = [term_id(term) for term in frequencies]
        quantised = [round(tf * TF_SCALE) for tf in frequencies.values()]
        if len(set(ids)) == len(ids) and min(quantised, default=1) > 0:
            # The usual case, without a dict: every id once, every frequency kept.
            terms = np.array(ids, dtype=np.int64)
            tf_q = np.minimum(np.array(quantised, dtype=np.int64), 65_535)
            return cls(terms, tf_q, int(round(int(tf_q.sum()) / TF_SCALE)))
        pairs: dict[int, int] = {}
        for tid, q in zip(ids, quantised, strict=True):
            if q > 0:
                pairs[tid] = min(pairs.get(tid, 0) + q, 65_535)
        terms = np.fromiter(pairs.keys(), dtype=np.int64, count=len(pairs))
        tf_q = np.fromiter(pairs.values(), dtype=np.int64, count=len(pairs))
        return cls(terms, tf_q, int(round(int(tf_q.sum()) / TF_SCALE)))

    @classmethod
    def from_blob(cls, blob: bytes) -> DocVector:
        terms, tf_q = split_blob(blob)
        return cls(terms, tf_q, int(round(int(tf_q.sum()) / TF_SCALE)))

    def blob(self) -> bytes:
        """All term ids (int64), then all frequencies (uint16), little-endian."""
        return self.terms.astype(_TERM).tobytes() + self.tf_q.astype(_TF).tobytes()


def split_blob(blob: bytes) -> tuple[np.ndarray, np.ndarray]:
    n = len(blob) // _ENTRY_BYTES
    terms = np.frombuffer(blob, dtype=_TERM, count=n).astype(np.int64)
    tf_q = np.frombuffer(blob, dtype=_TF, count=n, offset=n * _TERM.itemsize).astype(np.int64)
    return terms, tf_q


def split_blobs(
    rows: Sequence[tuple[int, bytes]],
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Every entry of many term vectors at once: (document, term, quantised tf, document
    length) per entry. One pass over the joined bytes instead of a numpy call per blob: the
    re-scoring of a common-word query decodes a hundred of them per search."""
    blobs = [bytes(blob) for _, blob in rows]
    sizes = np.fromiter((len(b) // _ENTRY_BYTES for b in blobs), dtype=np.int64, count=len(blobs))
    starts = np.zeros(len(blobs), dtype=np.int64)
    np.cumsum([len(b) for b in blobs[:-1]], out=starts[1:])
    raw = np.frombuffer(b"".join(blobs), dtype=np.uint8)
    blob_of = np.repeat(np.arange(len(blobs)), sizes)
    within = np.arange(int(sizes.sum()), dtype=np.int64) - np.repeat(
        np.cumsum(sizes) - sizes, sizes
    )
    term_at = np.repeat(starts, sizes) + within * _TERM.itemsize
    tf_at = np.repeat(starts + sizes * _TERM.itemsize, sizes) + within * _TF.itemsize
    terms = raw[term_at[:, None] + np.arange(_TERM.itemsize)].copy().view(_TERM).ravel()
    tf_q = raw[tf_at[:, None] + np.arange(_TF.itemsize)].copy().view(_TF).ravel()
    tf_q = tf_q.astype(np.int64)
    length = np.round(np.bincount(blob_of, weights=tf_q, minlength=len(blobs)) / TF_SCALE)
    docs = np.fromiter((doc for doc, _ in rows), dtype=np.int64, count=len(rows))
    return docs[blob_of], terms.astype(np.int64), tf_q, length[blob_of]


@dataclass
class Matches:
    """Where the query's terms occur in a set of term vectors: the tenant's tail (documents not
    merged into postings yet), or the candidates being re-scored exactly."""

    docs: np.ndarray  # matching entries: document id
    terms: np.ndarray  # ... term id
    tf: np.ndarray  # ... term frequency
    lengths: np.ndarray  # ... document length
    df: dict[int, int]

    @classmethod
    def empty(cls) -> Matches:
        none = np.empty(0, dtype=np.int64)
        return cls(none, none, none.astype(np.float64), none.astype(np.float64), {})

    @classmethod
    def load(
        cls,
        conn: Any,
        ns: int,
        tier: Tier,
        query_ids: np.ndarray,
        restrict: tuple[str, tuple[Any, ...]] | None,
    ) -> Matches:
        sql = TAIL_VECTORS + (f" AND t.doc IN ({restrict[0]})" if restrict else "")
        rows = conn.execute(sql, (ns, int(tier), *(restrict[1] if restrict else ()))).fetchall()
        return cls.from_rows(rows, query_ids)

    @classmethod
    def from_rows(cls, rows: Sequence[tuple[int, bytes]], query_ids: np.ndarray) -> Matches:
        """The query's terms in ``(doc, term vector blob)`` rows."""
        if not rows:
            return cls.empty()
        owner, terms, tf_q, lengths = split_blobs(rows)
        hit = np.isin(terms, query_ids)
        matched_terms, counts = np.unique(terms[hit], return_counts=True)
        return cls(
            owner[hit],
            terms[hit],
            tf_q[hit] / TF_SCALE,
            lengths[hit],
            dict(zip(matched_terms.tolist(), counts.tolist(), strict=True)),
        )

    def scores(self, weights: dict[int, float], avgdl: float) -> np.ndarray:
        w = np.array([weights[int(t)] for t in self.terms.tolist()], dtype=np.float64)
        return w * tf_component(self.tf, self.lengths, avgdl)
