"""LangGraph store search: ``MemGPTStore`` vs ``InMemoryStore`` vs ``PostgresStore``.

The workload LangGraph apps give a store: many namespaces (one per user), a hundred items each,
and a search inside one namespace. Every store gets the same items (``{"text": ...}``, indexed
on ``text``), the same precomputed vectors (an ``embed`` that looks each text up, so no model
runs and every engine ranks the same vector space) and the same queries, through the public
``BaseStore`` API (``put`` in batches, ``search(namespace, query=..., limit=10)``).

Data: 64-d vectors, one Gaussian cluster per namespace with items spread around it; item texts
are 8 words from a 5k-word vocabulary. A query picks a namespace and one of its items: its
vector is that item's plus noise, its text 3 of the item's words. Truth is the exact cosine
top 10 inside the namespace; recall@10 is the overlap of a store's 10 results with it. Ours
ranks by hybrid search (BM25 fused with dense), so its recall against a pure vector ranking
measures how far the fusion moves away from it (it also has the words); the others rank by
vector alone. Reported: search p50/p95 in ms, recall@10, put rate, and the ratios to ours.

    python bench/store_search.py                        # 100 namespaces x 100 items
    python bench/store_search.py --namespaces 1000      # the issue's 1,000 x 100 (slow)
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from langchain_core.embeddings import Embeddings

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _common_memory import machine, markdown_table, percentile, write_results  # noqa: E402

DIM = 64
VOCAB = 5000
WORDS = 8
K = 10


class Lookup(Embeddings):
    """Embeddings that return the precomputed vector of each known text."""

    def __init__(self) -> None:
        self.vectors: dict[str, list[float]] = {}

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return [self.vectors[t] for t in texts]

    def embed_query(self, text: str) -> list[float]:
        return self.vectors[text]


class Data:
    """Deterministic items and queries: ``namespaces`` x ``items``."""

    def __init__(self, namespaces: int, items: int, queries: int, seed: int = 0) -> None:
        rng = np.random.default_rng(seed)
        words = [f"w{i}" for i in range(VOCAB)]
        centres = rng.standard_normal((namespaces, DIM)).astype(np.float32)
        self.items: list[tuple[tuple[str, ...], str, str, np.ndarray]] = []
        for n in range(namespaces):
            spread = rng.standard_normal((items, DIM)).astype(np.float32)
            for i in range(items):
                text = " ".join(rng.choice(words, WORDS).tolist()) + f" n{n}i{i}"
                self.items.append((("users", f"u{n}"), str(i), text, centres[n] + spread[i]))
        self.queries: list[tuple[tuple[str, ...], str, np.ndarray, set[str]]] = []
        for q in range(queries):
            n = int(rng.integers(namespaces))
            members = self.items[n * items : (n + 1) * items]
            _, _, text, vector = members[int(rng.integers(items))]
            qvec = vector + 0.5 * rng.standard_normal(DIM).astype(np.float32)
            qtext = " ".join(rng.choice(text.split()[:WORDS], 3, replace=False)) + f" q{q}"
            matrix = np.stack([m[3] for m in members])
            sims = matrix @ qvec / (np.linalg.norm(matrix, axis=1) * np.linalg.norm(qvec))
            truth = {members[j][1] for j in np.argsort(-sims)[:K]}
            self.queries.append((("users", f"u{n}"), qtext, qvec, truth))

    def lookup(self) -> Lookup:
        embed = Lookup()
        for _, _, text, vector in self.items:
            embed.vectors[text] = vector.tolist()
        for _, text, vector, _ in self.queries:
            embed.vectors[text] = vector.tolist()
        return embed


def run(store: Any, data: Data, batch: int = 500) -> dict[str, Any]:
    from langgraph.store.base import PutOp

    start = time.perf_counter()
    ops = [PutOp(ns, key, {"text": text}) for ns, key, text, _ in data.items]
    for lo in range(0, len(ops), batch):
        store.batch(ops[lo : lo + batch])
    put_s = time.perf_counter() - start
    latency, found = [], 0
    for namespace, text, _, truth in data.queries:
        t0 = time.perf_counter()
        results = store.search(namespace, query=text, limit=K)
        latency.append((time.perf_counter() - t0) * 1000.0)
        found += len({item.key for item in results} & truth)
    return {
        "put_per_s": round(len(ops) / put_s, 1),
        "p50_ms": round(percentile(latency, 50), 3),
        "p95_ms": round(percentile(latency, 95), 3),
        "recall_at_10": round(found / (K * len(data.queries)), 4),
    }


def bench_ours(data: Data, location: str) -> dict[str, Any]:
    from langgraph_memgpt import MemGPTStore, Memory

    with Memory.open(location, embeddings=data.lookup()) as memory:
        return run(MemGPTStore(memory, index={"fields": ["text"]}), data)


def bench_in_memory(data: Data) -> dict[str, Any]:
    from langgraph.store.memory import InMemoryStore

    index = {"dims": DIM, "embed": data.lookup(), "fields": ["text"]}
    return run(InMemoryStore(index=index), data)  # type: ignore[arg-type]


def bench_postgres_store(data: Data, server: str) -> dict[str, Any]:
    from langgraph.store.postgres import PostgresStore
    from psycopg import Connection
    from psycopg.rows import dict_row

    from langgraph_memgpt.memory.testing import Schemas

    embed = data.lookup()
    schemas = Schemas(server, prefix="bench")
    try:
        url = schemas.new("store")
        with Connection.connect(
            url, autocommit=True, prepare_threshold=0, row_factory=dict_row
        ) as conn:
            store = PostgresStore(
                conn,  # type: ignore[arg-type]
                index={
                    "dims": DIM,
                    "embed": embed,
                    "fields": ["text"],
                    "ann_index_config": {"kind": "hnsw"},
                    "distance_type": "cosine",
                },
            )
            store.setup()
            return run(store, data)
    finally:
        schemas.drop_all()


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--namespaces", type=int, default=100)
    parser.add_argument("--items", type=int, default=100)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--out", default=None, help="results directory (default bench/results)")
    args = parser.parse_args(argv)
    from langgraph_memgpt.memory.testing import Schemas, find_postgres

    data = Data(args.namespaces, args.items, args.queries)
    server, why = find_postgres()
    engines: dict[str, Callable[[], dict[str, Any]]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        engines["MemGPTStore (SQLite + FAISS)"] = lambda: bench_ours(data, str(Path(tmp) / "m"))
        if server is not None:
            schemas = Schemas(server, prefix="bench")
            engines["MemGPTStore (Postgres + pgvector)"] = lambda: bench_ours(
                data, schemas.new("ours")
            )
            engines["PostgresStore (pgvector HNSW)"] = lambda: bench_postgres_store(data, server)
        else:
            print(f"no Postgres ({why}): PostgresStore and our Postgres backend are skipped")
        engines["InMemoryStore"] = lambda: bench_in_memory(data)
        results: dict[str, dict[str, Any]] = {}
        try:
            for name, fn in engines.items():
                print(f"{name} ...", flush=True)
                results[name] = fn()
                print(f"  {results[name]}", flush=True)
        finally:
            if server is not None:
                schemas.drop_all()
    ours = results["MemGPTStore (SQLite + FAISS)"]
    rows = []
    for name, r in results.items():
        ratio = r["p50_ms"] / ours["p50_ms"] if ours["p50_ms"] else float("nan")
        rows.append(
            [name, r["p50_ms"], r["p95_ms"], r["recall_at_10"], r["put_per_s"], f"{ratio:.2f}x"]
        )
    header = ["store", "search p50 ms", "p95 ms", "recall@10", "puts/s", "p50 vs ours"]
    size = f"{args.namespaces} namespaces x {args.items} items, {args.queries} queries"
    markdown = (
        f"# Store search ({size})\n\n"
        "Same items, vectors and queries for every store; recall@10 against the exact cosine "
        "top 10 of the query's namespace (ours ranks by hybrid BM25 + dense search).\n\n"
        + markdown_table(header, rows)
    )
    payload = {"config": vars(args) | {"dim": DIM}, "machine": machine(), "results": results}
    out = Path(args.out) if args.out else None
    if out is None:
        write_results("store_search", payload, markdown)
    else:
        write_results("store_search", payload, markdown, out)
    print(markdown)


if __name__ == "__main__":
    main()
