"""The MemGPT tool surface as LangChain tools.

The tools close over a :class:`~langgraph_memgpt.memory.Memory` and read identity from the run's
config, so they work in our graph and equally when added to any other LangChain/LangGraph agent.
Every failure comes back as a ``ToolMessage`` with ``status="error"`` that says what was wrong
and how to fix it; nothing raises through the graph.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from langchain_core.runnables import RunnableConfig
from langchain_core.tools import BaseTool, StructuredTool

from langgraph_memgpt.configuration import resolve_identity
from langgraph_memgpt.memory.aio import off_loop_in
from langgraph_memgpt.memory.guard import policy as guard_policy
from langgraph_memgpt.tool_args import TOOL_SPECS, handle_tool_error, handle_validation_error
from langgraph_memgpt.tool_replies import (
    NO_GOOD_MATCH,
    PIECE_CHARS,
    archival_metadata,
    archival_pieces,
    block_reply,
    date_range,
    format_hits,
    hits_artifact,
    insert_reply,
    paged_search,
    split_passage,
    store_errors_as_tool_errors,
    validity_note,
)

if TYPE_CHECKING:
    from langgraph_memgpt.memory import Memory

#: Key under ``config["configurable"]`` where the graph puts the current turn number, so
#: archival inserts can cite the turn they came from.
TURN_CONFIG_KEY = "memgpt_turn"
#: Key under ``config["configurable"]`` naming the tool call being run, the same when a crashed
#: step is re-run: an archival insert or a core edit made under it is applied once.
CALL_CONFIG_KEY = "memgpt_call"

__all__ = [
    "CALL_CONFIG_KEY",
    "CORE_TOOL_NAMES",
    "MEMORY_TOOL_NAMES",
    "NO_GOOD_MATCH",
    "PIECE_CHARS",
    "TURN_CONFIG_KEY",
    "archival_metadata",
    "archival_pieces",
    "create_memory_tools",
    "date_range",
    "format_hits",
    "hits_artifact",
    "insert_reply",
    "split_passage",
    "validity_note",
]

MEMORY_TOOL_NAMES = (
    "core_memory_append",
    "core_memory_replace",
    "archival_memory_insert",
    "archival_memory_search",
    "conversation_search",
    "conversation_search_date",
)
CORE_TOOL_NAMES = ("core_memory_append", "core_memory_replace")


def create_memory_tools(
    memory: Memory, *, page_size: int = 5, trust: str = guard_policy.MODEL
) -> list[BaseTool]:
    """Build the six MemGPT memory tools bound to ``memory``.

    Identity comes from the config of the run that calls them (``configurable.user_id``,
    ``agent_id``, ``thread_id``), never from the model's arguments. ``trust``: the origin of
    what ``archival_memory_insert`` stores (a model's tool call; the MCP server passes
    ``"user"``: a person at an MCP client writes).
    """
    trust = guard_policy.check_trust(trust)

    def core_memory_append(label: str, content: str, config: RunnableConfig) -> str:
        ident = resolve_identity(config)
        with store_errors_as_tool_errors():
            guard_policy.check_core_write(content)
            block = memory.core.append(
                label,
                content,
                user_id=ident.user_id,
                agent_id=ident.agent_id,
                once_key=(config.get("configurable") or {}).get(CALL_CONFIG_KEY),
            )
        return block_reply("Appended to", label, block)

    def core_memory_replace(
        label: str, old_content: str, new_content: str, config: RunnableConfig
    ) -> str:
        ident = resolve_identity(config)
        # core.replace says "old"/"new", and "text ... not found" of old_content
        names = {"old": "old_content", "new": "new_content", "text": "old_content"}
        with store_errors_as_tool_errors(names):
            guard_policy.check_core_write(new_content)
            block = memory.core.replace(
                label,
                old_content,
                new_content,
                user_id=ident.user_id,
                agent_id=ident.agent_id,
                once_key=(config.get("configurable") or {}).get(CALL_CONFIG_KEY),
            )
        return block_reply("Replaced text in", label, block)

    def archival_memory_insert(
        content: str, config: RunnableConfig, tags: list[str] | None = None
    ) -> str:
        ident = resolve_identity(config)
        configurable = config.get("configurable") or {}
        turn = configurable.get(TURN_CONFIG_KEY)
        pieces = archival_pieces(content)
        metadata = archival_metadata(ident.thread_id, turn, len(pieces))
        with store_errors_as_tool_errors({"text": "content"}):
            stored = memory.archival.insert_many_detailed(
                pieces,
                user_id=ident.user_id,
                agent_id=ident.agent_id,
                tags=tags,
                metadatas=[metadata] * len(pieces),
                trust=trust,
                once_key=configurable.get(CALL_CONFIG_KEY),
            )
        # Outside the graph (MCP, create_agent) there is no turn: cite the thread alone.
        where = f"thread {ident.thread_id}" + ("" if turn is None else f", turn {turn}")
        reply = insert_reply(content, [s.id for s in stored], f"({where})")
        if any(s.duplicate for s in stored):
            reply += " The same text was already in archival memory, so it was not stored twice."
        return reply

    def archival_memory_search(
        query: str, config: RunnableConfig, page: int = 0
    ) -> tuple[str, dict[str, Any]]:
        ident = resolve_identity(config)
        return paged_search(
            lambda k, p: memory.archival.search(
                query, user_id=ident.user_id, agent_id=ident.agent_id, k=k, page=p
            ),
            tier="archival memory",
            query=query,
            page=page,
            page_size=page_size,
        )

    def conversation_search(
        query: str, config: RunnableConfig, page: int = 0, include_tools: bool = False
    ) -> tuple[str, dict[str, Any]]:
        ident = resolve_identity(config)
        turn = (config.get("configurable") or {}).get(TURN_CONFIG_KEY)
        current = (ident.thread_id, turn) if isinstance(turn, int) else None
        return paged_search(
            lambda k, p: memory.recall.search(
                query,
                user_id=ident.user_id,
                agent_id=ident.agent_id,
                k=k,
                page=p,
                include_tools=include_tools,
                exclude_turn=current,
            ),
            tier="recall memory",
            query=query,
            page=page,
            page_size=page_size,
        )

    def conversation_search_date(
        start_date: str, end_date: str, config: RunnableConfig, page: int = 0
    ) -> tuple[str, dict[str, Any]]:
        ident = resolve_identity(config)
        start, end = date_range(start_date, end_date)
        return paged_search(
            lambda k, p: memory.recall.search_by_date(
                start.isoformat(),
                end.isoformat(),
                user_id=ident.user_id,
                agent_id=ident.agent_id,
                k=k,
                page=p,
            ),
            tier="recall memory",
            query=f"{start}..{end}",
            page=page,
            page_size=page_size,
        )

    functions = (
        core_memory_append,
        core_memory_replace,
        archival_memory_insert,
        archival_memory_search,
        conversation_search,
        conversation_search_date,
    )
    return [_as_tool(func, memory) for func in functions]


def _as_tool(func: Callable[..., Any], memory: Memory) -> BaseTool:
    """A memory tool function as a LangChain tool, with its schema and error handling, and a
    coroutine for async agents that runs it off the event loop (``memory/aio.py``)."""
    schema, description, returns_artifact = TOOL_SPECS[func.__name__]

    @functools.wraps(func)  # the same signature: LangChain injects ``config`` by its type
    async def coroutine(*args: Any, **kwargs: Any) -> Any:
        return await off_loop_in(memory.executor, func, *args, **kwargs)

    return StructuredTool.from_function(
        func=func,
        coroutine=coroutine,
        name=func.__name__,
        description=description,
        args_schema=schema,
        response_format="content_and_artifact" if returns_artifact else "content",
        handle_tool_error=handle_tool_error,
        handle_validation_error=handle_validation_error,
    )
