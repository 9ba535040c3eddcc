"""The main context an imported agent had: where a new thread of that agent starts.

A Letta agent file lists the messages in the agent's context (``in_context_message_ids``, or
``in_context_message_indices`` before October 2025). Import stores them in recall like every
message and remembers which they were (``profile.py``); :func:`context_seed` gives them back as
LangChain messages for the first input of a new thread, so its FIFO starts where the agent
was, as it does in Letta. System messages are left out (the graph writes its own system
prompt) and tool calls are kept only with their results, so the prompt stays well formed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, ToolMessage

from langgraph_memgpt.memory.io.agent_file import profile as stored
from langgraph_memgpt.memory.types import DEFAULT_AGENT_ID, SearchHit

if TYPE_CHECKING:
    from langgraph_memgpt.memory.memory import Memory


def _as_message(hit: SearchHit) -> BaseMessage | None:
    md = hit.metadata
    role = md["role"]
    if role == "user":
        return HumanMessage(hit.text, id=hit.id)
    if role == "assistant":
        calls = md.get("tool_calls") or []
        return AIMessage(hit.text, id=hit.id, tool_calls=calls)
    if role == "tool":
        return ToolMessage(
            hit.text, id=hit.id, tool_call_id=md.get("tool_call_id") or "", name=md.get("name")
        )
    return None  # system: the graph renders its own


def _well_formed(messages: list[BaseMessage]) -> list[BaseMessage]:
    """Tool calls only with every result, results only with their call."""
    answered = {m.tool_call_id for m in messages if isinstance(m, ToolMessage)}
    kept: list[BaseMessage] = []
    calls: set[str] = set()
    for message in messages:
        if isinstance(message, AIMessage) and message.tool_calls:
            ids = {str(c.get("id")) for c in message.tool_calls}
            if not ids <= answered:
                if message.content:
                    kept.append(AIMessage(message.content, id=message.id))
                continue
            calls |= ids
        elif isinstance(message, ToolMessage) and message.tool_call_id not in calls:
            continue
        kept.append(message)
    return kept


def context_seed(
    memory: Memory, *, user_id: str, agent_id: str = DEFAULT_AGENT_ID
) -> list[BaseMessage]:
    """The messages an imported agent had in context ([] for an agent made here)."""
    context = stored.load_profile(memory, user_id=user_id, agent_id=agent_id).get("context")
    if not context or not context.get("message_ids"):
        return []
    wanted = list(context["message_ids"])
    hits = {
        hit.id: hit
        for hit in memory.recall.messages(
            thread_id=context["thread_id"], user_id=user_id, agent_id=agent_id
        )
    }
    messages = [_as_message(hits[i]) for i in wanted if i in hits]
    return _well_formed([m for m in messages if m is not None])
