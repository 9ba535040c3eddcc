"""Archival store at scale: insert throughput and search latency at 10k / 100k / 1M records.

Vectors are precomputed (384-d, a mixture of Gaussian clusters, so approximate search has a
real neighbourhood structure to get right) and passed to ``insert_many(vectors=...)``; texts
are synthetic (12 words from a 20k-word vocabulary). Queries are fresh points of the same
mixture plus 3 words of text. Side by side: LangGraph's ``InMemoryStore`` semantic search (its
``embed`` returns the same precomputed vectors) at the sizes it manages in reasonable time.

Beside them, the stores users pick (``_vector_engines.py``): Chroma and LanceDB embedded, and
LangGraph's ``PostgresStore`` (pgvector HNSW) on a throwaway schema of the test server, fed the
same vectors and asked the same queries, up to ``--engine-max`` records.

Reported per size: insert records/s, search p50/p95 for dense, hybrid and lexical modes
through the public API (hydration of hits from SQLite included), the index type (exact or
IVF with its calibrated nprobe) and dense recall@10 against exact brute-force search; for every
other engine its insert rate, dense p50/p95, recall@10 against the same exact search, disk and
the ratios to ours. One query sample is drawn once and used by every engine at every size
(``InMemoryStore``, which scans in Python, answers its first ``--baseline-queries``; its ratio
is taken over those same queries).

    python bench/archival_scale.py                      # 10k, 100k, 1M (~20 min on 2 CPUs)
    python bench/archival_scale.py --sizes 10000        # quick
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _common_memory import RESULTS, machine, markdown_table, percentile, write_results  # noqa: E402
from _vector_engines import bench_chroma, bench_lancedb, bench_postgres_store  # noqa: E402

from langgraph_memgpt.memory import Memory  # noqa: E402

DIM = 384
CLUSTERS = 1000
NOISE = 1.0  # per-dimension noise, same scale as the cluster centres: cosine ~0.5 in-cluster
VOCAB = 20_000
WORDS = 12
BATCH = 10_000
USER = "bench"


class Data:
    """Deterministic synthetic corpus: record i has vector vectors[i] and a unique text."""

    def __init__(self, n: int, seed: int = 0) -> None:
        rng = np.random.default_rng(seed)
        self.centres = rng.standard_normal((CLUSTERS, DIM)).astype(np.float32)
        self.vectors = self._points(rng, n)
        self.words = np.array([f"w{i}" for i in range(VOCAB)])
        self.text_ids = rng.integers(0, VOCAB, (n, WORDS))
        self.rng = rng

    def _points(self, rng: np.random.Generator, n: int) -> np.ndarray:
        out = np.empty((n, DIM), np.float32)
        for start in range(0, n, 100_000):
            m = min(100_000, n - start)
            labels = rng.integers(0, CLUSTERS, m)
            block = self.centres[labels] + NOISE * rng.standard_normal((m, DIM)).astype(np.float32)
            out[start : start + m] = block / np.linalg.norm(block, axis=1, keepdims=True)
        return out

    def texts(self, start: int, stop: int) -> list[str]:
        return [
            f"record {i}: " + " ".join(self.words[self.text_ids[i]]) for i in range(start, stop)
        ]

    def queries(self, q: int) -> tuple[np.ndarray, list[str]]:
        vectors = self._points(self.rng, q)
        texts = [" ".join(self.words[self.rng.integers(0, VOCAB, 3)]) for _ in range(q)]
        return vectors, texts


def exact_top10(vectors: np.ndarray, queries: np.ndarray) -> np.ndarray:
    """Brute-force top-10 positions (ground truth for recall)."""
    out = np.empty((len(queries), 10), np.int64)
    for i, q in enumerate(queries):
        scores = vectors @ q
        top = np.argpartition(-scores, 10)[:10]
        out[i] = top[np.argsort(-scores[top])]
    return out


def timed(fn: Any) -> tuple[Any, float]:
    start = time.perf_counter()
    result = fn()
    return result, (time.perf_counter() - start) * 1000.0


def bench_memory(
    n: int, data: Data, qvecs: np.ndarray, qtexts: list[str], truth: np.ndarray
) -> dict[str, Any]:
    q = len(qvecs)
    with tempfile.TemporaryDirectory(dir=os.environ.get("BENCH_TMP")) as tmp:
        mem = Memory.open(tmp, embeddings=None)
        uid_pos: dict[str, int] = {}
        start = time.perf_counter()
        for lo in range(0, n, BATCH):
            hi = min(n, lo + BATCH)
            uids = mem.archival.insert_many(
                data.texts(lo, hi), user_id=USER, vectors=data.vectors[lo:hi]
            )
            uid_pos.update(zip(uids, range(lo, hi), strict=True))
        mem.flush()
        insert_s = time.perf_counter() - start
        index = mem._backend.index(mem._db.namespace("default", USER, create=False) or 0)
        assert index is not None
        latency: dict[str, list[float]] = {"dense": [], "hybrid": [], "lexical": []}
        found = 0
        for i in range(q):
            hits, ms = timed(
                lambda i=i: mem.archival.search(
                    qtexts[i], user_id=USER, k=10, mode="dense", query_vector=qvecs[i]
                )
            )
            latency["dense"].append(ms)
            found += len({uid_pos[h.id] for h in hits} & set(truth[i].tolist()))
            _, ms = timed(
                lambda i=i: mem.archival.search(
                    qtexts[i], user_id=USER, k=10, mode="hybrid", query_vector=qvecs[i]
                )
            )
            latency["hybrid"].append(ms)
            _, ms = timed(
                lambda i=i: mem.archival.search(qtexts[i], user_id=USER, k=10, mode="lexical")
            )
            latency["lexical"].append(ms)
        # Reopen: how long until the first search is served (loads the FAISS file).
        mem.close()
        start = time.perf_counter()
        mem = Memory.open(tmp, embeddings=None)
        mem.archival.search("x", user_id=USER, k=10, mode="dense", query_vector=qvecs[0])
        reopen_s = time.perf_counter() - start
        mem.close()
        disk = sum(p.stat().st_size for p in Path(tmp).rglob("*") if p.is_file())
    return {
        "n": n,
        "insert_seconds": insert_s,
        "insert_per_second": n / insert_s,
        "index": "IVF" if index.is_ivf else "exact",
        "nlist": int(index.index.nlist) if index.is_ivf else None,
        "nprobe": index.nprobe,
        "recall_at_10": found / (10 * q),
        "reopen_first_search_seconds": reopen_s,
        "disk_bytes": disk,
        "latency_ms": latency["dense"],
        **{
            f"{mode}_ms": {"p50": statistics.median(v), "p95": percentile(v, 95)}
            for mode, v in latency.items()
        },
    }


def bench_inmemory_store(
    n: int, data: Data, qvecs: np.ndarray, qtexts: list[str], truth: np.ndarray
) -> dict[str, Any]:
    from langgraph.store.base import PutOp
    from langgraph.store.memory import InMemoryStore

    q = len(qvecs)
    lookup: dict[str, np.ndarray] = {}

    def embed(texts: Any) -> list[list[float]]:
        return [lookup[t].tolist() for t in texts]

    store = InMemoryStore(index={"dims": DIM, "embed": embed, "fields": ["text"]})
    start = time.perf_counter()
    for lo in range(0, n, BATCH):
        hi = min(n, lo + BATCH)
        texts = data.texts(lo, hi)
        lookup.update(zip(texts, data.vectors[lo:hi], strict=True))
        store.batch([PutOp(("bench",), str(lo + j), {"text": t}) for j, t in enumerate(texts)])
    insert_s = time.perf_counter() - start
    lookup.update(zip(qtexts, qvecs, strict=True))
    latency = []
    found = 0
    for i in range(q):
        items, ms = timed(lambda i=i: store.search(("bench",), query=qtexts[i], limit=10))
        latency.append(ms)
        found += len({int(it.key) for it in items} & set(truth[i].tolist()))
    return {
        "n": n,
        "index": "exact scan (Python)",
        "insert_seconds": insert_s,
        "insert_per_second": n / insert_s,
        "recall_at_10": found / (10 * q),
        "latency_ms": latency,
        "disk_bytes": None,
        "dense_ms": {"p50": statistics.median(latency), "p95": percentile(latency, 95)},
    }


ENGINES = ("chroma", "lancedb", "postgres_store", "inmemory_store")
ENGINE_LABELS = {
    "memory": "ours (SQLite + FAISS)",
    "chroma": "Chroma (embedded)",
    "lancedb": "LanceDB (embedded)",
    "postgres_store": "LangGraph PostgresStore (pgvector)",
    "inmemory_store": "LangGraph InMemoryStore",
}


def run_engine(
    engine: str,
    n: int,
    data: Data,
    qvecs: np.ndarray,
    qtexts: list[str],
    truth: np.ndarray,
    server: str | None,
) -> dict[str, Any]:
    """One engine at size ``n`` on the given queries; adds the dense p50/p95 summary."""
    vectors, texts = data.vectors, data.texts
    if engine == "chroma":
        row = bench_chroma(n, vectors, texts, qvecs, truth)
    elif engine == "lancedb":
        row = bench_lancedb(n, vectors, texts, qvecs, truth)
    elif engine == "postgres_store":
        assert server is not None
        row = bench_postgres_store(n, vectors, texts, qvecs, qtexts, truth, server)
    elif engine == "inmemory_store":
        return bench_inmemory_store(n, data, qvecs, qtexts, truth)
    else:
        raise ValueError(f"unknown engine {engine!r}")
    latency = row["latency_ms"]
    row["dense_ms"] = {"p50": statistics.median(latency), "p95": percentile(latency, 95)}
    return row


def ratio_to_ours(ours: dict[str, Any], theirs: dict[str, Any]) -> float:
    """Their dense p50 / ours, over the queries both answered (the same prefix of one sample)."""
    common = min(len(ours["latency_ms"]), len(theirs["latency_ms"]))
    mine = statistics.median(ours["latency_ms"][:common])
    return float(statistics.median(theirs["latency_ms"][:common]) / mine)


def engines_table(results: dict[str, Any]) -> str:
    """Every engine at every size it ran, beside ours, with the ratios theirs / ours."""
    header = [
        "records",
        "engine",
        "index",
        "insert rec/s",
        "dense p50 ms",
        "dense p95 ms",
        "recall@10 vs exact",
        "disk MB",
        "search p50: theirs / ours",
        "insert: ours / theirs",
    ]
    rows = []
    for ours in results["memory"]:
        n = ours["n"]
        rows.append(
            [
                f"{n:,}",
                ENGINE_LABELS["memory"],
                ours["index"],
                f"{ours['insert_per_second']:,.0f}",
                ours["dense_ms"]["p50"],
                ours["dense_ms"]["p95"],
                ours["recall_at_10"],
                f"{ours['disk_bytes'] / 1e6:,.1f}",
                "1",
                "1",
            ]
        )
        for engine in ENGINES:
            theirs = next((r for r in results["engines"].get(engine, []) if r["n"] == n), None)
            if theirs is None:
                continue
            disk = theirs.get("disk_bytes")
            queries = len(theirs["latency_ms"])
            rows.append(
                [
                    f"{n:,}",
                    ENGINE_LABELS[engine]
                    + (f" ({queries} queries)" if queries < len(ours["latency_ms"]) else ""),
                    theirs["index"],
                    f"{theirs['insert_per_second']:,.0f}",
                    theirs["dense_ms"]["p50"],
                    theirs["dense_ms"]["p95"],
                    theirs["recall_at_10"],
                    "in RAM" if disk is None else f"{disk / 1e6:,.1f}",
                    f"{ratio_to_ours(ours, theirs):,.1f}x",
                    f"{ours['insert_per_second'] / theirs['insert_per_second']:,.1f}x",
                ]
            )
    return markdown_table(header, rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--queries", type=int, default=200, help="one sample, every engine")
    parser.add_argument(
        "--engines",
        default=",".join(ENGINES),
        help=f"other engines to run beside ours (of {', '.join(ENGINES)})",
    )
    parser.add_argument(
        "--engine-max",
        type=int,
        default=100_000,
        help="largest size for Chroma and LanceDB",
    )
    parser.add_argument(
        "--postgres-max",
        type=int,
        default=100_000,
        help="largest size for PostgresStore (its insert is the slowest by far)",
    )
    parser.add_argument(
        "--baseline-max", type=int, default=100_000, help="largest size for InMemoryStore"
    )
    parser.add_argument(
        "--baseline-queries",
        type=int,
        default=50,
        help="InMemoryStore answers this many of the sample (the first ones)",
    )
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--name", default="archival_scale")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    unknown = set(engines) - set(ENGINES)
    if unknown:
        parser.error(f"unknown engines {sorted(unknown)}; choose from {', '.join(ENGINES)}")
    notes: list[str] = []
    server = None
    if "postgres_store" in engines:
        from langgraph_memgpt.memory.testing import find_postgres

        server, why = find_postgres()
        if server is None:
            engines.remove("postgres_store")
            notes.append(f"PostgresStore left out: {why}")
    data = Data(max(sizes))
    # One query sample for every engine and every size.
    qvecs, qtexts = data.queries(args.queries)
    results: dict[str, Any] = {
        "memory": [],
        "inmemory_store": [],
        "engines": {},
        "queries": args.queries,
        "machine": machine(),
        "notes": notes,
    }
    for n in sizes:
        truth = exact_top10(data.vectors[:n], qvecs)
        row = bench_memory(n, data, qvecs, qtexts, truth)
        results["memory"].append(row)
        print(
            f"Memory n={n}: {row['insert_per_second']:.0f} rec/s, dense p50 "
            f"{row['dense_ms']['p50']:.2f} ms, hybrid p50 {row['hybrid_ms']['p50']:.2f} ms, "
            f"{row['index']} nprobe={row['nprobe']} recall@10={row['recall_at_10']:.3f}",
            flush=True,
        )
        gc.collect()
        for engine in engines:
            limit = {"inmemory_store": args.baseline_max, "postgres_store": args.postgres_max}
            if n > limit.get(engine, args.engine_max):
                notes.append(f"{ENGINE_LABELS[engine]} not run at {n:,} records (size limit)")
                continue
            q = args.baseline_queries if engine == "inmemory_store" else args.queries
            theirs = run_engine(engine, n, data, qvecs[:q], qtexts[:q], truth[:q], server)
            results["engines"].setdefault(engine, []).append(theirs)
            if engine == "inmemory_store":
                results["inmemory_store"].append(theirs)
            print(
                f"{ENGINE_LABELS[engine]} n={n}: {theirs['insert_per_second']:.0f} rec/s, "
                f"dense p50 {theirs['dense_ms']['p50']:.2f} ms, "
                f"recall@10={theirs['recall_at_10']:.3f}, "
                f"p50 ratio {ratio_to_ours(row, theirs):.1f}x",
                flush=True,
            )
            gc.collect()

    base_by_n = {b["n"]: b for b in results["inmemory_store"]}
    mem_by_n = {r["n"]: r for r in results["memory"]}
    header = [
        "records",
        "index",
        "insert rec/s",
        "dense p50 ms",
        "dense p95 ms",
        "hybrid p50 ms",
        "hybrid p95 ms",
        "lexical p50 ms",
        "recall@10 vs exact",
        "InMemoryStore search p50 ms",
        "InMemoryStore insert rec/s",
        "speed-up (p50)",
    ]
    rows = []
    for row in results["memory"]:
        base = base_by_n.get(row["n"])
        index = row["index"] + (
            f" (nlist {row['nlist']}, nprobe {row['nprobe']})" if row["nlist"] else ""
        )
        rows.append(
            [
                f"{row['n']:,}",
                index,
                f"{row['insert_per_second']:,.0f}",
                row["dense_ms"]["p50"],
                row["dense_ms"]["p95"],
                row["hybrid_ms"]["p50"],
                row["hybrid_ms"]["p95"],
                row["lexical_ms"]["p50"],
                row["recall_at_10"],
                base["dense_ms"]["p50"] if base else "not run",
                f"{base['insert_per_second']:,.0f}" if base else "not run",
                f"{ratio_to_ours(mem_by_n[row['n']], base):.0f}x" if base else "-",
            ]
        )
    table = markdown_table(header, rows)
    others = engines_table(results)
    md = "\n".join(
        [
            "# Archival store at scale",
            "",
            f"{DIM}-d vectors from {CLUSTERS} Gaussian clusters (precomputed), synthetic "
            f"{WORDS}-word texts; one sample of {args.queries} queries for every engine and "
            f"size (InMemoryStore: its first {args.baseline_queries}, ratios over those); k=10; "
            "latency through `Memory.archival.search` including hit hydration. Generated by "
            "`python bench/archival_scale.py`.",
            "",
            table,
            "",
            "## Beside the stores users pick (same vectors, same k, same queries)",
            "",
            others,
            "",
            *[f"- {note}" for note in notes],
            f"Machine: {results['machine']['cpus']} CPUs, {results['machine']['platform']}.",
        ]
    )
    print("\n" + table + "\n\n" + others)
    for note in notes:
        print(f"note: {note}")
    write_results(args.name, results, md, args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
