"""One graph node with a sync body for ``invoke`` and an async one for ``ainvoke``/``astream``.

LangGraph runs a plain function node under ``ainvoke`` in a thread of its own, model call
included; an async body awaits the model (``bound.ainvoke``: token streaming on the loop, no
thread per waiting conversation) and sends only memory I/O to a worker thread
(``memory/aio.py``). LangGraph's ``RunnableCallable`` is what its own ``ToolNode`` is built on:
it injects ``config`` and ``runtime`` into either body by the sync body's signature.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import Any

from langgraph_memgpt.memory.aio import MemoryExecutor, off_loop_in


def dual_node(func: Callable[..., Any], afunc: Callable[..., Awaitable[Any]], name: str) -> Any:
    """A node running ``func`` when invoked and ``afunc`` when awaited (same signature)."""
    try:
        from langgraph._internal._runnable import RunnableCallable
    except ImportError:  # a LangGraph without it: the sync body, run in a thread when awaited
        return func
    return RunnableCallable(func, afunc, name=name, trace=False)


def pure_router(func: Callable[..., Any], name: str) -> Any:
    """A conditional edge's function, run on the loop when awaited.

    LangGraph runs a plain function path under ``ainvoke`` in the loop's executor, a thread hop
    per routing decision (two a turn). The routers only read the state's last messages and
    flags, no I/O and microseconds of work, so the hop costs more than the call; awaited, they
    run inline like LangGraph's own ``tools_condition`` would if it were async.
    """

    @functools.wraps(func)
    async def route(*args: Any, **kwargs: Any) -> Any:
        return func(*args, **kwargs)

    return dual_node(func, route, name)


def offloaded(func: Callable[..., Any], executor: MemoryExecutor) -> Callable[..., Awaitable[Any]]:
    """The async body of a node that is memory I/O from end to end (``memory_interrupt``,
    ``compact``): the sync body itself, run on the store's threads at the one seam."""

    @functools.wraps(func)
    async def node(*args: Any, **kwargs: Any) -> Any:
        return await off_loop_in(executor, func, *args, **kwargs)

    return node
