"""The stores a user would pick instead of ours, fed the same vectors and the same queries.

Each function loads ``n`` records (the precomputed vectors of ``archival_scale.Data`` and their
texts) into one engine the way its documentation shows, then answers the *same* query sample
(same vectors, same k) and returns insert rate, per-query latencies (in query order, so ratios
can be taken over a common prefix), recall@k against exhaustive search and the bytes on disk:

* ``chroma``: ``chromadb.PersistentClient`` (embedded, a directory), cosine space, its default
  HNSW index; documents returned with the ids (hydrated, as ours are);
* ``lancedb``: ``lancedb.connect(directory)`` (embedded), cosine distance; no index, which is
  LanceDB's default until ``create_index`` is called: an exact scan of the Lance files;
* ``postgres_store``: LangGraph's ``PostgresStore`` (langgraph-checkpoint-postgres) with its
  pgvector index config (HNSW, cosine), on a fresh schema of the test server, its ``embed``
  returning the precomputed vectors (as for ``InMemoryStore``).

Nothing here embeds text: every engine gets exactly the vectors ours gets.
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

BATCH = 10_000


def _timed(fn: Callable[[], Any]) -> tuple[Any, float]:
    start = time.perf_counter()
    result = fn()
    return result, (time.perf_counter() - start) * 1000.0


def _disk(directory: str) -> int:
    return sum(p.stat().st_size for p in Path(directory).rglob("*") if p.is_file())


def _found(positions: Sequence[int], truth: np.ndarray) -> int:
    return len(set(positions) & set(truth.tolist()))


def _result(
    n: int,
    insert_s: float,
    latency: list[float],
    found: int,
    k: int,
    index: str,
    disk: int | None,
) -> dict[str, Any]:
    return {
        "n": n,
        "index": index,
        "insert_seconds": insert_s,
        "insert_per_second": n / insert_s,
        "latency_ms": latency,
        "recall_at_10": found / (k * len(latency)),
        "disk_bytes": disk,
    }


def bench_chroma(
    n: int,
    vectors: np.ndarray,
    texts: Callable[[int, int], list[str]],
    queries: np.ndarray,
    truth: np.ndarray,
    k: int = 10,
) -> dict[str, Any]:
    """Chroma embedded: ``PersistentClient`` on a directory, its default HNSW, cosine."""
    import chromadb

    with tempfile.TemporaryDirectory(dir=os.environ.get("BENCH_TMP")) as tmp:
        client = chromadb.PersistentClient(
            path=tmp, settings=chromadb.Settings(anonymized_telemetry=False)
        )
        collection = client.create_collection(
            "bench", metadata={"hnsw:space": "cosine"}, embedding_function=None
        )
        batch = min(BATCH, client.get_max_batch_size())
        start = time.perf_counter()
        for lo in range(0, n, batch):
            hi = min(n, lo + batch)
            collection.add(
                ids=[str(i) for i in range(lo, hi)],
                embeddings=vectors[lo:hi],
                documents=texts(lo, hi),
            )
        insert_s = time.perf_counter() - start
        latency: list[float] = []
        found = 0
        for i, query in enumerate(queries):
            result, ms = _timed(
                lambda query=query: collection.query(
                    query_embeddings=[query], n_results=k, include=["documents", "distances"]
                )
            )
            latency.append(ms)
            found += _found([int(x) for x in result["ids"][0]], truth[i])
        disk = _disk(tmp)
        client.clear_system_cache()  # closes its SQLite and index files before the rmtree
    return _result(n, insert_s, latency, found, k, "HNSW (Chroma's default)", disk)


def bench_lancedb(
    n: int,
    vectors: np.ndarray,
    texts: Callable[[int, int], list[str]],
    queries: np.ndarray,
    truth: np.ndarray,
    k: int = 10,
) -> dict[str, Any]:
    """LanceDB embedded: a table of (id, text, vector), searched by cosine with no index."""
    import lancedb
    import pyarrow as pa

    dim = vectors.shape[1]
    schema = pa.schema(
        [
            pa.field("id", pa.int64()),
            pa.field("text", pa.string()),
            pa.field("vector", pa.list_(pa.float32(), dim)),
        ]
    )
    with tempfile.TemporaryDirectory(dir=os.environ.get("BENCH_TMP")) as tmp:
        db = lancedb.connect(tmp)
        table = db.create_table("bench", schema=schema)
        start = time.perf_counter()
        for lo in range(0, n, BATCH):
            hi = min(n, lo + BATCH)
            flat = pa.array(np.ascontiguousarray(vectors[lo:hi]).reshape(-1), pa.float32())
            table.add(
                pa.table(
                    {
                        "id": pa.array(np.arange(lo, hi), pa.int64()),
                        "text": pa.array(texts(lo, hi), pa.string()),
                        "vector": pa.FixedSizeListArray.from_arrays(flat, dim),
                    },
                    schema=schema,
                )
            )
        insert_s = time.perf_counter() - start
        latency: list[float] = []
        found = 0
        for i, query in enumerate(queries):
            rows, ms = _timed(
                lambda query=query: (
                    table.search(query)
                    .distance_type("cosine")
                    .select(["id", "text", "_distance"])
                    .limit(k)
                    .to_list()
                )
            )
            latency.append(ms)
            found += _found([int(r["id"]) for r in rows], truth[i])
        disk = _disk(tmp)
    return _result(n, insert_s, latency, found, k, "exact scan (no index: LanceDB's default)", disk)


def bench_postgres_store(
    n: int,
    vectors: np.ndarray,
    texts: Callable[[int, int], list[str]],
    queries: np.ndarray,
    query_texts: list[str],
    truth: np.ndarray,
    server: str,
    k: int = 10,
) -> dict[str, Any]:
    """LangGraph's ``PostgresStore`` with pgvector (HNSW, cosine) on a throwaway schema."""
    from langgraph.store.base import PutOp
    from langgraph.store.postgres import PostgresStore
    from psycopg import Connection
    from psycopg.rows import dict_row

    from langgraph_memgpt.memory.testing import Schemas

    lookup: dict[str, np.ndarray] = {}

    def embed(batch: Sequence[str]) -> list[list[float]]:
        return [lookup[t].tolist() for t in batch]

    schemas = Schemas(server, prefix="bench")
    url = schemas.new("store")
    schema = schemas.names[-1]
    try:
        with Connection.connect(
            url, autocommit=True, prepare_threshold=0, row_factory=dict_row
        ) as conn:
            store = PostgresStore(
                conn,
                index={
                    "dims": vectors.shape[1],
                    "embed": embed,
                    "fields": ["text"],
                    "ann_index_config": {"kind": "hnsw"},
                    "distance_type": "cosine",
                },
            )
            store.setup()
            start = time.perf_counter()
            for lo in range(0, n, BATCH):
                hi = min(n, lo + BATCH)
                batch_texts = texts(lo, hi)
                lookup.update(zip(batch_texts, vectors[lo:hi], strict=True))
                store.batch(
                    [PutOp(("bench",), str(lo + j), {"text": t}) for j, t in enumerate(batch_texts)]
                )
            insert_s = time.perf_counter() - start
            lookup.update(zip(query_texts, queries, strict=True))
            latency: list[float] = []
            found = 0
            for i, text in enumerate(query_texts):
                items, ms = _timed(lambda text=text: store.search(("bench",), query=text, limit=k))
                latency.append(ms)
                found += _found([int(item.key) for item in items], truth[i])
            disk = int(
                conn.execute(
                    "SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0) AS bytes "
                    "FROM pg_class c JOIN pg_namespace s ON s.oid = c.relnamespace "
                    "WHERE s.nspname = %s AND c.relkind IN ('r', 'm')",
                    (schema,),
                ).fetchone()["bytes"]
            )
    finally:
        schemas.drop_all()
    return _result(n, insert_s, latency, found, k, "HNSW (pgvector, m=16, ef_search 40)", disk)
