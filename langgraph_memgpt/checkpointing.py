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

from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.base import ChannelVersions, Checkpoint, CheckpointMetadata
from langgraph.checkpoint.sqlite import SqliteSaver

CHECKPOINT_FILE = "checkpoints.sqlite"


class PruningSqliteSaver(SqliteSaver):
    """``SqliteSaver`` that keeps only the newest ``keep_last`` checkpoints of each thread.

    ``keep_last=None`` keeps everything (plain ``SqliteSaver`` behaviour, for time travel).
    """

    def __init__(self, conn: sqlite3.Connection, *, keep_last: int | None = 2, **kwargs: Any):
        if keep_last is not None and keep_last < 1:
            raise ValueError("keep_last must be at least 1 (or None to keep all)")
        super().__init__(conn, **kwargs)
        self.keep_last = keep_last

    def put(
        self,
        config: RunnableConfig,
        checkpoint: Checkpoint,
        metadata: CheckpointMetadata,
        new_versions: ChannelVersions,
    ) -> RunnableConfig:
        saved = super().put(config, checkpoint, metadata, new_versions)
        if self.keep_last is not None:
            configurable = saved["configurable"]
            self._keep_newest(
                str(configurable["thread_id"]),
                str(configurable.get("checkpoint_ns", "")),
                self.keep_last,
            )
        return saved

    def prune(self, thread_ids: Sequence[str], *, strategy: str = "keep_latest") -> None:
        """Prune whole threads: ``keep_latest`` keeps one checkpoint per namespace."""
        if strategy == "delete":
            for thread_id in thread_ids:
                self.delete_thread(thread_id)
            return
        if strategy != "keep_latest":
            raise ValueError(f"unknown prune strategy {strategy!r}")
        for thread_id in thread_ids:
            with self.cursor(transaction=False) as cur:
                namespaces = [
                    row[0]
                    for row in cur.execute(
                        "SELECT DISTINCT checkpoint_ns FROM checkpoints WHERE thread_id = ?",
                        (str(thread_id),),
                    )
                ]
            for ns in namespaces:
                self._keep_newest(str(thread_id), ns, 1)

    def _keep_newest(self, thread_id: str, checkpoint_ns: str, keep: int) -> None:
        # checkpoint ids are time-ordered (uuid6), so the newest sort last.
        with self.cursor() as cur:
            row = cur.execute(
                "SELECT checkpoint_id FROM checkpoints WHERE thread_id = ? AND checkpoint_ns = ? "
                "ORDER BY checkpoint_id DESC LIMIT 1 OFFSET ?",
                (thread_id, checkpoint_ns, keep - 1),
            ).fetchone()
            if row is None:
                return
            oldest_kept = row[0]
            for table in ("checkpoints", "writes"):
                cur.execute(
                    f"DELETE FROM {table} WHERE thread_id = ? AND checkpoint_ns = ? "
                    "AND checkpoint_id < ?",
                    (thread_id, checkpoint_ns, oldest_kept),
                )


def sqlite_checkpointer(data_dir: str | Path, *, keep_last: int | None = 2) -> PruningSqliteSaver:
    """The embedded default: a WAL-mode SQLite file beside the memory stores."""
    path = Path(data_dir)
    path.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path / CHECKPOINT_FILE, check_same_thread=False)
    conn.execute("PRAGMA journal_mode=WAL")
    # In WAL mode NORMAL survives an application crash (only power loss can roll back the last
    # commits) and saves an fsync per commit: the largest per-turn cost of the whole graph.
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("PRAGMA journal_size_limit=1048576")
    return PruningSqliteSaver(conn, keep_last=keep_last)
