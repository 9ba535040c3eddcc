"""Many documents' term vectors built at once, as arrays: the lexical index's write path.

A bulk insert analysed each record into a dict of weighted frequencies, then turned each dict
into a vector (``lexical_scoring.DocVector``) with a few NumPy calls of its own: a dict and
half a dozen small arrays per record, about a fifth of an import's time. Here a batch's
(document, term, weight) entries are collected in three flat lists, one pass over the texts'
cached word counts (``text.analysis.word_counts``), and everything after that is NumPy over
the whole batch: term ids, the sum of a term's weights across a document's fields, the
quantisation, lengths and the packed ``lex_docs`` blobs.

The vectors are the ones ``DocVector.from_frequencies`` builds, entry for entry and in the
same order (first appearance), so both paths write identical rows (tested).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np

from langgraph_memgpt.memory.backends.lexical_scoring import TF_SCALE, term_id
from langgraph_memgpt.memory.text.analysis import word_counts

_TF_MAX = 65_535


@dataclass(frozen=True)
class TermVectors:
    """Term vectors of ``docs``: document ``i``'s entries are ``terms``/``tf_q`` from
    ``starts[i]`` to ``starts[i + 1]``, in order of first appearance."""

    docs: np.ndarray  # int64 document ids
    starts: np.ndarray  # len(docs) + 1 offsets into the entries
    terms: np.ndarray  # int64 term ids
    tf_q: np.ndarray  # int64 quantised frequencies (1 to 65,535)
    lengths: np.ndarray  # int64 document lengths (sum of frequencies, rounded)

    @classmethod
    def from_fields(
        cls, docs: Sequence[int], fields: Sequence[Sequence[tuple[str, float]]]
    ) -> TermVectors:
        """Vectors of documents made of weighted ``(text, weight)`` fields, as
        ``text.analysis.term_frequencies`` weighs them, without a dict per document."""
        owner: list[int] = []
        words: list[str] = []
        weights: list[float] = []
        for i, doc_fields in enumerate(fields):
            for text, weight in doc_fields:
                if not text or weight <= 0:
                    continue
                counts = word_counts(text)
                owner += [i] * len(counts)
                words += [w for w, _ in counts]
                weights += [c * weight for _, c in counts]
        return cls._build(docs, owner, words, weights)

    @classmethod
    def from_frequencies(
        cls, docs: Sequence[int], frequencies: Sequence[Mapping[str, float]]
    ) -> TermVectors:
        """Vectors of documents given as term -> weighted frequency."""
        owner: list[int] = []
        words: list[str] = []
        weights: list[float] = []
        for i, freq in enumerate(frequencies):
            owner += [i] * len(freq)
            words += freq.keys()
            weights += freq.values()
        return cls._build(docs, owner, words, weights)

    @classmethod
    def _build(
        cls, docs: Sequence[int], owner: list[int], words: list[str], weights: list[float]
    ) -> TermVectors:
        n = len(docs)
        doc_ids = np.asarray(docs, dtype=np.int64).reshape(n)
        if not words:
            zeros = np.zeros(n, dtype=np.int64)
            empty = np.empty(0, dtype=np.int64)
            return cls(doc_ids, np.zeros(n + 1, dtype=np.int64), empty, empty.copy(), zeros)
        code_of = {w: i for i, w in enumerate(dict.fromkeys(words))}
        codes = np.fromiter(map(code_of.__getitem__, words), dtype=np.int64, count=len(words))
        ids_of_code = np.fromiter(map(term_id, code_of), dtype=np.int64, count=len(code_of))
        who = np.asarray(owner, dtype=np.int64)
        weight = np.asarray(weights, dtype=np.float64)
        position = np.arange(len(words), dtype=np.int64)
        # 1. A word's weights summed over the document's fields, then quantised (per word,
        # as ``round(tf * TF_SCALE)`` in ``DocVector.from_frequencies``).
        key, first, w_sum = _group(who * len(code_of) + codes, position, weight)
        q = np.round(w_sum * TF_SCALE).astype(np.int64)
        who, ids = key // len(code_of), ids_of_code[key % len(code_of)]
        kept = q > 0
        who, ids, first, q = who[kept], ids[kept], first[kept], q[kept]
        # 2. Words whose 47-bit ids collide share one entry (their frequencies added).
        order = np.lexsort((ids, who))
        who, ids, first, q = who[order], ids[order], first[order], q[order]
        new = np.r_[True, (who[1:] != who[:-1]) | (ids[1:] != ids[:-1])]
        at = np.flatnonzero(new)
        tf_q = np.minimum(np.add.reduceat(q, at), _TF_MAX) if len(q) else q
        first = np.minimum.reduceat(first, at) if len(q) else first
        who, ids = who[at], ids[at]
        # 3. Entries by document, each in order of first appearance.
        order = np.lexsort((first, who))
        who, ids, tf_q = who[order], ids[order], tf_q[order]
        per_doc = np.bincount(who, minlength=n)
        starts = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(per_doc, out=starts[1:])
        sums = np.bincount(who, weights=tf_q, minlength=n)
        lengths = np.round(sums / TF_SCALE).astype(np.int64)
        return cls(doc_ids, starts, ids, tf_q, lengths)

    def with_docs(self, docs: Sequence[int]) -> TermVectors:
        """The same vectors for other document ids (ids known only once the rows are in)."""
        return replace(self, docs=np.asarray(docs, dtype=np.int64).reshape(len(self.docs)))

    def __len__(self) -> int:
        return len(self.docs)

    def blobs(self) -> list[bytes]:
        """Each document's ``lex_docs`` blob (``DocVector.blob``): its term ids (int64), then
        its frequencies (uint16), little-endian."""
        terms = self.terms.astype("<i8").tobytes()
        tf = self.tf_q.astype("<u2").tobytes()
        bounds = self.starts.tolist()
        return [
            terms[8 * s : 8 * e] + tf[2 * s : 2 * e]
            for s, e in zip(bounds[:-1], bounds[1:], strict=True)
        ]

    def entry_docs(self) -> np.ndarray:
        """The document id of each entry."""
        return np.repeat(self.docs, np.diff(self.starts))


def _group(
    key: np.ndarray, position: np.ndarray, weight: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Distinct ``key``s, each with its first position and the sum of its weights."""
    order = np.argsort(key, kind="stable")
    key, position, weight = key[order], position[order], weight[order]
    at = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
    return key[at], position[at], np.add.reduceat(weight, at)
