"""The execute_tool node: runs the user's own tools with LangGraph's ``ToolNode``.

Only the pending calls of the user's tools are passed on, so memory calls in the same model
response are left to ``memory_interrupt``.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from langchain_core.messages import ToolMessage
from langchain_core.runnables import RunnableConfig
from langchain_core.tools import BaseTool
from langgraph.prebuilt import ToolNode
from langgraph.runtime import Runtime

from langgraph_memgpt.configuration import Identity, claim_thread, resolve_identity
from langgraph_memgpt.context import AgentSettings, fifo_ids_after, pending_tool_calls
from langgraph_memgpt.memory.aio import off_loop_in
from langgraph_memgpt.nodes.compact import persist_to_recall
from langgraph_memgpt.state import MemGPTState


def _calls(state: MemGPTState, names: set[str]) -> list[dict[str, Any]]:
    return [
        {**c, "type": "tool_call"}
        for c in pending_tool_calls(state["messages"])
        if c["name"] in names and not c.get("invalid")
    ]


def _keep_results(
    settings: AgentSettings, state: MemGPTState, identity: Identity, output: Any
) -> dict[str, Any]:
    """The tools' results, written to recall memory, as the node's update."""
    produced = output.get("messages", []) if isinstance(output, dict) else output
    results = [m for m in produced if isinstance(m, ToolMessage)]
    for message in results:
        message.id = message.id or f"tool-{uuid.uuid4()}"
    persist_to_recall(settings, identity, results, state.get("turn", 0))
    return {"messages": results, "fifo_ids": fifo_ids_after(state["messages"], results)}


def make_execute_tool_node(settings: AgentSettings, user_tools: Sequence[BaseTool]) -> Any:
    """Build the node that runs the user's tools (sync body)."""
    tool_node = ToolNode(list(user_tools), name="execute_tool")
    names = {t.name for t in user_tools}

    def execute_tool(
        state: MemGPTState, config: RunnableConfig, runtime: Runtime
    ) -> dict[str, Any]:
        identity = resolve_identity(config, runtime.context)
        claim_thread(state, identity)  # a pending call is not run for another user
        output = tool_node.invoke(_calls(state, names), config)
        return _keep_results(settings, state, identity, output)

    return execute_tool


def make_async_execute_tool_node(settings: AgentSettings, user_tools: Sequence[BaseTool]) -> Any:
    """The async body: the user's tools awaited (their coroutines when they have one), the
    results written to recall off the loop."""
    tool_node = ToolNode(list(user_tools), name="execute_tool")
    names = {t.name for t in user_tools}

    async def execute_tool(
        state: MemGPTState, config: RunnableConfig, runtime: Runtime
    ) -> dict[str, Any]:
        identity = resolve_identity(config, runtime.context)
        claim_thread(state, identity)  # a pending call is not run for another user
        output = await tool_node.ainvoke(_calls(state, names), config)
        return await off_loop_in(
            settings.memory.executor, _keep_results, settings, state, identity, output
        )

    return execute_tool
