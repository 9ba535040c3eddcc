"""Checkpoints in the memory's Postgres database, kept small like the SQLite default.

LangGraph's ``PostgresSaver`` keeps every super-step's checkpoint forever. Recall memory
already holds every message, so old snapshots are dead weight here as they are on SQLite
(``checkpointing/sqlite.py``): after every few checkpoints of a thread we call the saver's own
``prune(..., strategy="keep_latest")``, which keeps the latest checkpoint with its pending
writes, all that a crashed turn needs to resume.

The pool is checked, time-limited and reconnecting (``pool_kwargs``, as the tiers' pool), and
the saver's reads and writes, all idempotent by key (upserts on the checkpoint id, on
(task, index) for pending writes), run once more on a fresh connection when the connection
failed; a second failure is a ``MemoryStoreUnavailable`` and the turn resumes with
``invoke(None)`` once the database is back.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from langgraph.checkpoint.postgres import PostgresSaver

from langgraph_memgpt.memory.backends.pg_pool import (
    connection_kwargs,
    describe,
    pool_kwargs,
    retry_once,
)
from langgraph_memgpt.memory.types import MemoryStoreUnavailable

logger = logging.getLogger(__name__)

#: Prune a thread after this many of its checkpoints (a turn writes two or three).
PRUNE_EVERY = 8

#: Advisory lock key that serialises checkpoint-table setup across processes ("MGCK").
SETUP_LOCK = 0x4D47434B


class PruningPostgresSaver(PostgresSaver):
    """A ``PostgresSaver`` that prunes each thread to its latest checkpoint as it goes."""

    def __init__(self, conn: Any, *, prune_every: int = PRUNE_EVERY, **kwargs: Any) -> None:
        super().__init__(conn, **kwargs)
        self.prune_every = prune_every
        self._puts: dict[str, int] = {}
        self._puts_lock = threading.Lock()

    def get_tuple(self, config: Any) -> Any:
        return retry_once(lambda: super(PruningPostgresSaver, self).get_tuple(config), unreachable)

    def put_writes(self, config: Any, writes: Any, task_id: str, task_path: str = "") -> None:
        retry_once(
            lambda: super(PruningPostgresSaver, self).put_writes(
                config, writes, task_id, task_path
            ),
            unreachable,
        )

    def put(self, config: Any, checkpoint: Any, metadata: Any, new_versions: Any) -> Any:
        saved = retry_once(
            lambda: super(PruningPostgresSaver, self).put(
                config, checkpoint, metadata, new_versions
            ),
            unreachable,
        )
        thread_id = str(config["configurable"]["thread_id"])
        with self._puts_lock:
            count = self._puts.get(thread_id, 0) + 1
            self._puts[thread_id] = count
        if count % self.prune_every == 0:
            try:
                self.prune([thread_id], strategy="keep_latest")
            except Exception:  # another writer changed the thread meanwhile: next time
                logger.debug("pruning thread %s deferred", thread_id, exc_info=True)
        return saved


def postgres_checkpointer(url: str, *, pool_size: int = 4) -> PruningPostgresSaver:
    """A pruning ``PostgresSaver`` on its own small pool (it needs dict rows), tables created."""
    from psycopg.rows import dict_row
    from psycopg_pool import ConnectionPool

    pool = ConnectionPool(
        **pool_kwargs(
            url,
            name="langgraph-memgpt-checkpoints",
            max_size=pool_size,
            kwargs={"autocommit": True, "prepare_threshold": 0, "row_factory": dict_row},
            open=True,
        )
    )
    saver = PruningPostgresSaver(pool)
    try:
        _setup_once(saver, url)
    except BaseException:
        pool.close()
        raise
    return saver


def unreachable(exc: BaseException) -> MemoryStoreUnavailable:
    """The error a checkpoint read or write fails with when the database stays away."""
    return MemoryStoreUnavailable(
        f"the Postgres checkpoint database was unreachable ({describe(exc)}); the turn "
        "stopped at its last saved step. Resume it with invoke(None) once the database is "
        "back: nothing is stored twice."
    )


def _setup_once(saver: PostgresSaver, url: str) -> None:
    """Run LangGraph's migrations one process at a time.

    ``PostgresSaver.setup`` reads the migration version and then applies what is missing with
    no lock, so processes opening a fresh database together each create the same tables and
    insert the same version rows and all but one fail (``checkpoint_migrations_pkey``). A
    session-level advisory lock, held on a connection of its own, lets the later ones find the
    migrations done. Waiters poll with ``pg_try_advisory_lock`` instead of blocking in
    ``pg_advisory_lock``: some migrations are ``CREATE INDEX CONCURRENTLY``, which waits for
    every running statement to end, a blocked lock request included, and would deadlock.
    """
    import psycopg

    with psycopg.connect(url, autocommit=True, **connection_kwargs(url)) as lock:
        delay = 0.01
        while not _try_lock(lock):
            time.sleep(delay)
            delay = min(delay * 2, 0.25)
        try:
            saver.setup()
        finally:
            lock.execute("SELECT pg_advisory_unlock(%s)", (SETUP_LOCK,))


def _try_lock(conn: Any) -> bool:
    row = conn.execute("SELECT pg_try_advisory_lock(%s)", (SETUP_LOCK,)).fetchone()
    return bool(row and row[0])
