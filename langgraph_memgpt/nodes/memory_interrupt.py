"""The memory_interrupt node: the page fault handler.

It executes the model's memory tool calls against the stores and returns their results as
``ToolMessage``s, which the next ``reason`` call sees as new observations (the splice-back).
A malformed or unknown call becomes an error message to the model, never an exception.
"""

from __future__ import annotations

import logging
import sqlite3
import uuid
from functools import cache
from typing import Any

from langchain_core.messages import AIMessage, ToolMessage
from langchain_core.runnables import RunnableConfig
from langgraph.runtime import Runtime

from langgraph_memgpt.configuration import Identity, claim_thread, resolve_identity
from langgraph_memgpt.context import AgentSettings, fifo_ids_after, pending_tool_calls
from langgraph_memgpt.nodes.compact import persist_to_recall
from langgraph_memgpt.nodes.reason import core_snapshot
from langgraph_memgpt.state import MemGPTState
from langgraph_memgpt.tools import CALL_CONFIG_KEY, CORE_TOOL_NAMES, TURN_CONFIG_KEY

logger = logging.getLogger(__name__)


def tool_config(
    config: RunnableConfig, identity: Identity, turn: int, call: str | None = None
) -> RunnableConfig:
    """The run's config with identity and turn made explicit for the tools, and the call's
    stable id (the same on a re-run of the step) so a write it made is not made twice."""
    configurable = dict(config.get("configurable") or {})
    configurable.update(
        user_id=identity.user_id,
        agent_id=identity.agent_id,
        thread_id=identity.thread_id,
        **{TURN_CONFIG_KEY: turn},
    )
    if call is not None:
        configurable[CALL_CONFIG_KEY] = call
    return {**config, "configurable": configurable}


def _result_saved_before(
    settings: AgentSettings, identity: Identity, result_id: str, call_id: str, name: str
) -> ToolMessage | None:
    """The result of a call this node already ran, if the process stopped before LangGraph
    saved the node's writes (a kill right after it): re-running would store a fact twice.

    Results are written to recall memory under an id made of the calling message's id and the
    call id before the node returns, so a resumed turn finds them there and reuses them.
    """
    recall = settings.memory.recall
    ident = {"user_id": identity.user_id, "agent_id": identity.agent_id}
    if not recall.contains(result_id, **ident):
        return None
    for hit in recall.messages(thread_id=identity.thread_id, **ident):  # rare: a resumed turn
        if hit.id == result_id:
            status = "error" if hit.text.startswith("Error") else "success"
            return ToolMessage(
                content=hit.text, tool_call_id=call_id, name=name, status=status, id=result_id
            )
    return None


@cache
def expected_tool_failures() -> tuple[type[BaseException], ...]:
    """What a memory tool may fail with although our code is right: the database or the
    embedding service being unreachable, locked or refusing. Such a failure becomes an error
    message the model reads and the turn goes on; any other exception is a bug in our code
    and propagates (the thread resumes from its checkpoint once it is fixed)."""
    failures: list[type[BaseException]] = [OSError, TimeoutError, sqlite3.Error]
    for module, name in (("psycopg", "Error"), ("openai", "OpenAIError"), ("httpx", "HTTPError")):
        try:
            failures.append(getattr(__import__(module), name))
        except (ImportError, AttributeError):
            continue  # an optional dependency that is not installed cannot fail
    return tuple(failures)


def make_memory_interrupt_node(settings: AgentSettings, user_tool_names: set[str]) -> Any:
    """Build the page-fault handler for one agent's memory tools."""
    memory_tools = {t.name: t for t in settings.tools if t.name not in user_tool_names}

    def memory_interrupt(
        state: MemGPTState, config: RunnableConfig, runtime: Runtime
    ) -> dict[str, Any]:
        identity = resolve_identity(config, runtime.context)
        claim_thread(state, identity)  # a pending call is not run in another user's memory
        turn = state.get("turn", 0)
        calls = [
            c
            for c in pending_tool_calls(state["messages"])
            if c["name"] not in user_tool_names or c.get("invalid")
        ]
        caller_id = next(
            (m.id for m in reversed(state["messages"]) if isinstance(m, AIMessage)), None
        )
        results: list[ToolMessage] = []
        for call in calls:
            call_id = call.get("id") or f"call-{uuid.uuid4()}"
            tool = memory_tools.get(call["name"])
            # Named after the model message that made the call: the same on a re-run of this
            # step, different for a later call that happens to reuse the call id.
            result_id = f"tool-{caller_id}-{call_id}" if caller_id else f"tool-{uuid.uuid4()}"
            saved = _result_saved_before(settings, identity, result_id, call_id, call["name"])
            if saved is not None:
                results.append(saved)
                continue
            if call.get("invalid"):
                message = ToolMessage(
                    content=(
                        f"Error: the arguments of your {call['name']!r} call could not be parsed "
                        f"({call['invalid']}). Call it again with arguments as a valid JSON object."
                    ),
                    tool_call_id=call_id,
                    name=call["name"],
                    status="error",
                )
            elif tool is None:
                message = ToolMessage(
                    content=(
                        f"Error: there is no tool named {call['name']!r}. Available tools: "
                        f"{', '.join(sorted(t.name for t in settings.tools))}."
                    ),
                    tool_call_id=call_id,
                    name=call["name"],
                    status="error",
                )
            else:
                call_config = tool_config(config, identity, turn, call=result_id)
                try:
                    message = tool.invoke({**call, "id": call_id, "type": "tool_call"}, call_config)
                except expected_tool_failures() as exc:  # a store failure must not abort the turn
                    logger.warning("memory tool %s failed: %r", call["name"], exc)
                    message = ToolMessage(
                        content=f"Error: {call['name']} failed: {exc}. Try again or continue without it.",
                        tool_call_id=call_id,
                        name=call["name"],
                        status="error",
                    )
            message.id = result_id
            results.append(message)
        persist_to_recall(settings, identity, results, turn)
        update: dict[str, Any] = {
            "messages": results,
            "fifo_ids": fifo_ids_after(state["messages"], results),
        }
        if any(c["name"] in CORE_TOOL_NAMES for c in calls):
            update["core"] = core_snapshot(settings, identity.user_id, identity.agent_id)
        return update

    return memory_interrupt
