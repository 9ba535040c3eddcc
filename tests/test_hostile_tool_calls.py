"""Hostile tool calls found by the fuzzing campaign (``bench/reliability.py``), kept as cases.

A model's tool call may carry text that is not valid Unicode (lone surrogates) in its
arguments or even in the tool's name. The call is answered with an error naming what is wrong,
and the turn goes on: recall memory stores the call with the bad characters replaced, instead
of the database's encoder raising through the graph.
"""

from __future__ import annotations

from typing import Any

from langchain_core.messages import AIMessage, ToolMessage

from langgraph_memgpt import Memory, create_memgpt_agent
from tests.conftest import ScriptedChatModel, tool_call


def _play(memory: Memory, run_config: dict[str, Any], *calls: dict[str, Any]) -> list[Any]:
    model = ScriptedChatModel(script=[AIMessage(content="", tool_calls=list(calls))])
    agent = create_memgpt_agent(model, memory=memory)
    state = agent.invoke({"messages": [{"role": "user", "content": "go"}]}, run_config)
    return list(state["messages"])


def test_lone_surrogates_in_arguments_and_names_are_refused_not_raised(
    memory: Memory, run_config: dict[str, Any]
) -> None:
    messages = _play(
        memory,
        run_config,
        tool_call("archival_memory_insert", "c1", content="boat\ud800key"),
        tool_call("conversation_search", "c2", query="tea\udfff"),
        tool_call("no_such_tool\ud83d", "c3", query="x"),
    )
    replies = {m.tool_call_id: m for m in messages if isinstance(m, ToolMessage)}
    assert set(replies) == {"c1", "c2", "c3"}
    assert all(r.status == "error" for r in replies.values())
    assert "content is not valid Unicode" in replies["c1"].content
    assert "query is not valid Unicode" in replies["c2"].content
    assert "there is no tool named" in replies["c3"].content
    assert messages[-1].content == "ok"  # the turn went on to the model's answer
    assert memory.archival.count(user_id="u1") == 0
    stored = memory.recall.messages(user_id="u1", thread_id="t1")
    call = next(h for h in stored if h.metadata.get("tool_calls"))
    assert [c["args"] for c in call.metadata["tool_calls"]] == [
        {"content": "boat\ufffdkey"},
        {"query": "tea\ufffd"},
        {"query": "x"},
    ]
    assert call.metadata["tool_calls"][2]["name"] == "no_such_tool\ufffd"
    assert {h.metadata.get("name") for h in stored if h.metadata["role"] == "tool"} >= {
        "no_such_tool\ufffd"
    }


def test_errors_name_the_argument_as_the_tool_calls_it(
    memory: Memory, run_config: dict[str, Any]
) -> None:
    """The stores name arguments their own way (``text``, ``old``); the model reads the tool's
    names (``content``, ``old_content``), so an error points at the argument it sent."""
    messages = _play(
        memory,
        run_config,
        tool_call("core_memory_replace", "c1", label="human", old_content="", new_content="x"),
        tool_call("core_memory_replace", "c2", label="human", old_content="Zed", new_content="x"),
        tool_call("archival_memory_insert", "c3", content="   "),
        tool_call(
            "core_memory_replace", "c4", label="human", old_content="a", new_content="\ud800"
        ),
        tool_call("core_memory_append", "c5", label="human", content="z" * 2500),
        tool_call("archival_memory_insert", "c6", content="the boat", tags=["ok", " "]),
    )
    replies = {m.tool_call_id: str(m.content) for m in messages if isinstance(m, ToolMessage)}
    assert replies["c1"].startswith("Error: old_content is empty")
    assert replies["c2"].startswith("Error: old_content 'Zed' not found in block 'human'")
    assert replies["c3"].startswith("Error: content is empty")
    assert replies["c5"].startswith("Error: content does not fit: cannot append 2500 characters")
    assert replies["c6"].startswith("Error: tags must each be a non-empty string")

    memory.core.append("human", "Bob", user_id="u1")
    again = {"configurable": {"thread_id": "t2", "user_id": "u1"}}
    big = tool_call(
        "core_memory_replace", "c7", label="human", old_content="Bob", new_content="y" * 2500
    )
    (reply,) = [m for m in _play(memory, again, big) if isinstance(m, ToolMessage)]
    assert str(reply.content).startswith("Error: new_content does not fit: cannot replace")
    assert replies["c4"].startswith("Error: new_content is not valid Unicode")
