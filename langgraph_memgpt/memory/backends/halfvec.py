"""Vectors stored as pgvector ``halfvec`` on Postgres (schema 4): half the bytes of ``vector``.

A 384-d ``vector`` takes 1,544 bytes a row, a ``halfvec`` 776: recall messages, archival
records and the embedding cache each hold one a row, and their vectors were a third of a
Postgres store's bytes per turn. Embeddings are unit-length, so 16-bit floats (11 significant
bits) keep cosine similarities to about three decimals: the ranking of clearly different
scores is the same as with 32-bit floats, the last digits of a score are not. SQLite keeps
float32 (FAISS searches them).

Writes pass NumPy float32 vectors as before (pgvector's ``vector`` parameters): Postgres casts
``vector`` to ``halfvec`` implicitly on assignment and in ``<=>``. A binary ``COPY`` needs the
column's own binary form, so :func:`register_halfvec_dumper` adds a dumper from NumPy arrays to
``halfvec``, found by type (``copy.set_types``). Reads get pgvector's ``HalfVector``:
:func:`as_vector` turns any stored form into float32.

:func:`upgrade_to_halfvec` converts a schema 3 store in the open's transaction, HNSW indexes
rebuilt over the new column and the embedding cache's float32 blobs rewritten as ``halfvec``.
"""

from __future__ import annotations

import struct
from typing import Any

import numpy as np

#: The indexed expression and operator class of a tenant's HNSW index (``pgvector_store``).
HNSW_OPS = "halfvec_cosine_ops"
_VECTOR_TABLES = ("recall", "archival")
CACHE_BATCH = 2_000  # embedding cache rows read, then copied, at a time by the upgrade


def indexed(dim: int) -> str:
    """The expression a tenant's HNSW index is built on (a column without a fixed dimension
    cannot be indexed as it is) and searches order by, so the planner matches the two."""
    return f"(vector::halfvec({int(dim)}))"


def hnsw_ddl(table: str, name: str, ns: int, dim: int, *, concurrently: bool) -> str:
    """``CREATE INDEX`` of one tenant's partial HNSW index (``table``, ``name``: ours)."""
    how = "CONCURRENTLY IF NOT EXISTS" if concurrently else "IF NOT EXISTS"
    return (
        f"CREATE INDEX {how} {name} ON {table} USING hnsw ({indexed(dim)} {HNSW_OPS}) "
        f"WHERE ns = {int(ns)}"
    )


def as_vector(value: Any) -> np.ndarray:
    """A vector column's value as float32: BLOB bytes (SQLite) or a pgvector value
    (``Vector``, ``HalfVector``, or the text form when no adapter is registered)."""
    if isinstance(value, bytes | bytearray | memoryview):
        return np.frombuffer(bytes(value), dtype=np.float32).copy()
    if isinstance(value, str):
        return np.asarray([float(x) for x in value.strip("[]").split(",")], dtype=np.float32)
    to_numpy = getattr(value, "to_numpy", None)
    return np.asarray(value if to_numpy is None else to_numpy(), dtype=np.float32)


def halfvec_binary(value: Any) -> bytes:
    """pgvector's binary ``halfvec``: dimension and a zero (uint16 each), then big-endian
    float16 values."""
    if not isinstance(value, np.ndarray) and hasattr(value, "to_binary"):
        return bytes(value.to_binary())  # a HalfVector already
    values = np.asarray(value, dtype=np.float32).reshape(-1).astype(">f2")
    return struct.pack(">HH", len(values), 0) + values.tobytes()


