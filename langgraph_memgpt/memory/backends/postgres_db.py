"""The PostgreSQL database of the scale-out backend: a connection pool behind the same protocol.

Several processes and machines (app replicas, the LangGraph server, the CLI) share one
database, so there is no process-wide lock here: each write is a Postgres transaction, and the
rows a transaction reads in order to update them are locked with ``FOR UPDATE`` (``row_lock``).
Connections come from a ``psycopg_pool.ConnectionPool``; a thread that opens a transaction
keeps its connection for nested reads, so a read inside a write sees the write.

The tiers write ``?`` parameters (the SQLite dialect); :class:`PgConnection` turns them into
psycopg's ``%s``. Automatic prepared statements are off: after five runs psycopg would switch
the lexical search to a generic plan, measured 5x slower.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache
from typing import Any

import numpy as np

from langgraph_memgpt.memory.backends.database import SharedQueries
from langgraph_memgpt.memory.backends.halfvec import register_halfvec_dumper
from langgraph_memgpt.memory.backends.pg_copy import (
    copy_matrix,
    copy_matrix_blobs,
    copy_rows,
    new_ids,
    upsert_matrix,
)
from langgraph_memgpt.memory.backends.pg_pool import (
    connection_kwargs,
    describe,
    getconn,
    is_transient,
    pool_kwargs,
)
from langgraph_memgpt.memory.backends.postgres_schema import (
    _current_version,
    _missing_schema,
    _require_schema,
    create_schema,
)
from langgraph_memgpt.memory.types import (
    MemoryStoreError,
    MemoryStoreUnavailable,
)

URL_PREFIXES = ("postgresql://", "postgres://")
DEFAULT_POOL_SIZE = 10


def is_postgres_url(location: object) -> bool:
    return isinstance(location, str) and location.startswith(URL_PREFIXES)


def redact(url: str) -> str:
    """The URL without its password, for messages and logs."""
    url = re.sub(r"(://[^:/@]+):[^@/]*@", r"\1:***@", url)
    return re.sub(r"(password=)[^&\s]*", r"\1***", url)


@lru_cache(maxsize=1024)
def _translate(sql: str) -> str:
    """``?`` parameters to psycopg's ``%s`` (a literal ``%`` doubled, as psycopg requires)."""
    return sql.replace("%", "%%").replace("?", "%s")


#: First key of the per-tenant advisory locks (the second is the namespace id).
TENANT_LOCK = 0x6D656D67


