"""The records a lexical top-k search has seen (``lexical_topk.py``): each one's known
contributions per query term, its length, and whether it is scored exactly or pruned; and the
one summation every path uses, so equal contributions give scores equal to the last bit."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

_UNKNOWN = np.nan


def ordered_sum(matrix: np.ndarray) -> np.ndarray:
    """Row sums, term by term in column order: the one summation every path uses, so equal
    contributions give scores equal to the last bit."""
    total = np.zeros(matrix.shape[0], dtype=np.float64)
    for j in range(matrix.shape[1]):
        total += matrix[:, j]
    return total


def ranked(docs: np.ndarray, scores: np.ndarray, limit: int) -> list[tuple[int, float]]:
    order = np.lexsort((docs, -scores))[:limit]
    return [(int(docs[i]), float(scores[i])) for i in order]


@dataclass
class TopK:
    """The best records (id, exact BM25 score), best first; ``exact`` unless the work cap
    (``lexical_topk.WORK_CAP``) cut the search; the work done, for benchmarks."""

    hits: list[tuple[int, float]]
    exact: bool = True
    postings: int = 0
    lookups: int = 0


@dataclass
class Candidates:
    """Records seen so far: contributions per term (NaN: not seen there), and state."""

    columns: int
    docs: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    parts: np.ndarray = field(default_factory=lambda: np.empty((0, 0)))
    lengths: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    exact: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=bool))
    pruned: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=bool))
    #: the sum of the contributions seen, in the order they were read: a lower bound for
    #: choosing what to score (never compared with a score for the result)
    partial: np.ndarray = field(default_factory=lambda: np.empty(0))

    def __post_init__(self) -> None:
        self.parts = np.empty((0, self.columns))

    def add(self, docs: np.ndarray, column: int, values: np.ndarray, lengths: np.ndarray) -> None:
        """Record ``values`` as the contributions of term ``column`` to ``docs`` (of these
        lengths: a record's length is the same in every term's postings)."""
        order = np.argsort(docs, kind="stable")
        docs, values, lengths = docs[order], values[order], lengths[order]
        at = np.searchsorted(self.docs, docs)
        seen = at < len(self.docs)
        seen[seen] = self.docs[at[seen]] == docs[seen]
        if not seen.all():
            # New records are inserted at their places (the rows stay sorted by id): a merge
            # of sorted arrays, not a sort of all of them at every read.
            new = docs[~seen]
            first = np.ones(len(new), dtype=bool)
            first[1:] = new[1:] != new[:-1]
            new = new[first]
            n = len(self.docs) + len(new)
            where = np.searchsorted(self.docs, new) + np.arange(len(new))
            mask = np.ones(n, dtype=bool)
            mask[where] = False
            old = np.flatnonzero(mask)
            merged = np.empty(n, dtype=np.int64)
            merged[old], merged[where] = self.docs, new
            parts = np.full((n, self.columns), _UNKNOWN)
            parts[old] = self.parts
            length = np.zeros(n, dtype=np.int64)
            length[old] = self.lengths
            exact = np.zeros(n, dtype=bool)
            exact[old] = self.exact
            pruned = np.zeros(n, dtype=bool)
            pruned[old] = self.pruned
            partial = np.zeros(n)
            partial[old] = self.partial
            self.docs, self.parts, self.lengths = merged, parts, length
            self.exact, self.pruned, self.partial = exact, pruned, partial
            at = np.searchsorted(self.docs, docs)
        self.parts[at, column] = values
        self.lengths[at] = lengths
        self.partial[at] += values

    def set_exact(self, rows: np.ndarray, parts: np.ndarray) -> None:
        self.parts[rows] = parts
        self.exact[rows] = True

    def kth(self, limit: int) -> tuple[float, int] | None:
        """(score, id) of the k-th best exact record, None while fewer are exact."""
        rows = np.flatnonzero(self.exact)
        if len(rows) < limit:
            return None
        scores = ordered_sum(np.nan_to_num(self.parts[rows], nan=0.0))
        i = np.lexsort((self.docs[rows], -scores))[limit - 1]
        return float(scores[i]), int(self.docs[rows][i])

    def result(self, limit: int) -> list[tuple[int, float]]:
        rows = np.flatnonzero(self.exact)
        scores = ordered_sum(np.nan_to_num(self.parts[rows], nan=0.0))
        return ranked(self.docs[rows], scores, limit)


def below(bound: np.ndarray, docs: np.ndarray, kth: tuple[float, int]) -> np.ndarray:
    """Whether records with these upper bounds rank after the k-th record whatever their
    score: lower, or equal with a larger id (the ranking's tie-break)."""
    score, doc = kth
    return (bound < score) | ((bound == score) & (docs > doc))


def best_rows(idx: np.ndarray, values: np.ndarray, size: int) -> np.ndarray:
    """The ``size`` of ``idx`` (in id order) with the largest ``values``, ties by id, in id
    order: one partition, not a sort of them all."""
    if len(idx) <= size:
        return idx
    v = values[idx]
    cut = -np.partition(-v, size - 1)[size - 1]
    above = idx[v > cut]
    return np.sort(np.concatenate((above, idx[v == cut][: size - len(above)])))
