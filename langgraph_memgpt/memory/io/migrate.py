"""Moving a local store (SQLite + FAISS) up to PostgreSQL, without re-embedding and resumably.

Rows are copied table by table with their ids (the Postgres schema mirrors SQLite's, see
``postgres_schema.py``), vectors as they are, the lexical index included, so nothing is
recomputed and search ranks the same afterwards. Each batch commits on its own and inserts with
``ON CONFLICT DO NOTHING``: an interrupted migration is resumed by running it again. The target
must be empty or a migration of the same source (recorded in its ``meta`` table), so ids never
collide with another store's. At the end every table's row count is compared with the source's,
and each thread's latest checkpoint moves to LangGraph's ``PostgresSaver``, so conversations
in progress continue where they were.
"""

from __future__ import annotations

import sqlite3
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

import numpy as np

from langgraph_memgpt.memory.types import MemoryStoreError

BATCH = 2_000
SOURCE_KEY = "migrated_from"
#: Tables with an identity column whose sequence must continue after the copied ids.
IDENTITY_TABLES = ("namespaces", "recall", "archival", "archival_history")
#: Rows of ``meta`` that describe the source file, not the store.
LOCAL_META = ("schema_version", "lexical_reindex")

Progress = Callable[[str, int], Any]


@dataclass
class MigrationReport:
    source: str
    target: str
    rows: dict[str, int] = field(default_factory=dict)  # per table: rows in both, verified
    threads: int = 0  # conversations whose latest checkpoint moved

    def __str__(self) -> str:
        total = sum(self.rows.values())
        tables = ", ".join(f"{name} {count:,}" for name, count in self.rows.items() if count)
        return (
            f"migrated {total:,} rows from {self.source} to {self.target} ({tables}); "
            f"{self.threads} thread(s) of checkpoints; counts verified."
        )


def migrate(
    source: str | Path,
    target_url: str,
    *,
    progress: bool | None = None,
    stream: TextIO | None = None,
    batch: int = BATCH,
) -> MigrationReport:
    """Copy every tier of the local store at ``source`` into the Postgres database at
    ``target_url``; returns what was copied. ``progress`` shows a bar per table (default: when
    ``stream`` is a terminal)."""
    from langgraph_memgpt.memory.backends.postgres_db import (
        PostgresDatabase,
        is_postgres_url,
        redact,
    )
    from langgraph_memgpt.memory.backends.postgres_schema import TABLES
    from langgraph_memgpt.memory.backends.sqlite_db import DB_FILE
    from langgraph_memgpt.memory.tiers.reindex import upgrade_sqlite_store

    directory = Path(source)
    if not (directory / DB_FILE).is_file():
        raise MemoryStoreError(f"{directory} holds no memory store (no {DB_FILE}).")
    if not is_postgres_url(target_url):
        raise MemoryStoreError(f"--to must be a postgresql:// URL, got {redact(target_url)!r}.")
    upgrade_sqlite_store(directory)  # an older store reaches the current schema first
    out = stream if stream is not None else sys.stderr
    show = out.isatty() if progress is None else progress
    identity = str(directory.resolve())
    target = PostgresDatabase(target_url, pool_size=2)
    report = MigrationReport(identity, target.location)
    try:
        _claim(target, identity)
        src = sqlite3.connect(f"file:{directory / DB_FILE}?mode=ro", uri=True)
        try:
            for table in TABLES:
                total = _count(src, table)
                with _bar(table, total, show, out) as advance:
                    _copy_table(src, target, table, batch, advance)
                report.rows[table] = total
            _continue_identities(target)
            _verify(src, target, report)
        finally:
            src.close()
        report.threads = _copy_checkpoints(directory, target_url)
        target.set_meta("migration_complete", identity)
    finally:
        target.close()
    return report


def _claim(target: Any, identity: str) -> None:
    """Refuse a target that holds another store; record this source in an empty one."""
    with target.transaction() as conn:
        claimed = conn.execute("SELECT value FROM meta WHERE key=?", (SOURCE_KEY,)).fetchone()
        if claimed is not None and claimed[0] != identity:
            raise MemoryStoreError(
                f"{target.location} already holds a migration of {claimed[0]}; migrate into "
                "an empty database."
            )
        if claimed is None:
            (users,) = conn.execute("SELECT count(*) FROM namespaces").fetchone()
            if users:
                raise MemoryStoreError(
                    f"{target.location} already holds memory of {users} user(s); migrate into "
                    "an empty database (ids would collide)."
                )
            conn.execute("INSERT INTO meta(key, value) VALUES (?, ?)", (SOURCE_KEY, identity))