class PgConnection:
    """A psycopg connection that runs the tiers' ``?``-parameter SQL.

    A statement outside a transaction (a read, or a write idempotent by key such as the
    namespace upsert) that fails because the connection died is run once more on a fresh
    connection (``replace``). Inside a transaction nothing is retried here: the transaction
    is lost as a whole and the caller's operation fails with ``MemoryStoreUnavailable``.
    """

    dialect = "postgres"  # where the SQL of the two engines differs (``lexical_blocks``)

    def __init__(self, raw: Any, replace: Callable[[Any], Any] | None = None) -> None:
        self.raw = raw
        self._replace = replace
        self.depth = 0  # transaction() blocks open on this connection (1: the outermost)
        self._locked: set[int] = set()  # tenants locked by the outermost transaction

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        args = (_translate(sql), tuple(params))
        if self._replace is None or self._in_transaction():
            return self.raw.execute(*args, prepare=False)
        try:
            return self.raw.execute(*args, prepare=False)
        except Exception as exc:
            if not (is_transient(exc) and self.raw.closed):
                raise
            dead, self.raw = self.raw, None  # given back to the pool: no longer ours
            self.raw = self._replace(dead)
            return self.raw.execute(*args, prepare=False)

    def _in_transaction(self) -> bool:
        from psycopg.pq import TransactionStatus

        return bool(self.raw.info.transaction_status != TransactionStatus.IDLE)

    def lock_tenant(self, ns: int) -> None:
        """Hold the tenant's write lock until the transaction ends: its writers re-index the
        same lexical rows, and two doing so at once deadlock or collide (SQLite has one writer
        for the whole file; here tenants still write in parallel). Advisory locks are shared
        by the whole database, so the key is the tenant *and its schema*: stores in two schemas
        of one database number their tenants alike, and held each other's locks.

        Taken once per transaction: a lock the outermost transaction holds lasts until it
        ends (one taken inside a savepoint is released if the savepoint rolls back, so it is
        not remembered)."""
        if ns in self._locked:
            return
        self.raw.execute(
            "SELECT pg_advisory_xact_lock(hashtextextended(current_schema() || '/' || %s, %s))",
            (str(ns), TENANT_LOCK),
        )
        if self.depth == 1:
            self._locked.add(ns)

    def executemany(self, sql: str, rows: Any) -> Any:
        cursor = self.raw.cursor()
        cursor.executemany(_translate(sql), [tuple(r) for r in rows])
        return cursor

    def copy_rows(self, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
        """Rows by one binary ``COPY`` (``database.insert_rows``; see ``pg_copy``)."""
        copy_rows(self.raw, table, columns, rows)

    def copy_matrix(self, table: str, columns: Sequence[str], matrix: np.ndarray) -> None:
        """An integer matrix by one binary ``COPY`` (``database.insert_matrix``)."""
        copy_matrix(self.raw, table, columns, matrix)

    def copy_matrix_blobs(
        self, table: str, columns: Sequence[str], matrix: np.ndarray, blobs: list[bytes]
    ) -> None:
        """Integer columns and a last ``bytea`` one by one binary ``COPY`` (``database``)."""
        copy_matrix_blobs(self.raw, table, columns, matrix, blobs)

    def upsert_matrix(
        self, table: str, columns: Sequence[str], matrix: np.ndarray, tail: str, returning: str
    ) -> list[tuple[Any, ...]]:
        """An integer matrix by one ``INSERT ... SELECT unnest(...)`` (``database``)."""
        return upsert_matrix(self.raw, table, columns, matrix, tail, returning)

    def new_ids(self, table: str, count: int) -> list[int]:
        """``count`` ids of ``table`` in one statement (``database.new_ids``)."""
        return new_ids(self.raw, table, count)


def _require_driver() -> tuple[Any, Any]:
    try:
        import psycopg
        import psycopg_pool
    except ImportError as exc:  # pragma: no cover - depends on the installed extras
        raise MemoryStoreError(
            "the Postgres backend needs psycopg, psycopg_pool and pgvector: "
            "pip install 'langgraph-memgpt[postgres]'"
        ) from exc
    return psycopg, psycopg_pool


def configure_connection(conn: Any) -> None:
    """Adapters every pooled connection needs: pgvector's ``vector`` type and NumPy scalars."""
    from pgvector.psycopg import register_vector
    from psycopg.types.numeric import FloatDumper, Int8Dumper

    register_vector(conn)
    register_halfvec_dumper(conn)  # binary COPY into halfvec columns (schema 4)
    integers: tuple[type, ...] = (np.int64, np.int32, np.uint32)
    floats: tuple[type, ...] = (np.float64, np.float32)
    for integer in integers:
        conn.adapters.register_dumper(integer, Int8Dumper)
    for real in floats:
        conn.adapters.register_dumper(real, FloatDumper)


class PostgresDatabase(SharedQueries):
    """One Postgres database holding every tier, shared by any number of processes."""

    reopen_hint = "Memory.open(url)"
    row_lock = " FOR UPDATE"

    def __init__(
        self, url: str, *, pool_size: int = DEFAULT_POOL_SIZE, create: bool = True
    ) -> None:
        """Connect, creating or upgrading the schema first, or with ``create=False`` only
        checking that it is there (a reading command must not write to a database)."""
        psycopg, psycopg_pool = _require_driver()
        self.url = url
        self._closed = False
        self._local = threading.local()
        self._ns_cache: dict[tuple[str, str], int] = {}
        try:
            with psycopg.connect(url, autocommit=True, **connection_kwargs(url)) as conn:
                if create:
                    create_schema(conn, redact(url))
                else:
                    _require_schema(conn, redact(url))
        except psycopg.Error as exc:
            raise MemoryStoreError(
                f"cannot open the Postgres memory store at {redact(url)}: {describe(exc)}"
            ) from exc
        self._pool = psycopg_pool.ConnectionPool(
            **pool_kwargs(
                url,
                name="langgraph-memgpt",
                max_size=pool_size,
                kwargs={"autocommit": True, "prepare_threshold": None},
                configure=configure_connection,
                open=False,
            )
        )
        try:
            self._pool.open(wait=True, timeout=30)
        except Exception as exc:
            self._pool.close()
            raise MemoryStoreError(
                f"cannot connect to the Postgres memory store at {redact(url)}: {exc}"
            ) from exc

    @property
    def location(self) -> str:
        return redact(self.url)

    @contextmanager
    def _connection(self) -> Iterator[PgConnection]:
        current = getattr(self._local, "conn", None)
        if current is not None:
            yield current
            return
        self.check_open()
        wrapped = PgConnection(self._getconn(), self._replace)
        self._local.conn = wrapped
        try:
            yield wrapped
        except Exception as exc:
            if is_transient(exc) or _too_slow(exc):
                raise self.unavailable(exc) from exc
            raise
        finally:
            self._local.conn = None
            if wrapped.raw is not None:  # a broken one is discarded, a transaction rolled back
                self._pool.putconn(wrapped.raw)

    def _getconn(self) -> Any:
        try:
            return getconn(self._pool)
        except Exception as exc:
            if is_transient(exc):
                raise self.unavailable(exc) from exc
            raise

    def _replace(self, dead: Any) -> Any:
        """A fresh connection for one that died (the pool discards the dead one)."""
        self._pool.putconn(dead)
        return self._getconn()

    def unavailable(self, exc: BaseException) -> MemoryStoreUnavailable:
        """The error an operation fails with when the server is away or too slow."""
        if _too_slow(exc):
            what = f"did not answer in time ({describe(exc)})"
        else:
            what = f"was unreachable ({describe(exc)})"
        return MemoryStoreUnavailable(
            f"the Postgres memory store at {self.location} {what}; nothing of this operation "
            "was stored. Try again once the database is back: running the same turn again "
            "(invoke(None), or the same message) stores nothing twice."
        )

    def ping(self, timeout: float = 5.0) -> float:
        """Seconds for one round trip on a checked connection, waiting at most ``timeout`` s
        for one; MemoryStoreUnavailable if the server cannot be reached (a readiness probe)."""
        self.check_open()
        started = time.perf_counter()
        try:
            raw = getconn(self._pool, timeout)
        except Exception as exc:
            raise self.unavailable(exc) from exc
        try:
            raw.execute("SELECT 1").fetchone()
        except Exception as exc:
            raise self.unavailable(exc) from exc
        finally:
            self._pool.putconn(raw)
        return time.perf_counter() - started

    @contextmanager
    def read(self) -> Iterator[PgConnection]:
        """A connection for a group of reads (each statement sees the latest commits)."""
        with self._connection() as conn:
            yield conn

    @contextmanager
    def transaction(self) -> Iterator[PgConnection]:
        """One write transaction (a savepoint when nested): all statements or none."""
        with self._connection() as conn:
            conn.depth += 1
            try:
                with conn.raw.transaction():
                    yield conn
            finally:
                conn.depth -= 1
                if not conn.depth:
                    conn._locked.clear()

    def _in_transaction(self) -> bool:
        current = getattr(self._local, "conn", None)
        if current is None:
            return False
        from psycopg.pq import TransactionStatus

        return bool(current.raw.info.transaction_status != TransactionStatus.IDLE)

    def namespace(self, agent_id: str, user_id: str, *, create: bool) -> int | None:
        """The integer id of (agent_id, user_id), created on first write if ``create``.

        Created in its own statement before the caller's transaction, so a cached id always
        exists even if that transaction rolls back.
        """
        key = (agent_id, user_id)
        cached = self._ns_cache.get(key)
        if cached is not None:
            return cached
        if create and self._in_transaction():
            raise RuntimeError("PostgresDatabase.namespace(create=True) inside a transaction")
        with self._connection() as conn:
            if create:
                conn.execute(
                    "INSERT INTO namespaces(agent_id, user_id) VALUES (?, ?) "
                    "ON CONFLICT DO NOTHING",
                    key,
                )
            row = conn.execute(
                "SELECT id FROM namespaces WHERE agent_id=? AND user_id=?", key
            ).fetchone()
        if row is None:
            return None
        ns = int(row[0])
        self._ns_cache[key] = ns
        return ns

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            self._pool.close()


def _too_slow(exc: BaseException) -> bool:
    """A statement cancelled by ``statement_timeout`` or refused a lock."""
    from psycopg import errors

    return isinstance(exc, errors.QueryCanceled | errors.LockNotAvailable)


def has_store(url: str) -> bool:
    """Whether the database at ``url`` already holds a memory store (read only: a dry run
    must not create the schema). Raises MemoryStoreError when it cannot be reached."""
    psycopg, _ = _require_driver()
    try:
        with psycopg.connect(url, autocommit=True, **connection_kwargs(url)) as conn:
            return _missing_schema(conn) is None and _current_version(conn) is not None
    except psycopg.Error as exc:
        raise MemoryStoreError(
            f"cannot open the Postgres memory store at {redact(url)}: {describe(exc)}"
        ) from exc
