"""MemGPT's memory tools in an agent that is not ours: ``langchain.agents.create_agent``.

An existing agent keeps its model, prompt, tools and checkpointer; it gains the six memory tools
from ``create_memory_tools(memory)`` and two small middlewares:

- ``core_memory_prompt`` pins the user's core-memory blocks into the system prompt (the "RAM"
  part of MemGPT: the model sees them on every call without searching);
- ``log_to_recall`` writes every message of the turn to recall memory, so ``conversation_search``
  finds them later, in any thread of the same user.

Identity comes from the run config (``configurable.user_id`` / ``thread_id``), never from the
model, so one user's tools cannot reach another user's memory.

The model here is the package's offline driver (a rule-based stand-in that follows the MemGPT
policy and supports ``bind_tools``); swap in any tool-calling chat model.

Run it: ``python examples/tools_in_create_agent.py``.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path
from typing import Any

from langchain.agents import create_agent
from langchain.agents.middleware import AgentState, ModelRequest, after_agent, dynamic_prompt
from langchain_core.embeddings import DeterministicFakeEmbedding
from langchain_core.tools import tool
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.config import get_config
from langgraph.runtime import Runtime

from langgraph_memgpt import Memory, OfflineDriver, create_memory_tools
from langgraph_memgpt.configuration import resolve_identity
from langgraph_memgpt.prompts import CORE_MEMORY_HEADER

BASE_PROMPT = (
    "You are a helpful assistant. You have long-term memory tools: save lasting facts with "
    "core_memory_append or archival_memory_insert, and search before saying you don't know."
)


@tool
def get_weather(city: str) -> str:
    """Today's weather for a city (the agent's own tool, unrelated to memory)."""
    return f"It is sunny in {city}."


def build_agent(memory: Memory) -> Any:
    """An ordinary ``create_agent`` agent with MemGPT memory added."""

    @dynamic_prompt
    def core_memory_prompt(request: ModelRequest) -> str:
        ident = resolve_identity(get_config())
        core = memory.core.render(user_id=ident.user_id, agent_id=ident.agent_id)
        return f"{BASE_PROMPT}\n\n{CORE_MEMORY_HEADER}\n{core}"

    @after_agent
    def log_to_recall(state: AgentState, runtime: Runtime) -> dict[str, Any] | None:
        ident = resolve_identity(get_config())
        # Idempotent on message id: messages logged in earlier turns are skipped.
        memory.recall.append_messages(
            state["messages"],
            user_id=ident.user_id,
            thread_id=ident.thread_id,
            agent_id=ident.agent_id,
        )
        return None

    return create_agent(
        OfflineDriver(),
        tools=[*create_memory_tools(memory), get_weather],
        middleware=[core_memory_prompt, log_to_recall],
        checkpointer=InMemorySaver(),
    )


SCRIPT = [
    ("alice", "a", "My name is Alice."),
    ("alice", "a", "Remember that the Q3 launch moved to May 14."),
    ("alice", "a", "On Saturday I walked along the river to the old lighthouse."),
    ("alice", "b", "When is the Q3 launch?"),  # new thread, same user: archival memory
    ("alice", "b", "What is my name?"),  # core memory, pinned in the prompt
    ("alice", "b", "Where did I walk on Saturday?"),  # recall memory, logged by the middleware
    ("bob", "c", "When is the Q3 launch?"),  # another user: nothing to find
]


def run(data_dir: Path, out: Any = sys.stdout) -> list[dict[str, Any]]:
    """Play the script; returns one record per turn (answer and the tools called)."""
    memory = Memory.open(data_dir, embeddings=DeterministicFakeEmbedding(size=64))
    try:
        agent = build_agent(memory)
        turns = []
        for user, thread, text in SCRIPT:
            config: Any = {"configurable": {"thread_id": thread, "user_id": user}}
            before = len(agent.get_state(config).values.get("messages", []))
            state = agent.invoke({"messages": [("user", text)]}, config)
            new = state["messages"][before:]
            tools = [c["name"] for m in new for c in getattr(m, "tool_calls", None) or []]
            answer = str(state["messages"][-1].text)
            turns.append(
                {"user": user, "thread": thread, "text": text, "tools": tools, "answer": answer}
            )
            print(f"[{user}/{thread}] user: {text}", file=out)
            print(f"[{user}/{thread}] tools: {', '.join(tools) or '-'}", file=out)
            print(f"[{user}/{thread}] agent: {answer[:160]}\n", file=out)
        print(f"recall memory: {memory.recall.count(user_id='alice')} messages of alice", file=out)
        return turns
    finally:
        memory.close()


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="memgpt-create-agent-") as tmp:
        turns = run(Path(tmp))
    return 0 if "May 14" in turns[3]["answer"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
