"""Hybrid recall search: dense similarity fused with BM25, embedding off the turn's path."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
from langchain_core.embeddings import Embeddings
from langchain_core.messages import AIMessage, HumanMessage

from langgraph_memgpt.memory import Memory, MemoryStoreError
from langgraph_memgpt.memory.testing import HashEmbeddings, sql_row

# Words with one meaning share a direction, as a real sentence embedder would place them.
SYNONYMS = {"puppy": "dog", "dog": "dog", "couch": "sofa", "sofa": "sofa", "furniture": "sofa"}


class SynonymEmbeddings(Embeddings):
    def __init__(self) -> None:
        self.base = HashEmbeddings(dim=32)
        self.model = "synonyms-32"
        self.documents = 0

    def _embed(self, text: str) -> list[float]:
        words = [SYNONYMS.get(w.strip(".,?!").lower(), w) for w in text.split()]
        return self.base.embed_query(" ".join(words))

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        self.documents += len(texts)
        return [self._embed(t) for t in texts]

    def embed_query(self, text: str) -> list[float]:
        return self._embed(text)


@pytest.fixture
def embedder() -> SynonymEmbeddings:
    return SynonymEmbeddings()


@pytest.fixture
def mem(store: Any, embedder: SynonymEmbeddings) -> Iterator[Memory]:
    with Memory.open(store, embeddings=embedder) as memory:
        yield memory


def _pending(mem: Memory) -> int:
    return int(sql_row(mem, "SELECT count(*) FROM recall WHERE vector IS NULL")[0])


def test_dense_finds_a_message_that_shares_no_word(
    mem: Memory, embedder: SynonymEmbeddings
) -> None:
    mem.recall.append("user", "Our puppy chewed the couch again", user_id="u", thread_id="t")
    mem.recall.append("user", "The quarterly report is due Friday", user_id="u", thread_id="t2")
    mem.recall.append("user", "Lunch was pasta with tomatoes", user_id="u", thread_id="t3")
    assert mem.recall.search("dog sofa", user_id="u", mode="lexical") == []
    hits = mem.recall.search("dog sofa", user_id="u")
    assert hits[0].text == "Our puppy chewed the couch again"
    assert hits[0].metadata["thread_id"] == "t" and hits[0].metadata["source"] == "recall"
    # A query of only common words still searches by meaning.
    assert mem.recall.search("what about the puppy?", user_id="u")[0].text.startswith("Our puppy")
    # The same thread filter applies to the dense side; within thread t2 nothing is similar
    # enough to "dog sofa" (the relevance floor), so nothing is returned rather than noise.
    assert mem.recall.search("dog sofa", user_id="u", thread_id="t")[0].text.startswith("Our p")
    assert mem.recall.search("dog sofa", user_id="u", thread_id="t2") == []
    with pytest.raises(MemoryStoreError, match="mode"):
        mem.recall.search("dog", user_id="u", mode="dense")


def test_appends_do_not_embed_and_search_embeds_what_waits(
    mem: Memory, embedder: SynonymEmbeddings
) -> None:
    mem.recall.stop_worker()  # only the search path embeds here
    mem.recall.append_messages(
        [HumanMessage("my puppy is called Rex", id="h1"), AIMessage("Hi Rex!", id="a1")],
        user_id="u",
        thread_id="t",
    )
    assert embedder.documents == 0 and _pending(mem) == 2
    hits = mem.recall.search("dog", user_id="u")  # no message has the word: found by meaning
    assert {h.text for h in hits} == {"my puppy is called Rex", "Hi Rex!"}
    assert embedder.documents == 2 and _pending(mem) == 0


def test_background_worker_embeds_when_idle(store: Any, embedder: SynonymEmbeddings) -> None:
    with Memory.open(store, embeddings=embedder) as mem:
        for i in range(5):
            mem.recall.append("user", f"note {i} about the couch", user_id="u", thread_id="t")
        deadline = time.monotonic() + 10
        while _pending(mem) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert _pending(mem) == 0
        calls = embedder.documents
        mem.recall.search("sofa", user_id="u")
        assert embedder.documents == calls  # nothing left for the search to embed
    # Reopened, the vectors are there (a local store loads its FAISS file, which agrees with
    # SQLite) and the search embeds nothing.
    with Memory.open(store, embeddings=embedder) as mem:
        if mem.backend == "sqlite":
            index = mem.recall._vectors.index(1)  # type: ignore[union-attr]
            assert index is not None and sorted(index.ids().tolist()) == [1, 2, 3, 4, 5]
        calls = embedder.documents
        assert mem.recall.search("sofa", user_id="u", k=5)
        assert embedder.documents == calls


def test_lexical_only_store_searches_recall_by_words(store: Any) -> None:
    with Memory.open(store, embeddings=None) as mem:
        mem.recall.append("user", "Our puppy chewed the couch", user_id="u", thread_id="t")
        assert not mem.recall.hybrid
        assert [h.text for h in mem.recall.search("puppy", user_id="u")] == [
            "Our puppy chewed the couch"
        ]
        assert mem.recall.search("dog", user_id="u") == []


def test_reembed_clears_recall_vectors(store: Any, embedder: SynonymEmbeddings) -> None:
    with Memory.open(store, embeddings=embedder) as mem:
        mem.recall.append("user", "puppy", user_id="u", thread_id="t")
        mem.recall.search("dog", user_id="u")
        assert _pending(mem) == 0
    with pytest.raises(MemoryStoreError, match="reembed"):
        Memory.open(store, embeddings=HashEmbeddings(dim=16))
    with Memory.open(store, embeddings=HashEmbeddings(dim=16), reembed=True) as mem:
        assert _pending(mem) == 1
        hits = mem.recall.search("puppy", user_id="u")
        assert hits[0].text == "puppy" and _pending(mem) == 0
        (stored,) = sql_row(mem, "SELECT vector FROM recall")
        stored = np.frombuffer(stored, np.float32) if isinstance(stored, bytes) else stored
        assert len(np.asarray(stored.to_numpy() if hasattr(stored, "to_numpy") else stored)) == 16


class SlowCountingEmbeddings(SynonymEmbeddings):
    """Embeds slowly and says when the first batch has started."""

    def __init__(self) -> None:
        super().__init__()
        import threading

        self.started = threading.Event()

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        self.started.set()
        time.sleep(0.3)
        return super().embed_documents(texts)


def test_a_search_during_background_embedding_embeds_nothing_twice(store: Any) -> None:
    """The search catches up on waiting messages while the background embedder is busy
    with them: each message is embedded once, and none is left waiting."""
    embedder = SlowCountingEmbeddings()
    with Memory.open(store, embeddings=embedder) as memory:
        messages = [
            HumanMessage(f"note {i}: the puppy sat on the couch", id=f"m{i}") for i in range(6)
        ]
        memory.recall.append_messages(messages, user_id="u", thread_id="t")
        assert embedder.started.wait(10), "the background embedder never started"
        hits = memory.recall.search("dog sofa", user_id="u", k=10)
        assert hits and {h.id for h in hits} <= {f"m{i}" for i in range(6)}
        assert embedder.documents == 6, "a waiting message was embedded twice"
        assert _pending(memory) == 0


def test_embed_waiting_embeds_a_users_backlog_now(store: Any, embedder: SynonymEmbeddings) -> None:
    with Memory.open(store, embeddings=embedder) as memory:
        memory.recall.stop_worker()  # nothing embeds behind the test's back
        for user in ("u", "v"):
            memory.recall.append_messages(
                [HumanMessage(f"{user} says {i}: our puppy and the couch") for i in range(70)],
                user_id=user,
                thread_id="t",
            )
        assert memory.recall.embed_waiting(user_id="u") == 70
        assert memory.recall.embed_waiting(user_id="u") == 0
        assert _pending(memory) == 70, "another user's messages are theirs to embed"
        assert memory.recall.embed_waiting(user_id="nobody") == 0
