"""A BM25 inverted index in SQLite, partitioned by tenant, with impact-ordered postings.

Why not FTS5: one FTS5 table is shared by every (agent, user), so a query term's whole
posting list (every user's) is read and scored before the namespace filter applies, and bm25
statistics mix tenants. A store with 1,000 users searched 86-141x slower than one with one
user. FTS5 tables per tenant would put tens of thousands of virtual tables into one schema
(parsed on every open). Here the index is ordinary ``WITHOUT ROWID`` tables whose keys start
with ``(ns, tier)``: a search touches only its own tenant's rows, and document frequencies,
document counts and lengths are kept per tenant, so scores are isolated as well as results.
Writes happen in the caller's transaction, so a failed write indexes nothing.

Common words: a term in most of a tenant's records has an idf near zero, yet its posting list
is as long as the tenant's data. Postings are stored in order of *impact* (the BM25 term-
frequency component for the record's length), so each term's list can be cut after its best
records. Terms are read rarest first within a fixed budget of postings per query (rare terms
in full, common ones only their top records); when a list was cut, the best candidates are
re-scored exactly from their stored term vectors. The bench reports recall@10 against the
exhaustive ranking beside the latency.

Terms are identified by a 47-bit hash of the analysed word (no vocabulary table to keep in
step with rollbacks; at a million distinct words a collision is expected once in ~250 stores,
and would only merge two words' postings within one tenant).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import IntEnum
from functools import lru_cache
from typing import Any

import numpy as np

K1 = 1.2
B = 0.4  # less length normalisation than the usual 0.75: records carry context (LoCoMo)
TF_SCALE = 4  # term frequencies are stored in quarters (context fields weigh 0.25 or 0.5)
REF_LENGTH = 32.0  # the length that orders postings by impact (scores use the real average)
IMPACT_SCALE = 10_000
TAIL_LIMIT = 256  # documents indexed by their term vectors only, per tenant, before a merge
POSTINGS_BUDGET = 1_500  # postings read per query at most (plus the per-term floor)
RESCORE = 100  # candidates re-scored exactly when a posting list was cut

_TERM = np.dtype("<i8")
_TF = np.dtype("<u2")
_ENTRY_BYTES = _TERM.itemsize + _TF.itemsize


class Tier(IntEnum):
    """Which memory a document belongs to; each (namespace, tier) is its own corpus."""

    ARCHIVAL = 0
    RECALL = 1


SCHEMA: tuple[str, ...] = (
    """
CREATE TABLE IF NOT EXISTS lex_stats (
    ns INTEGER NOT NULL, tier INTEGER NOT NULL, docs INTEGER NOT NULL, length INTEGER NOT NULL,
    tail INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (ns, tier)
) WITHOUT ROWID
""",
    """
CREATE TABLE IF NOT EXISTS lex_tail (
    ns INTEGER NOT NULL, tier INTEGER NOT NULL, doc INTEGER NOT NULL,
    PRIMARY KEY (ns, tier, doc)
) WITHOUT ROWID
""",
    """
CREATE TABLE IF NOT EXISTS lex_df (
    ns INTEGER NOT NULL, tier INTEGER NOT NULL, term INTEGER NOT NULL, df INTEGER NOT NULL,
    PRIMARY KEY (ns, tier, term)
) WITHOUT ROWID
""",
    """
CREATE TABLE IF NOT EXISTS lex_postings (
    ns INTEGER NOT NULL, tier INTEGER NOT NULL, term INTEGER NOT NULL, rank INTEGER NOT NULL,
    doc INTEGER NOT NULL, tf INTEGER NOT NULL, dl INTEGER NOT NULL,
    PRIMARY KEY (ns, tier, term, rank, doc)
) WITHOUT ROWID
""",
    """
