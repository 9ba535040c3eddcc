"""Postgres writes in few statements: an archival batch goes in by ``COPY`` (a statement per
table, not per record) and reads back as SQLite's does; the checkpoint saver reuses the space
of the checkpoints it trims instead of growing with every put."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
from langgraph.checkpoint.base import empty_checkpoint

from langgraph_memgpt import Memory
from langgraph_memgpt.memory.backends.lexical import TAIL_LIMIT


@contextmanager
def counted_statements() -> Iterator[list[str]]:
    """Every statement psycopg sends (an ``executemany`` row, a ``COPY``, each one)."""
    import psycopg

    seen: list[str] = []
    real = {n: getattr(psycopg.Cursor, n) for n in ("execute", "executemany", "copy")}

    def execute(self: Any, query: Any, params: Any = None, *a: Any, **k: Any) -> Any:
        seen.append(str(query))
        return real["execute"](self, query, params, *a, **k)

    def executemany(self: Any, query: Any, params: Any, *a: Any, **k: Any) -> Any:
        params = list(params)
        seen.extend([str(query)] * len(params))
        return real["executemany"](self, query, params, *a, **k)

    def copy(self: Any, statement: Any, *a: Any, **k: Any) -> Any:
        seen.append(str(statement))
        return real["copy"](self, statement, *a, **k)

    psycopg.Cursor.execute = execute  # type: ignore[method-assign]
    psycopg.Cursor.executemany = executemany  # type: ignore[method-assign]
    psycopg.Cursor.copy = copy  # type: ignore[method-assign]
    try:
        yield seen
    finally:
        for name, method in real.items():
            setattr(psycopg.Cursor, name, method)


def _batch(n: int) -> tuple[list[str], list[dict[str, Any]], np.ndarray]:
    texts = [f"note {i} about the garden shed and tomato {i % 7}" for i in range(n)]
    metas = [{"thread_id": f"t{i % 3}", "created_at": "2024-05-01T10:00:00Z"} for i in range(n)]
    vectors = np.random.default_rng(0).standard_normal((n, 16)).astype(np.float32)
    return texts, metas, vectors


def _stored(mem: Memory) -> list[tuple[Any, ...]]:
    with mem._db.read() as conn:
        rows = conn.execute(
            "SELECT a.uid, a.text, a.tags, a.thread_id, a.trust, "
            "(SELECT count(*) FROM archival_tags t WHERE t.record = a.id), "
            "(SELECT count(*) FROM archival_validity v WHERE v.record = a.id) "
            "FROM archival a ORDER BY a.id"
        ).fetchall()
    return [tuple(r) for r in rows]


def test_an_archival_batch_is_copied_in_a_statement_per_table(
    pg_store: Callable[[str], str], tmp_path: Path
) -> None:
    n = TAIL_LIMIT + 44  # past the tail limit: the merge's postings go by COPY as well
    texts, metas, vectors = _batch(n)
    with Memory.open(pg_store("bulk"), embeddings=None) as pg:
        with counted_statements() as seen:
            pg.archival.insert_many(
                texts, user_id="u", tags=["garden"], metadatas=metas, vectors=vectors
            )
        assert len(seen) < 40, f"{len(seen)} statements for {n} records"
        copies = [s.split()[1] for s in seen if s.startswith("COPY")]
        for table in ("archival", "archival_tags", "lex_docs", "lex_postings"):
            assert table in copies
        with Memory.open(tmp_path / "lite", embeddings=None) as lite:
            lite.archival.insert_many(
                texts, user_id="u", tags=["garden"], metadatas=metas, vectors=vectors
            )
            pg_rows, lite_rows = _stored(pg), _stored(lite)
            assert [r[1:] for r in pg_rows] == [r[1:] for r in lite_rows]
            for mem in (pg, lite):
                hits = mem.archival.search("tomato 5", user_id="u", k=3, tags=["garden"])
                assert hits and "tomato 5" in hits[0].text
            query = vectors[17]
            dense = pg.archival.search("x", user_id="u", k=1, mode="dense", query_vector=query)
            assert dense[0].text == texts[17]  # the vector went in with its row


def test_the_checkpoint_tables_reuse_the_space_of_trimmed_checkpoints(
    pg_store: Callable[[str], str],
) -> None:
    from langgraph_memgpt.checkpointing.postgres import postgres_checkpointer

    url = pg_store("ckpt")
    saver = postgres_checkpointer(url, keep_last=2)
    saver.prune_every = 2
    saver.vacuum_interval = 0.0  # vacuum after every trim
    config = {"configurable": {"thread_id": "t", "checkpoint_ns": ""}}
    payload = "x" * 1500  # inline in the checkpoint row, as a state's summary is
    try:
        sizes = []
        for i in range(300):
            checkpoint = empty_checkpoint()
            checkpoint["channel_values"] = {"summary": f"{i} {payload}"}
            config = saver.put(config, checkpoint, {"step": i}, {})
            if i in (99, 299):
                with saver._cursor() as cur:
                    cur.execute("SELECT pg_relation_size('checkpoints') AS size")
                    sizes.append(int(cur.fetchone()["size"]))
        # without reuse, 200 more puts of ~1.5 KB add ~340 KB (42 pages); a vacuum skipped
        # now and then (autovacuum holding the table: SKIP_LOCKED) costs a few pages
        assert sizes[1] <= sizes[0] + 10 * 8192, sizes
        assert len(list(saver.list({"configurable": {"thread_id": "t"}}))) <= 3
    finally:
        saver.conn.close()
