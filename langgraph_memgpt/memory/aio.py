"""The one seam where async code touches memory: the call runs in a worker thread.

Every store call is blocking I/O (SQLite, psycopg's sync pool, FAISS, embedding models), and
an ``async`` node that made one directly would stall every other conversation on the event
loop. The async nodes and the memory tools' coroutines call :func:`off_loop` (or
:func:`off_loop_in` with a store's own executor) instead of the tiers, so the event loop only
waits on awaitables. The caller's context variables (LangGraph's config, callbacks, stream
writer) are carried into the thread. ``Memory`` itself stays thread-safe and sync; there is one
API to keep right, and the sync ``invoke`` path is unchanged.

Why a store has an executor of its own (:class:`MemoryExecutor`): memory calls are short and
mostly hold the GIL, so the more threads take turns at them, the more of each turn goes to
handing the GIL over. Measured with 50 conversations in one loop on 2 cores
(``bench/async_load.py``), one thread did 7% more turns a second than four sync threads on both
backends, where the loop's default executor (up to 6 threads) did 9% fewer. A database across
a network waits rather than computes; ``MEMGPT_MEMORY_THREADS`` raises the count for it.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import os
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from langgraph_memgpt.checkpointing.worker import SaverWorker
from langgraph_memgpt.memory.types import MemoryStoreError

P = ParamSpec("P")
R = TypeVar("R")

#: Threads a store's executor runs memory calls on, when set (a positive integer).
MEMORY_THREADS_ENV = "MEMGPT_MEMORY_THREADS"


async def off_loop(fn: Callable[P, R], /, *args: P.args, **kwargs: P.kwargs) -> R:
    """Run the blocking call ``fn(*args, **kwargs)`` off the event loop (its default executor:
    for calls that may wait long, such as a sync-only chat model's request)."""
    return await asyncio.to_thread(fn, *args, **kwargs)


async def off_loop_in(
    executor: MemoryExecutor, fn: Callable[P, R], /, *args: P.args, **kwargs: P.kwargs
) -> R:
    """Run the blocking memory call ``fn(*args, **kwargs)`` on the store's own threads."""
    call = functools.partial(contextvars.copy_context().run, fn, *args, **kwargs)
    result: R = await executor.worker.run(call)
    return result


def memory_threads(backend: str) -> int:
    """Threads for a store's memory calls: one for SQLite (its writes queue behind one lock
    anyway), two for Postgres, or ``MEMGPT_MEMORY_THREADS`` (a bad value: MemoryStoreError,
    which the CLI reports in one line)."""
    raw = os.environ.get(MEMORY_THREADS_ENV, "").strip()
    if not raw:
        return 1 if backend == "sqlite" else 2
    if not raw.isdigit() or int(raw) < 1:
        raise MemoryStoreError(f"{MEMORY_THREADS_ENV} must be a positive integer, got {raw!r}")
    return int(raw)


class MemoryExecutor:
    """A store's worker threads for async callers. They are the savers' kind of worker
    (``checkpointing/worker.py``): started on first use (a sync-only app never starts one),
    leaving after a second idle, and handing results back to the loop in batches, one wake-up
    for every call that finished meanwhile; in side-by-side trials that did 6-10% more turns a
    second than a thread pool of the same size."""

    def __init__(self, threads: int) -> None:
        self.threads = threads
        self.worker = SaverWorker(threads, name="memgpt-memory")
