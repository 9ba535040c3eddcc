"""First contact (issue 26): what a newcomer meets on the command line, on both backends.

Every command that takes ``--data-dir`` is run as a subprocess with a SQLite directory and
with a ``postgresql://`` URL; with a URL nothing may appear in the working directory.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from langchain_core.messages import AIMessage, HumanMessage, ToolMessage

from langgraph_memgpt import Memory
from tests.cli_run import run_cli


def _seed(store: Any) -> None:
    """A user with a conversation that used a tool: what people said and tool traffic."""
    with Memory.open(store, embeddings=None) as memory:
        memory.core.append("human", "Name: Alice.", user_id="alice")
        memory.recall.append_messages(
            [
                HumanMessage("My sister Ingrid lives in Bergen.", id="h1"),
                AIMessage(
                    "",
                    id="a1",
                    tool_calls=[
                        {"name": "conversation_search", "args": {"query": "sister"}, "id": "c"}
                    ],
                ),
                ToolMessage("1. sister sister Ingrid (sister)", tool_call_id="c", id="t1"),
            ],
            user_id="alice",
            thread_id="t",
            turn=1,
        )


def test_memory_search_shows_what_people_said_unless_tools_are_asked_for(
    store: Any, tmp_path: Path
) -> None:
    _seed(store)
    base = ["memory", "search", "sister", "--user", "alice", "--data-dir", str(store)]
    said = run_cli(base, tmp_path)
    assert said.returncode == 0, said.stderr
    recall = said.stdout.split("== recall ==")[1]
    assert "Ingrid lives in Bergen" in recall and "sister sister" not in recall
    everything = run_cli([*base, "--include-tools"], tmp_path)
    assert "sister sister" in everything.stdout.split("== recall ==")[1]
