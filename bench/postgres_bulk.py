"""Bulk archival inserts on Postgres by COPY, beside the row-at-a-time path and SQLite, in one run.

One user gets N archival records through the public API (``archival.insert_many``, batches of
1,000, precomputed 384-d clustered vectors so no model runs), on three stores in turn:

* **SQLite** (+ FAISS): the local baseline;
* **Postgres, a statement per row**: the path before ``COPY`` (``pg_copy`` switched off for
  this store: an ``INSERT ... RETURNING`` per record, ``executemany`` for the rest);
* **Postgres, COPY**: ids from the sequence in one statement, then one binary ``COPY`` per
  table (records, tags, validity, lexical documents, postings).

The records are operator text (``trust="operator"``), so what is timed is storage: every other
text is first scanned by the memory poisoning guard, whose cost per record is the same on both
engines and is reported apart (``--guarded`` records as external text). After the COPY import,
one dense search runs before ``flush``: it must not start the tenant's HNSW build (it scans
exactly); ``flush`` then builds the index, timed apart.

    python bench/postgres_bulk.py --records 20000
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _common_memory import RESULTS, machine, markdown_table, write_results  # noqa: E402
from search_scaling import CLUSTERS, DIM, clustered, record_text  # noqa: E402

from langgraph_memgpt.memory import Memory  # noqa: E402
from langgraph_memgpt.memory.backends.pgvector_store import HNSW_MIN_ROWS, PgVectors  # noqa: E402
from langgraph_memgpt.memory.backends.postgres_db import PgConnection  # noqa: E402
from langgraph_memgpt.memory.testing import Schemas, find_postgres  # noqa: E402

BATCH = 1_000


@contextmanager
def row_at_a_time() -> Iterator[None]:
    """The path before COPY: without ``copy_rows``/``new_ids`` the writes fall back to an
    ``INSERT`` per record and ``executemany`` (``database.insert_rows``/``new_ids``)."""
    saved = PgConnection.copy_rows, PgConnection.new_ids
    PgConnection.copy_rows = None  # type: ignore[assignment,method-assign]
    PgConnection.new_ids = None  # type: ignore[assignment,method-assign]
    try:
        yield
    finally:
        PgConnection.copy_rows, PgConnection.new_ids = saved  # type: ignore[method-assign]


class SearchBuilds:
    """Counts HNSW builds started while a search runs (there must be none)."""

    def __init__(self) -> None:
        self.started_by_search = 0
        self.started = 0
        self._in_search = threading.local()

    @contextmanager
    def watching(self) -> Iterator[None]:
        search, start = PgVectors.search, PgVectors._start_build
        watcher = self

        def watched_search(self: Any, *args: Any, **kwargs: Any) -> Any:
            watcher._in_search.on = True
            try:
                return search(self, *args, **kwargs)
            finally:
                watcher._in_search.on = False

        def watched_start(self: Any, ns: int) -> None:
            watcher.started += 1
            watcher.started_by_search += bool(getattr(watcher._in_search, "on", False))
            start(self, ns)

        PgVectors.search = watched_search  # type: ignore[method-assign]
        PgVectors._start_build = watched_start  # type: ignore[method-assign]
        try:
            yield
        finally:
            PgVectors.search, PgVectors._start_build = search, start  # type: ignore[method-assign]


#: Client CPU seconds of the last :func:`load` (this process: the Python work per record, which
#: a loaded machine's wall clock hides among the server's and the neighbours' time).
LAST_CPU: list[float] = [0.0]


def load(where: Any, texts: list[str], vectors: np.ndarray, trust: str) -> tuple[Memory, float]:
    mem = Memory.open(where, embeddings=None)
    cpu = time.process_time()
    start = time.perf_counter()
    for lo in range(0, len(texts), BATCH):
        mem.archival.insert_many(
            texts[lo : lo + BATCH],
            user_id="u",
            vectors=vectors[lo : lo + BATCH],
            dedupe=False,
            trust=trust,
        )
    elapsed = time.perf_counter() - start
    LAST_CPU[0] = time.process_time() - cpu
    return mem, elapsed


def run(n: int, guarded: int, schemas: Schemas, tmp: Path) -> dict[str, Any]:
    rng, nrng = random.Random(0), np.random.default_rng(0)
    centres = nrng.standard_normal((CLUSTERS, DIM)).astype(np.float32)
    texts = [record_text(rng, i) for i in range(n)]
    vectors = clustered(nrng, centres, n)
    out: dict[str, Any] = {"records": n}
    mem, seconds = load(tmp / "lite", texts, vectors, "operator")
    mem.close()
    out["sqlite"] = n / seconds
    out["sqlite_cpu_ms_per_1k"] = 1000 * LAST_CPU[0] / n * 1000
    with row_at_a_time():
        mem, seconds = load(schemas.new("rows"), texts, vectors, "operator")
    mem.close()
    out["postgres_rows"] = n / seconds
    builds = SearchBuilds()
    with builds.watching():
        mem, seconds = load(schemas.new("copy"), texts, vectors, "operator")
        out["postgres_copy"] = n / seconds
        out["postgres_copy_cpu_ms_per_1k"] = 1000 * LAST_CPU[0] / n * 1000
        out["load_average"] = os.getloadavg()[0]
        hits = mem.archival.search("x", user_id="u", k=10, mode="dense", query_vector=vectors[7])
        assert hits and hits[0].text == texts[7]
        out["builds_started_by_search"] = builds.started_by_search
        start = time.perf_counter()
        mem.flush()  # starts the build a big tenant waits for, and waits for it
        out["hnsw_build_seconds"] = time.perf_counter() - start if n > HNSW_MIN_ROWS else None
        out["builds_started"] = builds.started
        mem.close()
    if guarded:
        mem, seconds = load(tmp / "lite_guarded", texts[:guarded], vectors[:guarded], "external")
        mem.close()
        out["sqlite_guarded"] = guarded / seconds
        mem, seconds = load(schemas.new("guarded"), texts[:guarded], vectors[:guarded], "external")
        mem.close()
        out["postgres_copy_guarded"] = guarded / seconds
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--records", type=int, default=20_000)
    parser.add_argument("--guarded", type=int, default=2_000, help="records as external text")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    server, why = find_postgres(start=True)
    if server is None:
        raise SystemExit(why)
    schemas = Schemas(server, prefix="bulk")
    try:
        with tempfile.TemporaryDirectory(dir=os.environ.get("BENCH_TMP")) as tmp:
            r = run(args.records, args.guarded, schemas, Path(tmp))
    finally:
        schemas.drop_all()
    print(r, flush=True)
    rows = [
        ["SQLite", f"{r['sqlite']:,.0f}", "1.00x"],
        [
            "Postgres, a statement per row (before)",
            f"{r['postgres_rows']:,.0f}",
            f"{r['postgres_rows'] / r['sqlite']:.2f}x",
        ],
        [
            "Postgres, COPY",
            f"{r['postgres_copy']:,.0f}",
            f"{r['postgres_copy'] / r['sqlite']:.2f}x",
        ],
    ]
    if args.guarded:
        rows += [
            [
                f"SQLite, external text ({args.guarded:,}, guard scan)",
                f"{r['sqlite_guarded']:,.0f}",
                "-",
            ],
            [
                f"Postgres COPY, external text ({args.guarded:,}, guard scan)",
                f"{r['postgres_copy_guarded']:,.0f}",
                f"{r['postgres_copy_guarded'] / r['sqlite_guarded']:.2f}x",
            ],
        ]
    table = markdown_table(["store", "records/s", "/ SQLite"], rows)
    cpu = (
        f"Client CPU (this process) per 1,000 records: SQLite {r['sqlite_cpu_ms_per_1k']:,.0f} ms "
        f"(the engine runs in process), Postgres by COPY {r['postgres_copy_cpu_ms_per_1k']:,.0f} "
        "ms (the server's work is not in it).\n\n"
    )
    build = r["hnsw_build_seconds"]
    command = "python bench/postgres_bulk.py " + " ".join(argv or sys.argv[1:])
    markdown = (
        f"# Bulk archival insert on Postgres\n\n`{command}`, {args.records:,} records of one "
        f"user, batches of {BATCH:,}, operator text (no guard scan) unless said; load average "
        f"{r['load_average']:.1f} after the COPY import.\n\n{table}\n\n{cpu}"
        f"COPY / a statement per row: {r['postgres_copy'] / r['postgres_rows']:.1f}x. "
        f"HNSW builds started by a search: {r['builds_started_by_search']} "
        f"(of {r['builds_started']}); "
        + (
            f"the build after the import (`flush`): {build:.1f} s."
            if build is not None
            else f"no HNSW index below {HNSW_MIN_ROWS:,} records."
        )
        + "\n"
    )
    write_results(
        "postgres_bulk",
        {"results": r, "command": command, "machine": machine()},
        markdown,
        args.out,
    )
    print(markdown)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