def _count(src: sqlite3.Connection, table: str) -> int:
    where = _meta_filter(table)
    return int(src.execute(f"SELECT count(*) FROM {table}{where}").fetchone()[0])


def _meta_filter(table: str) -> str:
    if table != "meta":
        return ""
    keys = ",".join(f"'{k}'" for k in (*LOCAL_META, SOURCE_KEY, "migration_complete"))
    return f" WHERE key NOT IN ({keys})"


def _copy_table(
    src: sqlite3.Connection, target: Any, table: str, batch: int, advance: Callable[[int], Any]
) -> None:
    columns = [row[1] for row in src.execute(f"PRAGMA table_info({table})")]
    vector_at = columns.index("vector") if "vector" in columns else -1
    names = ", ".join(columns)
    marks = ", ".join("?" * len(columns))
    insert = f"INSERT INTO {table} ({names}) VALUES ({marks}) ON CONFLICT DO NOTHING"
    cursor = src.execute(f"SELECT {names} FROM {table}{_meta_filter(table)}")
    while rows := cursor.fetchmany(batch):
        if vector_at >= 0:
            rows = [_with_vector(row, vector_at) for row in rows]
        with target.transaction() as conn:
            conn.executemany(insert, rows)
        advance(len(rows))


def _with_vector(row: tuple[Any, ...], at: int) -> tuple[Any, ...]:
    blob = row[at]
    if blob is None:
        return row
    return (*row[:at], np.frombuffer(blob, dtype=np.float32), *row[at + 1 :])


def _continue_identities(target: Any) -> None:
    """New rows get ids after the copied ones."""
    with target.transaction() as conn:
        for table in IDENTITY_TABLES:
            conn.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"GREATEST((SELECT max(id) FROM {table}), 1))"
            )


def _verify(src: sqlite3.Connection, target: Any, report: MigrationReport) -> None:
    wrong = []
    with target.read() as conn:
        for table, expected in report.rows.items():
            (found,) = conn.execute(f"SELECT count(*) FROM {table}{_meta_filter(table)}").fetchone()
            if int(found) != expected:
                wrong.append(f"{table}: {expected} in the source, {found} in the target")
    if wrong:
        raise MemoryStoreError("the copy does not match the source: " + "; ".join(wrong))


def _copy_checkpoints(directory: Path, target_url: str) -> int:
    """Each thread's latest checkpoint (with its pending writes) into the target's saver."""
    from langgraph_memgpt.checkpointing.postgres import postgres_checkpointer
    from langgraph_memgpt.checkpointing.sqlite import CHECKPOINT_FILE

    path = directory / CHECKPOINT_FILE
    if not path.is_file():
        return 0
    from langgraph.checkpoint.sqlite import SqliteSaver

    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
    saver = postgres_checkpointer(target_url, pool_size=1)
    moved = 0
    try:
        source = SqliteSaver(conn)
        threads = [
            row[0]
            for row in conn.execute(
                "SELECT DISTINCT thread_id FROM checkpoints WHERE checkpoint_ns=''"
            )
        ]
        for thread_id in threads:
            found = source.get_tuple(
                {"configurable": {"thread_id": thread_id, "checkpoint_ns": ""}}
            )
            if found is None:
                continue
            config = {"configurable": {"thread_id": thread_id, "checkpoint_ns": ""}}
            stored = saver.put(
                config,
                found.checkpoint,
                found.metadata,
                dict(found.checkpoint.get("channel_versions", {})),
            )
            by_task: dict[tuple[str, str], list[tuple[str, Any]]] = {}
            for task_id, channel, value in found.pending_writes or []:
                by_task.setdefault((task_id, ""), []).append((channel, value))
            for (task_id, _), writes in by_task.items():
                saver.put_writes(stored, writes, task_id)
            moved += 1
    finally:
        conn.close()
        saver.conn.close()
    return moved


@contextmanager
def _bar(name: str, total: int, show: bool, out: TextIO) -> Iterator[Callable[[int], Any]]:
    """A tqdm bar for one table on a terminal; a no-op otherwise."""
    if not (show and total):
        yield lambda n: None
        return
    from tqdm import tqdm

    with tqdm(total=total, desc=f"{name:>13}", unit=" rows", file=out) as bar:
        yield bar.update
