"""The exact top k of a BM25 OR-query, reading only the best postings of each term.

A word most records share has a posting list as long as the tenant's data, yet only its best
postings can matter. Postings are stored in *class order* (``lexical_scoring.impact_rank``):
by quantised term frequency, highest first, then by record length, shortest first, then by
record id. Within one frequency class the BM25 term component only falls as the length
grows, whatever the tenant's average length, so the posting last read in a class bounds
every later one of that class *exactly*: the next may equal it (a tie, which then comes later
in id order, as the ranking breaks ties) but never exceed it. A term's bound is the largest of
its classes' bounds; the first key of every class is found with one index seek per class.

The search is a threshold algorithm (Fagin, Lotem and Naor, 2003) read in blocks:

1. read from the best class of each term whose bound is at least half the largest (every
   term's first block in the first round), more stored blocks (``lexical_blocks.py``, up to
   128 postings each) at a time as a class is read, each from the one after the cursor;
2. a record seen in the postings has a partial score (the terms seen) and an upper bound (plus
   what the terms not seen for it can still add at its length); records are scored exactly
   best bound first, in chunks, only while their bound could still reach the k-th exact score:
   from the posting lists when the terms they were not seen in are read past them, else from
   their stored term vectors (``lex_docs``, one lookup each);
3. stop when no record can enter the top k: every seen record is exact or bounded below the
   k-th, and the sum of the terms' bounds (the most an unseen record can score) is below the
   k-th score, or equal to it while every record that could tie comes later in id order.

So the result is the exhaustive ranking's, ties included, and every score is exact (summed in
term order, as the exhaustive path sums them, so even equal scores are equal to the bit).
``WORK_CAP`` postings plus lookups bound the work of a pathological query (many
mid-frequency words); a search cut by it says so (``TopK.exact`` is False) and returns the
best records it scored exactly.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from langgraph_memgpt.memory.backends.lexical_candidates import (
    Candidates,
    TopK,
    below,
    best_rows,
    ordered_sum,
)
from langgraph_memgpt.memory.backends.lexical_cursor import (
    ClassCursor,
    class_heads_sql,
    whole_list,
)
from langgraph_memgpt.memory.backends.lexical_scoring import (
    DL_CAP,
    TF_SCALE,
    Matches,
    Tier,
    class_start,
    class_tf,
    doc_key,
    rank_length,
    tf_component,
)

WORK_CAP = 200_000  # postings read plus term vectors looked up, per query, at most
CHUNK_MAX = 2_048  # records scored exactly at once, at most


class ThresholdSearch:
    """One query's exact top ``limit`` over the main postings and the tail's exact scores."""

    def __init__(
        self,
        conn: Any,
        ns: int,
        tier: Tier,
        columns: np.ndarray,
        weights: np.ndarray,
        avgdl: float,
        restrict: tuple[str, tuple[Any, ...]] | None,
    ) -> None:
        self.conn, self.ns, self.tier = conn, ns, int(tier)
        self.columns, self.weights, self.avgdl = columns, weights, avgdl
        self.restrict = restrict
        self._allowed: np.ndarray | None = None
        self.postings = self.lookups = 0
        self.classes: list[ClassCursor] = []
        self.cands = Candidates(len(columns))

    # -- reading ----------------------------------------------------------------------------
    def open_terms(self, listed: list[int]) -> None:
        """The classes of the terms (column indexes) that have postings."""
        ids = [int(self.columns[column]) for column in listed]
        column_of = dict(zip(ids, listed, strict=True))
        params = (*ids, self.ns, self.tier, self.ns, self.tier)
        for term, rank in self.conn.execute(class_heads_sql(len(ids)), params).fetchall():
            rank = int(rank)
            column = column_of[int(term)]
            self.classes.append(
                ClassCursor(column, int(term), class_start(rank), class_tf(rank), rank_length(rank))
            )
        self.classes.sort(key=lambda c: (c.column, c.start))

    def contribution(self, column: int, tf: np.ndarray, dl: np.ndarray) -> np.ndarray:
        return self.weights[column] * tf_component(tf, dl, self.avgdl)

    def class_bounds(self) -> np.ndarray:
        """What the next unread posting of each class can add (0 when read to the end)."""
        if not self.classes:
            return np.zeros(0)
        column = np.array([c.column for c in self.classes])
        tf = np.array([c.tf for c in self.classes])
        dl = np.array([float(c.dl) for c in self.classes])
        done = np.array([c.done for c in self.classes])
        return np.where(done, 0.0, self.weights[column] * tf_component(tf, dl, self.avgdl))

    def allowed(self, docs: np.ndarray) -> np.ndarray:
        """Which of ``docs`` the ``restrict`` filter lets through (all without one). The ids
        it selects are read once per search: blocks are filtered after decoding."""
        if not self.restrict:
            return np.ones(len(docs), dtype=bool)
        if self._allowed is None:
            rows = self.conn.execute(*self.restrict).fetchall()
            self._allowed = np.unique(np.array([int(r[0]) for r in rows], dtype=np.int64))
        return np.isin(docs, self._allowed, assume_unique=False)

    def read(self, c: ClassCursor, first: int) -> None:
        """The class's next ``c.block`` postings (at least ``first``, four times the last
        read's), from blocks decoded whole: what a read does not use waits in ``c.buffer``,
        so a read takes as many postings as it asks for, whatever the blocks' size."""
        c.block = max(first, 4 * c.block)
        c.fetch(self.conn, self.ns, self.tier, c.block)
        self._consume(c, c.block)

    def _consume(self, c: ClassCursor, count: int) -> None:
        """Take the next ``count`` decoded postings of the class into the candidates."""
        docs, tf, dl = c.take(count)
        self.postings += len(docs)
        if not len(docs):
            return
        keep = self.allowed(docs)
        docs, tf, dl = docs[keep], tf[keep], dl[keep]
        values = self.contribution(c.column, tf / TF_SCALE, dl.astype(np.float64))
        self.cands.add(docs, c.column, values, dl)

    def term_bounds(self) -> tuple[np.ndarray, np.ndarray, int]:
        """Each class's bound, each term's (the largest of its classes'), and the smallest id an
        unseen record scoring every term's bound can have (it comes after the last posting
        read of a class reaching that bound, in every term)."""
        per_class = self.class_bounds()
        bounds = np.zeros(len(self.columns))
        np.maximum.at(bounds, [c.column for c in self.classes], per_class)
        tie_of = np.full(len(self.columns), np.iinfo(np.int64).max)
        for c, b in zip(self.classes, per_class.tolist(), strict=True):
            if b > 0 and b == bounds[c.column]:
                tie_of[c.column] = min(tie_of[c.column], c.tie_doc())
        live = bounds > 0
        return per_class, bounds, int(tie_of[live].max()) if live.any() else 0

    # -- scoring ----------------------------------------------------------------------------
    def unseen_bounds(self, rows: np.ndarray) -> np.ndarray:
        """The most each term a candidate was not seen in can still add to it: the largest,
        over the term's classes whose unread part could hold the record (its key, length
        then id, comes after the class's last read one), of the class's component at the
        record's own length; 0 where no class can."""
        docs, lengths = self.cands.docs[rows], self.cands.lengths[rows]
        keys = np.minimum(lengths, DL_CAP)
        out = np.zeros((len(rows), len(self.columns)))
        for c in self.classes:
            if c.done:
                continue
            value = self.contribution(c.column, np.full(len(rows), c.tf), lengths.astype(float))
            value = np.where(c.could_hold(keys, docs), value, 0.0)
            out[:, c.column] = np.maximum(out[:, c.column], value)
        return out

    def upper(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Upper bounds of candidate ``rows`` (seen terms exact, the others at most
        ``unseen_bounds``), and the rows' contribution matrix with what is still possible."""
        parts = self.cands.parts[rows]
        filled = np.where(np.isnan(parts), self.unseen_bounds(rows), parts)
        return ordered_sum(filled), filled

    def resolve(self, rows: np.ndarray, filled: np.ndarray) -> None:
        """Exact scores for candidate ``rows``: from the postings when no term they were not
        seen in can still hold them, else from their stored term vectors."""
        parts = self.cands.parts[rows]
        complete = ~np.any(np.isnan(parts) & (filled > 0), axis=1)
        if complete.any():
            self.cands.set_exact(rows[complete], np.nan_to_num(parts[complete], nan=0.0))
        look = rows[~complete]
        if not len(look):
            return
        docs = self.cands.docs[look]
        marks = ",".join("?" * len(docs))
        found = self.conn.execute(
            f"SELECT key >> 1, terms FROM lex_docs WHERE ns=? AND key IN ({marks})",
            (self.ns, *(doc_key(int(d), self.tier) for d in docs)),
        ).fetchall()
        self.lookups += len(docs)
        matches = Matches.from_rows(found, self.columns)
        exact = np.zeros((len(look), len(self.columns)))
        if len(matches.docs):
            at = np.searchsorted(docs, matches.docs)
            col = np.searchsorted(self.columns, matches.terms)
            weights = self.weights[col]
            exact[at, col] = weights * tf_component(matches.tf, matches.lengths, self.avgdl)
        self.cands.set_exact(look, exact)

    def settle(self, limit: int, *, sure: bool = False, bounds: np.ndarray | None = None) -> None:
        """Score pending records exactly in chunks, best upper bound first (ties by id, the
        ranking's order), and prune the ones that can no longer reach the k-th, until none
        is pending. With ``sure``, only the records certain to enter the current top
        ``limit`` (their partial score alone beats the k-th): they raise the k-th score,
        while the others may yet be pruned for free. ``bounds``: the terms' bounds, if known.

        Pending records are ranked by a cheap bound (a term not seen adds at most its bound);
        only a chunk's get the bound at their own length (``upper``): tens of thousands of
        candidates are neither bounded one by one nor sorted."""
        cands = self.cands
        pending = np.flatnonzero(~cands.exact & ~cands.pruned)
        lb = None
        if sure:
            # Most pending records are not sure: their bounds are not needed yet.
            kth = cands.kth(limit)
            lb = cands.partial[pending]
            if kth is not None:
                keep = ~below(lb, cands.docs[pending], kth)
                pending, lb = pending[keep], lb[keep]
        if not len(pending):
            return
        size = max(16, limit)  # doubling: few passes over many candidates
        refined = np.full(len(pending), len(pending) <= size)
        fills = np.empty((len(pending), len(self.columns)))  # bounded rows' contributions
        if refined[0]:  # one chunk: bounded at their lengths at once
            cheap, fills = self.upper(pending)
        else:
            parts = cands.parts[pending]
            bounds = self.term_bounds()[1] if bounds is None else bounds
            cheap = ordered_sum(np.where(np.isnan(parts), bounds[None, :], parts))
        docs = cands.docs[pending]  # in id order, as ``pending``
        todo = np.ones(len(pending), dtype=bool)
        while True:
            kth = cands.kth(limit)
            if kth is not None:
                out = below(cheap, docs, kth)
                cands.pruned[pending[out & todo]] = True
                todo &= ~out
                if lb is not None:
                    todo &= ~below(lb, docs, kth)
            if 2 * int(todo.sum()) < len(todo):
                # Most were ruled out: keep working on the rest only.
                keep = np.flatnonzero(todo)
                pending, docs, cheap = pending[keep], docs[keep], cheap[keep]
                refined, fills = refined[keep], fills[keep]
                lb, todo = None if lb is None else lb[keep], todo[keep]
            chunk = best_rows(np.flatnonzero(todo), cheap, size)
            if not len(chunk):
                return
            fresh = chunk[~refined[chunk]]
            if len(fresh):
                # The chunk's bounds at their own lengths first: some rank lower then.
                cheap[fresh], fills[fresh] = self.upper(pending[fresh])
                refined[fresh] = True
                continue
            todo[chunk] = False
            size = min(2 * size, CHUNK_MAX)
            # No posting is read while settling: the bounds computed stay the records' own.
            rows, ub, filled = pending[chunk], cheap[chunk], fills[chunk]
            if kth is not None:
                out = below(ub, docs[chunk], kth)
                cands.pruned[rows[out]] = True
                rows, filled = rows[~out], filled[~out]
            self.resolve(rows, filled)

    def run(self, listed: list[int], limit: int) -> bool:
        """Read and score until the top ``limit`` is proven (True) or the work cap is hit."""
        self.open_terms(listed)
        first = max(limit, 16)
        readable = list(self.classes)
        while True:
            for c in readable:
                self.read(c, first)
            per_class, bounds, tie = self.term_bounds()
            total = float(ordered_sum(bounds[None, :])[0])
            # Records sure to enter the top first: they raise the k-th score that the bounds
            # are compared with.
            self.settle(limit, sure=True, bounds=bounds)
            kth = self.cands.kth(limit)
            if total == 0.0 or (
                kth is not None and (total < kth[0] or (total == kth[0] and kth[1] < tie))
            ):
                self.settle(limit, bounds=bounds)
                return True
            if self.postings + self.lookups >= WORK_CAP:
                return False
            readable = self._next_reads(per_class, bounds)

    def _next_reads(self, per_class: np.ndarray, bounds: np.ndarray) -> list[ClassCursor]:
        """The best class of each term whose bound is at least half the largest: reading
        them lowers the most an unseen record can score the fastest."""
        top = float(bounds.max())
        best: dict[int, tuple[float, ClassCursor]] = {}
        for c, b in zip(self.classes, per_class.tolist(), strict=True):
            if b <= 0 or bounds[c.column] < top / 2:
                continue
            if c.column not in best or b > best[c.column][0]:
                best[c.column] = (b, c)
        return [c for _, c in best.values()]


def top_k(
    search: ThresholdSearch,
    listed: list[int],
    tail: Matches,
    limit: int,
    *,
    exhaustive: bool = False,
) -> TopK:
    """The top ``limit`` of the main postings (the terms ``listed`` have some) and the tail:
    by the threshold algorithm, or (``exhaustive``) by reading every posting."""
    if len(tail.docs):
        cols = np.searchsorted(search.columns, tail.terms)
        values = search.weights[cols] * tf_component(tail.tf, tail.lengths, search.avgdl)
        for column in np.unique(cols).tolist():
            mine = cols == column
            lengths = tail.lengths[mine].astype(np.int64)
            search.cands.add(tail.docs[mine], column, values[mine], lengths)
        rows = np.searchsorted(search.cands.docs, np.unique(tail.docs))
        search.cands.set_exact(rows, np.nan_to_num(search.cands.parts[rows], nan=0.0))
    if exhaustive:
        for column in listed:
            term = int(search.columns[column])
            docs, tf, dl = whole_list(search.conn, search.ns, search.tier, term)
            search.postings += len(docs)
            keep = search.allowed(docs)
            if keep.any():
                docs, tf, dl = docs[keep], tf[keep], dl[keep]
                values = search.contribution(column, tf / TF_SCALE, dl.astype(np.float64))
                search.cands.add(docs, column, values, dl)
        cands = search.cands
        cands.set_exact(np.arange(len(cands.docs)), np.nan_to_num(cands.parts, nan=0.0))
        exact = True
    else:
        exact = search.run(listed, limit) if listed else True
    return TopK(search.cands.result(limit), exact, search.postings, search.lookups)