def register_halfvec_dumper(conn: Any) -> None:
    """Dump NumPy vectors into ``halfvec`` columns of a binary ``COPY`` (by the type's oid
    only: parameters keep pgvector's ``vector`` dumper, which Postgres casts)."""
    from psycopg.adapt import Dumper
    from psycopg.pq import Format
    from psycopg.types import TypeInfo

    info = conn.adapters.types.get("halfvec")
    if info is None:  # a connection pgvector's ``register_vector`` did not see (the upgrade's)
        info = TypeInfo.fetch(conn, "halfvec")
        if info is None:  # pgvector < 0.7: ``create_schema`` refuses such a server
            return
        info.register(conn)  # ``copy.set_types`` finds the type by name

    class HalfvecDumper(Dumper):
        format = Format.BINARY
        oid = info.oid

        def dump(self, obj: Any) -> bytes:
            return halfvec_binary(obj)

    conn.adapters.register_dumper(None, HalfvecDumper)


def _column_type(conn: Any, table: str, column: str) -> str | None:
    row = conn.execute(
        "SELECT format_type(atttypid, NULL) FROM pg_attribute WHERE attrelid = "
        "to_regclass(format('%%I.%%I', current_schema(), %s::text)) AND attname = %s "
        "AND NOT attisdropped",
        (table, column),
    ).fetchone()
    return None if row is None else str(row[0])


def upgrade_to_halfvec(conn: Any) -> None:
    """Schema 4, in the open's transaction on a raw psycopg connection: recall's and
    archival's ``vector`` columns become ``halfvec`` (each tenant's HNSW index dropped first,
    then rebuilt on the new column under its own name), and the embedding cache's float32
    blobs are rewritten as ``halfvec``. Columns already converted are left alone, so a store
    downgraded in part upgrades too."""
    row = conn.execute("SELECT value FROM meta WHERE key='embedding_dim'").fetchone()
    dim = None if row is None else int(row[0])
    for table in _VECTOR_TABLES:
        if _column_type(conn, table, "vector") != "vector":
            continue
        names = [
            str(r[0])
            for r in conn.execute(
                "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() "
                "AND tablename = %s AND indexname LIKE %s",
                (table, f"{table}\\_hnsw\\_%"),
            ).fetchall()
        ]
        for name in names:
            conn.execute(f"DROP INDEX {name}")
        conn.execute(f"ALTER TABLE {table} ALTER COLUMN vector TYPE halfvec USING vector::halfvec")
        for name in names:
            ns = name.rsplit("_", 1)[1]
            if dim is not None and ns.isdigit():
                conn.execute(hnsw_ddl(table, name, int(ns), dim, concurrently=False))
    if _column_type(conn, "embedding_cache", "vector") == "bytea":
        _rewrite_cache(conn)


def _rewrite_cache(conn: Any) -> None:
    """The embedding cache's rows, float32 blobs, into a table of ``halfvec`` (the cache's
    point is that a text is embedded once per store: its vectors are kept, not dropped)."""
    from langgraph_memgpt.memory.backends.embedding_cache import POSTGRES_TABLE

    register_halfvec_dumper(conn)
    conn.execute("ALTER TABLE embedding_cache RENAME TO embedding_cache_v3")
    conn.execute("ALTER INDEX IF EXISTS embedding_cache_pkey RENAME TO embedding_cache_v3_pkey")
    conn.execute("ALTER INDEX IF EXISTS embedding_cache_used RENAME TO embedding_cache_v3_used")
    conn.execute(POSTGRES_TABLE[0])
    statement = "COPY embedding_cache (key, vector, used) FROM STDIN (FORMAT BINARY)"
    with conn.cursor(name="memgpt_cache_upgrade") as rows:
        rows.execute("SELECT key, vector, used FROM embedding_cache_v3")
        # A batch is read, then copied: a connection in COPY cannot fetch at the same time.
        while batch := rows.fetchmany(CACHE_BATCH):
            with conn.cursor() as out, out.copy(statement) as copy:
                copy.set_types(["bytea", "halfvec", "bigint"])
                for key, blob, used in batch:
                    if len(blob) % 4 == 0 and len(blob):
                        copy.write_row((key, np.frombuffer(bytes(blob), dtype="<f4"), used))
    conn.execute("DROP TABLE embedding_cache_v3")
    for statement in POSTGRES_TABLE[1:]:
        conn.execute(statement)
