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

from langgraph_memgpt.configuration import resolve_identity
from langgraph_memgpt.context import AgentSettings, fifo_ids_after, pending_tool_calls
from langgraph_memgpt.nodes.compact import persist_to_recall
from langgraph_memgpt.state import MemGPTState


def make_execute_tool_node(settings: AgentSettings, user_tools: Sequence[BaseTool]) -> Any:
    """Build the node that runs the user's tools."""
    tool_node = ToolNode(list(user_tools), name="execute_tool")
    names = {t.name for t in user_tools}

    def execute_tool(
        state: MemGPTState, config: RunnableConfig, runtime: Runtime
    ) -> dict[str, Any]:
        identity = resolve_identity(config, runtime.context)
        calls = [
            {**c, "type": "tool_call"}
            for c in pending_tool_calls(state["messages"])
            if c["name"] in names and not c.get("invalid")
        ]
        output = tool_node.invoke(calls, config)
        produced = output.get("messages", []) if isinstance(output, dict) else output
        results = [m for m in produced if isinstance(m, ToolMessage)]
        for message in results:
            message.id = message.id or f"tool-{uuid.uuid4()}"
        persist_to_recall(settings, identity, results, state.get("turn", 0))
        return {"messages": results, "fifo_ids": fifo_ids_after(state["messages"], results)}

    return execute_tool
