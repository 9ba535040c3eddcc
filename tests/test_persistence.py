"""Threads survive process restarts; a new thread of the same user keeps core and archival."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from langchain_core.messages import AIMessage, ToolMessage

SCRIPT = r"""
import json, sys
from langchain_core.embeddings import DeterministicFakeEmbedding
from langgraph_memgpt import Memory, OfflineDriver, create_memgpt_agent
data, thread, text = sys.argv[1], sys.argv[2], sys.argv[3]
memory = Memory.open(data, embeddings=DeterministicFakeEmbedding(size=32))
agent = create_memgpt_agent(OfflineDriver(), memory=memory, context_window=4000)
config = {"configurable": {"thread_id": thread, "user_id": "alice"}}
state = agent.invoke({"messages": [("user", text)]}, config)
print(json.dumps({"n": len(state["messages"]), "answer": state["messages"][-1].text,
                  "turn": state["turn"], "human": state.get("core", {}).get("human", {}).get("value", "")}))
memory.close()
"""


def run(data: Path | str, thread: str, text: str) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(data), thread, text],
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_new_process_continues_the_thread_and_new_thread_remembers(store: Any) -> None:
    data = store  # a directory, or a Postgres URL: the same story on both
    first = run(data, "t1", "My name is Alice.")
    second = run(data, "t1", "Remember that the Q3 launch moved to May 14.")
    assert second["turn"] == first["turn"] + 1
    assert second["n"] > first["n"]  # the same thread, continued from its checkpoint
    if isinstance(data, Path):
        assert (data / "checkpoints.sqlite").exists()
    other = run(data, "t2", "When is the Q3 launch?")
    assert other["turn"] == 1  # a new thread...
    assert "Alice" in other["human"]  # ...with the user's core memory
    assert "May 14" in other["answer"]  # ...and archival memory, paged back in
    assert "thread t1" in other["answer"]  # with its citation


def test_checkpoints_are_pruned_but_the_thread_resumes(store: Any) -> None:
    from langchain_core.embeddings import DeterministicFakeEmbedding

    from langgraph_memgpt import MemGPTConfig, Memory, OfflineDriver, create_memgpt_agent
    from langgraph_memgpt.checkpointing.postgres import PRUNE_EVERY
    from langgraph_memgpt.memory.testing import sql_row

    memory = Memory.open(store, embeddings=DeterministicFakeEmbedding(size=32))
    agent = create_memgpt_agent(
        OfflineDriver(), memory=memory, config=MemGPTConfig(keep_checkpoints=4)
    )
    config = {"configurable": {"thread_id": "t1", "user_id": "u1"}}
    for i in range(20):
        agent.invoke({"messages": [("user", f"Remember that box {i} is red.")]}, config)
    if memory.path is not None:
        import sqlite3

        conn = sqlite3.connect(memory.path / "checkpoints.sqlite")
        (count,) = conn.execute("SELECT COUNT(*) FROM checkpoints WHERE thread_id='t1'").fetchone()
        conn.close()
        assert count == 4
    else:  # trimmed to the newest 4 every PRUNE_EVERY checkpoints
        (count,) = sql_row(memory, "SELECT count(*) FROM checkpoints WHERE thread_id='t1'")
        assert 4 <= count <= 4 + PRUNE_EVERY
    state = agent.get_state(config).values
    assert state["turn"] == 20
    agent.invoke({"messages": [("user", "hello")]}, config)
    assert agent.get_state(config).values["turn"] == 21
    memory.close()


def _rows(path: Path, table: str) -> list[tuple[str, str]]:
    import sqlite3

    conn = sqlite3.connect(path)
    try:
        return conn.execute(f"SELECT thread_id, checkpoint_id FROM {table}").fetchall()
    finally:
        conn.close()


def _two_node_graph(saver):
    from langgraph.graph import START, MessagesState, StateGraph

    builder = StateGraph(MessagesState)
    builder.add_node("a", lambda state: {"messages": [("ai", "a")]})
    builder.add_node("b", lambda state: {"messages": [("ai", "b")]})
    builder.add_edge(START, "a")
    builder.add_edge("a", "b")
    return builder.compile(checkpointer=saver)


def test_pruning_keeps_the_newest_two_of_each_thread_with_their_writes(tmp_path: Path) -> None:
    from langgraph_memgpt import sqlite_checkpointer

    saver = sqlite_checkpointer(tmp_path, keep_last=2)
    graph = _two_node_graph(saver)
    for thread in ("t1", "t2"):
        for _ in range(5):
            graph.invoke({"messages": [("user", "hi")]}, {"configurable": {"thread_id": thread}})
    file = tmp_path / "checkpoints.sqlite"
    checkpoints = _rows(file, "checkpoints")
    assert sorted(t for t, _ in checkpoints) == ["t1", "t1", "t2", "t2"]
    kept = set(checkpoints)
    assert all(row in kept for row in _rows(file, "writes"))  # no orphaned writes
    state = graph.get_state({"configurable": {"thread_id": "t1"}}).values
    assert [m.content for m in state["messages"]][-3:] == ["hi", "a", "b"]
    assert len(state["messages"]) == 15  # the newest snapshot holds the whole thread

    saver.prune(["t1"], strategy="keep_latest")
    assert sorted(t for t, _ in _rows(file, "checkpoints")) == ["t1", "t2", "t2"]
    saver.conn.close()


def test_keep_all_and_a_plain_saver_on_the_same_file_prune_nothing(tmp_path: Path) -> None:
    import sqlite3

    from langgraph.checkpoint.sqlite import SqliteSaver

    from langgraph_memgpt import sqlite_checkpointer

    pruning = sqlite_checkpointer(tmp_path, keep_last=2)
    _two_node_graph(pruning).invoke(
        {"messages": [("user", "hi")]}, {"configurable": {"thread_id": "p"}}
    )
    keep_all = sqlite_checkpointer(tmp_path, keep_last=None)
    _two_node_graph(keep_all).invoke(
        {"messages": [("user", "hi")]}, {"configurable": {"thread_id": "k"}}
    )
    plain = SqliteSaver(sqlite3.connect(tmp_path / "checkpoints.sqlite", check_same_thread=False))
    _two_node_graph(plain).invoke(
        {"messages": [("user", "hi")]}, {"configurable": {"thread_id": "s"}}
    )
    counts = {t: 0 for t in "pks"}
    for thread, _ in _rows(tmp_path / "checkpoints.sqlite", "checkpoints"):
        counts[thread] += 1
    # input, after START, after a, after b: the pruning trigger lives only on its own
    # connection and is not stored in the file.
    assert counts == {"p": 2, "k": 4, "s": 4}
    for saver in (pruning, keep_all, plain):
        saver.conn.close()


def _tool_then_answer(prompt: list[Any]) -> AIMessage:
    from tests.conftest import tool_call

    if not any(isinstance(m, ToolMessage) for m in prompt):
        return AIMessage(
            content="",
            tool_calls=[tool_call("archival_memory_insert", content="The boat leaves at 9.")],
        )
    return AIMessage(content="Noted: the boat leaves at 9.")


def test_a_turn_interrupted_inside_a_memory_tool_resumes_there(memory) -> None:
    from langgraph_memgpt import create_memgpt_agent
    from tests.conftest import ScriptedChatModel

    model = ScriptedChatModel(fallback=_tool_then_answer)
    agent = create_memgpt_agent(model, memory=memory)  # the embedded pruning SQLite saver
    config = {"configurable": {"thread_id": "main", "user_id": "me"}}
    insert = memory.archival.insert_many_detailed  # what archival_memory_insert calls

    def ctrl_c(*args: Any, **kwargs: Any) -> Any:
        raise KeyboardInterrupt  # the user pressed Ctrl-C while the fact was being embedded

    memory.archival.insert_many_detailed = ctrl_c  # type: ignore[method-assign]
    with pytest.raises(KeyboardInterrupt):
        agent.invoke({"messages": [("user", "Remember that the boat leaves at 9.")]}, config)
    memory.archival.insert_many_detailed = insert  # type: ignore[method-assign]
    assert agent.get_state(config).next == ("memory_interrupt",)
    state = agent.invoke(None, config)
    assert state["messages"][-1].content == "Noted: the boat leaves at 9."
    assert len(model.prompts) == 2  # the first model call was not repeated
    assert memory.archival.count(user_id="me") == 1


def test_a_turn_whose_stream_was_abandoned_resumes_without_repeating_a_step(memory) -> None:
    from langgraph_memgpt import create_memgpt_agent
    from tests.conftest import ScriptedChatModel

    model = ScriptedChatModel(fallback=_tool_then_answer)
    agent = create_memgpt_agent(model, memory=memory)
    config = {"configurable": {"thread_id": "main", "user_id": "me"}}
    with pytest.raises(KeyboardInterrupt):
        for _mode, update in agent.stream(
            {"messages": [("user", "Remember that the boat leaves at 9.")]},
            config,
            stream_mode=["messages", "updates"],
        ):
            if _mode == "updates" and "reason" in update:
                raise KeyboardInterrupt  # Ctrl-C while the CLI prints the model's tool call
    snapshot = agent.get_state(config)
    # The model's step finished and was saved, but the step after it was never started:
    # LangGraph reports that as no `next` node, with the finished task still listed.
    assert [task.name for task in snapshot.tasks] == ["reason"]
    from langgraph_memgpt.cli import has_unfinished_turn

    assert has_unfinished_turn(agent, config)  # what `chat` checks on start to resume
    state = agent.invoke(None, config)
    assert not has_unfinished_turn(agent, config)
    assert not has_unfinished_turn(agent, {"configurable": {"thread_id": "new", "user_id": "me"}})
    assert state["messages"][-1].content == "Noted: the boat leaves at 9."
    assert len(model.prompts) == 2
    assert memory.archival.count(user_id="me") == 1


def test_the_checkpoint_files_stay_small_however_long_the_thread(tmp_path: Path) -> None:
    from langchain_core.embeddings import DeterministicFakeEmbedding

    from langgraph_memgpt import Memory, create_memgpt_agent
    from tests.conftest import ScriptedChatModel

    memory = Memory.open(tmp_path / "d", embeddings=DeterministicFakeEmbedding(size=32))
    model = ScriptedChatModel(fallback=AIMessage(content="noted " * 40))
    agent = create_memgpt_agent(model, memory=memory, context_window=8192)
    config = {"configurable": {"thread_id": "t1", "user_id": "u1"}}
    sizes = []
    for i in range(80):
        agent.invoke({"messages": [("user", f"entry {i}: " + "words " * 150)]}, config)
        files = (tmp_path / "d").glob("checkpoints.sqlite*")
        sizes.append(sum(f.stat().st_size for f in files))
    # The kept snapshots (DEFAULT_KEEP_LAST = 16) of a prompt of at most 8k tokens (about 50 KB
    # each) plus a WAL copied back every few turns: bounded, and flat once the context is full.
    assert max(sizes) < 1_500_000
    assert max(sizes[50:]) <= 1.2 * max(sizes[:50])
    memory.close()
