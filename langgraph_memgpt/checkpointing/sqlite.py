"""Checkpoint retention for the embedded SQLite checkpointer.

LangGraph writes a full snapshot of the state at every super-step and never deletes one, so a
long thread's checkpoint file grows with (steps x state size). Our state is bounded by the
context budget, but the *history* of snapshots is not. Recall memory already keeps every message
ever, so old snapshots are dead weight for this agent: we keep the newest few per thread and
namespace (enough to resume a crashed turn) and delete the rest, with their pending writes.

This implements ``BaseCheckpointSaver.prune(thread_ids, strategy="keep_latest")``, the hook
LangGraph declares for savers but ``SqliteSaver`` does not implement yet.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from langgraph.checkpoint.sqlite import SqliteSaver

CHECKPOINT_FILE = "checkpoints.sqlite"


#: Runs inside each checkpoint INSERT (in SQLite, in the same statement and transaction), so
#: pruning costs no extra statement, commit or lock round trip from Python. With LangGraph's
#: default async durability a step's writes can land after the next checkpoint pruned theirs;
#: the second trigger drops such late writes of an already-pruned checkpoint (a checkpoint not
#: written yet is newer than every kept one, so its early writes stay). TEMP: it lives only
#: on this connection, so a plain ``SqliteSaver`` opening the same file keeps everything.
_KEEP_NEWEST_TRIGGER = """
CREATE TEMP TRIGGER IF NOT EXISTS memgpt_keep_newest_checkpoints
AFTER INSERT ON main.checkpoints
BEGIN
    DELETE FROM writes
    WHERE thread_id = NEW.thread_id AND checkpoint_ns = NEW.checkpoint_ns
      AND checkpoint_id < (
        SELECT checkpoint_id FROM checkpoints
        WHERE thread_id = NEW.thread_id AND checkpoint_ns = NEW.checkpoint_ns
        ORDER BY checkpoint_id DESC LIMIT 1 OFFSET {offset});
    DELETE FROM checkpoints
    WHERE thread_id = NEW.thread_id AND checkpoint_ns = NEW.checkpoint_ns
      AND checkpoint_id < (
        SELECT checkpoint_id FROM checkpoints
        WHERE thread_id = NEW.thread_id AND checkpoint_ns = NEW.checkpoint_ns
        ORDER BY checkpoint_id DESC LIMIT 1 OFFSET {offset});
END;
CREATE TEMP TRIGGER IF NOT EXISTS memgpt_drop_late_writes
AFTER INSERT ON main.writes
WHEN NEW.checkpoint_id < (
    SELECT checkpoint_id FROM checkpoints
    WHERE thread_id = NEW.thread_id AND checkpoint_ns = NEW.checkpoint_ns
    ORDER BY checkpoint_id DESC LIMIT 1 OFFSET {offset})
BEGIN
    DELETE FROM writes
    WHERE thread_id = NEW.thread_id AND checkpoint_ns = NEW.checkpoint_ns
      AND checkpoint_id = NEW.checkpoint_id;
END;
"""


class PruningSqliteSaver(SqliteSaver):
    """``SqliteSaver`` that keeps only the newest ``keep_last`` checkpoints of each thread.

    Checkpoint ids are time-ordered (uuid6), so "newest" is the largest id. A checkpoint's
    pending writes go with it. ``keep_last=None`` keeps everything (plain ``SqliteSaver``
    behaviour, for time travel).
    """

    def __init__(self, conn: sqlite3.Connection, *, keep_last: int | None = 2, **kwargs: Any):
        if keep_last is not None and keep_last < 1:
            raise ValueError("keep_last must be at least 1 (or None to keep all)")
        super().__init__(conn, **kwargs)
        self.keep_last = keep_last

    def setup(self) -> None:
        """Create the tables (``SqliteSaver``) and, when pruning, the pruning trigger."""
        if self.is_setup:
            return
        super().setup()
        if self.keep_last is not None:
            self.conn.executescript(_KEEP_NEWEST_TRIGGER.format(offset=self.keep_last - 1))

    def prune(self, thread_ids: Sequence[str], *, strategy: str = "keep_latest") -> None:
        """Prune whole threads: ``keep_latest`` keeps one checkpoint per namespace."""
        if strategy == "delete":
            for thread_id in thread_ids:
                self.delete_thread(thread_id)
            return
        if strategy != "keep_latest":
            raise ValueError(f"unknown prune strategy {strategy!r}")
        with self.cursor() as cur:
            for thread_id in thread_ids:
                for table in ("writes", "checkpoints"):
                    cur.execute(
                        f"DELETE FROM {table} WHERE thread_id = ? AND checkpoint_id < ("
                        "SELECT MAX(c.checkpoint_id) FROM checkpoints c WHERE c.thread_id = "
                        f"{table}.thread_id AND c.checkpoint_ns = {table}.checkpoint_ns)",
                        (str(thread_id),),
                    )


#: The WAL is copied back into the database once it holds this many pages. SQLite's default
#: (1000 pages) let it reach 4 MB, the largest file of a short thread; a turn writes about three
#: snapshots, so this copies every two or three turns, a few dozen pages each time.
WAL_AUTOCHECKPOINT_PAGES = 64
#: After a checkpoint the WAL file is truncated back to at most this many bytes.
WAL_SIZE_LIMIT = 256 * 1024


def sqlite_checkpointer(data_dir: str | Path, *, keep_last: int | None = 2) -> PruningSqliteSaver:
    """The embedded default: a WAL-mode SQLite file beside the memory stores."""
    path = Path(data_dir)
    path.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path / CHECKPOINT_FILE, check_same_thread=False)
    conn.execute("PRAGMA journal_mode=WAL")
    # In WAL mode NORMAL survives an application crash (only power loss can roll back the last
    # commits) and saves an fsync per commit: the largest per-turn cost of the whole graph.
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute(f"PRAGMA wal_autocheckpoint={WAL_AUTOCHECKPOINT_PAGES}")
    conn.execute(f"PRAGMA journal_size_limit={WAL_SIZE_LIMIT}")
    return PruningSqliteSaver(conn, keep_last=keep_last)
