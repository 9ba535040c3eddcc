"""The Postgres backend beside the embedded one: the same workloads, side by side, in one run.

Both stores get identical data through the public API (``Memory.open(dir)`` = SQLite + FAISS,
``Memory.open("postgresql://...")`` = Postgres + pgvector), with precomputed 384-d clustered
vectors so no embedding model runs (as ``search_scaling.py`` and ``archival_scale.py``):

* **tenants**: U users x 100 archival records and 100 recall messages each in one store; a
  sample of users searched (archival hybrid, lexical, dense; recall), p50 beside the same
  users alone in a fresh store;
* **one user, N records** (10k, 100k by default): bulk insert rate, search p50 per mode, and
  the store's size (files on disk; ``pg_total_relation_size`` of every table on Postgres). On
  Postgres a tenant past ``pgvector_store.HNSW_MIN_ROWS`` (5,000) is searched through its own
  HNSW index, built after the import (``flush``; timed apart), never by a search.

The Postgres server is ``--url`` / ``MEMGPT_TEST_DATABASE_URL`` or the local throwaway one
(``bash scripts/postgres.sh start``); each store is a fresh schema, dropped afterwards.

    python bench/postgres_backend.py                          # tenants 1000, single 10k,100k
    python bench/postgres_backend.py --tenants 200 --single 10000   # ~1 min
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _common_memory import RESULTS, machine, markdown_table, write_results  # noqa: E402
from search_scaling import (  # noqa: E402
    CLUSTERS,
    DIM,
    PER_USER,
    _fill_user,
    _measure_user,
    clustered,
    p50,
    rare_query,
    record_text,
)

from langgraph_memgpt.memory import Memory  # noqa: E402
from langgraph_memgpt.memory.testing import Schemas, find_postgres  # noqa: E402

BACKENDS = ("sqlite", "postgres")
MODES = ("hybrid", "lexical", "dense", "recall")


def server_url(given: str | None) -> str:
    if given:
        return given
    url, why = find_postgres(start=True)
    if url is None:
        raise SystemExit(why)
    return url


@contextmanager
def store(backend: str, server: str, tmp: Path, name: str) -> Iterator[Any]:
    """A fresh store location: a directory, or a URL on a new schema (dropped afterwards)."""
    if backend == "sqlite":
        yield tmp / name
        return
    schemas = Schemas(server, prefix="bench")
    try:
        yield schemas.new(name)
    finally:
        schemas.drop_all()


def size_bytes(mem: Memory) -> int:
    """What the store occupies: its files, or every relation of its Postgres schema."""
    if mem.path is not None:
        return sum(f.stat().st_size for f in mem.path.rglob("*") if f.is_file())
    with mem._db.read() as conn:
        (total,) = conn.execute(
            "SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0) FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'm')"
        ).fetchone()
    return int(total)


def bench_tenants(
    backend: str, server: str, tmp: Path, users: int, sample: int, seed: int = 0
) -> dict[str, Any]:
    rng = random.Random(seed)
    nrng = np.random.default_rng(seed)
    centres = nrng.standard_normal((CLUSTERS, DIM)).astype(np.float32)
    vectors = clustered(nrng, centres, PER_USER)
    probe = sorted(random.Random(seed + 1).sample(range(users), min(sample, users)))
    queries = {u: [rare_query(rng) for _ in range(4)] for u in probe}
    qvecs = clustered(nrng, centres, 4)
    crowded: dict[str, list[float]] = {}
    alone: dict[str, list[float]] = {}
    with store(backend, server, tmp, f"crowded{users}") as where:
        mem = Memory.open(where, embeddings=None)
        start = time.perf_counter()
        for u in range(users):
            _fill_user(mem, f"user-{u}", random.Random(seed * 7919 + u), vectors)
        load_s = time.perf_counter() - start
        for u in probe:
            mem.archival.search("warm", user_id=f"user-{u}", mode="dense", query_vector=qvecs[0])
            for mode, values in _measure_user(mem, f"user-{u}", queries[u], qvecs).items():
                crowded.setdefault(mode, []).extend(values)
        size = size_bytes(mem)
        mem.close()
    for u in probe[: max(1, len(probe) // 5)]:
        with (
            store(backend, server, tmp, f"alone{u}") as where,
            Memory.open(where, embeddings=None) as solo,
        ):
            _fill_user(solo, "solo", random.Random(seed * 7919 + u), vectors)
            solo.archival.search("warm", user_id="solo", mode="dense", query_vector=qvecs[0])
            for mode, values in _measure_user(solo, "solo", queries[u], qvecs).items():
                alone.setdefault(mode, []).extend(values)
    return {
        "backend": backend,
        "users": users,
        "load_seconds": load_s,
        "size_bytes": size,
        "crowded_p50_ms": {m: p50(v) for m, v in crowded.items()},
        "alone_p50_ms": {m: p50(v) for m, v in alone.items()},
        "searches_per_mode": len(crowded["hybrid"]),
    }


def bench_single(
    backend: str, server: str, tmp: Path, n: int, queries: int, seed: int = 0
) -> dict[str, Any]:
    rng = random.Random(seed)
    nrng = np.random.default_rng(seed)
    centres = nrng.standard_normal((CLUSTERS, DIM)).astype(np.float32)
    texts = [record_text(rng, i) for i in range(n)]
    vectors = clustered(nrng, centres, n)
    qtexts = [rare_query(rng) for _ in range(queries)]
    qvecs = clustered(nrng, centres, queries)
    with (
        store(backend, server, tmp, f"single{n}") as where,
        Memory.open(where, embeddings=None) as mem,
    ):
        start = time.perf_counter()
        for lo in range(0, n, 1000):
            mem.archival.insert_many(
                texts[lo : lo + 1000], user_id="u", vectors=vectors[lo : lo + 1000]
            )
        insert_s = time.perf_counter() - start
        # The import done, flush saves the FAISS file (SQLite) or, past HNSW_MIN_ROWS, builds
        # the tenant's HNSW index (Postgres; never started by a search); with the first
        # search (it loads the FAISS file), timed apart as a one-off.
        start = time.perf_counter()
        mem.flush()
        mem.archival.search("warm", user_id="u", mode="dense", query_vector=qvecs[0])
        first_s = time.perf_counter() - start
        times: dict[str, list[float]] = {m: [] for m in ("hybrid", "lexical", "dense")}
        for text, vector in zip(qtexts, qvecs, strict=True):
            for mode in times:
                t0 = time.perf_counter()
                hits = mem.archival.search(text, user_id="u", k=10, mode=mode, query_vector=vector)  # type: ignore[arg-type]
                times[mode].append((time.perf_counter() - t0) * 1000)
                assert len(hits) == 10, (backend, mode, len(hits))
        size = size_bytes(mem)
    return {
        "backend": backend,
        "n": n,
        "insert_per_second": n / insert_s,
        "first_search_seconds": first_s,
        "p50_ms": {m: p50(v) for m, v in times.items()},
        "size_bytes": size,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--url", default=None, help="a Postgres server (default: the local one)")
    parser.add_argument("--tenants", type=int, default=1000)
    parser.add_argument("--sample", type=int, default=30)
    parser.add_argument("--single", default="10000,100000")
    parser.add_argument("--queries", type=int, default=40)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    server = server_url(args.url)
    results: dict[str, Any] = {"tenants": [], "single": [], "machine": machine()}
    with tempfile.TemporaryDirectory(dir=os.environ.get("BENCH_TMP")) as tmp_name:
        tmp = Path(tmp_name)
        if args.tenants:
            for backend in BACKENDS:
                row = bench_tenants(backend, server, tmp, args.tenants, args.sample)
                results["tenants"].append(row)
                print(f"tenants {backend}: {row}", flush=True)
        for n in [int(s) for s in args.single.split(",") if s.strip()]:
            for backend in BACKENDS:
                row = bench_single(backend, server, tmp, n, args.queries)
                results["single"].append(row)
                print(f"single {backend} {n}: {row}", flush=True)

    def pair(rows: list[dict[str, Any]], key: str, value: Any) -> dict[str, dict[str, Any]]:
        return {r["backend"]: r for r in rows if r[key] == value}

    tenant_rows = []
    if results["tenants"]:
        by = pair(results["tenants"], "users", args.tenants)
        for mode in MODES:
            lite, pg = by["sqlite"], by["postgres"]
            tenant_rows.append(
                [
                    mode if mode != "recall" else "recall (conversation_search)",
                    lite["alone_p50_ms"][mode],
                    lite["crowded_p50_ms"][mode],
                    pg["alone_p50_ms"][mode],
                    pg["crowded_p50_ms"][mode],
                    f"{pg['crowded_p50_ms'][mode] / pg['alone_p50_ms'][mode]:.2f}x",
                    f"{pg['crowded_p50_ms'][mode] / lite['crowded_p50_ms'][mode]:.2f}x",
                ]
            )
        tenant_rows.append(
            [
                "load (s) / size (MB)",
                "",
                f"{by['sqlite']['load_seconds']:.0f} s / {by['sqlite']['size_bytes'] / 1e6:.0f} MB",
                "",
                f"{by['postgres']['load_seconds']:.0f} s / "
                f"{by['postgres']['size_bytes'] / 1e6:.0f} MB",
                "",
                "",
            ]
        )
    single_rows = []
    for n in sorted({r["n"] for r in results["single"]}):
        by = pair(results["single"], "n", n)
        lite, pg = by["sqlite"], by["postgres"]
        for mode in ("hybrid", "lexical", "dense"):
            single_rows.append(
                [
                    f"{n:,}",
                    mode,
                    lite["p50_ms"][mode],
                    pg["p50_ms"][mode],
                    f"{pg['p50_ms'][mode] / lite['p50_ms'][mode]:.2f}x",
                ]
            )
        single_rows.append(
            [
                f"{n:,}",
                "bulk insert (records/s)",
                f"{lite['insert_per_second']:,.0f}",
                f"{pg['insert_per_second']:,.0f}",
                f"{pg['insert_per_second'] / lite['insert_per_second']:.2f}x",
            ]
        )
        single_rows.append(
            [
                f"{n:,}",
                "first search (s): FAISS load / HNSW build",
                f"{lite['first_search_seconds']:.2f}",
                f"{pg['first_search_seconds']:.2f}",
                "",
            ]
        )
        single_rows.append(
            [
                f"{n:,}",
                "size (MB)",
                f"{lite['size_bytes'] / 1e6:.1f}",
                f"{pg['size_bytes'] / 1e6:.1f}",
                f"{pg['size_bytes'] / lite['size_bytes']:.2f}x",
            ]
        )
    md = "\n".join(
        [
            "# Postgres + pgvector beside SQLite + FAISS",
            "",
            "Generated by `python bench/postgres_backend.py`. p50 in ms through the public API "
            "(hits hydrated); the Postgres server is local (Unix socket, fsync off, as the "
            "throwaway test server).",
            "",
            f"## {args.tenants:,} users x {PER_USER} records in one store",
            "",
            markdown_table(
                [
                    "search",
                    "SQLite alone",
                    "SQLite crowded",
                    "Postgres alone",
                    "Postgres crowded",
                    "Postgres crowded / alone",
                    "Postgres / SQLite",
                ],
                tenant_rows,
            ),
            "",
            "## One user, N records",
            "",
            markdown_table(
                ["records", "measure", "SQLite", "Postgres", "Postgres / SQLite"], single_rows
            ),
            "",
            f"Machine: {results['machine']['cpus']} CPUs, {results['machine']['platform']}.",
        ]
    )
    print(md)
    write_results("postgres_backend", results, md, args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
