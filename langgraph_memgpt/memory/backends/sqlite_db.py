"""The SQLite database of the embedded backend: one connection, one lock, one schema.

SQLite is the source of truth for every tier (core blocks, recall messages, archival records
*and* their vectors); the FAISS files are a rebuildable cache of the vectors. One connection is
shared by all tiers with ``check_same_thread=False`` and guarded by a re-entrant lock, because
LangGraph may run nodes in worker threads. WAL mode lets another process (the CLI, Studio)
read while the agent writes.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from langgraph_memgpt.memory.backends.database import SharedQueries, apply_schema
from langgraph_memgpt.memory.backends.guard_schema import add_guard_columns
from langgraph_memgpt.memory.backends.lexical import SCHEMA as LEXICAL_SCHEMA
from langgraph_memgpt.memory.backends.lexical_blocks import upgrade_to_blocks
from langgraph_memgpt.memory.backends.validity import SQLITE_SCHEMA as VALIDITY_SCHEMA
from langgraph_memgpt.memory.backends.validity import upgrade as upgrade_validity
from langgraph_memgpt.memory.types import MemoryStoreError

SCHEMA_VERSION = 4
# Version 1 searched with FTS5 tables shared by every tenant; version 2 replaces them with the
# per-tenant index of ``lexical.py`` (built from the stored texts on first open).
_V1_FTS = (
    "DROP TRIGGER IF EXISTS recall_fts_insert",
    "DROP TRIGGER IF EXISTS recall_fts_delete",
    "DROP TRIGGER IF EXISTS archival_fts_insert",
    "DROP TRIGGER IF EXISTS archival_fts_delete",
    "DROP TABLE IF EXISTS recall_fts",
    "DROP TABLE IF EXISTS archival_fts",
)
#: The file that makes a directory a memory store.
DB_FILE = "memory.sqlite"
REINDEX_KEY = "lexical_reindex"

# Statements run one by one inside one transaction (``executescript`` would commit early).
SCHEMA: tuple[str, ...] = (
    """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)
""",
    """
CREATE TABLE IF NOT EXISTS namespaces (
    id INTEGER PRIMARY KEY,
    agent_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    UNIQUE (agent_id, user_id)
)
""",
    """
CREATE TABLE IF NOT EXISTS core_blocks (
    ns INTEGER NOT NULL REFERENCES namespaces(id),
    label TEXT NOT NULL,
    value TEXT NOT NULL,
    char_limit INTEGER NOT NULL,
    description TEXT NOT NULL,
    position INTEGER NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (ns, label)
)
""",
    # The tool calls that edited a core block (``CoreMemory`` ``once_key``): a call replayed
    # by a resumed turn is recognised and not applied twice.
    """
CREATE TABLE IF NOT EXISTS core_calls (
    ns INTEGER NOT NULL REFERENCES namespaces(id),
    call_key TEXT NOT NULL,
    label TEXT NOT NULL,
    applied_at TEXT NOT NULL,
    PRIMARY KEY (ns, call_key)
)
""",
    """
CREATE TABLE IF NOT EXISTS recall (
    id INTEGER PRIMARY KEY,
    ns INTEGER NOT NULL REFERENCES namespaces(id),
    message_id TEXT NOT NULL,
    thread_id TEXT NOT NULL,
    turn INTEGER,
    role TEXT NOT NULL,
    content TEXT NOT NULL,
    created_at TEXT NOT NULL,
    tool_calls TEXT,
    tool_call_id TEXT,
    name TEXT,
    vector BLOB,
    UNIQUE (ns, message_id)
)
""",
    """
CREATE TABLE IF NOT EXISTS recall_state (
    ns INTEGER PRIMARY KEY REFERENCES namespaces(id),
    version INTEGER NOT NULL
)
""",
    """
CREATE INDEX IF NOT EXISTS recall_thread ON recall (ns, thread_id, id)
""",
    """
CREATE INDEX IF NOT EXISTS recall_time ON recall (ns, created_at, id)
""",
    """
CREATE TABLE IF NOT EXISTS archival (
    id INTEGER PRIMARY KEY,
    ns INTEGER NOT NULL REFERENCES namespaces(id),
    uid TEXT NOT NULL UNIQUE,
    text TEXT NOT NULL,
    tags TEXT NOT NULL,
    thread_id TEXT,
    turn INTEGER,
    created_at TEXT NOT NULL,
    source TEXT,
    extra TEXT NOT NULL,
    vector BLOB
)
""",
    """
