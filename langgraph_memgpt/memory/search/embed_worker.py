"""Embedding recall messages off the turn's critical path.

Every message of every turn goes to recall memory, and embedding it with a local model costs
more than the rest of the turn's memory work together. So appends only store the text and
index its words; this worker embeds new messages in batches once the store has been idle for
``idle_seconds`` (a user reading or typing), and a recall search first embeds whatever is still
waiting (``RecallMemory.search``), so dense results never depend on the worker's timing.
Back-to-back turns (a benchmark, an import) are never slowed by it.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

logger = logging.getLogger(__name__)

BATCH = 64


class BackgroundEmbedder:
    """A daemon thread that calls ``embed_batch(ns)`` for namespaces with new messages."""

    def __init__(
        self,
        embed_batch: Callable[[int, int], int],
        *,
        idle_seconds: float = 0.5,
    ) -> None:
        self._embed_batch = embed_batch
        self._idle = idle_seconds
        self._pending: set[int] = set()
        self._last_write = 0.0
        self._cond = threading.Condition()
        self._stopped = False
        self._thread: threading.Thread | None = None

    def notify(self, ns: int) -> None:
        """A namespace got new messages: embed them when the store is next idle."""
        with self._cond:
            if self._stopped:
                return
            self._pending.add(ns)
            self._last_write = time.monotonic()
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="memgpt-recall-embedder", daemon=True
                )
                self._thread.start()
            self._cond.notify()

    def _next(self) -> int | None:
        with self._cond:
            while not self._stopped:
                if self._pending:
                    wait = self._last_write + self._idle - time.monotonic()
                    if wait <= 0:
                        return self._pending.pop()
                    self._cond.wait(wait)
                else:
                    self._cond.wait()
            return None

    def _run(self) -> None:
        while (ns := self._next()) is not None:
            try:
                done = self._embed_batch(ns, BATCH)
            except Exception:  # the store closed, the model failed: the search path retries
                logger.debug("background embedding of namespace %s failed", ns, exc_info=True)
                continue
            if done:  # maybe more: come back to it after the next idle check
                with self._cond:
                    if not self._stopped:
                        self._pending.add(ns)

    def stop(self) -> None:
        """Stop the worker (waits for a batch in progress); pending rows stay for later."""
        with self._cond:
            self._stopped = True
            self._cond.notify_all()
            thread = self._thread
        if thread is not None:
            thread.join(timeout=30)
