"""A model step re-run after its checkpoint was lost is not stored in recall a second time.

``reason`` writes the model's reply to recall memory before LangGraph saves the step. When the
process dies in between (found by the kill -9 campaign, ``bench/reliability.py``), the resumed
turn runs ``reason`` again: without care the reply is stored twice under two ids, and recall
holds an assistant message (with tool calls) the thread never had. The step's reply is found
again by its id instead, so the turn is stored exactly once and the model is not asked twice.
"""

from __future__ import annotations

import functools
from typing import Any

import pytest
from langchain_core.messages import AIMessage
from langgraph.checkpoint.memory import InMemorySaver

import langgraph_memgpt.graph as graph_module
from langgraph_memgpt import Memory, create_memgpt_agent
from tests.conftest import ScriptedChatModel, tool_call


class Died(Exception):
    """Stands for the process dying after the node's side effects, before its checkpoint."""


def dying_once_after(factory: Any, monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    """Make the node built by ``factory`` raise once, after it ran and returned its writes."""
    died = [False]

    def wrapped_factory(*args: Any, **kwargs: Any) -> Any:
        node = factory(*args, **kwargs)

        @functools.wraps(node)
        def node_then_die(*node_args: Any, **node_kwargs: Any) -> Any:
            result = node(*node_args, **node_kwargs)
            if not died[0] and result.get("messages"):
                died[0] = True
                raise Died
            return result

        return node_then_die

    monkeypatch.setattr(graph_module, name, wrapped_factory)


def test_a_reply_stored_before_a_crash_is_not_stored_again(
    memory: Memory, run_config: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    dying_once_after(graph_module.make_reason_node, monkeypatch, "make_reason_node")
    model = ScriptedChatModel(
        script=[
            AIMessage(
                content="",
                tool_calls=[tool_call("archival_memory_insert", content="The boat leaves at 9")],
            ),
            AIMessage(content="Stored."),
        ]
    )
    agent = create_memgpt_agent(model, memory=memory, checkpointer=InMemorySaver())
    with pytest.raises(Died):
        agent.invoke(
            {"messages": [{"role": "user", "content": "the boat leaves at 9"}]}, run_config
        )
    agent.invoke(None, run_config)

    state = agent.get_state(run_config).values
    stored = memory.recall.messages(user_id="u1", thread_id="t1")
    assistant = [h for h in stored if h.metadata["role"] == "assistant"]
    # one call with its result, one answer: the reply of the step that died is not repeated
    assert [h.text for h in assistant] == ["", "Stored."]
    in_state = [m.id for m in state["messages"] if isinstance(m, AIMessage)]
    assert [h.id for h in assistant] == in_state
    tool_results = [h for h in stored if h.metadata["role"] == "tool"]
    assert [h.metadata["tool_call_id"] for h in tool_results] == ["call-1"]
    assert memory.archival.count(user_id="u1") == 1
    # the model was asked once for the step that died, not again when it was resumed
    assert len(model.prompts) == 2


def test_a_tool_call_re_run_after_its_commit_stores_the_passage_once(
    memory: Memory, run_config: dict[str, Any]
) -> None:
    """Killed inside ``archival_memory_insert`` after the SQL commit, before its result was
    saved: the resumed turn runs the call again, which must find the passage already stored."""

    def die_once() -> None:
        memory._backend.after_commit = None
        raise Died

    memory._backend.after_commit = die_once
    model = ScriptedChatModel(
        script=[
            AIMessage(
                content="",
                tool_calls=[tool_call("archival_memory_insert", content="The boat leaves at 9")],
            ),
            AIMessage(content="Stored."),
        ]
    )
    agent = create_memgpt_agent(model, memory=memory, checkpointer=InMemorySaver())
    with pytest.raises(Died):
        agent.invoke(
            {"messages": [{"role": "user", "content": "the boat leaves at 9"}]}, run_config
        )
    assert memory.archival.count(user_id="u1") == 1  # committed before the process died
    state = agent.invoke(None, run_config)

    assert memory.archival.count(user_id="u1") == 1
    hits = memory.archival.search("boat", user_id="u1")
    assert [h.text for h in hits] == ["The boat leaves at 9"]
    assert hits[0].id in state["messages"][-2].content  # the tool's reply names that record
    assert state["messages"][-1].content == "Stored."


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("core_memory_append", {"label": "human", "content": "Name: Ada"}),
        ("core_memory_replace", {"label": "human", "old_content": "Ada", "new_content": "Ada, 1"}),
    ],
)
def test_a_core_edit_re_run_after_its_commit_is_applied_once(
    memory: Memory,
    run_config: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
    name: str,
    args: dict[str, str],
) -> None:
    """Killed inside a core memory tool after its edit committed, before its result was saved:
    the resumed turn replays the same tool call (same id), which must not edit the block again
    (an append twice is the line twice; a replace twice is "Ada, 1, 1")."""
    user = run_config["configurable"]["user_id"]
    memory.core.set("human", "Name: Ada", user_id=user)
    method = name.removeprefix("core_memory_")
    real = getattr(memory.core, method)
    died = [False]

    def edit_then_die(*a: Any, **k: Any) -> Any:
        block = real(*a, **k)
        if not died[0]:
            died[0] = True
            raise Died
        return block

    monkeypatch.setattr(memory.core, method, edit_then_die)
    model = ScriptedChatModel(
        script=[AIMessage(content="", tool_calls=[tool_call(name, **args)]), AIMessage("Saved.")]
    )
    agent = create_memgpt_agent(model, memory=memory, checkpointer=InMemorySaver())
    with pytest.raises(Died):
        agent.invoke({"messages": [{"role": "user", "content": "I am Ada"}]}, run_config)
    once = memory.core.get_block("human", user_id=user).value  # committed before it died
    state = agent.invoke(None, run_config)

    assert memory.core.get_block("human", user_id=user).value == once
    assert once in ("Name: Ada\nName: Ada", "Name: Ada, 1")
    assert state["messages"][-2].status != "error", state["messages"][-2].content
    assert state["messages"][-1].content == "Saved."
    # A later call with another id edits again: only the replay of the same call is skipped.
    assert memory.core.append("human", "x", user_id=user).value.endswith("\nx")
