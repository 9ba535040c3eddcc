"""The embedded default checkpointer: SQLite beside the memory stores, newest checkpoints kept.

Retention (``retention.py``): keep the newest ``keep_last`` checkpoints of each thread and
namespace with their pending writes, delete older ones. It runs inside each checkpoint INSERT
(a TEMP trigger, so in the same statement and transaction: no extra statement, commit or lock
round trip from Python). ``prune(thread_ids, strategy="keep_latest")`` is LangGraph's hook for
savers, which ``SqliteSaver`` does not implement. The async API (``ainvoke``/``astream``) runs
the same code in a worker thread (``aio.py``).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from langgraph.checkpoint.sqlite import SqliteSaver

from langgraph_memgpt.checkpointing.aio import AsyncViaThreads
from langgraph_memgpt.checkpointing.retention import DEFAULT, resolve_keep_last

CHECKPOINT_FILE = "checkpoints.sqlite"

#: The checkpoint id at the edge of a thread's kept window: the ``keep_last``-th newest.
_CUTOFF = """(
        SELECT checkpoint_id FROM checkpoints
        WHERE thread_id = NEW.thread_id AND checkpoint_ns = NEW.checkpoint_ns
        ORDER BY checkpoint_id DESC LIMIT 1 OFFSET {offset})"""

#: Checkpoint ids are time-ordered (uuid6), so "newest" is the largest id. The checkpoint being
#: inserted is never deleted by its own INSERT, even when its id is older than the window (a
#: caller putting an old id, as the conformance suite does, gets back a config it can load);
#: the next newer put trims it. With LangGraph's default async durability a step's writes can
#: land after a later checkpoint pruned their own: the second trigger drops writes whose
#: checkpoint is gone and older than the window (a checkpoint not written yet is newer than
#: every kept one, so its early writes stay). TEMP: it lives only on this connection, so a
#: plain ``SqliteSaver`` opening the same file keeps everything.
_KEEP_NEWEST_TRIGGER = f"""
CREATE TEMP TRIGGER IF NOT EXISTS memgpt_keep_newest_checkpoints
AFTER INSERT ON main.checkpoints
BEGIN
    DELETE FROM writes
    WHERE thread_id = NEW.thread_id AND checkpoint_ns = NEW.checkpoint_ns
      AND checkpoint_id <> NEW.checkpoint_id AND checkpoint_id < {_CUTOFF};
    DELETE FROM checkpoints
    WHERE thread_id = NEW.thread_id AND checkpoint_ns = NEW.checkpoint_ns
      AND checkpoint_id <> NEW.checkpoint_id AND checkpoint_id < {_CUTOFF};
END;
CREATE TEMP TRIGGER IF NOT EXISTS memgpt_drop_late_writes
AFTER INSERT ON main.writes
WHEN NEW.checkpoint_id < {_CUTOFF} AND NOT EXISTS (
    SELECT 1 FROM checkpoints
    WHERE thread_id = NEW.thread_id AND checkpoint_ns = NEW.checkpoint_ns
      AND checkpoint_id = NEW.checkpoint_id)
BEGIN
    DELETE FROM writes
    WHERE thread_id = NEW.thread_id AND checkpoint_ns = NEW.checkpoint_ns
      AND checkpoint_id = NEW.checkpoint_id;
END;
"""


class PruningSqliteSaver(AsyncViaThreads, SqliteSaver):
    """``SqliteSaver`` keeping the newest ``keep_last`` checkpoints of each thread, with the
    async API as well (one saver for ``invoke`` and ``ainvoke``).

    ``keep_last=None`` keeps everything (plain ``SqliteSaver`` behaviour).
    """

    def __init__(
        self, conn: sqlite3.Connection, *, keep_last: int | None | str = DEFAULT, **kwargs: Any
    ):
        keep = resolve_keep_last(keep_last)
        super().__init__(conn, **kwargs)
        self.keep_last = keep

    def setup(self) -> None:
        """Create the tables (``SqliteSaver``) and, when pruning, the pruning trigger."""
        if self.is_setup:
            return
        super().setup()
        if self.keep_last is not None:
            script = _KEEP_NEWEST_TRIGGER.replace("{offset}", str(self.keep_last - 1))
            self.conn.executescript(script)

    def prune(self, thread_ids: Sequence[str], *, strategy: str = "keep_latest") -> None:
        """Prune whole threads: ``keep_latest`` keeps the newest checkpoint of each namespace
        (with its writes), ``delete`` removes the threads."""
        if isinstance(thread_ids, str):
            raise TypeError("thread_ids must be a sequence of thread IDs, not a str")
        if strategy == "delete":
            for thread_id in thread_ids:
                self.delete_thread(thread_id)
            return
        if strategy != "keep_latest":
            raise ValueError(f"Unknown prune strategy: {strategy!r}")
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


def sqlite_checkpointer(
    data_dir: str | Path, *, keep_last: int | None | str = DEFAULT
) -> PruningSqliteSaver:
    """The embedded default: a WAL-mode SQLite file beside the memory stores."""
    keep = resolve_keep_last(keep_last)
    path = Path(data_dir)
    path.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path / CHECKPOINT_FILE, check_same_thread=False)
    conn.execute("PRAGMA journal_mode=WAL")
    # In WAL mode NORMAL survives an application crash (only power loss can roll back the last
    # commits) and saves an fsync per commit: the largest per-turn cost of the whole graph.
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute(f"PRAGMA wal_autocheckpoint={WAL_AUTOCHECKPOINT_PAGES}")
    conn.execute(f"PRAGMA journal_size_limit={WAL_SIZE_LIMIT}")
    return PruningSqliteSaver(conn, keep_last=keep)
