"""The FAISS vector index of one archival namespace: exact while small, IVF when large.

Vectors are L2-normalised, so inner product is cosine similarity. Below ``IVF_THRESHOLD``
vectors the index is exact (``IndexFlatIP`` behind an id map): a query costs ~1 ms per 10k
vectors on one core, and nothing needs training. Above it the index becomes an
``IndexIVFFlat`` with about sqrt(n) lists; its ``nprobe`` is calibrated after each (re)build so
that leave-one-out recall@10 against exact search is at least ``TARGET_RECALL`` on a sample of
the stored vectors. IVF rather than HNSW because it supports deletion and builds in seconds at
1M vectors on two cores; the archival_scale benchmark reports the recall it reaches.

This module knows nothing about SQLite: the backend feeds it ids and vectors and may throw the
whole index away and rebuild it from the database at any time.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import faiss
import numpy as np

IVF_THRESHOLD = 32_768
TARGET_RECALL = 0.97
CALIBRATION_QUERIES = 200
_TRAIN_POINTS_PER_LIST = 64


@contextmanager
def single_thread() -> Iterator[None]:
    """Run a one-query search on the calling thread only.

    A single query gains little from OpenMP, and when the CPUs are busy (the embedding model
    in the same process, another agent) OpenMP's spinning workers make it 20x slower: 0.8 ms
    become 17 ms for 10k vectors on 2 CPUs. The setting is per calling thread, so index
    builds elsewhere keep all threads.
    """
    previous = faiss.omp_get_max_threads()
    faiss.omp_set_num_threads(1)
    try:
        yield
    finally:
        faiss.omp_set_num_threads(previous)


def nlist_for(n: int) -> int:
    """Inverted lists for n vectors: the power of two nearest sqrt(n), within [64, 4096]."""
    exponent = round(math.log2(max(1.0, math.sqrt(n))))
    return int(min(4096, max(64, 2**exponent)))


def normalize(vectors: np.ndarray) -> np.ndarray:
    out = np.ascontiguousarray(vectors, dtype=np.float32)
    if out.ndim == 1:
        out = out.reshape(1, -1)
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return np.ascontiguousarray(out / norms, dtype=np.float32)


class VectorIndex:
    """Ids (int64, the SQLite rowids) to vectors, with top-k inner-product search."""

    def __init__(self, dim: int, index: Any | None = None, *, ivf_threshold: int = IVF_THRESHOLD):
        self.dim = dim
        self.ivf_threshold = ivf_threshold
        self.index: Any = index if index is not None else self._flat()

    # -- construction --------------------------------------------------------------------
    def _flat(self) -> Any:
        return faiss.IndexIDMap2(faiss.IndexFlatIP(self.dim))

    @property
    def is_ivf(self) -> bool:
        return isinstance(self.index, faiss.IndexIVF)

    @property
    def ntotal(self) -> int:
        return int(self.index.ntotal)

    @property
    def nprobe(self) -> int | None:
        return int(self.index.nprobe) if self.is_ivf else None

    @classmethod
    def load(cls, path: Path, dim: int, *, ivf_threshold: int = IVF_THRESHOLD) -> VectorIndex:
        index = faiss.read_index(str(path))
        if index.d != dim:
            raise ValueError(f"index {path} has {index.d} dims, expected {dim}")
        # read_index already returns the concrete class (downcasting again corrupts it).
        if not isinstance(index, faiss.IndexIVFFlat | faiss.IndexIDMap2):
            raise ValueError(f"unexpected index type in {path}: {type(index).__name__}")
        return cls(dim, index, ivf_threshold=ivf_threshold)

    def save(self, path: Path) -> None:
        """Write atomically: a crash mid-write leaves the previous file, never a torn one."""
        tmp = path.with_name(path.name + f".tmp{os.getpid()}")
        try:
            faiss.write_index(self.index, str(tmp))
        except RuntimeError as exc:  # FAISS's word for a failed write (a full disk)
            tmp.unlink(missing_ok=True)
            raise OSError(f"cannot write the FAISS index {path}: {exc}") from exc
        os.replace(tmp, path)

    # -- contents ------------------------------------------------------------------------
    def ids(self) -> np.ndarray:
        """Every stored id (unsorted)."""
        if not self.is_ivf:
            return faiss.vector_to_array(self.index.id_map).astype(np.int64)
        invlists = self.index.invlists
        parts = []
        for lst in range(self.index.nlist):
            size = invlists.list_size(lst)
            if size:
                parts.append(faiss.rev_swig_ptr(invlists.get_ids(lst), size).copy())
        return np.concatenate(parts).astype(np.int64) if parts else np.empty(0, np.int64)

    def contents(self) -> tuple[np.ndarray, np.ndarray]:
        """(ids, vectors) of everything stored, for rebuilding into another index type."""
        if not self.is_ivf:
            n = self.ntotal
            flat: Any = faiss.downcast_index(self.index.index)
            vecs = faiss.vector_to_array(flat.codes).view(np.float32)
            return self.ids(), vecs.reshape(n, self.dim).copy()
        invlists = self.index.invlists
        id_parts, vec_parts = [], []
        for lst in range(self.index.nlist):
            size = invlists.list_size(lst)
            if size:
                id_parts.append(faiss.rev_swig_ptr(invlists.get_ids(lst), size).copy())
                raw = faiss.rev_swig_ptr(invlists.get_codes(lst), size * self.dim * 4)
                vec_parts.append(np.frombuffer(raw.tobytes(), np.float32).reshape(size, self.dim))
        if not id_parts:
            return np.empty(0, np.int64), np.empty((0, self.dim), np.float32)
        return np.concatenate(id_parts).astype(np.int64), np.concatenate(vec_parts)

    # -- writing -------------------------------------------------------------------------
    def add(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        """Add vectors (normalised here); switches to IVF or retrains when it has grown 4x."""
        if len(ids) == 0:
            return
        vectors = normalize(vectors)
        self.index.add_with_ids(vectors, np.ascontiguousarray(ids, dtype=np.int64))
        n = self.ntotal
        if (not self.is_ivf and n >= self.ivf_threshold) or (
            self.is_ivf and nlist_for(n) >= 2 * self.index.nlist
        ):
            self.rebuild()

    def remove(self, ids: np.ndarray) -> int:
        if len(ids) == 0:
            return 0
        selector = faiss.IDSelectorBatch(np.ascontiguousarray(ids, dtype=np.int64))
        return int(self.index.remove_ids(selector))

    def rebuild(self) -> None:
        """Re-create the index for its current size (flat, or IVF trained on these vectors)."""
        ids, vectors = self.contents()
        self.index = build(self.dim, ids, vectors, ivf_threshold=self.ivf_threshold)

    # -- searching -----------------------------------------------------------------------
    def search(
        self, query: np.ndarray, k: int, allowed: np.ndarray | None = None
    ) -> list[tuple[int, float]]:
        """Top-k (id, cosine) pairs, best first; ``allowed`` restricts the candidate ids."""
        if self.ntotal == 0 or k <= 0:
            return []
        params: Any = None
        if allowed is not None:
            selector = faiss.IDSelectorBatch(np.ascontiguousarray(allowed, dtype=np.int64))
            if self.is_ivf:
                params = faiss.SearchParametersIVF()
                params.nprobe = self.index.nprobe
            else:
                params = faiss.SearchParameters()
            params.sel = selector
        k = min(k, self.ntotal)
        with single_thread():
            scores, ids = self.index.search(normalize(query), k, params=params)
        return [(int(i), float(s)) for i, s in zip(ids[0], scores[0], strict=True) if i >= 0]


def build(
    dim: int, ids: np.ndarray, vectors: np.ndarray, *, ivf_threshold: int = IVF_THRESHOLD
) -> Any:
    """A FAISS index holding exactly these (ids, vectors): flat if few, calibrated IVF if many."""
    vectors = normalize(vectors) if len(vectors) else np.empty((0, dim), np.float32)
    ids = np.ascontiguousarray(ids, dtype=np.int64)
    n = len(ids)
    if n < ivf_threshold:
        flat = faiss.IndexIDMap2(faiss.IndexFlatIP(dim))
        if n:
            flat.add_with_ids(vectors, ids)
        return flat
    nlist = nlist_for(n)
    quantizer = faiss.IndexFlatIP(dim)
    index: Any = faiss.IndexIVFFlat(quantizer, dim, nlist, faiss.METRIC_INNER_PRODUCT)
    rng = np.random.default_rng(0)
    train_n = min(n, nlist * _TRAIN_POINTS_PER_LIST)
    sample = vectors[rng.choice(n, train_n, replace=False)] if train_n < n else vectors
    index.cp.niter = 15
    index.train(sample)
    index.add_with_ids(vectors, ids)
    index.nprobe = calibrate_nprobe(index, ids, vectors, rng)
    return index  # faiss' Python wrapper keeps ``quantizer`` alive with the index


def calibrate_nprobe(
    index: Any, ids: np.ndarray, vectors: np.ndarray, rng: np.random.Generator
) -> int:
    """Smallest power-of-two nprobe whose leave-one-out recall@10 reaches TARGET_RECALL.

    Queries are stored vectors; each query's own id is dropped from both result lists, so the
    measure is "find the 10 nearest *other* records", the same task as a fresh query near the
    data. Exact neighbours come from a brute-force search of all vectors.
    """
    n = len(vectors)
    picks = rng.choice(n, min(CALIBRATION_QUERIES, n), replace=False)
    queries = vectors[picks]
    exact = faiss.IndexFlatIP(index.d)
    exact.add(vectors)
    _, positions = exact.search(queries, 11)
    truth = ids[positions]
    own_ids = ids[picks]
    nprobe = 4
    while True:
        index.nprobe = nprobe
        _, got = index.search(queries, 11)
        recall = _recall(truth, got, own_ids)
        if recall >= TARGET_RECALL or nprobe >= index.nlist:
            return int(nprobe)
        nprobe *= 2


def _recall(truth: np.ndarray, got: np.ndarray, own_ids: np.ndarray) -> float:
    """Mean recall@10 of ``got`` against ``truth``, leaving out each query's own id."""
    hits = 0
    total = 0
    for row, own in enumerate(own_ids):
        expected = [int(i) for i in truth[row] if i != own][:10]
        found = {int(i) for i in got[row] if i >= 0}
        total += len(expected)
        hits += sum(1 for i in expected if i in found)
    return hits / total if total else 1.0
