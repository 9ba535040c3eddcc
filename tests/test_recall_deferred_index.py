"""Recall messages are indexed off the turn (``tiers/recall_index.py``): whatever reads the
index sees the one indexing on write would have built. Both backends (``new_store``)."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

from langchain_core.embeddings import DeterministicFakeEmbedding
from langchain_core.messages import AIMessage, HumanMessage

from langgraph_memgpt.memory import Memory

IDENT = {"user_id": "ana"}
WORDS = [
    "pasta",
    "garden",
    "lisbon",
    "guitar",
    "marathon",
    "violin",
    "tuesday",
    "sister",
    "museum",
    "ferry",
    "coffee",
]


def _script(seed: int) -> list[tuple[str, list[tuple[str, str, str]]]]:
    """Appends of 1-3 messages to one of three threads, some ids repeated."""
    rng = random.Random(seed)
    out = []
    for i in range(100):  # past the lexical tail's merge (128 documents)
        thread = rng.choice(["t1", "t2", "t3"])
        batch = []
        for j in range(rng.randint(1, 3)):
            mid = f"m{i}-{j}" if rng.random() > 0.1 or i == 0 else "m0-0"  # a repeat: no-op
            text = " ".join(rng.choice(WORDS) for _ in range(rng.randint(3, 12)))
            batch.append((mid, rng.choice(["human", "ai"]), text))
        out.append((thread, batch))
    return out


def _play(memory: Memory, script: Any, between: Callable[[int], None]) -> None:
    for i, (thread, batch) in enumerate(script):
        messages = [
            HumanMessage(text, id=mid) if kind == "human" else AIMessage(text, id=mid)
            for mid, kind, text in batch
        ]
        memory.recall.append_messages(messages, thread_id=thread, **IDENT)
        between(i)


def _index(memory: Memory) -> tuple[dict[Any, bytes], list[Any]]:
    with memory._db.read() as conn:
        docs = {row[0]: bytes(row[1]) for row in conn.execute("SELECT key, terms FROM lex_docs")}
        stats = [tuple(r) for r in conn.execute("SELECT tier, docs, length FROM lex_stats")]
    return docs, sorted(stats)


def _by_id(memory: Memory, docs: dict[Any, bytes]) -> dict[str, bytes]:
    """Index entries keyed by message id (row ids may differ between the stores)."""
    with memory._db.read() as conn:
        ids = {int(r[0]): str(r[1]) for r in conn.execute("SELECT id, message_id FROM recall")}
    return {ids[int(key) >> 1]: blob for key, blob in docs.items() if int(key) >> 1 in ids}


def test_the_index_a_reader_sees_is_the_one_built_on_write(new_store: Callable[[str], Any]) -> None:
    script = _script(7)
    eager = Memory.open(new_store("eager"), embeddings=DeterministicFakeEmbedding(size=16))
    later = Memory.open(new_store("later"), embeddings=DeterministicFakeEmbedding(size=16))
    try:
        eager.recall.defer_indexing = False
        _play(eager, script, lambda i: None)

        def sometimes(i: int) -> None:  # the worker, a count or a search, now and then
            if i % 7 == 3:
                later.recall.catch_up(**IDENT)
            elif i % 7 == 5:
                later.recall.search("guitar museum", mode="lexical", **IDENT)
            elif i % 7 == 6:
                later.recall.count(**IDENT)

        _play(later, script, sometimes)
        assert later.recall.count(**IDENT) == eager.recall.count(**IDENT)  # counts waiting ones
        for query in ("guitar museum", "ferry", "pasta lisbon tuesday"):
            got = later.recall.search(query, mode="lexical", k=20, **IDENT)
            want = eager.recall.search(query, mode="lexical", k=20, **IDENT)
            assert [(h.id, round(h.score, 9)) for h in got] == [
                (h.id, round(h.score, 9)) for h in want
            ]
        docs_e, stats_e = _index(eager)
        docs_l, stats_l = _index(later)
        assert stats_l == stats_e
        assert _by_id(later, docs_l) == _by_id(eager, docs_e)
        assert later.recall.catch_up(**IDENT) == 0  # the searches left nothing waiting
    finally:
        eager.close()
        later.close()


def test_a_message_waiting_is_found_by_another_process(new_store: Callable[[str], Any]) -> None:
    location = new_store("shared")
    writer = Memory.open(location, embeddings=DeterministicFakeEmbedding(size=16))
    reader = Memory.open(location, embeddings=DeterministicFakeEmbedding(size=16))
    try:
        writer.recall.stop_worker()
        writer.recall.append(
            "user", "The ferry to Cacilhas leaves at nine.", thread_id="t", **IDENT
        )
        (hit,) = reader.recall.search("ferry Cacilhas", mode="lexical", **IDENT)
        assert hit.text.startswith("The ferry")
        assert reader.recall.count(**IDENT) == 1
    finally:
        writer.close()
        reader.close()
