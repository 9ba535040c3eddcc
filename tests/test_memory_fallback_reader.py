"""The fallback claim reader (issue 24): for a sentence no frame reads, against a read older
claim, the subject by entity matching, the slot by similarity to exemplars with the values
masked, the value by what differs; cautious where the structure says no. Text written for these
tests (no benchmark split's)."""

from __future__ import annotations

import pytest

from langgraph_memgpt.memory import FallbackReader, RuleDecider, parse_claim
from langgraph_memgpt.memory.hygiene.fallback_reader import masked
from langgraph_memgpt.memory.search.embeddings import local_available

needs_minilm = pytest.mark.skipif(not local_available(), reason="local MiniLM not installed")

#: Words that put a masked sentence near a group, for embeddings that need no model.
_AXES = (
    ("home", "base", "relocated", "settled"),
    ("works", "job", "hired", "joined", "employed", "employer", "payroll", "position"),
    ("brother", "sister", "mother", "visited", "lunch", "dinner", "holiday", "met", "used"),
)


class _Keywords:
    """Embeddings by keyword: a sentence's vector counts the words of each axis."""

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        out = []
        for text in texts:
            words = text.casefold().replace("'s", "").split()
            out.append([float(sum(w in axis for w in words)) + 0.01 for axis in _AXES])
        return out

    def embed_query(self, text: str) -> list[float]:
        return self.embed_documents([text])[0]


def _ops(new: str, old: str, margin: float = 0.05) -> list[str]:
    decider = RuleDecider(similarity=FallbackReader(_Keywords(), margin=margin))  # type: ignore[arg-type]
    return [p.op for p in decider.decide(new, [old])]


def test_masking_names_the_subject_sam_and_hides_values() -> None:
    assert masked("guess what, Henrike got herself a flat in Salzburg", "henrike") == (
        "guess what , Sam got herself a flat in X",
        ["salzburg"],
        True,
        False,
    )
    assert masked("Mail for Piet goes to p.smit@kpnmail.nl now", "piet")[:2] == (
        "Mail for Sam goes to X now",
        ["p.smit@kpnmail.nl"],
    )
    assert masked("Henrike's cousin found a flat in Salzburg", "henrike")[3] is True
    assert masked("my new home is in Salzburg since June", "user")[:2] == (
        "Sam's new home is in X since June",  # a month is a time, not a value
        ["salzburg"],
    )


def test_an_unread_update_close_to_its_slot_supersedes() -> None:
    new = "Henrike keeps her base in Salzburg, flat and all."
    assert parse_claim(new) is None  # no frame reads it: only the fallback can
    assert _ops(new, "Henrike lives in Graz.") == ["supersede"]
    assert _ops(new, "Henrike lives in Graz.", margin=5.0) == ["add"]  # under the margin


@pytest.mark.parametrize(
    "new",
    [
        "Henrike's cousin keeps her base in Salzburg.",  # someone else's
        "Her cousin keeps a base in Salzburg.",  # Henrike not named
        "Henrike almost kept her base in Salzburg, but the flat fell through.",  # hedge
        "Henrike kept her base in Salzburg years ago.",  # past
        "Henrike keeps a base with Bartholomew in the flat.",  # a housemate, no place
        "Henrike keeps flats in Salzburg and Linz.",  # two new values: which one?
    ],
)
def test_structure_keeps_near_misses_out(new: str) -> None:
    assert parse_claim(new) is None
    assert _ops(new, "Henrike lives in Graz.") == ["add"]


def test_a_value_of_another_kind_is_no_claim() -> None:
    reader = FallbackReader(_Keywords())  # type: ignore[arg-type]
    old = "Eamon works at Diageo."
    claim = parse_claim(old)
    assert claim is not None
    thing = "Eamon spends his payroll days with an Irish setter."  # a thing, not a name
    named = "Eamon spends his payroll days at Heineken."
    assert parse_claim(thing) is None and parse_claim(named) is None
    assert reader.margin_of(thing, old, claim) is None
    assert reader.margin_of(named, old, claim) is not None


@needs_minilm
def test_with_the_local_model_an_update_is_closer_to_its_slot_than_a_near_miss() -> None:
    reader = FallbackReader()
    old = "Piet's email address is piet@posteo.nl."
    claim = parse_claim(old)
    assert claim is not None
    update = reader.margin_of("Mail for Piet goes to p.smit@kpnmail.nl now.", old, claim)
    old_job = "Eamon works at Diageo."
    job = parse_claim(old_job)
    assert job is not None
    near = reader.margin_of("Eamon had dinner with Heineken people.", old_job, job)
    assert update is not None and near is not None and update > 0 > near
    assert "supersede" not in [
        p.op
        for p in RuleDecider(similarity=reader).decide(
            "Eamon had dinner with Heineken people.", [old_job]
        )
    ]
