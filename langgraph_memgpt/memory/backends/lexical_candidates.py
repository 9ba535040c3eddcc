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
class Candidates:
    """Records seen so far: contributions per term (NaN: not seen there), and state."""

    columns: int
    docs: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    parts: np.ndarray = field(default_factory=lambda: np.empty((0, 0)))
    lengths: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    exact: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=bool))
    pruned: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=bool))

    def __post_init__(self) -> None:
        self.parts = np.empty((0, self.columns))

    def add(self, docs: np.ndarray, column: int, values: np.ndarray, lengths: np.ndarray) -> None:
        """Record ``values`` as the contributions of term ``column`` to ``docs`` (of these
        lengths: a record's length is the same in every term's postings)."""
        merged = np.union1d(self.docs, docs)
        if len(merged) != len(self.docs):
            parts = np.full((len(merged), self.columns), _UNKNOWN)
            length = np.zeros(len(merged), dtype=np.int64)
            exact = np.zeros(len(merged), dtype=bool)
            pruned = np.zeros(len(merged), dtype=bool)
            at = np.searchsorted(merged, self.docs)
            parts[at], length[at] = self.parts, self.lengths
            exact[at], pruned[at] = self.exact, self.pruned
            self.docs, self.parts, self.lengths = merged, parts, length
            self.exact, self.pruned = exact, pruned
        at = np.searchsorted(self.docs, docs)
        self.parts[at, column] = values
        self.lengths[at] = lengths

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
