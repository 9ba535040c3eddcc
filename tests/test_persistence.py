"""Threads survive process restarts; a new thread of the same user keeps core and archival."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

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


def run(data: Path, thread: str, text: str) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(data), thread, text],
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_new_process_continues_the_thread_and_new_thread_remembers(tmp_path: Path) -> None:
    data = tmp_path / "data"
    first = run(data, "t1", "My name is Alice.")
    second = run(data, "t1", "Remember that the Q3 launch moved to May 14.")
    assert second["turn"] == first["turn"] + 1
    assert second["n"] > first["n"]  # the same thread, continued from its checkpoint
    assert (data / "checkpoints.sqlite").exists()
    other = run(data, "t2", "When is the Q3 launch?")
    assert other["turn"] == 1  # a new thread...
    assert "Alice" in other["human"]  # ...with the user's core memory
    assert "May 14" in other["answer"]  # ...and archival memory, paged back in
    assert "thread t1" in other["answer"]  # with its citation


def test_checkpoints_are_pruned_but_the_thread_resumes(tmp_path: Path) -> None:
    import sqlite3

    from langchain_core.embeddings import DeterministicFakeEmbedding

    from langgraph_memgpt import Memory, OfflineDriver, create_memgpt_agent

    memory = Memory.open(tmp_path / "d", embeddings=DeterministicFakeEmbedding(size=32))
    agent = create_memgpt_agent(OfflineDriver(), memory=memory)
    config = {"configurable": {"thread_id": "t1", "user_id": "u1"}}
    for i in range(20):
        agent.invoke({"messages": [("user", f"Remember that box {i} is red.")]}, config)
    conn = sqlite3.connect(tmp_path / "d" / "checkpoints.sqlite")
    (count,) = conn.execute("SELECT COUNT(*) FROM checkpoints WHERE thread_id='t1'").fetchone()
    conn.close()
    assert count <= 2
    state = agent.get_state(config).values
    assert state["turn"] == 20
    agent.invoke({"messages": [("user", "hello")]}, config)
    assert agent.get_state(config).values["turn"] == 21
    memory.close()
