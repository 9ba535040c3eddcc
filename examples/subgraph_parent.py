"""The MemGPT graph as one node of a larger LangGraph app.

The parent app has its own state (a shared ``messages`` key plus a ``route`` of its own), its own
nodes and its own checkpointer. Our compiled graph is added as a node; it is compiled with
``checkpointer=True`` so it keeps its own state (summary, turn count, FIFO) per parent thread,
stored by the parent's checkpointer.

Two things to know when embedding (both are LangGraph semantics):

- the subgraph hands back its final ``messages``; its evictions (``RemoveMessage``) stay inside
  it, so the parent keeps the whole transcript while the MemGPT node keeps what the *model* sees
  within budget, every turn; messages the parent sends again after the MemGPT node evicted them
  are recognised (they are in recall memory but not in its FIFO) and dropped without a second
  summary;
- identity travels in the run config: ``{"configurable": {"thread_id", "user_id"}}``.

Run it: ``python examples/subgraph_parent.py`` (offline driver, a temporary data directory).
"""

from __future__ import annotations

import re
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any, Literal

from langchain_core.embeddings import DeterministicFakeEmbedding
from langchain_core.messages import AIMessage, AnyMessage, HumanMessage
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import END, START, StateGraph
from langgraph.graph.message import add_messages
from langgraph.graph.state import CompiledStateGraph
from typing_extensions import TypedDict

from langgraph_memgpt import MemGPTConfig, Memory, OfflineDriver, create_memgpt_agent


class AppState(TypedDict, total=False):
    """The parent's state: ``messages`` is shared with the MemGPT node, ``route`` is not.

    ``context_tokens`` is also a key of the MemGPT state, so the parent can read how big the
    prompt of the last model call was. (``typing_extensions.TypedDict``: on Python < 3.12
    pydantic needs it to build the JSON schemas LangGraph Studio shows.)
    """

    messages: Annotated[list[AnyMessage], add_messages]
    route: str
    context_tokens: int


#: A small window, so the MemGPT node has to evict within a dozen turns.
CONTEXT_WINDOW = 2400

ARITHMETIC = re.compile(r"^\s*what is\s+(\d+)\s*([-+*])\s*(\d+)\s*\??\s*$", re.IGNORECASE)


def triage(state: AppState) -> dict[str, Any]:
    """The parent's own logic: simple arithmetic is answered without the agent."""
    last = state["messages"][-1]
    return {"route": "calculator" if ARITHMETIC.match(last.text) else "memgpt"}


def calculator(state: AppState) -> dict[str, Any]:
    match = ARITHMETIC.match(state["messages"][-1].text)
    assert match is not None  # triage only routes matching messages here
    a, op, b = int(match[1]), match[2], int(match[3])
    value = a + b if op == "+" else a - b if op == "-" else a * b
    return {"messages": [AIMessage(content=f"{a} {op} {b} = {value}", name="calculator")]}


def pick(state: AppState) -> Literal["calculator", "memgpt"]:
    return "calculator" if state.get("route") == "calculator" else "memgpt"


def build_app(memory: Memory, *, context_window: int = CONTEXT_WINDOW) -> CompiledStateGraph:
    """Parent graph: triage -> (calculator | memgpt) -> END, with the parent's checkpointer."""
    memgpt = create_memgpt_agent(
        OfflineDriver(),
        memory=memory,
        checkpointer=True,  # own state per thread, kept by the parent's checkpointer
        config=MemGPTConfig(context_window=context_window, reserve_tokens=256),
    )
    builder = StateGraph(AppState)
    builder.add_node("triage", triage)
    builder.add_node("calculator", calculator)
    builder.add_node("memgpt", memgpt)  # the compiled graph itself is the node
    builder.add_edge(START, "triage")
    builder.add_conditional_edges("triage", pick)
    builder.add_edge("calculator", END)
    builder.add_edge("memgpt", END)
    return builder.compile(checkpointer=InMemorySaver())


def ask(app: CompiledStateGraph, text: str, thread: str, user: str = "alice") -> str:
    """One turn of the parent app; returns the last answer."""
    config: Any = {"configurable": {"thread_id": thread, "user_id": user}}
    state = app.invoke({"messages": [HumanMessage(content=text)]}, config)
    return str(state["messages"][-1].text)


FILLER = (
    "Some small talk to fill the context: the weekend was long, the river was calm, the "
    "bakery near the tram stop had fresh bread and the garden needs tomatoes and basil. "
)


def run(data_dir: Path, out: Any = sys.stdout, filler_turns: int = 12) -> dict[str, Any]:
    """The scripted session; returns what the test checks."""
    memory = Memory.open(data_dir, embeddings=DeterministicFakeEmbedding(size=64))
    try:
        app = build_app(memory)
        transcript: list[tuple[str, str, str]] = []
        peak_tokens = 0
        script: Sequence[tuple[str, str]] = [
            ("t1", "Remember that the Q3 launch moved to May 14."),
            ("t1", "What is 6 * 7?"),
            *[("t1", f"({i + 1}) {FILLER}") for i in range(filler_turns)],
            ("t2", "When is the Q3 launch?"),  # a new thread of the same user
        ]
        for thread, text in script:
            answer = ask(app, text, thread)
            tokens = app.get_state({"configurable": {"thread_id": thread}}).values.get(
                "context_tokens", 0
            )
            peak_tokens = max(peak_tokens, tokens)
            transcript.append((thread, text, answer))
            print(f"[{thread}] user: {text[:60]}\n[{thread}] app:  {answer[:160]}", file=out)
        parent = app.get_state({"configurable": {"thread_id": "t1"}}).values
        print(
            f"\nparent thread t1 keeps {len(parent['messages'])} messages; the largest prompt "
            f"the model saw was {peak_tokens} tokens (window {CONTEXT_WINDOW}); recall memory "
            f"holds {memory.recall.count(user_id='alice')} messages of alice",
            file=out,
        )
        return {
            "transcript": transcript,
            "parent_messages": len(parent["messages"]),
            "peak_tokens": peak_tokens,
        }
    finally:
        memory.close()


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="memgpt-subgraph-") as tmp:
        result = run(Path(tmp))
    final = result["transcript"][-1][2]
    return 0 if "May 14" in final else 1


if __name__ == "__main__":
    raise SystemExit(main())
