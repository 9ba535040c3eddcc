"""A thread belongs to the user (and agent) of its first run: LangGraph's ``thread_id`` is one
name for every user of a checkpointer, so two users saying "t1" would share one FIFO.

Another user's run on the thread is refused with :class:`ThreadOwnerError` before any memory is
read or written, and its input is taken out of the thread again, so the owner never reads it as
their own; the owner carries on as if nothing happened. Sync and async, on both backends.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from langgraph.checkpoint.memory import InMemorySaver

from langgraph_memgpt import Memory, OfflineDriver, ThreadOwnerError, create_memgpt_agent
from tests.cli_run import run_cli

ALICE = {"configurable": {"thread_id": "t1", "user_id": "alice"}}
BOB = {"configurable": {"thread_id": "t1", "user_id": "bob"}}


def _texts(state: dict[str, Any]) -> list[str]:
    return [str(m.content) for m in state["messages"]]


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_another_user_on_the_thread_is_refused_and_nothing_mixes(memory: Memory, mode: str) -> None:
    agent = create_memgpt_agent(OfflineDriver(), memory=memory, checkpointer=InMemorySaver())

    def run(payload: Any, config: dict[str, Any]) -> dict[str, Any]:
        if mode == "async":
            return asyncio.run(agent.ainvoke(payload, config))
        return agent.invoke(payload, config)

    run({"messages": [("user", "Remember that my locker code is 4417.")]}, ALICE)
    core_before = memory.core.render(user_id="alice")
    with pytest.raises(ThreadOwnerError, match="thread 't1' belongs to user 'alice'") as refused:
        run({"messages": [("user", "Remember that I am Bob, code 9999.")]}, BOB)
    assert refused.value.owner == {"user_id": "alice", "agent_id": "default"}
    # Bob's input is not in the thread, and nothing was written for either user.
    assert not any("Bob" in text for text in _texts(agent.get_state(ALICE).values))
    assert memory.recall.messages(user_id="bob", thread_id="t1") == []
    assert not memory.has_namespace(user_id="bob", agent_id="default")
    assert memory.core.render(user_id="alice") == core_before

    # The owner resumes (nothing new to answer: no model call, no extra answer) ...
    answers = len([m for m in agent.get_state(ALICE).values["messages"] if m.type == "ai"])
    state = run(None, ALICE)
    assert len([m for m in state["messages"] if m.type == "ai"]) == answers
    assert not agent.get_state(ALICE).next
    # ... and carries on: her memory has her fact only, her recall her messages only.
    state = run({"messages": [("user", "What is my locker code?")]}, ALICE)
    assert "4417" in _texts(state)[-1]
    said = [m.text for m in memory.recall.messages(user_id="alice", thread_id="t1")]
    assert not any("Bob" in text for text in said)
    assert "9999" not in memory.core.render(user_id="alice")
    # Another thread id is Bob's own.
    bob_own = {"configurable": {"thread_id": "bob:t1", "user_id": "bob"}}
    run({"messages": [("user", "Remember that I am Bob.")]}, bob_own)


def test_a_new_message_after_a_refusal_is_answered_once(memory: Memory) -> None:
    agent = create_memgpt_agent(OfflineDriver(), memory=memory, checkpointer=InMemorySaver())
    agent.invoke({"messages": [("user", "Remember that the boat leaves at 9.")]}, ALICE)
    with pytest.raises(ThreadOwnerError):
        agent.invoke({"messages": [("user", "hello")]}, BOB)
    before = len(agent.get_state(ALICE).values["messages"])
    state = agent.invoke({"messages": [("user", "When does the boat leave?")]}, ALICE)
    new = state["messages"][before:]
    assert [m.type for m in new][0] == "human" and new[-1].type == "ai"
    assert "9" in str(new[-1].content)
    assert not state.get("refused")


def test_chat_refuses_a_thread_of_another_user_in_one_line(tmp_path: Path) -> None:
    first = run_cli(
        ["chat", "--data-dir", "d", "--user", "alice"], tmp_path, stdin="Hi, I am Alice.\n"
    )
    assert first.returncode == 0, first.stderr
    second = run_cli(["chat", "--data-dir", "d", "--user", "bob"], tmp_path, stdin="Hi\n")
    assert second.returncode == 2, (second.stdout, second.stderr)
    (line,) = second.stderr.strip().splitlines()
    assert "thread 'main' belongs to user 'alice'" in line and "--thread" in line
    with Memory.open(tmp_path / "d", embeddings=None) as memory:
        assert not memory.has_namespace(user_id="bob", agent_id="default")


def test_a_run_that_names_no_user_is_told_to_name_the_owner(memory: Memory) -> None:
    agent = create_memgpt_agent(OfflineDriver(), memory=memory, checkpointer=InMemorySaver())
    agent.invoke({"messages": [("user", "My name is Alice.")]}, ALICE)
    # What update_state hands back: the checkpoint keys, no user_id.
    bare = agent.update_state(ALICE, {"summary": "edited"}, as_node="reason")
    assert "user_id" not in bare["configurable"]
    with pytest.raises(ThreadOwnerError, match="names no user_id"):
        agent.invoke({"messages": [("user", "Hello?")]}, bare)
    merged = {"configurable": {**ALICE["configurable"], **bare["configurable"]}}
    assert agent.invoke({"messages": [("user", "Hello?")]}, merged)["summary"] == "edited"
