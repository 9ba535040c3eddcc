"""``Memory.open(path, read_only=True)``: SQLite's ``mode=ro``; reading writes nothing at all.

Not even a search's bookkeeping: rows waiting for a vector stay as they are (found by their
words), and no FAISS file is written. Any write is refused with one clear error.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from langchain_core.messages import HumanMessage

from langgraph_memgpt.memory import Memory, MemoryStoreError
from langgraph_memgpt.memory.testing import HashEmbeddings

USER = "erin"


def _files(directory: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(directory)): p.read_bytes()
        for p in directory.rglob("*")
        if p.is_file() and not p.name.endswith(("-wal", "-shm"))  # SQLite's own side files
    }


def test_reading_a_store_opened_read_only_writes_nothing(tmp_path: Path) -> None:
    store = tmp_path / "store"
    with Memory.open(store, embeddings=None) as memory:  # rows stored without vectors
        memory.core.append("human", "Name: Erin", user_id=USER)
        memory.archival.insert("The wifi password is hunter2.", user_id=USER)
        memory.recall.append_messages(
            [HumanMessage("My sister lives in Bergen.", id="m1")], user_id=USER, thread_id="t"
        )
    before = _files(store)
    with Memory.open(store, embeddings=HashEmbeddings(), read_only=True) as memory:
        assert "Name: Erin" in memory.core.render(user_id=USER)
        assert [h.text for h in memory.archival.search("wifi password", user_id=USER)] == [
            "The wifi password is hunter2."
        ]
        assert "Bergen" in memory.recall.search("sister Bergen", user_id=USER)[0].text
        assert memory.stats(user_id=USER)["archival"] == 1
        with pytest.raises(MemoryStoreError, match="opened read-only"):
            memory.archival.insert("A new fact.", user_id=USER)
        with pytest.raises(MemoryStoreError, match="read-only"):
            memory.core.append("human", "More", user_id=USER)
        with pytest.raises(MemoryStoreError, match="no memory for user 'nobody'"):
            memory.core.render(user_id="nobody")
    assert _files(store) == before  # no vector, no FAISS file, no embedding model recorded


def test_read_only_never_creates_a_store(tmp_path: Path) -> None:
    from langgraph_memgpt.memory import StoreNotFoundError

    with pytest.raises(StoreNotFoundError):
        Memory.open(tmp_path / "none", embeddings=None, read_only=True)
    assert not (tmp_path / "none").exists()
