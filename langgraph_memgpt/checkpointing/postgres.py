"""Checkpoints in the memory's Postgres database, with the SQLite default's retention.

LangGraph's ``PostgresSaver`` keeps every super-step's checkpoint forever. Like the SQLite
saver (``sqlite.py``) we keep the newest ``keep_last`` checkpoints of each thread and namespace
(``retention.py``): every ``prune_every`` puts of a thread, one transaction deletes the older
checkpoints, their writes and the blobs no kept checkpoint references. The space of what a trim
deletes is reused by the next puts: the saver vacuums the three tables at most every
``VACUUM_INTERVAL`` seconds, rather than waiting for autovacuum. LangGraph's own
``prune(..., strategy="keep_latest")`` stays available. The async API runs the same code in a
worker thread (``aio.py``), so one saver serves ``invoke`` and ``ainvoke``.

The pool is checked, time-limited and reconnecting (``pool_kwargs``, as the tiers' pool), and
the saver's reads and writes, all idempotent by key (upserts on the checkpoint id, on
(task, index) for pending writes), run once more on a fresh connection when the connection
failed; a second failure is a ``MemoryStoreUnavailable`` and the turn resumes with
``invoke(None)`` once the database is back.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from typing import Any

from langgraph.checkpoint.postgres import PostgresSaver

from langgraph_memgpt.checkpointing.aio import AsyncViaThreads
from langgraph_memgpt.checkpointing.retention import DEFAULT, resolve_keep_last
from langgraph_memgpt.memory.backends.pg_pool import (
    connection_kwargs,
    describe,
    pool_kwargs,
    retry_once,
)
from langgraph_memgpt.memory.types import MemoryStoreUnavailable

logger = logging.getLogger(__name__)

#: Trim a thread after this many of its checkpoints (a turn writes two or three), so a thread
#: holds at most ``keep_last + PRUNE_EVERY`` checkpoints.
PRUNE_EVERY = 8

#: Threads whose puts are counted at once; past it the counts restart (a trim comes at most
#: one round later), so a server seeing millions of threads keeps a bounded table.
MAX_COUNTED_THREADS = 10_000

#: Seconds between two ``VACUUM`` of the checkpoint tables by one saver (after a trim). A trim
#: deletes as much as the turns since the last one wrote; until a vacuum marks that space free,
#: every put extends the tables. Autovacuum looks at most once a minute (``autovacuum_naptime``),
#: which let a minute of checkpoints (several MB on a busy thread) pile up as dead rows.
VACUUM_INTERVAL = 10.0

#: The tables a trim deletes from (LangGraph's), vacuumed together.
_VACUUM_SQL = "VACUUM (SKIP_LOCKED) checkpoints, checkpoint_blobs, checkpoint_writes"

#: Advisory lock key that serialises checkpoint-table setup across processes ("MGCK").
SETUP_LOCK = 0x4D47434B

#: One transaction per trim. The put just saved is kept even if its id is older than the
#: window (a caller may put an old id and must be able to load what ``put`` returned); writes
#: older than the window go whether their checkpoint exists or not (late writes of a trimmed
#: checkpoint); a blob goes once no kept checkpoint of the namespace names its version.
_TRIM_SQL = (
    """
    DELETE FROM checkpoint_writes
    WHERE thread_id = %(thread)s AND checkpoint_ns = %(ns)s AND checkpoint_id <> %(saved)s
      AND checkpoint_id < (
        SELECT checkpoint_id FROM checkpoints
        WHERE thread_id = %(thread)s AND checkpoint_ns = %(ns)s
        ORDER BY checkpoint_id DESC LIMIT 1 OFFSET %(offset)s)
    """,
    """
    DELETE FROM checkpoints
    WHERE thread_id = %(thread)s AND checkpoint_ns = %(ns)s AND checkpoint_id <> %(saved)s
      AND checkpoint_id < (
        SELECT checkpoint_id FROM checkpoints
        WHERE thread_id = %(thread)s AND checkpoint_ns = %(ns)s
        ORDER BY checkpoint_id DESC LIMIT 1 OFFSET %(offset)s)
    """,
    """
    DELETE FROM checkpoint_blobs b
    WHERE b.thread_id = %(thread)s AND b.checkpoint_ns = %(ns)s AND NOT EXISTS (
        SELECT 1 FROM checkpoints c
        WHERE c.thread_id = b.thread_id AND c.checkpoint_ns = b.checkpoint_ns
          AND c.checkpoint -> 'channel_versions' ->> b.channel = b.version)
    """,
)


class PruningPostgresSaver(AsyncViaThreads, PostgresSaver):
    """A ``PostgresSaver`` keeping the newest ``keep_last`` checkpoints of each thread, with
    the async API as well. ``keep_last=None`` keeps everything."""

    def __init__(
        self,
        conn: Any,
        *,
        keep_last: int | None | str = DEFAULT,
        prune_every: int = PRUNE_EVERY,
        vacuum_interval: float | None = VACUUM_INTERVAL,
        **kwargs: Any,
    ) -> None:
        keep = resolve_keep_last(keep_last)
        super().__init__(conn, **kwargs)
        self.keep_last = keep
        self.prune_every = prune_every
        #: Seconds between vacuums of the trimmed tables (None: leave it to autovacuum).
        self.vacuum_interval = vacuum_interval
        self._vacuumed = time.monotonic()
        self._puts: dict[tuple[str, str], int] = {}
        self._puts_lock = threading.Lock()
        if not hasattr(conn, "cursor"):
            # A pool hands each call a connection of its own: PostgresSaver's lock (there for
            # one shared connection) would make every conversation wait for every other.
            self.lock = contextlib.nullcontext()  # type: ignore[assignment]
            # As many async calls at once as the pool has connections.
            self.async_threads = int(getattr(conn, "max_size", 4) or 4)

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
        if self.keep_last is None:
            return saved
        conf = saved["configurable"]
        key = (str(conf["thread_id"]), str(conf.get("checkpoint_ns", "")))
        with self._puts_lock:
            if len(self._puts) >= MAX_COUNTED_THREADS:  # a long-lived server: start counting over
                self._puts.clear()
            count = self._puts.get(key, 0) + 1
            self._puts[key] = count
        if count % self.prune_every == 0:
            try:
                self.trim(key[0], key[1], keep=str(conf["checkpoint_id"]))
            except Exception:  # another writer changed the thread meanwhile: next time
                logger.debug("trimming thread %s deferred", key[0], exc_info=True)
        return saved

    def trim(self, thread_id: str, checkpoint_ns: str = "", *, keep: str = "") -> None:
        """Delete what is older than the newest ``keep_last`` checkpoints of one namespace of
        a thread (``keep``: a checkpoint id spared whatever its age)."""
        if self.keep_last is None:
            return
        params = {
            "thread": thread_id,
            "ns": checkpoint_ns,
            "saved": keep,
            "offset": self.keep_last - 1,
        }
        with self._cursor() as cur, cur.connection.transaction():
            for sql in _TRIM_SQL:
                cur.execute(sql, params)
        self._vacuum_if_due()

    def _vacuum_if_due(self) -> None:
        """Let the next puts reuse the space of trimmed checkpoints, at most once per
        ``vacuum_interval`` (``SKIP_LOCKED``: a table another vacuum holds is skipped; a user
        who may not vacuum the tables gets Postgres's warning, and autovacuum's pace)."""
        now = time.monotonic()
        if self.vacuum_interval is None or now - self._vacuumed < self.vacuum_interval:
            return
        self._vacuumed = now
        try:
            with self._cursor() as cur:
                if cur.connection.autocommit:  # VACUUM cannot run in a transaction
                    cur.execute(_VACUUM_SQL)
        except Exception:  # the next interval tries again
            logger.debug("vacuuming the checkpoint tables deferred", exc_info=True)


def checkpoint_pool(url: str, *, size: int = 4) -> Any:
    """The checkpoint saver's own connection pool (it needs dict rows and autocommit): the
    one place its connections are made."""
    from psycopg.rows import dict_row
    from psycopg_pool import ConnectionPool

    return ConnectionPool(
        **pool_kwargs(
            url,
            name="langgraph-memgpt-checkpoints",
            max_size=size,
            kwargs={"autocommit": True, "prepare_threshold": 0, "row_factory": dict_row},
            open=True,
        )
    )


def postgres_checkpointer(
    url: str, *, pool_size: int = 4, keep_last: int | None | str = DEFAULT
) -> PruningPostgresSaver:
    """A pruning ``PostgresSaver`` on its own small pool, tables created."""
    keep = resolve_keep_last(keep_last)
    pool = checkpoint_pool(url, size=pool_size)
    saver = PruningPostgresSaver(pool, keep_last=keep)
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
