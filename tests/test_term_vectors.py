"""Batched term vectors (``backends/term_vectors.py``) equal the per-document ones entry for
entry, so the bulk path writes the rows the one-at-a-time path wrote."""

from __future__ import annotations

import random

import pytest

from langgraph_memgpt.memory.backends import lexical_scoring, term_vectors
from langgraph_memgpt.memory.backends.lexical_scoring import DocVector
from langgraph_memgpt.memory.backends.term_vectors import TermVectors
from langgraph_memgpt.memory.text.analysis import term_frequencies

VOCAB = [
    "apple",
    "banana",
    "cherry",
    "dates",
    "elder",
    "fig",
    "grape",
    "honey",
    "iris",
    "jade",
    "kiwi",
    "lemon",
    "mango",
]


def _documents(seed: int, n: int) -> list[list[tuple[str, float]]]:
    rng = random.Random(seed)
    docs = []
    for _ in range(n):
        fields = [(" ".join(rng.choice(VOCAB) for _ in range(rng.randint(0, 12))), 1.0)]
        fields += [
            (
                " ".join(rng.choice(VOCAB) for _ in range(rng.randint(0, 5))),
                rng.choice([0.5, 0.25, 0.0, 0.1]),  # 0.1 once rounds to no frequency at all
            )
            for _ in range(rng.randint(0, 4))
        ]
        docs.append(fields)
    docs.append([])  # a document without words
    docs.append([("the and of", 1.0)])  # stopwords only
    return docs


def _assert_same(vectors: TermVectors, docs: list[list[tuple[str, float]]]) -> None:
    blobs = vectors.blobs()
    for i, fields in enumerate(docs):
        reference = DocVector.from_frequencies(term_frequencies(fields))
        assert blobs[i] == reference.blob()
        assert int(vectors.lengths[i]) == reference.length


def test_fields_and_frequencies_match_one_document_at_a_time() -> None:
    docs = _documents(1, 500)
    ids = list(range(100, 100 + len(docs)))
    by_fields = TermVectors.from_fields(ids, docs)
    _assert_same(by_fields, docs)
    by_frequencies = TermVectors.from_frequencies(ids, [term_frequencies(f) for f in docs])
    assert by_frequencies.blobs() == by_fields.blobs()
    sizes = [len(DocVector.from_frequencies(term_frequencies(f)).terms) for f in docs]
    expected = [doc for doc, size in zip(ids, sizes, strict=True) for _ in range(size)]
    assert by_fields.entry_docs().tolist() == expected
    assert by_fields.with_docs(range(len(docs))).docs.tolist() == list(range(len(docs)))


def test_colliding_term_ids_share_an_entry(monkeypatch: pytest.MonkeyPatch) -> None:
    def colliding(word: str) -> int:
        return ord(word[0]) % 5  # many words, five ids

    monkeypatch.setattr(term_vectors, "term_id", colliding)
    monkeypatch.setattr(lexical_scoring, "term_id", colliding)
    docs = _documents(2, 300)
    _assert_same(TermVectors.from_fields(list(range(len(docs))), docs), docs)


def test_no_documents() -> None:
    empty = TermVectors.from_fields([], [])
    assert len(empty) == 0 and empty.blobs() == []
