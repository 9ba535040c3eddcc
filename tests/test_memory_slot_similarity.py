"""The rule decider's optional similarity signal: where the reader cannot read the new text,
the older claim's person named again with another value, and the two sentences alike once
their values are masked, is the same slot with a new value; someone else's, a past, a plan or
a negated fact never is, however alike."""

from __future__ import annotations

import pytest

from langgraph_memgpt.memory import RuleDecider, parse_claim
from langgraph_memgpt.memory.hygiene.slot_similarity import SlotSimilarity, masked


class _Masks:
    """Embeddings that map each masked sentence to a fixed vector: similar on demand."""

    def __init__(self, close: bool) -> None:
        self.close = close
        self.seen: list[str] = []

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        self.seen += texts
        return [[1.0, 0.0], [1.0, 0.0] if self.close else [0.0, 1.0]][: len(texts)]

    def embed_query(self, text: str) -> list[float]:
        return self.embed_documents([text])[0]


OLD = "Runa works at Novartis."
NEW = "Runa is with Lonza these days."  # the reader does not read it


def _ops(new: str, close: bool) -> list[str]:
    decider = RuleDecider(similarity=SlotSimilarity(_Masks(close)))  # type: ignore[arg-type]
    return [p.op for p in decider.decide(new, [OLD])]


def test_masking_hides_values_and_keeps_the_subject() -> None:
    assert masked(NEW, "runa") == ("Runa is with X these days", ["lonza"], False)
    assert masked("Runa's sister moved to Basel", "runa")[2] is True


def test_an_unread_update_supersedes_when_the_masked_sentences_are_alike() -> None:
    assert parse_claim(NEW) is None
    assert _ops(NEW, close=True) == ["supersede"]
    assert _ops(NEW, close=False) == ["add"]
    assert RuleDecider().decide(NEW, [OLD])[0].op == "add"  # off by default


@pytest.mark.parametrize(
    "new",
    [
        "Runa's husband is with Lonza these days.",  # someone else
        "Runa was with Lonza years ago.",  # a past fact
        "Runa hopes to be with Lonza soon.",  # a wish
        "Runa is no longer with Lonza.",  # negated
        "Runa is with Novartis these days, as before.",  # the same value
        "Tove is with Lonza these days.",  # another person
    ],
)
def test_near_misses_never_supersede_by_similarity(new: str) -> None:
    assert "supersede" not in _ops(new, close=True)
