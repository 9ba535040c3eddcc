"""Sleep-time consolidation: settle new archival records and tidy core blocks, off the hot path.

Letta moves memory editing to a sleep-time agent that runs every N steps on what arrived after
a watermark; this is that step for our tiers. :func:`consolidate` takes the archival records
past the watermark (``validity.settled``), oldest first, and for each asks a decider about the
older similar records (``supersede.py``): a restatement is merged, a changed fact supersedes the
old one (kept, hidden), anything else is left alone; then it tidies the core blocks (equal lines
once, a line replaced by a later one moved to archival as a superseded record, a block over its
limit trimmed into archival, oldest lines first). It only ever hides a record behind a current
newer one and never deletes, so a current fact stays retrievable. Run twice, it does nothing
the second time (idempotent): decided records are past the watermark, and tidy blocks are left.

:class:`Consolidator` runs it every N finished turns on a background thread, so the turn that
triggers it answers as fast as one that does not.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from langgraph_memgpt.memory.backends.validity import normalise
from langgraph_memgpt.memory.hygiene.supersede import Decider, RuleDecider, settle_record
from langgraph_memgpt.memory.types import (
    DEFAULT_AGENT_ID,
    Block,
    MemoryStoreError,
    MemoryStoreUnavailable,
)

if TYPE_CHECKING:
    from langgraph_memgpt.memory.memory import Memory

logger = logging.getLogger(__name__)

DEFAULT_EVERY = 5
CORE_TAG = "core"


@dataclass
class ConsolidationReport:
    """What one :func:`consolidate` call changed."""

    processed: int = 0
    superseded: int = 0
    merged: int = 0
    rejected: int = 0
    core_lines_archived: int = 0
    core_duplicates_removed: int = 0

    @property
    def changed(self) -> int:
        return (
            self.superseded + self.merged + self.core_lines_archived + self.core_duplicates_removed
        )


def consolidate(
    memory: Memory,
    *,
    user_id: str,
    agent_id: str = DEFAULT_AGENT_ID,
    decider: Decider | None = None,
    max_records: int = 1000,
    batch: int = 100,
    k: int | None = None,
    core: bool = True,
) -> ConsolidationReport:
    """Settle up to ``max_records`` archival records past the watermark, then tidy core."""
    decider = decider or RuleDecider()
    report = ConsolidationReport()
    archival = memory.archival
    while report.processed < max_records:
        pending = archival.unsettled(
            user_id=user_id, agent_id=agent_id, limit=min(batch, max_records - report.processed)
        )
        if not pending:
            break
        # Each record's search below embeds its text: all of them in one model call (if
        # that fails, each search embeds its own query, or goes lexical, as before).
        with contextlib.suppress(MemoryStoreError):
            archival.embed_queries(
                [r.text[:2000] for r in pending if not r.metadata.get("superseded_at")]
            )
        for record in pending:
            if not record.metadata.get("superseded_at"):
                applied = settle_record(
                    archival, record, decider, user_id=user_id, agent_id=agent_id, k=k
                )
                report.superseded += len(applied.superseded)
                report.merged += applied.merged_into is not None
                report.rejected += len(applied.rejected)
            archival.settle([record.id], user_id=user_id, agent_id=agent_id)
            report.processed += 1
    if core:
        tidy_core(memory, report, user_id=user_id, agent_id=agent_id, decider=decider)
    return report


def tidy_lines(lines: list[str], decider: Decider) -> tuple[list[str], list[str], int]:
    """(kept lines, lines replaced by a later one, duplicates dropped), order kept."""
    kept: list[str] = []
    replaced: list[str] = []
    seen: set[str] = set()
    duplicates = 0
    for line in lines:
        key = normalise(line)
        if not key:
            continue
        if key in seen:
            duplicates += 1
            continue
        seen.add(key)
        proposals = decider.decide(line, kept)
        gone = {p.target for p in proposals if p.op == "supersede" and p.target is not None}
        restated = any(p.op == "noop" for p in proposals)
        replaced.extend(kept[i] for i in sorted(gone) if 0 <= i < len(kept))
        kept = [old for i, old in enumerate(kept) if i not in gone]
        if restated and not gone:
            duplicates += 1
            continue
        kept.append(line)
    return kept, replaced, duplicates


def tidy_core(
    memory: Memory,
    report: ConsolidationReport,
    *,
    user_id: str,
    agent_id: str = DEFAULT_AGENT_ID,
    decider: Decider | None = None,
) -> None:
    """Core blocks without repeated or replaced lines, and within their limits. Every line
    taken out of a block is stored in archival memory first (tagged ``core``), so nothing is
    lost; a replaced line is stored superseded."""
    decider = decider or RuleDecider()
    for label, block in memory.core.get(user_id=user_id, agent_id=agent_id).items():
        lines = block.value.split("\n")
        kept, replaced, duplicates = tidy_lines(lines, decider)
        overflow: list[str] = []
        while kept and len("\n".join(kept)) > block.limit:
            overflow.append(kept.pop(0))
        if not (replaced or duplicates or overflow):
            continue
        _archive(memory, label, block, replaced, overflow, user_id=user_id, agent_id=agent_id)
        removed = {normalise(line) for line in [*replaced, *overflow]}

        def change(current: Block, removed: set[str] = removed) -> str:
            """Apply the tidy to the block as it is now (a line appended meanwhile stays)."""
            out: list[str] = []
            seen: set[str] = set()
            for line in current.value.split("\n"):
                key = normalise(line)
                if key and key not in removed and key not in seen:
                    seen.add(key)
                    out.append(line)
            return "\n".join(out)

        try:
            memory.core.update(label, change, user_id=user_id, agent_id=agent_id)
        except MemoryStoreError as exc:  # the block went away meanwhile
            logger.warning("core block %s not tidied: %s", label, exc)
            continue
        report.core_lines_archived += len(replaced) + len(overflow)
        report.core_duplicates_removed += duplicates


def _archive(
    memory: Memory,
    label: str,
    block: Block,
    replaced: list[str],
    overflow: list[str],
    *,
    user_id: str,
    agent_id: str,
) -> None:
    lines = [*replaced, *overflow]
    if not lines:
        return
    ids = memory.archival.insert_many(
        lines,
        user_id=user_id,
        agent_id=agent_id,
        tags=[CORE_TAG, label],
        metadatas=[{"source": f"core:{label}"}] * len(lines),
    )
    memory.archival.settle(ids, user_id=user_id, agent_id=agent_id)
    for line, rid in zip(replaced, ids[: len(replaced)], strict=True):
        try:
            memory.archival.supersede(
                rid,
                by=None,
                reason=f"replaced by a newer line in core block {label!r}",
                user_id=user_id,
                agent_id=agent_id,
                actor="consolidation",
            )
        except MemoryStoreError as exc:
            logger.warning("archived core line %r not marked superseded: %s", line, exc)


class Consolidator:
    """Runs :func:`consolidate` every ``every`` finished turns of a user, in the background.

    ``turn_finished`` only counts and, on every N-th turn, queues the namespace for a worker
    thread: the answer of that turn is not delayed. The worker then waits until no turn has
    finished for ``idle_seconds`` (the user reading and typing), as recall memory's embedder
    does, so its model calls and writes do not compete with the next turns for the CPU; after
    ``max_delay`` seconds of turns without a pause it runs anyway. ``wait`` runs the queue now
    and blocks until it is done (tests, benchmarks, shutdown); failures are logged, never
    raised into a turn.
    """

    def __init__(
        self,
        memory: Memory,
        *,
        every: int = DEFAULT_EVERY,
        decider: Decider | None = None,
        background: bool = True,
        idle_seconds: float = 0.5,
        max_delay: float = 30.0,
    ) -> None:
        if every < 1:
            raise ValueError("consolidate every must be at least 1 turn")
        self.idle_seconds = idle_seconds
        self.max_delay = max_delay
        self._last_turn = 0.0
        self._queued_at = 0.0
        self._hurry = False
        self.memory = memory
        self.every = every
        self.decider = decider or RuleDecider()
        self.background = background
        self.runs = 0
        self.last_report: ConsolidationReport | None = None
        self._turns: dict[tuple[str, str], int] = {}
        self._queue: list[tuple[str, str]] = []
        self._cond = threading.Condition()
        self._busy = False
        self._thread: threading.Thread | None = None
        self._closed = False

    def turn_finished(self, user_id: str, agent_id: str = DEFAULT_AGENT_ID) -> bool:
        """Count a finished turn; True when it queued a consolidation."""
        key = (user_id, agent_id)
        with self._cond:
            if self._closed:
                return False
            self._turns[key] = self._turns.get(key, 0) + 1
            self._last_turn = time.monotonic()
            self._cond.notify_all()  # a waiting worker starts its idle count again
            if self._turns[key] % self.every:
                return False
            if not self._queue:
                self._queued_at = self._last_turn
            if key not in self._queue:
                self._queue.append(key)
            if self.background and not self._busy:
                # The worker clears ``_busy`` under this lock when it finds the queue empty,
                # so a key queued now is either seen by it or by a new worker.
                self._busy = True
                self._thread = threading.Thread(
                    target=self._work, name="memgpt-consolidation", daemon=True
                )
                self._thread.start()
        if not self.background:
            self._drain()
        return True

    def _run(self, key: tuple[str, str]) -> None:
        try:
            report = consolidate(self.memory, user_id=key[0], agent_id=key[1], decider=self.decider)
            self.last_report = report
            self.runs += 1
        except MemoryStoreUnavailable as exc:
            # The database is down or restarting: expected, and the next run tries again; a
            # traceback would reach a chat user's terminal through logging's last resort.
            logger.warning("consolidation for %s postponed: %s", key, exc)
        except Exception:  # a closed store, a failing model: the next run tries again
            logger.exception("consolidation for %s failed", key)

    def _drain(self) -> None:
        while True:
            with self._cond:
                if not self._queue:
                    return
                key = self._queue.pop(0)
            self._run(key)

    def _work(self) -> None:
        while True:
            with self._cond:
                self._wait_for_idle()
                if not self._queue:
                    self._busy = False
                    return
                key = self._queue.pop(0)
            self._run(key)

    def _wait_for_idle(self) -> None:
        """Hold the worker (the lock held) until turns pause, the work is overdue or wanted."""
        while self._queue and not self._hurry and not self._closed:
            now = time.monotonic()
            start = min(self._last_turn + self.idle_seconds, self._queued_at + self.max_delay)
            if start <= now:
                return
            self._cond.wait(start - now)

    def wait(self, timeout: float | None = None) -> None:
        """Run every queued consolidation now and block until they have run."""
        with self._cond:
            self._hurry = True
            self._cond.notify_all()
            thread = self._thread
        try:
            if thread is not None:
                thread.join(timeout)
        finally:
            with self._cond:
                self._hurry = False

    def close(self) -> None:
        """Finish the queued work and stop taking more."""
        self.wait()
        with self._cond:
            self._closed = True
