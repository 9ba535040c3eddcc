"""What the memory tiers need from a database, whichever engine holds it.

The tiers (``core.py``, ``recall.py``, ``archival.py``) and the lexical index write one SQL
dialect: ``?`` parameters, ``INSERT ... ON CONFLICT``, ``RETURNING``, no engine-specific
functions. Two classes implement this protocol: ``sqlite_db.Database`` (one local file) and
``postgres_db.PostgresDatabase`` (a connection pool; it translates the parameters), so every
behaviour of the tiers is written once and tested on both engines.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager
from typing import Any, Protocol

import numpy as np

from langgraph_memgpt.memory._validate import check_id
from langgraph_memgpt.memory.types import MemoryStoreError


class Cursor(Protocol):
    rowcount: int

    def fetchone(self) -> Any: ...
    def fetchall(self) -> list[Any]: ...
    def __iter__(self) -> Iterator[Any]: ...


class Connection(Protocol):
    def execute(self, sql: str, params: Sequence[Any] = ...) -> Any: ...
    def executemany(self, sql: str, rows: Any) -> Any: ...


class MemoryDatabase(Protocol):
    """One store's database: reads, all-or-nothing write transactions and namespaces."""

    #: Appended to a ``SELECT`` that reads rows it is about to update, inside a transaction:
    #: ``" FOR UPDATE"`` on Postgres; empty on SQLite, whose write transactions lock the file.
    row_lock: str

    @property
    def location(self) -> str:
        """Where the store lives, for messages (a directory, or a URL without its password)."""
        ...

    @property
    def closed(self) -> bool: ...

    def check_open(self) -> None: ...
    def read(self) -> AbstractContextManager[Any]: ...
    def transaction(self) -> AbstractContextManager[Any]: ...
    def namespace(self, agent_id: str, user_id: str, *, create: bool) -> int | None: ...
    def write_namespace(self, agent_id: str, user_id: str) -> int: ...
    def get_meta(self, key: str) -> str | None: ...
    def set_meta(self, key: str, value: str) -> None: ...
    def close(self) -> None: ...


class SharedQueries:
    """What both databases do the same way through their own ``read``/``transaction``."""

    _closed: bool
    #: How to open the store again, for the message of a closed one.
    reopen_hint: str = "Memory.open(...)"

    @property
    def location(self) -> str:
        raise NotImplementedError

    @property
    def closed(self) -> bool:
        return self._closed

    def check_open(self) -> None:
        if self._closed:
            raise MemoryStoreError(
                f"the memory store at {self.location} is closed; open it again with "
                f"{self.reopen_hint}."
            )

    def namespace(self, agent_id: str, user_id: str, *, create: bool) -> int | None:
        raise NotImplementedError

    def read(self) -> AbstractContextManager[Any]:
        raise NotImplementedError

    def transaction(self) -> AbstractContextManager[Any]:
        raise NotImplementedError

    def write_namespace(self, agent_id: str, user_id: str) -> int:
        """The namespace a write goes to: identifiers validated, the row created if new."""
        check_id(user_id, "user_id")
        check_id(agent_id, "agent_id")
        ns = self.namespace(agent_id, user_id, create=True)
        assert ns is not None
        return ns

    def get_meta(self, key: str) -> str | None:
        with self.read() as conn:
            row = conn.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
            return None if row is None else str(row[0])

    def set_meta(self, key: str, value: str) -> None:
        with self.transaction() as conn:
            conn.execute(
                "INSERT INTO meta(key, value) VALUES (?, ?) "
                "ON CONFLICT(key) DO UPDATE SET value=excluded.value",
                (key, value),
            )


def apply_schema(
    conn: Any, statements: Sequence[str], version: int, where: str, *, marker: str = "?"
) -> int | None:
    """Create what is missing and check the stored schema version (inside the caller's
    transaction): None for a new store (``version`` recorded), else the stored version, which
    the caller upgrades from. A newer one than this package knows is refused."""
    for statement in statements:
        conn.execute(statement)
    row = conn.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
    if row is None:
        conn.execute(
            f"INSERT INTO meta(key, value) VALUES ('schema_version', {marker})", (str(version),)
        )
        return None
    if int(row[0]) > version:
        raise MemoryStoreError(
            f"{where} was written by a newer langgraph-memgpt (schema {row[0]}); upgrade the "
            "package to open it."
        )
    return int(row[0])


# -- bulk writes (inside the caller's transaction) -------------------------------------------
#: Rows from which a Postgres insert goes by ``COPY``; fewer go as one multi-row ``INSERT``.
COPY_MIN_ROWS = 64


