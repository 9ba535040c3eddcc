"""Postgres writes in few statements: an archival batch goes in by ``COPY`` (a statement per
table, not per record) and reads back as SQLite's does; the checkpoint saver vacuums the
tables it trims, so their space is reused instead of growing with every put."""

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
        for table in ("archival", "archival_tags", "lex_docs", "lex_blocks"):
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


def test_the_saver_vacuums_what_it_trims_at_most_once_per_interval(
    pg_store: Callable[[str], str],
) -> None:
    """After a trim the saver vacuums the three checkpoint tables, so the next puts reuse the
    trimmed rows' space instead of extending the tables until autovacuum comes (once a
    minute); at most once per ``vacuum_interval``, never with ``None``. (The space itself is
    not asserted: any long transaction elsewhere on a shared server holds it back.)"""
    from langgraph_memgpt.checkpointing.postgres import postgres_checkpointer

    saver = postgres_checkpointer(pg_store("ckpt"), keep_last=2)
    saver.prune_every = 2
    config = {"configurable": {"thread_id": "t", "checkpoint_ns": ""}}

    def vacuums(puts: int) -> int:
        nonlocal config
        with counted_statements() as seen:
            for i in range(puts):
                checkpoint = empty_checkpoint()
                checkpoint["channel_values"] = {"summary": f"{i} " + "x" * 1500}
                config = saver.put(config, checkpoint, {"step": i}, {})
        return sum(s.startswith("VACUUM") for s in seen)

    try:
        saver.vacuum_interval = 0.0
        assert vacuums(8) == 4  # after each of the four trims
        saver.vacuum_interval = 3600.0
        assert vacuums(8) == 0  # the last one was just now
        saver.vacuum_interval = None
        saver._vacuumed = 0.0
        assert vacuums(8) == 0
        assert len(list(saver.list({"configurable": {"thread_id": "t"}}))) <= 3
        with saver._cursor() as cur:
            cur.execute("SELECT count(*) AS n FROM checkpoints")
            assert cur.fetchone()["n"] <= 3
    finally:
        saver.conn.close()


def test_integer_rows_by_the_numpy_copy_and_the_array_upsert_read_back_exactly(
    pg_store: Callable[[str], str],
) -> None:
    """The binary ``COPY`` NumPy formats and the ``unnest`` upsert write what psycopg's own
    row-by-row path would: every integer width, negatives and extremes included; a table
    with a non-integer column falls back to that path."""
    import psycopg

    from langgraph_memgpt.memory.backends.pg_copy import copy_matrix, upsert_matrix

    rows = np.array(
        [
            [2**63 - 1, 2**31 - 1, 2**15 - 1],
            [-(2**63), -(2**31), -(2**15)],
            [0, 0, 0],
            *[[i * 1_000_003, -i, i % 300] for i in range(1, 201)],
        ],
        dtype=np.int64,
    )
    with psycopg.connect(pg_store("matrix"), autocommit=True) as conn:
        conn.execute("CREATE TABLE m (a BIGINT PRIMARY KEY, b INTEGER, c SMALLINT)")
        conn.execute("CREATE TABLE t (a BIGINT, n NUMERIC)")
        with conn.transaction():
            copy_matrix(conn, "m", ("a", "b", "c"), rows)
            copy_matrix(conn, "t", ("a", "n"), np.array([[1, 2]]))  # falls back
        got = conn.execute("SELECT a, b, c FROM m ORDER BY a").fetchall()
        assert got == sorted(tuple(r) for r in rows.tolist())
        assert conn.execute("SELECT a, n FROM t").fetchall() == [(1, 2)]
        upsert_matrix(
            conn,
            "m",
            ("a", "b", "c"),
            np.array([[0, 5, 6], [7, 8, 9]]),
            "ON CONFLICT (a) DO UPDATE SET b = m.b + excluded.b",
        )
        assert conn.execute("SELECT b, c FROM m WHERE a = 0").fetchone() == (5, 0)
        assert conn.execute("SELECT b, c FROM m WHERE a = 7").fetchone() == (8, 9)