CREATE INDEX IF NOT EXISTS archival_ns ON archival (ns, id)
""",
    """
CREATE INDEX IF NOT EXISTS archival_thread ON archival (ns, thread_id, id)
WHERE thread_id IS NOT NULL
""",
    """
CREATE TABLE IF NOT EXISTS archival_state (
    ns INTEGER PRIMARY KEY REFERENCES namespaces(id),
    version INTEGER NOT NULL
)
""",
    """
CREATE TABLE IF NOT EXISTS archival_tags (
    record INTEGER NOT NULL REFERENCES archival(id) ON DELETE CASCADE,
    ns INTEGER NOT NULL,
    tag TEXT NOT NULL,
    PRIMARY KEY (ns, tag, record)
)
""",
    *LEXICAL_SCHEMA,
    # Version 3: validity and history of archival records (``validity.py``).
    *VALIDITY_SCHEMA,
)


def is_storage_failure(exc: sqlite3.OperationalError) -> bool:
    """The disk, not the statement: full, read-only, or the file cannot be opened."""
    text = str(exc).lower()
    return any(p in text for p in ("disk is full", "readonly", "read-only", "unable to open"))


def storage_message(path: Path, exc: sqlite3.Error, action: str) -> str:
    """A failure of the disk under the store, said plainly: nothing half-written is kept."""
    text = str(exc).lower()
    if "disk is full" in text:
        why = "the disk is full; free some space and try again"
    elif not os.access(path.parent, os.W_OK) or "readonly" in text or "read-only" in text:
        why = f"the directory {path.parent} is read-only; open a writable copy of it"
    else:
        why = "check that the directory exists and is writable"
    done = " (nothing of this write was stored)" if action == "write" else ""
    return f"cannot {action} the memory database {path}: {exc}{done}: {why}."


def read_only_uri(path: Path) -> str:
    """SQLite's URI for reading ``path`` without writing anything.

    ``mode=ro`` alone still needs the WAL's ``-shm`` file, which SQLite creates next to the
    database, and cannot where the directory is read-only (a read-only mount, a locked
    directory). There, with no ``-wal`` file present, no writer has the database open (one
    would have created it), so ``immutable=1`` reads it without any lock or side file.
    """
    from urllib.parse import quote

    uri = f"file:{quote(str(path.resolve()))}?mode=ro"
    wal = path.with_name(path.name + "-wal")
    if not os.access(path.parent, os.W_OK) and not wal.exists():
        uri += "&immutable=1"
    return uri


class Database(SharedQueries):
    """The shared SQLite connection plus the namespace table.

    ``lock`` must be held for every statement; :meth:`transaction` takes it and wraps the body
    in ``BEGIN IMMEDIATE`` ... ``COMMIT`` so a failed write leaves nothing behind.
    """

    reopen_hint = "Memory.open(path)"
    row_lock = ""  # BEGIN IMMEDIATE already holds the write lock for the whole transaction

    def __init__(self, path: Path, *, read_only: bool = False) -> None:
        self.path = path
        #: Opened with SQLite's ``mode=ro``: reads only; a write raises ``MemoryStoreError``.
        self.read_only = read_only
        self.lock = threading.RLock()
        self._closed = False
        self._ns_cache: dict[tuple[str, str], int] = {}
        try:
            conn = sqlite3.connect(
                read_only_uri(path) if read_only else str(path),
                check_same_thread=False,
                isolation_level=None,
                timeout=30.0,
                uri=read_only,
            )
        except sqlite3.Error as exc:
            raise MemoryStoreError(f"cannot open the memory database {path}: {exc}") from exc
        self.conn = conn
        try:
            if read_only:
                self._check_readable(conn, path)
            else:
                self._prepare(conn, path)
        except sqlite3.Error as exc:
            conn.close()
            raise MemoryStoreError(storage_message(path, exc, "open")) from exc

    def _check_readable(self, conn: sqlite3.Connection, path: Path) -> None:
        """A read-only open writes nothing, so it cannot create or upgrade the schema: a store
        of another schema version is refused (opening it writable once upgrades it)."""
        conn.execute("PRAGMA cache_size=-32768")
        row = conn.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
        if row is None or int(row[0]) != SCHEMA_VERSION:
            found = "no schema version" if row is None else f"schema {row[0]}"
            raise MemoryStoreError(
                f"cannot open the memory database {path} read-only: it has {found}, this "
                f"package reads schema {SCHEMA_VERSION}; open it once where it is writable to "
                "upgrade it."
            )
        if conn.execute("SELECT 1 FROM meta WHERE key=?", (REINDEX_KEY,)).fetchone():
            raise MemoryStoreError(
                f"cannot open the memory database {path} read-only: its search index is "
                "waiting to be rebuilt; open it once where it is writable."
            )

    def _prepare(self, conn: sqlite3.Connection, path: Path) -> None:
        """Connection settings and the schema (created, or upgraded from an older version)."""
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        # Copy the WAL back every 64 pages (256 KiB) instead of SQLite's 1000 (4 MiB), and
        # truncate it to that size after each checkpoint: the WAL was most of a young store's
        # disk, and a turn writes only a few pages.
        conn.execute("PRAGMA journal_size_limit=262144")
        conn.execute("PRAGMA wal_autocheckpoint=64")
        conn.execute("PRAGMA foreign_keys=ON")
        # Searches read postings and vectors of one tenant at a time: a 32 MiB page cache and
        # memory-mapped reads keep a busy tenant's pages hot without a read() per page.
        conn.execute("PRAGMA cache_size=-32768")
        conn.execute("PRAGMA mmap_size=268435456")
        with self.transaction():
            stored = apply_schema(conn, SCHEMA, SCHEMA_VERSION, str(path))
            if stored is not None and stored < 2:
                for statement in _V1_FTS:
                    conn.execute(statement)
                columns = {r[1] for r in conn.execute("PRAGMA table_info(recall)")}
                if "vector" not in columns:  # recall is searched densely too since schema 2
                    conn.execute("ALTER TABLE recall ADD COLUMN vector BLOB")
                conn.execute(
                    "INSERT OR REPLACE INTO meta(key, value) VALUES (?, '1')", (REINDEX_KEY,)
                )
                conn.execute(
                    "UPDATE meta SET value=? WHERE key='schema_version'", (str(SCHEMA_VERSION),)
                )
            # Schema 3: the memory poisoning guard's trust and guard columns (guard_schema.py)
            # and superseded / duplicate records (validity.py).
            add_guard_columns(conn)
            if stored is not None and stored < 3:
                upgrade_validity(conn)
            # Schema 4: postings in blocks (lexical_blocks.py), rewritten from a row each.
            if stored is not None and stored < 4:
                upgrade_to_blocks(conn)
            if stored is not None and stored < SCHEMA_VERSION:
                conn.execute(
                    "UPDATE meta SET value=? WHERE key='schema_version'", (str(SCHEMA_VERSION),)
                )

    @property
    def location(self) -> str:
        return str(self.path.parent)

    @contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        """Hold the lock for a group of reads (no transaction needed in autocommit mode)."""
        with self.lock:
            self.check_open()
            yield self.conn

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction: all statements commit together or none do."""
        with self.lock:
            self.check_open()
            if self.read_only:
                raise MemoryStoreError(
                    f"the memory store in {self.location} was opened read-only: nothing can be "
                    "written to it."
                )
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield self.conn
                self.conn.execute("COMMIT")
            except BaseException as exc:
                if self.conn.in_transaction:  # SQLite may have rolled back itself (disk full)
                    self.conn.execute("ROLLBACK")
                if isinstance(exc, sqlite3.OperationalError) and is_storage_failure(exc):
                    raise MemoryStoreError(storage_message(self.path, exc, "write")) from exc
                raise

    def namespace(self, agent_id: str, user_id: str, *, create: bool) -> int | None:
        """The integer id of (agent_id, user_id), created on first write if ``create``.

        Call it before opening a write transaction: the row is committed on its own, so an id
        in the cache always exists even if the caller's transaction rolls back.
        """
        key = (agent_id, user_id)
        cached = self._ns_cache.get(key)
        if cached is not None:
            return cached
        with self.lock:
            self.check_open()
            create = create and not self.read_only  # a read-only store only finds namespaces
            if create and not self.conn.in_transaction:
                self.conn.execute(
                    "INSERT INTO namespaces(agent_id, user_id) VALUES (?, ?) ON CONFLICT DO NOTHING",
                    key,
                )
            row = self.conn.execute(
                "SELECT id FROM namespaces WHERE agent_id=? AND user_id=?", key
            ).fetchone()
            if row is None:
                if create:
                    raise RuntimeError("Database.namespace(create=True) inside a transaction")
                return None
            ns = int(row[0])
            self._ns_cache[key] = ns
            return ns

    def close(self) -> None:
        with self.lock:
            if not self._closed:
                self._closed = True
                self.conn.close()
