"""Every script in ``examples/`` runs, standalone and offline, and does what its docstring says."""

from __future__ import annotations

import importlib.util
import io
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"example_{name}", EXAMPLES / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    # Registered first: LangGraph resolves the state's string annotations through sys.modules.
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("script", sorted(p.name for p in EXAMPLES.glob("*.py")))
def test_example_runs_as_a_script(script: str) -> None:
    done = subprocess.run(
        [sys.executable, str(EXAMPLES / script)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "May 14" in done.stdout


def test_memgpt_graph_as_a_node_of_a_parent_graph(tmp_path: Path) -> None:
    example = load("subgraph_parent")
    result = example.run(tmp_path / "data", out=io.StringIO(), filler_turns=12)
    transcript = result["transcript"]
    # The parent's own node answered without the agent...
    assert transcript[1][2] == "6 * 7 = 42"
    # ...the MemGPT node kept every prompt within its budget while the parent kept it all...
    assert 0 < result["peak_tokens"] <= example.CONTEXT_WINDOW
    assert result["parent_messages"] > 2 * 12
    # ...and a new thread of the same user paged the fact back in, with its citation.
    thread, question, answer = transcript[-1]
    assert (thread, question) == ("t2", "When is the Q3 launch?")
    assert "May 14" in answer and "thread t1" in answer


def test_memory_tools_in_a_create_agent_agent(tmp_path: Path) -> None:
    example = load("tools_in_create_agent")
    turns = {(t["user"], t["text"]): t for t in example.run(tmp_path / "data", out=io.StringIO())}
    assert turns["alice", "My name is Alice."]["tools"] == ["core_memory_append"]
    stored = turns["alice", "Remember that the Q3 launch moved to May 14."]
    assert stored["tools"] == ["archival_memory_insert"]
    launch = turns["alice", "When is the Q3 launch?"]
    assert "archival_memory_search" in launch["tools"]
    assert "May 14" in launch["answer"] and "thread a" in launch["answer"]
    # Core memory is pinned in the prompt by the middleware: no search needed.
    name = turns["alice", "What is my name?"]
    assert name["tools"] == [] and "Alice" in name["answer"]
    # Recall memory is filled by the logging middleware and found from another thread.
    walk = turns["alice", "Where did I walk on Saturday?"]
    assert "conversation_search" in walk["tools"] and "lighthouse" in walk["answer"]
    # Another user finds nothing of Alice's.
    assert "May 14" not in turns["bob", "When is the Q3 launch?"]["answer"]
