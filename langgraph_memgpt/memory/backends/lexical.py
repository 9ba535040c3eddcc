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
is as long as the tenant's data. Postings are stored best first within each term-frequency
class (``lexical_scoring.impact_rank``), packed in blocks of up to 128 (``lexical_blocks.py``),
and a threshold algorithm (``lexical_topk.py``) reads only as much of each list as it takes to
*prove* the top k: the ranking is the exhaustive one, ties included. Stores written a row per
posting (``lex_postings``) are rewritten into blocks when opened for writing
(``lexical_blocks.upgrade_to_blocks``).

Terms are identified by a 47-bit hash of the analysed word (no vocabulary table to keep in
step with rollbacks; at a million distinct words a collision is expected once in ~250 stores,
and would only merge two words' postings within one tenant).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np

from langgraph_memgpt.memory.backends.database import (
    insert_matrix,
    insert_matrix_blobs,
    upsert_matrix,
)
from langgraph_memgpt.memory.backends.lexical_blocks import (
    Postings,
    add_postings,
    remove_postings,
)
from langgraph_memgpt.memory.backends.lexical_scoring import (
    TAIL_VECTORS,
    DocVector,
    Matches,
    Tier,
    doc_key,
    idf,
    split_blobs,
    term_id,
)
from langgraph_memgpt.memory.backends.lexical_topk import ThresholdSearch, TopK, top_k
from langgraph_memgpt.memory.backends.term_vectors import TermVectors

__all__ = ["SCHEMA", "LexicalIndex", "Tier", "idf", "term_id"]

TAIL_LIMIT = 256  # documents indexed by their term vectors only, per tenant, before a merge
REMOVE_BATCH = 400  # documents unindexed per group of statements (bound on ``IN`` lists)

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
CREATE TABLE IF NOT EXISTS lex_blocks (
    ns INTEGER NOT NULL, tier INTEGER NOT NULL, term INTEGER NOT NULL, rank INTEGER NOT NULL,
    doc INTEGER NOT NULL, postings BLOB NOT NULL,
    PRIMARY KEY (ns, tier, term, rank, doc)
) WITHOUT ROWID
""",
    """
CREATE TABLE IF NOT EXISTS lex_docs (
    key INTEGER PRIMARY KEY, ns INTEGER NOT NULL, terms BLOB NOT NULL
)
""",
)


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
        """Index documents given as term -> weighted frequency (``analysis.term_frequencies``)."""
        pairs = list(docs)
        vectors = TermVectors.from_frequencies([d for d, _ in pairs], [f for _, f in pairs])
        LexicalIndex.add_vectors(conn, ns, tier, vectors)

    @staticmethod
    def add_fields(
        conn: Any, ns: int, tier: Tier, docs: Sequence[tuple[int, Sequence[tuple[str, float]]]]
    ) -> None:
        """Index documents made of weighted ``(text, weight)`` fields (``search.indexing``),
        analysed as a batch without a dict per document (bulk inserts)."""
        vectors = TermVectors.from_fields([d for d, _ in docs], [f for _, f in docs])
        LexicalIndex.add_vectors(conn, ns, tier, vectors)

    @staticmethod
    def add_vectors(conn: Any, ns: int, tier: Tier, vectors: TermVectors) -> None:
        """Index documents: their term vectors go to the tenant's tail at once; postings are
        written for the whole tail when it reaches ``TAIL_LIMIT`` documents."""
        if not len(vectors):
            return
        _lock_tenant(conn, ns)
        n = len(vectors)
        keys = np.column_stack(
            (vectors.docs * 2 + int(tier), np.full(n, ns, dtype=np.int64))  # ``doc_key``
        )
        insert_matrix_blobs(conn, "lex_docs", ("key", "ns", "terms"), keys, vectors.blobs())
        tail_rows = np.column_stack(
            (np.full(n, ns, dtype=np.int64), np.full(n, int(tier), dtype=np.int64), vectors.docs)
        )
        insert_matrix(conn, "lex_tail", ("ns", "tier", "doc"), tail_rows)
        (tail,) = conn.execute(
            "INSERT INTO lex_stats(ns, tier, docs, length, tail) VALUES (?,?,?,?,?) "
            "ON CONFLICT(ns, tier) DO UPDATE SET docs = lex_stats.docs + excluded.docs, "
            "length = lex_stats.length + excluded.length, tail = lex_stats.tail + excluded.tail "
            "RETURNING tail",
            (ns, int(tier), n, int(vectors.lengths.sum()), n),
        ).fetchone()
        if tail >= TAIL_LIMIT:
            LexicalIndex.merge(conn, ns, int(tier))

    @staticmethod
    def merge(conn: Any, ns: int, tier: int) -> None:
        """Write the postings and document frequencies of the tenant's tail, sorted by key so
        each term's page is touched once per merge rather than once per document. Built as
        arrays (one decode of all the tail's term vectors, no Python work per posting)."""
        rows = conn.execute(TAIL_VECTORS, (ns, tier)).fetchall()
        if rows:
            docs, terms, tf_q, lengths = split_blobs(rows)
            unique, counts = np.unique(terms, return_counts=True)
            df = np.column_stack(
                (
                    np.full(len(unique), ns, dtype=np.int64),
                    np.full(len(unique), tier, dtype=np.int64),
                    unique,
                    counts.astype(np.int64),
                )
            )
            # The frequencies first: what they were before tells the blocks' lookup which
            # terms have none yet and which have few (``lexical_block_keys``).
            found = upsert_matrix(
                conn,
                "lex_df",
                ("ns", "tier", "term", "df"),
                df,
                "ON CONFLICT(ns, tier, term) DO UPDATE SET df = lex_df.df + excluded.df",
                returning="term, df",
            )
            now = np.array(found, dtype=np.int64).reshape(-1, 2)
            now = now[np.argsort(now[:, 0])]
            stored = None  # unknown: every term is looked up
            if np.array_equal(now[:, 0], unique):  # a row back per term, as upserts return
                stored = (now[:, 1] - counts)[np.searchsorted(unique, terms)]
            postings = Postings(terms, docs, tf_q, lengths.astype(np.int64))
            add_postings(conn, ns, tier, postings, stored)
        conn.execute("DELETE FROM lex_tail WHERE ns=? AND tier=?", (ns, tier))
        conn.execute("UPDATE lex_stats SET tail = 0 WHERE ns=? AND tier=?", (ns, tier))

    @staticmethod
    def remove(conn: Any, ns: int, tier: Tier, docs: Sequence[int]) -> None:
        """Unindex documents, a batch at a time: a statement per table for the batch, not per
        document (a turn re-indexes a few records; each was five statements)."""
        _lock_tenant(conn, ns)
        wanted = list(dict.fromkeys(int(doc) for doc in docs))
        for start in range(0, len(wanted), REMOVE_BATCH):
            LexicalIndex._remove_batch(conn, ns, int(tier), wanted[start : start + REMOVE_BATCH])

    @staticmethod
    def _remove_batch(conn: Any, ns: int, tier: int, docs: list[int]) -> None:
        marks = ",".join("?" * len(docs))
        # The term vectors are deleted and read back in one statement (a round trip less
        # on Postgres for each re-indexing of a turn's records).
        vectors = {
            int(key) >> 1: DocVector.from_blob(blob)
            for key, blob in conn.execute(
                f"DELETE FROM lex_docs WHERE ns=? AND key IN ({marks}) RETURNING key, terms",
                (ns, *(doc_key(doc, tier) for doc in docs)),
            ).fetchall()
        }
        if not vectors:
            return
        marks = ",".join("?" * len(vectors))
        in_tail = {
            int(doc)
            for (doc,) in conn.execute(
                f"DELETE FROM lex_tail WHERE ns=? AND tier=? AND doc IN ({marks}) RETURNING doc",
                (ns, tier, *vectors),
            ).fetchall()
        }
        merged = [(doc, v) for doc, v in vectors.items() if doc not in in_tail]
        df: dict[int, int] = {}
        if merged:
            gone = Postings(
                np.concatenate([v.terms for _, v in merged]),
                np.concatenate([np.full(len(v.terms), doc) for doc, v in merged]),
                np.concatenate([v.tf_q for _, v in merged]),
                np.concatenate([np.full(len(v.terms), v.length) for _, v in merged]),
            )
            remove_postings(conn, ns, tier, gone)
            for term in gone.terms.tolist():
                df[term] = df.get(term, 0) + 1
        if df:
            # A term whose df reaches 0 keeps its row: it has no postings to read, and the
            # row is reused when the word comes back.
            conn.executemany(
                "UPDATE lex_df SET df = df - ? WHERE ns=? AND tier=? AND term=?",
                [(n, ns, tier, term) for term, n in sorted(df.items())],
            )
        conn.execute(
            "UPDATE lex_stats SET docs = docs - ?, length = length - ?, tail = tail - ? "
            "WHERE ns=? AND tier=?",
            (len(vectors), sum(v.length for v in vectors.values()), len(in_tail), ns, tier),
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
        exhaustive: bool = False,
    ) -> list[tuple[int, float]]:
        """Top ``limit`` (doc, BM25 score) for the OR of ``terms``, best first, ties by id.

        ``restrict`` is an SQL condition on ``doc`` (with its parameters), e.g. a tag or thread
        filter. The ranking is the exhaustive one (``lexical_topk.py``); ``exhaustive`` reads
        every posting instead (the reference for tests and benchmarks).
        """
        return LexicalIndex.search_detailed(
            conn, ns, tier, terms, limit, restrict=restrict, exhaustive=exhaustive
        ).hits

    @staticmethod
    def search_detailed(
        conn: Any,
        ns: int,
        tier: Tier,
        terms: Sequence[str],
        limit: int,
        *,
        restrict: tuple[str, tuple[Any, ...]] | None = None,
        exhaustive: bool = False,
    ) -> TopK:
        """:meth:`search`, with whether the top is proven exact and the work it took."""
        if not terms or limit <= 0:
            return TopK([])
        stats = conn.execute(
            "SELECT docs, length, tail FROM lex_stats WHERE ns=? AND tier=?", (ns, int(tier))
        ).fetchone()
        if stats is None or not stats[0]:
            return TopK([])
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
        tail = Matches.load(conn, ns, tier, query_ids, restrict) if tail_docs else Matches.empty()
        df_all = dict(main_df)
        for tid, count in tail.df.items():
            df_all[tid] = df_all.get(tid, 0) + count
        if not df_all:
            return TopK([])
        columns = np.array(sorted(df_all), dtype=np.int64)
        weights = idf([df_all[int(t)] for t in columns], n_docs)
        search = ThresholdSearch(conn, ns, tier, columns, weights, avgdl, restrict)
        listed = [j for j, t in enumerate(columns.tolist()) if t in main_df]
        return top_k(search, listed, tail, limit, exhaustive=exhaustive)
