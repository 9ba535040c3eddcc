"""The embedding cache: a text is run through the model once per store, whichever tier or
path asks (recall, archival, ingestion, reindexing), across reopenings, within a bound."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from langchain_core.embeddings import Embeddings
from langchain_core.messages import AIMessage, HumanMessage

from langgraph_memgpt.memory import Memory
from langgraph_memgpt.memory.backends.embedding_cache import (
    EmbeddingCache,
    cache_key,
    embed_cached,
)
from langgraph_memgpt.memory.backends.halfvec import as_vector
from langgraph_memgpt.memory.search.indexing import mix_context
from langgraph_memgpt.memory.testing import HashEmbeddings, sql_row


class CountingEmbeddings(Embeddings):
    """Hash vectors that remember every text the model was run on."""

    def __init__(self, model: str = "counting-16") -> None:
        self.base = HashEmbeddings(dim=16)
        self.model = model
        self.seen: list[str] = []
        self.calls = 0
        self._lock = threading.Lock()

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        with self._lock:
            self.seen += texts
            self.calls += 1
        return [self.base.embed_query(t) for t in texts]

    def embed_query(self, text: str) -> list[float]:
        return self.base.embed_query(text)


@pytest.fixture
def embedder() -> CountingEmbeddings:
    return CountingEmbeddings()


@pytest.fixture
def mem(store: Any, embedder: CountingEmbeddings) -> Iterator[Memory]:
    with Memory.open(store, embeddings=embedder) as memory:
        memory.recall.stop_worker()
        yield memory


def _turns(n: int) -> list[HumanMessage | AIMessage]:
    out: list[HumanMessage | AIMessage] = []
    for i in range(n):
        out.append(HumanMessage(f"question {i} about the garden", id=f"h{i}"))
        out.append(AIMessage(f"answer {i}: water the roses", id=f"a{i}"))
    return out


def test_with_mixed_vectors_a_message_is_encoded_once_though_it_is_its_neighbours_context(
    mem: Memory, embedder: CountingEmbeddings
) -> None:
    assert mem.recall.dense is not None and mem.recall.dense.mode == "previous"  # the default
    mem.recall.dense.mode = "vectors"
    messages = _turns(6)
    for start in range(0, len(messages), 2):  # a turn at a time, embedded after each
        mem.recall.append_messages(messages[start : start + 2], user_id="u", thread_id="t")
        mem.recall.embed_waiting(user_id="u")
    assert sorted(embedder.seen) == sorted(str(m.content) for m in messages)
    hits = mem.recall.search("roses", user_id="u", k=3)
    assert hits and all("roses" in h.text for h in hits)


def test_the_vector_mixes_the_neighbours_vectors(mem: Memory) -> None:
    assert mem.recall.dense is not None
    mem.recall.dense.mode = "vectors"
    mem.recall.append_messages(_turns(2), user_id="u", thread_id="t")
    mem.recall.embed_waiting(user_id="u")
    base = HashEmbeddings(dim=16)
    texts = [str(m.content) for m in _turns(2)]
    want = mix_context(
        np.asarray(base.embed_query(texts[1]), dtype=np.float32),
        np.asarray(base.embed_query(texts[0]), dtype=np.float32),
        np.asarray(base.embed_query(texts[2]), dtype=np.float32),
    )
    (blob,) = sql_row(mem, "SELECT vector FROM recall WHERE message_id='a0'")
    # SQLite keeps float32; Postgres a halfvec (11 significant bits: within 2^-11 of 0.5).
    atol = 1e-5 if isinstance(blob, bytes) else 5e-4
    np.testing.assert_allclose(as_vector(blob), want, atol=atol)


def test_archival_reuses_what_recall_embedded_and_a_reinsert_costs_nothing(
    mem: Memory, embedder: CountingEmbeddings
) -> None:
    mem.recall.append("user", "The boiler was serviced in March", user_id="u", thread_id="t")
    mem.recall.embed_waiting(user_id="u")
    before = len(embedder.seen)
    mem.archival.insert("The boiler was serviced in March", user_id="u")  # alone: same text
    assert len(embedder.seen) == before
    mem.archival.insert_many(["alpha note", "beta note"], user_id="u", dedupe=False)
    calls = embedder.calls
    mem.archival.insert_many(["alpha note", "beta note"], user_id="u", dedupe=False)
    assert embedder.calls == calls  # the same composed texts: all served from the cache
    assert mem.archival.embedding_cache is not None
    assert mem.archival.embedding_cache.hits >= 3


def test_the_cache_persists_across_reopening(new_store: Callable[[str], Any]) -> None:
    location = new_store("persist")
    first = CountingEmbeddings()
    with Memory.open(location, embeddings=first) as mem:
        mem.archival.insert("the shed key is under the pot", user_id="u")
    second = CountingEmbeddings()
    with Memory.open(location, embeddings=second) as mem:
        mem.archival.insert("the shed key is under the pot", user_id="v")  # another user
        assert second.seen == []
        third = CountingEmbeddings(model="another-model")
    with Memory.open(location, embeddings=third, reembed=True) as mem:
        mem.archival.insert("the shed key is under the pot", user_id="w")
        assert "the shed key is under the pot" in third.seen  # keyed by the model too


def test_eviction_keeps_the_most_recently_used(mem: Memory) -> None:
    cache = EmbeddingCache(mem._db, postgres=_is_postgres(mem), max_entries=10, memory_entries=1)
    cache.clear()
    for i in range(10):  # t0 first, so the least recently used
        cache.put_many({cache_key("m", f"t{i}"): np.full(4, i, dtype=np.float32)})
    assert len(cache) == 10
    assert cache.get_many([cache_key("m", "t0")])  # read: now the most recently used
    cache.put_many({cache_key("m", "t10"): np.zeros(4, dtype=np.float32)})  # 11 > 10: evict
    assert len(cache) == 9  # down to 90% of the bound
    left = cache.get_many([cache_key("m", f"t{i}") for i in range(11)])
    assert cache_key("m", "t0") in left and cache_key("m", "t10") in left
    assert cache_key("m", "t1") not in left and cache_key("m", "t2") not in left


def test_threads_embedding_at_once_get_the_right_vectors(
    mem: Memory, embedder: CountingEmbeddings
) -> None:
    texts = [f"shared text {i % 7}" for i in range(40)]
    results: list[np.ndarray] = []
    errors: list[BaseException] = []

    def work(part: list[str]) -> None:
        try:
            results.append(mem.archival.embed_texts(part))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(texts[i::4],)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    base = HashEmbeddings(dim=16)
    for i, part in enumerate(texts[j::4] for j in range(4)):
        del i
        want = np.asarray([base.embed_query(t) for t in part], dtype=np.float32)
        cache = mem.archival.embedding_cache
        assert cache is not None
        atol = 5e-4 if cache.halfvec else 1e-6  # Postgres: halfvec
        assert any(r.shape == want.shape and np.allclose(r, want, atol=atol) for r in results)


def test_without_a_cache_every_text_is_embedded(embedder: CountingEmbeddings) -> None:
    out = embed_cached(None, "m", ["a", "a"], embedder.embed_documents)
    assert out.shape == (2, 16) and embedder.seen == ["a", "a"]


def test_the_env_var_turns_it_off(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, embedder: CountingEmbeddings
) -> None:
    monkeypatch.setenv("MEMGPT_EMBEDDING_CACHE", "0")
    with Memory.open(tmp_path / "off", embeddings=embedder) as mem:
        assert mem.archival.embedding_cache is None
        mem.archival.insert_many(["x y", "x y"], user_id="u", dedupe=False)
    assert embedder.seen == ["x y", "x y"]


def _is_postgres(mem: Memory) -> bool:
    return mem.url is not None


def test_a_failing_cache_does_not_fail_the_write(
    mem: Memory, embedder: CountingEmbeddings, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = mem.archival.embedding_cache
    assert cache is not None

    def broken(*args: Any) -> Any:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(cache, "get_many", broken)
    monkeypatch.setattr(cache, "put_many", broken)
    mem.archival.insert("still stored", user_id="u")
    assert embedder.seen == ["still stored"]
    assert mem.archival.search("stored", user_id="u")[0].text == "still stored"


class SymmetricCounting(CountingEmbeddings):
    symmetric = True  # query vectors are document vectors, as with the local MiniLM


def test_consolidation_embeds_its_queries_in_one_batch_through_the_cache(store: Any) -> None:
    from langgraph_memgpt.memory.hygiene.consolidation import consolidate

    embedder = SymmetricCounting()
    with Memory.open(store, embeddings=embedder) as mem:
        mem.recall.stop_worker()
        for i in range(5):
            mem.archival.insert(f"the plumber visits on day {i}", user_id="u")
        mem.archival.insert_many(
            ["Ana moved to Lisbon", "Ana works at the port"],
            user_id="u",
            metadatas=[{"thread_id": "s"}, {"thread_id": "s"}],
        )
        calls = embedder.calls
        report = consolidate(mem, user_id="u", core=False)
        assert report.processed == 7
        # One model call for the two records embedded with context (their own texts are new);
        # the five inserted alone were embedded as exactly their text: cache hits.
        assert embedder.calls == calls + 1
        assert sorted(embedder.seen[-2:]) == ["Ana moved to Lisbon", "Ana works at the port"]
        hits = mem.archival.search("the plumber visits on day 3", user_id="u")
        assert embedder.calls == calls + 1 and hits[0].text.endswith("day 3")


def test_a_text_gets_the_same_vector_computed_or_read_back(
    store: Any, embedder: CountingEmbeddings
) -> None:
    """On Postgres the cache stores halfvec; a computed vector is rounded as the table rounds
    it, so a second store process reading it back gets exactly what the first one used."""
    with Memory.open(store, embeddings=embedder) as first:
        computed = first.archival.embed_texts(["the roses need water"])
    with Memory.open(store, embeddings=embedder) as second:
        seen = len(embedder.seen)
        read = second.archival.embed_texts(["the roses need water"])
        assert len(embedder.seen) == seen  # read from the table, not computed
        cache = second.archival.embedding_cache
        assert cache is not None
        with second._db.read() as conn:
            (kind,) = conn.execute(
                "SELECT typeof(vector) FROM embedding_cache"
                if not cache.halfvec
                else "SELECT pg_typeof(vector)::text FROM embedding_cache"
            ).fetchone()
    assert kind == ("halfvec" if cache.halfvec else "blob")
    np.testing.assert_array_equal(read, computed)
