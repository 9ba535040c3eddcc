"""Archival memory: hybrid search with citations, pagination, isolation, reopen, errors."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from langgraph_memgpt.memory import Memory, MemoryStoreError
from langgraph_memgpt.memory.testing import HashEmbeddings
from langgraph_memgpt.memory.tiers.archival import MAX_TEXT_CHARS

FACTS = [
    "Alice's favourite colour is teal",
    "Bob plays football every Sunday",
    "The office moved to Berlin in 2021",
    "Alice has a dog called Rex",
    "Quarterly report is due on Friday",
]
CITATION_KEYS = {"thread_id", "turn", "created_at", "source", "tags", "user_id", "agent_id"}


@pytest.fixture
def mem(store: Any) -> Iterator[Memory]:
    with Memory.open(store, embeddings=HashEmbeddings()) as memory:
        yield memory


def _fill(mem: Memory, user: str = "u1") -> list[str]:
    return mem.archival.insert_many(
        FACTS,
        user_id=user,
        metadatas=[{"thread_id": "t1", "turn": i, "source": "chat", "extra": i} for i in range(5)],
    )


@pytest.mark.parametrize("mode", ["hybrid", "lexical", "dense"])
def test_search_modes_find_fact_with_citation(mem: Memory, mode: str) -> None:
    ids = _fill(mem)
    hits = mem.archival.search("what colour is Alice's favourite?", user_id="u1", k=3, mode=mode)  # type: ignore[arg-type]
    assert hits[0].id == ids[0] and hits[0].text == FACTS[0]
    md = hits[0].metadata
    assert set(md) >= CITATION_KEYS
    assert (md["thread_id"], md["turn"], md["source"], md["extra"]) == ("t1", 0, "chat", 0)
    assert md["user_id"] == "u1" and md["agent_id"] == "default"
    assert md["created_at"].endswith("+00:00")
    assert "thread t1, turn 0" in str(hits[0].citation)


def test_insert_returns_id_and_get_delete(mem: Memory) -> None:
    rid = mem.archival.insert(
        "Carol is allergic to peanuts",
        user_id="u1",
        tags=["health"],
        metadata={"created_at": "2024-05-01"},
    )
    hit = mem.archival.get(rid, user_id="u1")
    assert hit.text == "Carol is allergic to peanuts" and hit.metadata["tags"] == ["health"]
    assert hit.metadata["created_at"] == "2024-05-01T00:00:00.000000+00:00"
    assert hit.metadata["thread_id"] is None and hit.metadata["source"] is None
    assert mem.archival.count(user_id="u1") == 1
    mem.archival.delete(rid, user_id="u1")
    assert mem.archival.count(user_id="u1") == 0
    assert mem.archival.search("peanuts", user_id="u1", mode="dense") == []
    with pytest.raises(MemoryStoreError, match="no archival record"):
        mem.archival.get(rid, user_id="u1")


def test_tags_filter(mem: Memory) -> None:
    mem.archival.insert("Alice likes teal", user_id="u1", tags=["prefs"])
    mem.archival.insert("Alice likes tea", user_id="u1", tags=["drinks"])
    for mode in ("hybrid", "lexical", "dense"):
        hits = mem.archival.search("Alice likes", user_id="u1", tags=["drinks"], mode=mode)  # type: ignore[arg-type]
        assert [h.text for h in hits] == ["Alice likes tea"]


def test_user_and_agent_isolation(mem: Memory) -> None:
    own = set(_fill(mem, "u1"))
    secret = mem.archival.insert("u2 secret: the vault code is 1234", user_id="u2")
    mem.archival.insert("agent b note about teal", user_id="u1", agent_id="b")
    query = "vault code teal colour note agent"  # words of every user's records
    for mode in ("hybrid", "lexical", "dense"):
        # Record ids, not the user_id stamped on a hit (it is the caller's, so always matches).
        hits = mem.archival.search(query, user_id="u1", k=50, mode=mode)  # type: ignore[arg-type]
        assert hits and {h.id for h in hits} <= own
        assert "Alice's favourite colour is teal" in [h.text for h in hits]
        other = mem.archival.search(query, user_id="u2", k=50, mode=mode)  # type: ignore[arg-type]
        assert [h.id for h in other] == [secret]
    assert mem.archival.search("teal", user_id="nobody") == []
    rid = mem.archival.search("vault", user_id="u2")[0].id
    with pytest.raises(MemoryStoreError, match="no archival record"):
        mem.archival.get(rid, user_id="u1")
    with pytest.raises(MemoryStoreError, match="no archival record"):
        mem.archival.delete(rid, user_id="u1")
    assert mem.stats(user_id="u1")["archival"] == 5
    assert mem.stats(user_id="u1", agent_id="b")["archival"] == 1


def test_pagination_is_consistent(mem: Memory) -> None:
    mem.archival.insert_many([f"apple fact number {i}" for i in range(25)], user_id="u1")
    for mode in ("hybrid", "lexical", "dense"):
        pages = [
            mem.archival.search("apple", user_id="u1", k=10, page=p, mode=mode) for p in range(3)
        ]  # type: ignore[arg-type]
        assert [len(p) for p in pages] == [10, 10, 5]
        assert len({h.id for p in pages for h in p}) == 25
        with pytest.raises(MemoryStoreError, match=r"25 results in 3 page\(s\)"):
            mem.archival.search("apple", user_id="u1", k=10, page=3, mode=mode)  # type: ignore[arg-type]
    assert mem.archival.search("zebra", user_id="u1", mode="lexical") == []
    with pytest.raises(MemoryStoreError, match="no results"):
        mem.archival.search("zebra", user_id="u1", mode="lexical", page=1)


def test_bad_inputs_write_nothing(mem: Memory) -> None:
    with pytest.raises(MemoryStoreError, match="empty"):
        mem.archival.insert("   ", user_id="u1")
    with pytest.raises(MemoryStoreError, match=f"maximum is {MAX_TEXT_CHARS}"):
        mem.archival.insert("x" * (MAX_TEXT_CHARS + 1), user_id="u1")
    with pytest.raises(MemoryStoreError, match="empty"):  # one bad text: none stored
        mem.archival.insert_many(["fine", ""], user_id="u1")
    with pytest.raises(MemoryStoreError, match="may not set user_id"):
        mem.archival.insert("x", user_id="u1", metadata={"user_id": "u2"})
    with pytest.raises(MemoryStoreError, match="JSON-serializable"):
        mem.archival.insert("x", user_id="u1", metadata={"obj": object()})
    with pytest.raises(MemoryStoreError, match="turn must be"):
        mem.archival.insert("x", user_id="u1", metadata={"turn": "three"})
    with pytest.raises(MemoryStoreError, match="YYYY-MM-DD"):
        mem.archival.insert("x", user_id="u1", metadata={"created_at": "last tuesday"})
    with pytest.raises(MemoryStoreError, match="tag"):
        mem.archival.insert("x", user_id="u1", tags=[""])
    with pytest.raises(MemoryStoreError, match="metadatas has 1 entries for 2 texts"):
        mem.archival.insert_many(["a", "b"], user_id="u1", metadatas=[{}])
    with pytest.raises(MemoryStoreError, match="shape"):
        mem.archival.insert_many(["a", "b"], user_id="u1", vectors=np.zeros((3, 64)))
    assert mem.archival.count(user_id="u1") == 0
    with pytest.raises(MemoryStoreError, match="mode must be"):
        mem.archival.search("x", user_id="u1", mode="fuzzy")  # type: ignore[arg-type]
    with pytest.raises(MemoryStoreError, match="k must be"):
        mem.archival.search("x", user_id="u1", k=0)
    with pytest.raises(MemoryStoreError, match="empty"):
        mem.archival.search("", user_id="u1")


def test_failed_sql_insert_leaves_nothing(mem: Memory, monkeypatch: pytest.MonkeyPatch) -> None:
    """A failure inside the transaction (here: a duplicate id) rolls back every row."""
    import langgraph_memgpt.memory.tiers.archival_write as archival_module

    class FixedUUID:
        @staticmethod
        def uuid4() -> str:
            return "same-id"

    monkeypatch.setattr(archival_module, "uuid", FixedUUID)
    with pytest.raises(Exception, match="(?i)unique"):
        mem.archival.insert_many(["first", "second"], user_id="u1")
    monkeypatch.undo()
    assert mem.archival.count(user_id="u1") == 0
    assert mem.archival.search("first", user_id="u1", mode="dense") == []


def test_failed_embedding_leaves_nothing(store: Any) -> None:
    class Broken(HashEmbeddings):
        def embed_documents(self, texts: list[str]) -> list[list[float]]:
            raise RuntimeError("rate limited")

    with Memory.open(store, embeddings=Broken()) as mem:
        with pytest.raises(MemoryStoreError, match="embedding failed.*nothing was stored"):
            mem.archival.insert("hello", user_id="u1")
        assert mem.archival.count(user_id="u1") == 0


def test_reopen_keeps_everything(store: Any) -> None:
    path = store
    with Memory.open(path, embeddings=HashEmbeddings()) as mem:
        ids = _fill(mem)
        dense = [h.id for h in mem.archival.search("dog Rex", user_id="u1", mode="dense")]
        assert ids[3] in dense[:2]  # its own words, or the next record's context (same thread)
        mem.core.append("human", "Name: Alice", user_id="u1")
        mem.recall.append("user", "hello there", user_id="u1", thread_id="t", message_id="m1")
    if isinstance(path, Path):  # a local store: the database and the FAISS cache files
        assert (path / "memory.sqlite").exists() and list((path / "faiss").glob("*.faiss"))
    with pytest.raises(MemoryStoreError, match="closed"):
        mem.archival.search("x", user_id="u1")
    with pytest.raises(MemoryStoreError, match="closed"):
        mem.core.get(user_id="u1")
    with pytest.raises(MemoryStoreError, match="closed"):
        mem.recall.count(user_id="u1")
    with Memory.open(path, embeddings=HashEmbeddings()) as mem:
        assert mem.core.get(user_id="u1")["human"].value == "Name: Alice"
        assert mem.recall.contains("m1", user_id="u1")
        assert mem.archival.count(user_id="u1") == 5
        # The vectors came back: the same dense ranking as before closing.
        assert [h.id for h in mem.archival.search("dog Rex", user_id="u1", mode="dense")] == dense
        assert mem.stats(user_id="u1") == {
            "core": 2,
            "recall": 1,
            "archival": 5,
            "archival_superseded": 0,
            "archival_search": "hybrid",
        }


def test_stale_or_corrupt_faiss_file_is_repaired(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "m"
    with Memory.open(path, embeddings=HashEmbeddings()) as mem:
        _fill(mem)
    index_file = next((path / "faiss").glob("*.faiss"))
    stale = index_file.read_bytes()
    with Memory.open(path, embeddings=HashEmbeddings()) as mem:
        new = mem.archival.insert("Zed keeps bees on the roof", user_id="u1")
        first = mem.archival.search("Alice teal", user_id="u1", mode="dense", k=1)[0].id
        mem.archival.delete(first, user_id="u1")
    index_file.write_bytes(stale)  # an index from before the insert and the delete
    with Memory.open(path, embeddings=HashEmbeddings()) as mem:
        hits = mem.archival.search("bees roof Zed", user_id="u1", mode="dense", k=10)
        assert hits[0].id == new and first not in {h.id for h in hits} and len(hits) == 5
    assert "rebuilding" not in caplog.text  # a stale file is brought up to date, not rebuilt
    index_file.write_bytes(b"garbage")
    with caplog.at_level("WARNING"), Memory.open(path, embeddings=HashEmbeddings()) as mem:
        assert mem.archival.search("bees", user_id="u1", mode="dense", k=1)[0].id == new
    assert f"rebuilding FAISS index {index_file}" in caplog.text  # the repair is logged


def test_lexical_only_store_and_later_embedding(store: Any) -> None:
    path = store
    with Memory.open(path, embeddings=None) as mem:
        rid = mem.archival.insert("Alice's favourite colour is teal", user_id="u1")
        assert mem.archival.search("teal", user_id="u1")[0].id == rid  # hybrid -> lexical
        with pytest.raises(MemoryStoreError, match="mode='lexical'"):
            mem.archival.search("teal", user_id="u1", mode="dense")
        assert mem.stats(user_id="u1")["archival_search"] == "lexical"
    with Memory.open(path, embeddings=HashEmbeddings()) as mem:  # embeds the missing vector
        assert mem.archival.search("teal colour", user_id="u1", mode="dense")[0].id == rid


def test_embedder_change_is_refused_or_reembedded(store: Any) -> None:
    path = store
    with Memory.open(path, embeddings=HashEmbeddings(64)) as mem:
        rid = mem.archival.insert("Alice's favourite colour is teal", user_id="u1")
    with pytest.raises(MemoryStoreError, match="reembed=True"):
        Memory.open(path, embeddings=HashEmbeddings(32))
    with Memory.open(path, embeddings=HashEmbeddings(32), reembed=True) as mem:
        assert mem.archival.dim is None  # old vectors dropped; re-embedded on first search
        assert mem.archival.search("teal", user_id="u1", mode="dense")[0].id == rid
        assert mem.archival.dim == 32


def test_large_namespace_switches_to_ivf(tmp_path: Path) -> None:
    """Past its threshold a namespace's index becomes IVF with a calibrated nprobe."""
    rng = np.random.default_rng(0)
    centers = rng.standard_normal((20, 16))
    labels = rng.integers(0, 20, 3000)
    vectors = (centers[labels] + 0.3 * rng.standard_normal((3000, 16))).astype(np.float32)
    texts = [f"record {i}" for i in range(3000)]
    with Memory.open(tmp_path / "m", embeddings=None) as mem:
        mem.archival.insert_many(texts[:500], user_id="u1", vectors=vectors[:500])
        index = mem._backend.index(1)
        assert index is not None and not index.is_ivf
        index.ivf_threshold = 1000  # the real threshold (32k) would make this test slow
        mem.archival.insert_many(texts[500:], user_id="u1", vectors=vectors[500:])
        assert index.is_ivf and index.nprobe is not None and index.ntotal == 3000
        hits = mem.archival.search("x", user_id="u1", mode="dense", k=10, query_vector=vectors[42])
        assert hits[0].text == "record 42"
    with Memory.open(tmp_path / "m", embeddings=None) as mem:  # the IVF file loads back
        index = mem._backend.index(1)
        assert index is not None and index.is_ivf and index.ntotal == 3000
