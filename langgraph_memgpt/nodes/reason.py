"""The reason node: renders the main context and calls the model bound to the tools."""

from __future__ import annotations

import logging
import uuid
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage
from langchain_core.runnables import Runnable, RunnableConfig
from langgraph.runtime import Runtime

from langgraph_memgpt.configuration import resolve_identity
from langgraph_memgpt.context import (
    AgentSettings,
    fifo_ids_after,
    prompt_tokens,
    render_system_message,
)
from langgraph_memgpt.model_errors import classify_model_error, describe_model_error
from langgraph_memgpt.nodes.compact import persist_to_recall
from langgraph_memgpt.prompts import STEP_LIMIT_MESSAGE
from langgraph_memgpt.state import MemGPTState

logger = logging.getLogger(__name__)


def core_snapshot(settings: AgentSettings, user_id: str, agent_id: str) -> dict[str, Any]:
    """Core blocks as plain data, mirrored into state so Studio and tests can see them."""
    blocks = settings.memory.core.get(user_id=user_id, agent_id=agent_id)
    return {
        label: {"value": b.value, "limit": b.limit, "description": b.description}
        for label, b in blocks.items()
    }


def make_reason_node(model: BaseChatModel, base_settings: AgentSettings) -> Any:
    """Build the reason node; the model is bound to memory tools and the user's tools."""
    bound: Runnable[Any, Any] = (
        model.bind_tools(list(base_settings.tools)) if base_settings.tools else model
    )

    def reason(state: MemGPTState, config: RunnableConfig, runtime: Runtime) -> dict[str, Any]:
        identity = resolve_identity(config, runtime.context)
        settings = base_settings.for_run(runtime.context)
        steps = state.get("steps", 0)
        turn = state.get("turn", 0)
        if steps >= settings.config.max_steps:
            stop = AIMessage(
                content=STEP_LIMIT_MESSAGE.format(steps=steps), id=f"steplimit-{uuid.uuid4()}"
            )
            persist_to_recall(settings, identity, [stop], turn)
            return {"messages": [stop], "fifo_ids": fifo_ids_after(state["messages"], [stop])}

        system = render_system_message(
            settings, identity, state.get("summary", ""), state.get("evicted_total", 0)
        )
        messages = list(state.get("messages", []))
        tokens = prompt_tokens(settings, system, messages)
        try:
            response = bound.invoke([system, *messages], config)
        except Exception as exc:
            kind = classify_model_error(exc)
            if kind is None:
                raise  # not a service failure: the thread resumes from its checkpoint
            if kind == "context_length" and not state.get("overflow_retry"):
                logger.warning("model rejected a %d-token prompt as too long; compacting", tokens)
                return {"overflow_retry": True}
            failure = AIMessage(
                content=describe_model_error(kind, exc),
                id=f"error-{uuid.uuid4()}",
                additional_kwargs={"memgpt_error": kind},
            )
            persist_to_recall(settings, identity, [failure], turn)
            return {
                "messages": [failure],
                "overflow_retry": False,
                "fifo_ids": fifo_ids_after(messages, [failure]),
            }
        if not isinstance(response, AIMessage):
            response = AIMessage(content=str(getattr(response, "content", response)))
        if response.id is None or any(m.id == response.id for m in messages):
            # add_messages would overwrite an earlier message with the same id.
            response.id = f"ai-{uuid.uuid4()}"
        persist_to_recall(settings, identity, [response], turn)

        update: dict[str, Any] = {
            "messages": [response],
            "steps": steps + 1,
            "context_tokens": tokens,
            "overflow_retry": False,
            "fifo_ids": fifo_ids_after(messages, [response]),
        }
        snapshot = core_snapshot(settings, identity.user_id, identity.agent_id)
        if snapshot != state.get("core"):
            update["core"] = snapshot
        return update

    return reason
