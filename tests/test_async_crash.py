"""kill -9 in the middle of an async turn, then resume it with ``ainvoke(None, ...)``.

The child runs the agent under ``asyncio`` with the default checkpointer and is killed with
SIGKILL right after a memory tool stored its fact (the store committed, the step's writes not
yet saved by LangGraph). A second process resumes the thread asynchronously: the turn ends with
the answer, and the fact is stored once, on both backends.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent

CHILD = textwrap.dedent(
    """
    import asyncio, json, os, signal, sys
    from langchain_core.embeddings import DeterministicFakeEmbedding
    from langgraph_memgpt import Memory, OfflineDriver, create_memgpt_agent

    store, mode = sys.argv[1], sys.argv[2]
    memory = Memory.open(store, embeddings=DeterministicFakeEmbedding(size=32))
    agent = create_memgpt_agent(OfflineDriver(), memory=memory)
    config = {"configurable": {"thread_id": "t1", "user_id": "u1"}}

    async def main():
        if mode == "kill":
            insert = memory.archival.insert_many_detailed

            def insert_then_die(*args, **kwargs):
                stored = insert(*args, **kwargs)
                os.kill(os.getpid(), signal.SIGKILL)
                return stored

            memory.archival.insert_many_detailed = insert_then_die
            await agent.ainvoke(
                {"messages": [("user", "Remember that the boat leaves at 9.")]}, config
            )
            print("not reached", flush=True)
            return
        before = await agent.aget_state(config)
        state = await agent.ainvoke(None, config)
        after = await agent.aget_state(config)
        print(json.dumps({
            "next_before": list(before.next),
            "next_after": list(after.next),
            "answer": state["messages"][-1].text,
            "archival": memory.archival.count(user_id="u1"),
            "texts": [h.text for h in memory.archival.search("boat", user_id="u1", k=10)],
        }))

    asyncio.run(main())
    memory.close()
    """
)


def run_child(store: Any, mode: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", CHILD, str(store), mode],
        capture_output=True,
        text=True,
        timeout=180,
        cwd=ROOT,
    )


@pytest.mark.slow
def test_an_async_turn_killed_after_a_memory_write_resumes_once(store: Any) -> None:
    killed = run_child(store, "kill")
    assert killed.returncode == -signal.SIGKILL, killed.stderr[-2000:]
    assert "not reached" not in killed.stdout
    resumed = run_child(store, "resume")
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    report = json.loads(resumed.stdout.strip().splitlines()[-1])
    assert report["next_before"] == ["memory_interrupt"]  # the turn stopped inside the fault
    assert report["next_after"] == []  # and now it is finished
    assert "boat" in report["answer"].lower()
    assert report["archival"] == 1  # stored before the kill, not stored again on resume
    assert any("boat leaves at 9" in text for text in report["texts"])
