"""Round trips the Postgres backend saves, and what it must still notice.

A pooled connection is lent without a query while its socket is quiet; one whose backend the
server ended (a restart, ``pg_terminate_backend``) has a readable socket and is replaced
before anyone sees it. A tenant's advisory lock is taken once per transaction.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import psycopg
import pytest
from psycopg_pool import ConnectionPool

from langgraph_memgpt.memory.backends.pg_pool import pool_kwargs
from langgraph_memgpt.memory.backends.postgres_db import PostgresDatabase


def _pool(url: str) -> ConnectionPool:
    return ConnectionPool(
        **pool_kwargs(url, name="round-trips", max_size=1, kwargs={"autocommit": True})
    )


def test_a_quiet_connection_is_lent_without_a_query(
    pg_store: Callable[[str], str], monkeypatch: pytest.MonkeyPatch
) -> None:
    queried: list[object] = []
    real = ConnectionPool.check_connection

    def counted(conn: Any) -> None:
        queried.append(conn)
        real(conn)

    monkeypatch.setattr(ConnectionPool, "check_connection", staticmethod(counted))
    with _pool(pg_store("quiet")) as pool:
        for _ in range(5):
            with pool.connection() as conn:
                conn.execute("SELECT 1")
    assert len(queried) == 1  # its first loan only


def test_a_connection_the_server_ended_is_replaced_before_it_is_lent(
    pg_store: Callable[[str], str],
) -> None:
    url = pg_store("ended")
    with _pool(url) as pool:
        with pool.connection() as conn:
            conn.execute("SELECT 1")
        with pool.connection() as conn:
            pid = conn.info.backend_pid
        with psycopg.connect(url, autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
        time.sleep(0.2)  # the server's notice reaches the idle socket
        with pool.connection() as conn:  # no error: the dead one was noticed and replaced
            assert conn.execute("SELECT 1").fetchone() == (1,)
            assert conn.info.backend_pid != pid


def test_a_tenant_is_locked_once_per_transaction(pg_store: Callable[[str], str]) -> None:
    db = PostgresDatabase(pg_store("locks"), pool_size=1)
    try:
        with db.transaction() as conn:
            sent: list[str] = []
            real = conn.raw.execute

            def counted(sql: str, *args: object, **kwargs: object) -> object:
                sent.append(sql)
                return real(sql, *args, **kwargs)

            conn.raw.execute = counted
            for _ in range(3):
                conn.lock_tenant(7)
            conn.lock_tenant(8)
            held = real(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' "
                "AND pid = pg_backend_pid()"
            ).fetchone()
            conn.raw.execute = real
        assert len([s for s in sent if "pg_advisory_xact_lock" in s]) == 2
        assert held == (2,)
        with db.transaction() as conn:  # a new transaction takes it again
            conn.lock_tenant(7)
            held = conn.raw.execute(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' "
                "AND pid = pg_backend_pid()"
            ).fetchone()
        assert held == (1,)
    finally:
        db.close()


def test_an_hnsw_build_in_one_schema_does_not_stop_the_same_tenants_in_another(
    pg_store: Callable[[str], str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Advisory locks are database-wide: the build lock of schema A's tenant 1 index, held,
    must not keep schema B's tenant 1 (numbered alike) from getting its index."""
    import numpy as np

    from langgraph_memgpt import Memory
    from langgraph_memgpt.memory.backends import pgvector_store
    from langgraph_memgpt.memory.backends.postgres_db import PgConnection

    monkeypatch.setattr(pgvector_store, "HNSW_MIN_ROWS", 50)
    monkeypatch.setattr(pgvector_store, "QUIET_S", 3600)  # built on flush, not by a timer
    first, second = pg_store("build_a"), pg_store("build_b")
    vectors = np.random.default_rng(5).standard_normal((60, 8)).astype(np.float32)
    with Memory.open(first, embeddings=None) as mem:
        mem.archival.insert_many(["hello"], user_id="u", vectors=vectors[:1])
    with psycopg.connect(first, autocommit=True) as conn:
        row = conn.execute("SELECT id FROM namespaces WHERE user_id = 'u'").fetchone()
    assert row is not None
    name = f"archival_hnsw_{row[0]}"
    with psycopg.connect(first, autocommit=True) as holder:  # schema A's build is under way
        key = pgvector_store.build_lock_key(PgConnection(holder), name)
        holder.execute("SELECT pg_advisory_lock(%s)", (key,))
        with Memory.open(second, embeddings=None) as mem:
            texts = [f"record {i}" for i in range(60)]
            mem.archival.insert_many(texts, user_id="u", vectors=vectors)
            assert pgvector_store.build_lock_key(PgConnection(holder), name) == key
            mem.flush()
            with psycopg.connect(second, autocommit=True) as conn:
                same = conn.execute("SELECT id FROM namespaces WHERE user_id = 'u'").fetchone()
                built = conn.execute(
                    "SELECT count(*) FROM pg_indexes WHERE schemaname = current_schema() "
                    "AND indexname = %s",
                    (name,),
                ).fetchone()
        assert same == row  # the same tenant number in both schemas
        assert built == (1,)
