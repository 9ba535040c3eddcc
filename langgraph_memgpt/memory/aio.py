"""The one seam where async code touches memory: the call runs in a worker thread.

Every store call is blocking I/O (SQLite, psycopg's sync pool, FAISS, embedding models), and
an ``async`` node that made one directly would stall every other conversation on the event
loop. The async nodes and the memory tools' coroutines call :func:`off_loop` instead of the
tiers, so the event loop only waits on awaitables. It is ``asyncio.to_thread``: the loop's
default executor, the caller's context variables (LangGraph's config, callbacks, stream writer)
carried into the thread. ``Memory`` itself stays thread-safe and sync; there is one API to keep
right, and the sync ``invoke`` path is unchanged.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")


async def off_loop(fn: Callable[P, R], /, *args: P.args, **kwargs: P.kwargs) -> R:
    """Run the blocking memory call ``fn(*args, **kwargs)`` off the event loop."""
    return await asyncio.to_thread(fn, *args, **kwargs)
