"""Builds the MemGPT ``StateGraph``: nodes plus the conditional edges of the page fault.

```
START -> reason --(memory / unknown tool calls)--> memory_interrupt --> reason
                \\--(the user's tool calls)-------> execute_tool ------> reason
                 \\--(prompt needs compacting)----> compact -----------> reason
                  \\--(no tool calls)-------------> END
```

A module-level ``graph`` (built on first access, so importing this module has no side effects)
serves scripts; ``langgraph.json`` points at the ``server_graph`` factory, because the server
reads module attributes directly and calls factories on its event loop.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any, Literal

from langchain_core.language_models import BaseChatModel
from langchain_core.tools import BaseTool
from langchain_core.tools import tool as as_tool
from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph
from langgraph.types import Checkpointer, RetryPolicy

from langgraph_memgpt.configuration import MemGPTConfig, MemGPTContext
from langgraph_memgpt.context import AgentSettings, pending_tool_calls
from langgraph_memgpt.memory.guard.review import ModelReviewer
from langgraph_memgpt.memory.hygiene.consolidation import Consolidator
from langgraph_memgpt.memory.hygiene.supersede import Decider, ModelDecider
from langgraph_memgpt.memory.types import MemoryStoreUnavailable
from langgraph_memgpt.nodes.compact import make_compact_node
from langgraph_memgpt.nodes.dual import dual_node, offloaded, pure_router
from langgraph_memgpt.nodes.execute_tool import (
    make_async_execute_tool_node,
    make_execute_tool_node,
)
from langgraph_memgpt.nodes.memory_interrupt import make_memory_interrupt_node
from langgraph_memgpt.nodes.reason import make_async_reason_node, make_reason_node
from langgraph_memgpt.prompts import SYSTEM_PROMPT
from langgraph_memgpt.state import MemGPTInput, MemGPTState
from langgraph_memgpt.tokens import select_token_counter
from langgraph_memgpt.tools import create_memory_tools

if TYPE_CHECKING:
    from langgraph_memgpt.memory import Memory

logger = logging.getLogger(__name__)


def default_decider(model: BaseChatModel) -> Decider | None:
    """The consolidation decider for ``model``: ``ModelDecider`` (the rule decider on model
    errors) for a chat model of a LangChain provider integration (``langchain_openai``,
    ``langchain_anthropic``, ...), ``None`` (the offline rule decider) for anything else: the
    offline driver, test doubles, a model of one's own. About one call per consolidated record,
    of roughly 250 prompt tokens plus the record and its six most similar older records."""
    if is_provider_model(model):
        return ModelDecider(model)
    return None


def is_provider_model(model: BaseChatModel) -> bool:
    """A chat model of a LangChain provider integration (``langchain_openai``, ...)."""
    root = type(model).__module__.split(".", 1)[0]
    return root.startswith("langchain_") and root != "langchain_core"


def default_reviewer(model: BaseChatModel) -> ModelReviewer | None:
    """The guard's reviewer for ``model``: the model itself when it is a provider's chat model
    (one call per write the learned score is unsure of, about 200 prompt tokens plus the text),
    none for the offline driver and test doubles."""
    return ModelReviewer(model) if is_provider_model(model) else None


def create_memgpt_agent(
    model: BaseChatModel,
    *,
    memory: Memory,
    tools: Sequence[BaseTool | Callable[..., Any]] = (),
    checkpointer: Checkpointer | Literal["default", "sqlite"] = "default",
    store: Any = None,
    context_window: int | None = None,
    config: MemGPTConfig | None = None,
    system_prompt: str = SYSTEM_PROMPT,
    name: str = "memgpt",
    decider: Decider | None = None,
) -> CompiledStateGraph[Any, Any, Any, Any]:
    """Compile a MemGPT agent.

    ``checkpointer="default"`` keeps threads where the memory lives, pruned to the newest
    ``config.keep_checkpoints`` snapshots of each thread (recall memory keeps every message),
    and serves both ``invoke`` and ``ainvoke``/``astream``: ``checkpoints.sqlite`` in the memory's
    directory, or a ``PostgresSaver`` on the memory's database (``"sqlite"`` is an older name
    for the same). Pass ``None`` when the graph runs as a subgraph of a parent that has its own
    checkpointer, or any LangGraph checkpointer.

    Every ``config.consolidate_every`` finished turns of a user, memory is consolidated in the
    background (``memory/hygiene/consolidation.py``) with ``decider`` (default:
    ``default_decider(model)``: ``ModelDecider(model)`` for a provider's chat model, the offline
    ``RuleDecider`` otherwise). The graph's
    ``consolidator`` attribute is that scheduler (``.wait()`` for tests and benchmarks).

    A provider's chat model also becomes the poisoning guard's reviewer of texts its learned
    score is unsure of (``default_reviewer``), unless ``memory.guard.reviewer`` is already set.
    """
    settings_config = config or MemGPTConfig()
    if context_window is not None:
        settings_config = replace(settings_config, context_window=context_window)
    if settings_config.token_counter is None:
        counter, how = select_token_counter(model)
        logger.info("token counting: %s", how)
        settings_config = replace(settings_config, token_counter=counter)
    user_tools = [t if isinstance(t, BaseTool) else as_tool(t) for t in tools]
    memory_tools = create_memory_tools(memory, page_size=settings_config.search_page_size)
    clashes = {t.name for t in user_tools} & {t.name for t in memory_tools}
    if clashes:
        raise ValueError(f"tool names clash with the memory tools: {sorted(clashes)}")
    user_tool_names = {t.name for t in user_tools}
    consolidator = (
        Consolidator(
            memory,
            every=settings_config.consolidate_every,
            decider=decider if decider is not None else default_decider(model),
        )
        if settings_config.consolidate_every
        else None
    )
    if consolidator is not None:
        memory.on_close(consolidator.close)
    if memory.guard.reviewer is None:
        memory.guard.reviewer = default_reviewer(model)
    settings = AgentSettings(
        memory=memory,
        config=settings_config,
        system_prompt=system_prompt,
        tools=[*memory_tools, *user_tools],
        consolidator=consolidator,
    )
    if settings.tool_tokens >= settings.target_tokens:
        raise ValueError(
            f"the tool schemas alone take {settings.tool_tokens} tokens, more than the target "
            f"of {settings.target_tokens}; raise context_window"
        )

    def route_tools(state: MemGPTState) -> Literal["memory_interrupt", "execute_tool", "reason"]:
        pending = pending_tool_calls(state["messages"])
        if any(c["name"] not in user_tool_names or c.get("invalid") for c in pending):
            return "memory_interrupt"
        if pending:
            return "execute_tool"
        return "reason"

    def route_after_reason(
        state: MemGPTState,
    ) -> Literal["memory_interrupt", "execute_tool", "compact", "__end__"]:
        if state.get("compact_requested") or state.get("overflow_retry") or state.get("refused"):
            # the prompt needs compacting first, or the server said it was too long, or another
            # user's run was refused (compact's owner check raises it to the caller)
            return "compact"
        route = route_tools(state)
        return "__end__" if route == "reason" else route

    builder = StateGraph(MemGPTState, context_schema=MemGPTContext, input_schema=MemGPTInput)
    # Each node has a sync body (invoke, stream) and an async one (ainvoke, astream, abatch).
    # A node whose database was unreachable runs once more: its memory writes are keyed
    # (message ids, once-keys, upserts), so nothing is stored twice. The user's tools are not
    # ours to re-run (execute_tool has no retry).
    store_retry = RetryPolicy(max_attempts=2, initial_interval=0.5, retry_on=MemoryStoreUnavailable)
    compact = make_compact_node(model, settings)
    builder.add_node(
        "compact",
        dual_node(compact, offloaded(compact, memory.executor), "compact"),
        retry_policy=store_retry,
    )
    reason = dual_node(
        make_reason_node(model, settings), make_async_reason_node(model, settings), "reason"
    )
    builder.add_node("reason", reason, retry_policy=store_retry)
    page_fault = make_memory_interrupt_node(settings, user_tool_names)
    builder.add_node(
        "memory_interrupt",
        dual_node(page_fault, offloaded(page_fault, memory.executor), "memory_interrupt"),
        retry_policy=store_retry,
    )
    execute_tool = dual_node(
        make_execute_tool_node(settings, user_tools),
        make_async_execute_tool_node(settings, user_tools),
        "execute_tool",
    )
    builder.add_node("execute_tool", execute_tool)
    # A turn that fits its budget is one step (reason); reason sends the prompt to compact
    # first only when it needs compacting. Every step is a checkpoint LangGraph writes.
    builder.add_edge(START, "reason")
    builder.add_edge("compact", "reason")
    # The routers read only the state: awaited, they run on the loop (no thread hop).
    builder.add_conditional_edges(
        "reason",
        pure_router(route_after_reason, "route_after_reason"),
        ["memory_interrupt", "execute_tool", "compact", END],
    )
    # Path maps name the real successors, so the drawn graph shows no impossible self-loops.
    tools_router = pure_router(route_tools, "route_tools")
    builder.add_conditional_edges("memory_interrupt", tools_router, ["execute_tool", "reason"])
    builder.add_conditional_edges("execute_tool", tools_router, ["memory_interrupt", "reason"])

    saver: Checkpointer
    if isinstance(checkpointer, str):
        if checkpointer not in ("default", "sqlite"):
            raise ValueError(
                f"checkpointer must be 'default', None or a saver; got {checkpointer!r}"
            )
        saver = memory.default_checkpointer(keep_last=settings_config.keep_checkpoints)
    else:
        saver = checkpointer
    compiled = builder.compile(checkpointer=saver, store=store, name=name)
    setattr(compiled, "consolidator", consolidator)  # noqa: B010 - not a declared attribute
    setattr(compiled, "memory", memory)  # noqa: B010 - for the server's store (store_server.py)
    return compiled


_default_graph: CompiledStateGraph | None = None
_default_graph_lock = threading.Lock()


def make_default_graph() -> CompiledStateGraph:
    """Build the graph ``langgraph dev`` serves: model from the environment, memory in the
    Postgres database of ``MEMGPT_DATABASE_URL`` when set, else in ``MEMGPT_DATA_DIR``
    (default ``./memgpt-data``), and no checkpointer of its own.

    ``checkpointer=None`` and no store because the LangGraph server attaches its own to a copy
    of the graph for every run (in a deployment, on the same Postgres database); our memory
    tiers stay where the environment says.
    """
    import os

    from langgraph_memgpt.configuration import chat_model_from_settings
    from langgraph_memgpt.memory import Memory

    model, _ = chat_model_from_settings()
    memory = Memory.open(
        os.environ.get("MEMGPT_DATABASE_URL") or os.environ.get("MEMGPT_DATA_DIR", "./memgpt-data")
    )
    window = int(os.environ.get("MEMGPT_CONTEXT_WINDOW", "8192"))
    return create_memgpt_agent(model, memory=memory, checkpointer=None, context_window=window)


def default_graph() -> CompiledStateGraph:
    """The one default graph of this process, built on the first call.

    This zero-argument factory is what ``langgraph.json`` points at: the server reads graph
    variables from the module's ``__dict__`` (so a lazy module attribute is invisible to it)
    and calls factories per request, so the build is cached to open the memory directory once.
    """
    global _default_graph
    with _default_graph_lock:
        if _default_graph is None:
            _default_graph = make_default_graph()
        return _default_graph


async def server_graph() -> CompiledStateGraph:
    """Async factory for ``langgraph.json``: :func:`default_graph`, built off the event loop.

    The server calls graph factories on its event loop for every request, and ``langgraph dev``
    rejects blocking calls there (opening the SQLite files and the FAISS index is blocking), so
    the first build runs in a worker thread; later calls return the cached graph at once.
    """
    if _default_graph is not None:
        return _default_graph
    return await asyncio.to_thread(default_graph)


def __getattr__(name: str) -> Any:
    """Build the module-level ``graph`` on first access, not on import."""
    if name == "graph":
        return default_graph()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
