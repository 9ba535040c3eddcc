"""``memory migrate``: a local store moves to Postgres whole, resumably, and searches the same."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from langchain_core.messages import AIMessage

from langgraph_memgpt import Memory, MemoryStoreError, create_memgpt_agent
from langgraph_memgpt.memory.io import migrate as migrate_module
from langgraph_memgpt.memory.io.migrate import migrate
from langgraph_memgpt.memory.testing import HashEmbeddings


class CountingEmbeddings(HashEmbeddings):
    documents = 0

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        self.documents += len(texts)
        return super().embed_documents(texts)


def _local_store(path: Path) -> dict[str, Any]:
    """A store with every tier, vectors and an agent thread; returns what to look for."""
    from conftest import ScriptedChatModel

    with Memory.open(path, embeddings=CountingEmbeddings()) as mem:
        rid = mem.archival.insert(
            "Alice's sister Maya lives in Porto", user_id="alice", tags=["family"]
        )
        mem.archival.insert_many(
            [f"note {i} about the garden" for i in range(300)], user_id="alice"
        )
        mem.archival.insert("Bob keeps bees", user_id="bob")
        mem.core.append("human", "Name: Alice", user_id="alice")
        agent = create_memgpt_agent(ScriptedChatModel(fallback=AIMessage(content="ok")), memory=mem)
        config = {"configurable": {"thread_id": "t1", "user_id": "alice"}}
        agent.invoke({"messages": [("user", "My cat is called Miso")]}, config)
        before = {
            "archival": [h.id for h in mem.archival.search("sister Porto", user_id="alice")],
            "recall": [h.id for h in mem.recall.search("cat Miso", user_id="alice")],
            "stats": mem.stats(user_id="alice"),
        }
    return {"rid": rid, **before}


def test_migrate_moves_every_tier_and_the_threads(
    tmp_path: Path, pg_store: Callable[[str], str]
) -> None:
    source = tmp_path / "local"
    expected = _local_store(source)
    target = pg_store("mig")
    report = migrate(source, target, progress=False)
    assert report.rows["archival"] == 302 and report.rows["recall"] == 2
    assert report.threads == 1
    embedder = CountingEmbeddings()
    with Memory.open(target, embeddings=embedder) as mem:
        assert mem.stats(user_id="alice") == expected["stats"]
        assert mem.core.get_block("human", user_id="alice").value.endswith("Name: Alice")
        hits = mem.archival.search("sister Porto", user_id="alice")
        assert [h.id for h in hits] == expected["archival"]
        assert hits[0].id == expected["rid"] and hits[0].metadata["tags"] == ["family"]
        assert [h.id for h in mem.recall.search("cat Miso", user_id="alice")] == expected["recall"]
        assert mem.archival.search("bees", user_id="bob")[0].text == "Bob keeps bees"
        # Vectors came along: searches embedded queries only, never a stored text again.
        assert mem.archival.search("garden", user_id="alice", mode="dense")
        assert embedder.documents == 0
        # New rows get new ids after the copied ones, and the thread goes on.
        mem.archival.insert("Alice moved to Lisbon", user_id="alice")
        assert mem.archival.count(user_id="alice") == 302
        from conftest import ScriptedChatModel

        agent = create_memgpt_agent(ScriptedChatModel(fallback=AIMessage(content="ok")), memory=mem)
        state = agent.get_state({"configurable": {"thread_id": "t1", "user_id": "alice"}})
        assert [m.content for m in state.values["messages"]][-2:] == ["My cat is called Miso", "ok"]


def test_an_interrupted_migration_resumes(
    tmp_path: Path, pg_store: Callable[[str], str], monkeypatch: pytest.MonkeyPatch
) -> None:
    source = tmp_path / "local"
    _local_store(source)
    target = pg_store("resume")
    real_copy = migrate_module._copy_table
    copied: list[str] = []

    def crash_on_lexical(src: Any, tgt: Any, table: str, batch: int, advance: Any) -> None:
        if table == "lex_blocks":
            raise KeyboardInterrupt
        copied.append(table)
        real_copy(src, tgt, table, 50, advance)  # small batches: many commits before the crash

    monkeypatch.setattr(migrate_module, "_copy_table", crash_on_lexical)
    with pytest.raises(KeyboardInterrupt):
        migrate(source, target, progress=False)
    assert "archival" in copied
    monkeypatch.undo()
    report = migrate(source, target, progress=False)  # picks up; duplicates are skipped
    assert report.rows["archival"] == 302
    with Memory.open(target, embeddings=None) as mem:
        assert mem.archival.count(user_id="alice") == 301


def test_migrate_refuses_a_database_holding_another_store(
    tmp_path: Path, pg_store: Callable[[str], str]
) -> None:
    target = pg_store("busy")
    with Memory.open(target, embeddings=None) as mem:
        mem.archival.insert("someone else's memory", user_id="zed")
    _local_store(tmp_path / "local")
    with pytest.raises(MemoryStoreError, match="empty database"):
        migrate(tmp_path / "local", target, progress=False)
    with pytest.raises(MemoryStoreError, match="holds no memory store"):
        migrate(tmp_path / "nowhere", target, progress=False)


def test_the_migrate_command_moves_a_store_and_says_what_it_did(
    tmp_path: Path, pg_store: Callable[[str], str]
) -> None:
    import subprocess
    import sys

    source = tmp_path / "local"
    _local_store(source)
    target = pg_store("cli")
    command = [sys.executable, "-m", "langgraph_memgpt", "memory", "migrate"]
    done = subprocess.run(
        [*command, "--data-dir", str(source), "--to", target],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "migrated" in done.stdout and "archival 302" in done.stdout
    assert "counts verified" in done.stdout
    shown = subprocess.run(
        [
            sys.executable,
            "-m",
            "langgraph_memgpt",
            "memory",
            "stats",
            "--data-dir",
            target,
            "--user",
            "alice",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        env={**__import__("os").environ, "MEMGPT_EMBEDDINGS": "none"},
    )
    assert "archival: 301" in shown.stdout, shown.stderr
    refused = subprocess.run(
        [*command, "--data-dir", str(source)], capture_output=True, text=True, timeout=60
    )
    assert refused.returncode == 2 and refused.stderr.count("\n") == 1
    assert "--to postgresql://" in refused.stderr