CREATE TABLE IF NOT EXISTS lex_docs (
    key INTEGER PRIMARY KEY, ns INTEGER NOT NULL, terms BLOB NOT NULL
)
""",
)


#: The term vectors of a tenant's tail: one primary-key lookup per tail document (at most
#: ``TAIL_LIMIT``), whatever the planner knows of the tables' sizes.
TAIL_VECTORS = (
    "SELECT t.doc, (SELECT d.terms FROM lex_docs d WHERE d.key = t.doc * 2 + t.tier) "
    "FROM lex_tail t WHERE t.ns=? AND t.tier=?"
)


def _key(doc: int, tier: int) -> int:
    """A document's row in ``lex_docs``: record ids are unique within their table, and a
    rowid table keeps a term vector of a few KB in its page where an index B-tree (``WITHOUT
    ROWID``) would spill it to a mostly empty overflow page."""
    return doc * 2 + int(tier)


@lru_cache(maxsize=262_144)
def term_id(term: str) -> int:
    """A stable 47-bit id for an analysed term (fits SQLite's 6-byte integer encoding)."""
    digest = hashlib.blake2b(term.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "little") & ((1 << 47) - 1)


def _tf_component(tf: np.ndarray, dl: np.ndarray, avgdl: float) -> np.ndarray:
    return tf * (K1 + 1) / (tf + K1 * (1 - B + B * dl / max(avgdl, 1e-9)))


def _rank(tf_q: int, dl: int) -> int:
    """The stored sort key of a posting: minus its BM25 tf component at the reference length
    (negated so the best postings come first in the primary key's ascending order)."""
    tf = tf_q / TF_SCALE
    value = tf * (K1 + 1) / (tf + K1 * (1 - B + B * dl / REF_LENGTH))
    return -int(round(value * IMPACT_SCALE))


def idf(df: Sequence[int] | np.ndarray, docs: int) -> np.ndarray:
    """Lucene's BM25 idf: like Robertson's, but never negative for words in most records."""
    freq = np.asarray(df, dtype=np.float64)
    return np.log1p((docs - freq + 0.5) / (freq + 0.5))


@dataclass(frozen=True)
class _DocVector:
    terms: np.ndarray  # int64 term ids
    tf_q: np.ndarray  # quantised frequencies
    length: int

    @classmethod
    def from_frequencies(cls, frequencies: Mapping[str, float]) -> _DocVector:
        pairs: dict[int, int] = {}
        for term, tf in frequencies.items():
            q = int(round(tf * TF_SCALE))
            if q > 0:
                tid = term_id(term)
                pairs[tid] = min(pairs.get(tid, 0) + q, 65_535)
        terms = np.fromiter(pairs.keys(), dtype=np.int64, count=len(pairs))
        tf_q = np.fromiter(pairs.values(), dtype=np.int64, count=len(pairs))
        return cls(terms, tf_q, int(round(int(tf_q.sum()) / TF_SCALE)))

    @classmethod
    def from_blob(cls, blob: bytes) -> _DocVector:
        terms, tf_q = _split(blob)
        return cls(terms, tf_q, int(round(int(tf_q.sum()) / TF_SCALE)))

    def blob(self) -> bytes:
        """All term ids (int64), then all frequencies (uint16), little-endian."""
        return self.terms.astype(_TERM).tobytes() + self.tf_q.astype(_TF).tobytes()


def _split(blob: bytes) -> tuple[np.ndarray, np.ndarray]:
    n = len(blob) // _ENTRY_BYTES
    terms = np.frombuffer(blob, dtype=_TERM, count=n).astype(np.int64)
    tf_q = np.frombuffer(blob, dtype=_TF, count=n, offset=n * _TERM.itemsize).astype(np.int64)
    return terms, tf_q


@dataclass
class _Matches:
    """Where the query's terms occur in a set of term vectors: the tenant's tail (documents not
    merged into postings yet), or the candidates being re-scored exactly."""

    docs: np.ndarray  # matching entries: document id
    terms: np.ndarray  # ... term id
    tf: np.ndarray  # ... term frequency
    lengths: np.ndarray  # ... document length
    df: dict[int, int]

    @classmethod
    def empty(cls) -> _Matches:
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
    ) -> _Matches:
        sql = TAIL_VECTORS + (f" AND t.doc IN ({restrict[0]})" if restrict else "")
        rows = conn.execute(sql, (ns, int(tier), *(restrict[1] if restrict else ()))).fetchall()
        return cls.from_rows(rows, query_ids)

    @classmethod
    def from_rows(cls, rows: Sequence[tuple[int, bytes]], query_ids: np.ndarray) -> _Matches:
        """The query's terms in ``(doc, term vector blob)`` rows."""
        if not rows:
            return cls.empty()
        parts = [_split(blob) for _, blob in rows]
        sizes = np.array([len(t) for t, _ in parts])
        owner = np.repeat(np.array([doc for doc, _ in rows], dtype=np.int64), sizes)
        terms = np.concatenate([t for t, _ in parts])
        tf_q = np.concatenate([f for _, f in parts])
        lengths = np.repeat(np.round(np.array([f.sum() for _, f in parts]) / TF_SCALE), sizes)
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
        return w * _tf_component(self.tf, self.lengths, avgdl)