def insert_rows(
    conn: Any, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]
) -> None:
    """Insert many rows in one statement where the engine has one for it: on Postgres ``COPY``
    (any number of rows in one statement) or, for fewer than ``COPY_MIN_ROWS``, one multi-row
    ``INSERT``; ``executemany`` on SQLite (in process, no round trips to save). ``table`` and
    ``columns`` are the caller's constants, never input."""
    if not rows:
        return
    copy = getattr(conn, "copy_rows", None)
    if copy is not None and len(rows) >= COPY_MIN_ROWS:
        copy(table, columns, rows)
        return
    if copy is not None:  # a few rows: one INSERT, one round trip (a COPY takes two)
        execute_values(conn, f"INSERT INTO {table}({', '.join(columns)})", rows)
        return
    marks = ",".join("?" * len(columns))
    conn.executemany(f"INSERT INTO {table}({', '.join(columns)}) VALUES ({marks})", rows)


def insert_matrix(conn: Any, table: str, columns: Sequence[str], matrix: np.ndarray) -> None:
    """Insert the rows of an integer matrix: on Postgres one ``COPY`` formatted by NumPy (no
    Python work per row), elsewhere as :func:`insert_rows`."""
    if not len(matrix):
        return
    copy = getattr(conn, "copy_matrix", None)
    if copy is not None and len(matrix) >= COPY_MIN_ROWS:
        copy(table, columns, matrix)
        return
    insert_rows(conn, table, columns, matrix.tolist())


def insert_matrix_blobs(
    conn: Any, table: str, columns: Sequence[str], matrix: np.ndarray, blobs: list[bytes]
) -> None:
    """Insert rows of integer ``matrix`` columns plus a last column of bytes: on Postgres one
    binary ``COPY`` formatted by NumPy, elsewhere as :func:`insert_rows`."""
    if not len(matrix):
        return
    copy = getattr(conn, "copy_matrix_blobs", None)
    if copy is not None and len(matrix) >= COPY_MIN_ROWS:
        copy(table, columns, matrix, blobs)
        return
    rows = [(*row, blob) for row, blob in zip(matrix.tolist(), blobs, strict=True)]
    insert_rows(conn, table, columns, rows)


def upsert_matrix(
    conn: Any,
    table: str,
    columns: Sequence[str],
    matrix: np.ndarray,
    tail: str,
    returning: str = "",
) -> list[tuple[Any, ...]]:
    """``INSERT INTO table(columns) <rows> tail`` (an upsert) for an integer matrix: one
    statement with an array per column on Postgres, :func:`execute_values` elsewhere. With
    ``returning`` (columns), the rows it returns, in no particular order."""
    if not len(matrix):
        return []
    upsert = getattr(conn, "upsert_matrix", None)
    if upsert is not None:
        return list(upsert(table, columns, matrix, tail, returning) or [])
    if not returning:
        execute_values(conn, f"INSERT INTO {table}({', '.join(columns)})", matrix.tolist(), tail)
        return []
    one = "(" + ",".join("?" * len(columns)) + ")"
    found: list[tuple[Any, ...]] = []
    for start in range(0, len(matrix), VALUES_ROWS):
        chunk = matrix[start : start + VALUES_ROWS]
        found += conn.execute(
            f"INSERT INTO {table}({', '.join(columns)}) VALUES {','.join([one] * len(chunk))} "
            f"{tail} RETURNING {returning}",
            chunk.ravel().tolist(),
        ).fetchall()
    return found


def new_ids(conn: Any, table: str, count: int) -> list[int] | None:
    """``count`` fresh ids of ``table``'s identity column in one statement (Postgres), so its
    rows can be written by :func:`insert_rows`; None where each insert must assign its own
    (SQLite's rowids, taken in process by an ``INSERT`` per row)."""
    reserve = getattr(conn, "new_ids", None)
    return None if reserve is None else list(reserve(table, count))


#: Rows per multi-row ``VALUES`` statement (SQLite allows 32,766 parameters, Postgres 65,535).
VALUES_ROWS = 2_000


def execute_values(conn: Any, head: str, rows: Sequence[Sequence[Any]], tail: str = "") -> None:
    """``head VALUES (...), (...) tail`` for many rows, a statement per ``VALUES_ROWS`` rows
    instead of one per row (an upsert, which ``COPY`` cannot do). Both engines run it."""
    if not rows:
        return
    width = len(rows[0])
    one = "(" + ",".join("?" * width) + ")"
    for start in range(0, len(rows), VALUES_ROWS):
        chunk = rows[start : start + VALUES_ROWS]
        conn.execute(
            f"{head} VALUES {','.join([one] * len(chunk))} {tail}",
            [value for row in chunk for value in row],
        )
