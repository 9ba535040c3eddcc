"""The command line: demo, chat resume after an interrupted turn, memory inspection."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest

from langgraph_memgpt import Memory, create_memgpt_agent
from langgraph_memgpt.cli import main
from tests.conftest import ScriptedChatModel


@pytest.fixture(autouse=True)
def offline(monkeypatch) -> None:
    for var in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "MEMGPT_MODEL"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("MEMGPT_EMBEDDINGS", "none")


def test_help_loads_no_model() -> None:
    code = (
        "import sys\n"
        "from langgraph_memgpt.cli import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        "assert 'torch' not in sys.modules and 'sentence_transformers' not in sys.modules\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert "demo" in out.stdout and "chat" in out.stdout


def test_demo_pages_a_fact_back_in_with_its_citation(tmp_path: Path, capsys) -> None:
    assert main(["demo", "--data-dir", str(tmp_path / "d")]) == 0
    out = capsys.readouterr().out
    assert "not an LLM" in out
    assert "core_memory_append" in out and "archival_memory_insert" in out
    assert "[memory pressure]" in out
    assert "evicted" in out and "summary now" in out
    final = out.split("final answer:")[-1]
    assert "May 14" in final and "thread demo-1" in final


def test_chat_resumes_an_interrupted_turn(tmp_path: Path, monkeypatch, capsys) -> None:
    data = tmp_path / "d"
    calls = {"n": 0}

    def dies(_prompt):
        calls["n"] += 1
        raise KeyboardInterrupt  # the user pressed Ctrl-C while the model was thinking

    memory = Memory.open(data, embeddings=None)
    agent = create_memgpt_agent(ScriptedChatModel(fallback=dies), memory=memory)
    config = {"configurable": {"thread_id": "main", "user_id": "default-user"}}
    with pytest.raises(KeyboardInterrupt):
        agent.invoke({"messages": [("user", "Remember that the boat leaves at 9.")]}, config)
    memory.close()

    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    assert main(["chat", "--data-dir", str(data)]) == 0
    out = capsys.readouterr().out
    assert "resuming an interrupted turn" in out
    assert "archival_memory_insert" in out  # the offline driver finished the saved turn
    memory = Memory.open(data, embeddings=None)
    assert memory.archival.count(user_id="default-user") == 1
    memory.close()


def test_chat_prints_each_answer_once(tmp_path: Path, monkeypatch, capsys) -> None:
    """The reply is streamed once, though the step stores it under its own id afterwards."""
    monkeypatch.setattr("sys.stdin", io.StringIO("Please remember that my cat is called Miso.\n"))
    assert main(["chat", "--data-dir", str(tmp_path / "d")]) == 0
    answers = [line for line in capsys.readouterr().out.splitlines() if "assistant>" in line]
    assert len(answers) == 1
    assert answers[0].count("Miso") == 1


def test_memory_show_search_stats(tmp_path: Path, capsys) -> None:
    data = tmp_path / "d"
    memory = Memory.open(data, embeddings=None)
    memory.core.append("human", "Name: Erin", user_id="default-user")
    memory.archival.insert(
        "Erin's bike is green", user_id="default-user", metadata={"thread_id": "t"}
    )
    memory.close()
    assert main(["memory", "show", "--data-dir", str(data)]) == 0
    assert "Name: Erin" in capsys.readouterr().out
    assert main(["memory", "search", "bike", "colour", "--data-dir", str(data)]) == 0
    assert "Erin's bike is green" in capsys.readouterr().out
    assert main(["memory", "stats", "--data-dir", str(data)]) == 0
    assert "archival: 1" in capsys.readouterr().out
    assert main(["memory", "search", "--data-dir", str(data)]) == 2


def test_a_graph_message_stream_sends_each_answer_once(tmp_path: Path) -> None:
    """Apps and Studio read ``stream_mode="messages"``: the reply's tokens and the reply the
    step stores carry one id, so LangGraph does not send the answer a second time."""
    from langchain_core.messages import AIMessage, AIMessageChunk

    from langgraph_memgpt import OfflineDriver, create_memgpt_agent

    with Memory.open(tmp_path / "d", embeddings=None) as memory:
        agent = create_memgpt_agent(OfflineDriver(), memory=memory)
        config = {"configurable": {"thread_id": "t", "user_id": "u"}}
        before: set[str | None] = set()
        for text in ("Please remember that my cat is called Miso.", "What is my cat called?"):
            replies = [
                chunk
                for chunk, meta in agent.stream(
                    {"messages": [{"role": "user", "content": text}]},
                    config,
                    stream_mode="messages",
                )
                if meta.get("langgraph_node") == "reason" and isinstance(chunk, AIMessage)
            ]
            state = agent.get_state(config).values["messages"]
            new = {m.id for m in state if isinstance(m, AIMessage) and m.id not in before}
            assert new, "the turn stored no reply"
            assert {chunk.id for chunk in replies} == new, "a reply was sent under a second id"
            whole = [c.id for c in replies if not isinstance(c, AIMessageChunk)]
            assert len(whole) == len(set(whole)), "a reply was sent twice"
            before |= {m.id for m in state}


def test_chat_says_when_it_creates_the_data_directory(tmp_path: Path, monkeypatch, capsys) -> None:
    """A mistyped --data-dir starts an empty store: the banner says so, the second run not."""
    for expected in (True, False):
        monkeypatch.setattr("sys.stdin", io.StringIO("quit\n"))
        assert main(["chat", "--data-dir", str(tmp_path / "typo")]) == 0
        banner = capsys.readouterr().out
        assert ("new and empty" in banner) is expected