def _lock_tenant(conn: Any, ns: int) -> None:
    """Take the tenant's write lock where the database has one per tenant (Postgres); a SQLite
    write transaction already holds the only writer's lock."""
    lock = getattr(conn, "lock_tenant", None)
    if lock is not None:
        lock(ns)


class LexicalIndex:
    """Add, remove and search documents of one (namespace, tier) corpus.

    ``add``/``remove`` take the connection of the caller's open transaction; ``search`` and
    ``count`` are reads (the caller holds the database lock).
    """

    # -- writes (inside the caller's transaction) ----------------------------------------
    @staticmethod
    def add(
        conn: Any, ns: int, tier: Tier, docs: Iterable[tuple[int, Mapping[str, float]]]
    ) -> None:
        """Index documents: their term vectors go to the tenant's tail at once; postings are
        written for the whole tail when it reaches ``TAIL_LIMIT`` documents."""
        _lock_tenant(conn, ns)
        doc_rows: list[tuple[Any, ...]] = []
        total = 0
        for doc, frequencies in docs:
            vector = _DocVector.from_frequencies(frequencies)
            doc_rows.append((ns, int(tier), doc, vector.blob()))
            total += vector.length
        if not doc_rows:
            return
        conn.executemany(
            "INSERT INTO lex_docs(key, ns, terms) VALUES (?,?,?)",
            [(_key(doc, tier), ns_, blob) for ns_, tier, doc, blob in doc_rows],
        )
        conn.executemany(
            "INSERT INTO lex_tail(ns, tier, doc) VALUES (?,?,?)", [r[:3] for r in doc_rows]
        )
        (tail,) = conn.execute(
            "INSERT INTO lex_stats(ns, tier, docs, length, tail) VALUES (?,?,?,?,?) "
            "ON CONFLICT(ns, tier) DO UPDATE SET docs = lex_stats.docs + excluded.docs, "
            "length = lex_stats.length + excluded.length, tail = lex_stats.tail + excluded.tail "
            "RETURNING tail",
            (ns, int(tier), len(doc_rows), total, len(doc_rows)),
        ).fetchone()
        if tail >= TAIL_LIMIT:
            LexicalIndex.merge(conn, ns, int(tier))

    @staticmethod
    def merge(conn: Any, ns: int, tier: int) -> None:
        """Write the postings and document frequencies of the tenant's tail, sorted by key so
        each term's page is touched once per merge rather than once per document."""
        rows = conn.execute(TAIL_VECTORS, (ns, tier)).fetchall()
        postings: list[tuple[int, ...]] = []
        df: dict[int, int] = {}
        for doc, blob in rows:
            vector = _DocVector.from_blob(blob)
            for tid, tf_q in zip(vector.terms.tolist(), vector.tf_q.tolist(), strict=True):
                postings.append(
                    (ns, tier, tid, _rank(tf_q, vector.length), doc, tf_q, vector.length)
                )
                df[tid] = df.get(tid, 0) + 1
        postings.sort()
        conn.executemany(
            "INSERT INTO lex_postings(ns, tier, term, rank, doc, tf, dl) VALUES (?,?,?,?,?,?,?)",
            postings,
        )
        conn.executemany(
            "INSERT INTO lex_df(ns, tier, term, df) VALUES (?,?,?,?) "
            "ON CONFLICT(ns, tier, term) DO UPDATE SET df = lex_df.df + excluded.df",
            sorted((ns, tier, tid, n) for tid, n in df.items()),
        )
        conn.execute("DELETE FROM lex_tail WHERE ns=? AND tier=?", (ns, tier))
        conn.execute("UPDATE lex_stats SET tail = 0 WHERE ns=? AND tier=?", (ns, tier))

    @staticmethod
    def remove(conn: Any, ns: int, tier: Tier, docs: Sequence[int]) -> None:
        _lock_tenant(conn, ns)
        for doc in docs:
            row = conn.execute(
                "SELECT terms FROM lex_docs WHERE key=? AND ns=?", (_key(doc, tier), ns)
            ).fetchone()
            if row is None:
                continue
            vector = _DocVector.from_blob(row[0])
            in_tail = conn.execute(
                "DELETE FROM lex_tail WHERE ns=? AND tier=? AND doc=?", (ns, int(tier), doc)
            ).rowcount
            if not in_tail:
                pairs = list(zip(vector.terms.tolist(), vector.tf_q.tolist(), strict=True))
                conn.executemany(
                    "DELETE FROM lex_postings WHERE ns=? AND tier=? AND term=? AND rank=? "
                    "AND doc=?",
                    [(ns, int(tier), t, _rank(q, vector.length), doc) for t, q in pairs],
                )
                # A term whose df reaches 0 keeps its row: it has no postings to read, and the
                # row is reused when the word comes back.
                conn.executemany(
                    "UPDATE lex_df SET df = df - 1 WHERE ns=? AND tier=? AND term=?",
                    [(ns, int(tier), t) for t, _ in pairs],
                )
            conn.execute("DELETE FROM lex_docs WHERE key=? AND ns=?", (_key(doc, tier), ns))
            conn.execute(
                "UPDATE lex_stats SET docs = docs - 1, length = length - ?, tail = tail - ? "
                "WHERE ns=? AND tier=?",
                (vector.length, 1 if in_tail else 0, ns, int(tier)),
            )

    # -- reads ---------------------------------------------------------------------------
    @staticmethod
    def count(conn: Any, ns: int, tier: Tier) -> int:
        """Documents in the corpus, from its statistics row (no counting of rows)."""
        row = conn.execute(
            "SELECT docs FROM lex_stats WHERE ns=? AND tier=?", (ns, int(tier))
        ).fetchone()
        return 0 if row is None else int(row[0])

    @staticmethod
    def search(
        conn: Any,
        ns: int,
        tier: Tier,
        terms: Sequence[str],
        limit: int,
        *,
        restrict: tuple[str, tuple[Any, ...]] | None = None,
        budget: int = POSTINGS_BUDGET,
    ) -> list[tuple[int, float]]:
        """Top ``limit`` (doc, BM25 score) for the OR of ``terms``, best first.

        ``restrict`` is an SQL condition on ``doc`` (with its parameters), e.g. a tag or thread
        filter. ``budget=0`` reads every posting (the exhaustive reference for benchmarks).
        """
        if not terms or limit <= 0:
            return []
        stats = conn.execute(
            "SELECT docs, length, tail FROM lex_stats WHERE ns=? AND tier=?", (ns, int(tier))
        ).fetchone()
        if stats is None or not stats[0]:
            return []
        n_docs, total, tail_docs = int(stats[0]), int(stats[1]), int(stats[2])
        avgdl = total / n_docs if total else 1.0
        query_ids = np.array(sorted({term_id(t) for t in terms}), dtype=np.int64)
        # One lookup of the full key per query term (a correlated subquery), not ``term IN
        # (...)``: Postgres planning without statistics (a table just loaded) used only (ns,
        # tier) of the key for an IN list or a join, and read every term of the tenant.
        values = ",".join(["(?)"] * len(query_ids))
        main_df = {
            int(t): int(df)
            for t, df in conn.execute(
                "SELECT q.column1, (SELECT d.df FROM lex_df d WHERE d.ns = ? AND d.tier = ? "
                f"AND d.term = q.column1) FROM (VALUES {values}) AS q",
                (ns, int(tier), *query_ids.tolist()),
            )
            if df
        }
        tail = _Matches.load(conn, ns, tier, query_ids, restrict) if tail_docs else _Matches.empty()
        df_all = dict(main_df)
        for tid, count in tail.df.items():
            df_all[tid] = df_all.get(tid, 0) + count
        if not df_all:
            return []
        weights = dict(zip(df_all, idf(list(df_all.values()), n_docs).tolist(), strict=True))
        # Read the main postings rarest first. Words in more than half of the records have a
        # (Robertson) idf of zero: they cannot lift a record into the candidates, only re-order
        # them, which the exact re-scoring does. When the postings do not fit the budget,
        # theirs are read only if the query has nothing rarer.
        found = sorted(main_df.items(), key=lambda item: (item[1], item[0]))
        common = [item for item in found if df_all[item[0]] > n_docs / 2]
        fits = sum(df for _, df in found) <= budget
        cut = bool(common) and budget > 0 and not fits and len(common) < len(found)
        if cut:
            found = [item for item in found if df_all[item[0]] <= n_docs / 2]
        floor = max(2 * limit, 50)
        left = budget
        sql = (
            "SELECT doc, tf, dl FROM lex_postings WHERE ns=? AND tier=? AND term=?"
            + (f" AND doc IN ({restrict[0]})" if restrict else "")
            + " ORDER BY rank, doc"
        )
        doc_parts: list[np.ndarray] = []
        score_parts: list[np.ndarray] = []
        for j, (tid, df) in enumerate(found):
            params: tuple[Any, ...] = (ns, int(tier), tid, *(restrict[1] if restrict else ()))
            if budget > 0:
                take = max(floor, left // (len(found) - j))
                rows = conn.execute(sql + " LIMIT ?", (*params, take)).fetchall()
                if len(rows) == take and take < df:
                    cut = True
                left = max(0, left - len(rows))
            else:
                rows = conn.execute(sql, params).fetchall()
            if not rows:
                continue
            array = np.asarray(rows, dtype=np.float64)
            doc_parts.append(array[:, 0].astype(np.int64))
            score_parts.append(
                weights[int(tid)] * _tf_component(array[:, 1] / TF_SCALE, array[:, 2], avgdl)
            )
        if len(tail.docs):
            doc_parts.append(tail.docs)
            score_parts.append(tail.scores(weights, avgdl))
        if not doc_parts:
            return []
        docs, inverse = np.unique(np.concatenate(doc_parts), return_inverse=True)
        scores = np.bincount(inverse, weights=np.concatenate(score_parts), minlength=len(docs))
        if cut:
            scores = LexicalIndex._rescore(conn, ns, tier, docs, scores, weights, avgdl)
        order = np.lexsort((docs, -scores))[:limit]
        return [(int(docs[i]), float(scores[i])) for i in order]

    @staticmethod
    def _rescore(
        conn: Any,
        ns: int,
        tier: Tier,
        docs: np.ndarray,
        scores: np.ndarray,
        weights: dict[int, float],
        avgdl: float,
    ) -> np.ndarray:
        """Exact scores for the best candidates (a cut list may have missed some of their
        terms), from their stored term vectors."""
        scores = scores.copy()
        top = np.argsort(-scores, kind="stable")[:RESCORE]
        position = {int(docs[i]): int(i) for i in top}
        marks = ",".join("?" * len(position))
        rows = conn.execute(
            f"SELECT key >> 1, terms FROM lex_docs WHERE ns=? AND key IN ({marks})",
            (ns, *(_key(doc, tier) for doc in position)),
        ).fetchall()
        matches = _Matches.from_rows(rows, np.array(sorted(weights), dtype=np.int64))
        for doc, _ in rows:
            scores[position[int(doc)]] = 0.0
        for doc, value in zip(
            matches.docs.tolist(), matches.scores(weights, avgdl).tolist(), strict=True
        ):
            scores[position[int(doc)]] += value
        return scores
