"""The learned update decider: "same subject, same slot, new value" from the pair's features
(entity match, masked-slot similarity, what differs, the reader's markers) and fitted weights.

Every sentence here was written for these tests (none comes from a benchmark split). A decider
that supersedes everything fails the near misses; one that supersedes nothing fails the
updates; one that merges everything fails both.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from langgraph_memgpt.memory import Memory, consolidate
from langgraph_memgpt.memory.hygiene.learned_decider import LearnedDecider, load_model
from langgraph_memgpt.memory.hygiene.pair_features import FEATURES, side
from langgraph_memgpt.memory.search.embeddings import local_available
from langgraph_memgpt.memory.testing import HashEmbeddings
from langgraph_memgpt.memory.text.claims import parse_claim

needs_minilm = pytest.mark.skipif(not local_available(), reason="local MiniLM not installed")

# (older fact, newer fact) per failure class of issue 24, in new words.
UPDATES = [
    ("Tobias's phone number is 0612 448 902.", "Tobias has a new mobile, 0699 120 337."),
    pytest.param(
        "Greta drives a Ford Focus.",
        "Greta sold the Focus and now drives an Audi A3.",
        # The v1 weights superseded it (p 0.62); the weights refitted with the training
        # families do not (0.13): the old value named again weighs against a new one.
        marks=pytest.mark.xfail(strict=True, reason="known miss of the refitted weights"),
    ),
    ("Lars lives in Uppsala.", "Lars moved to Malmo in the summer."),
    ("Imke works at Bosch.", "Imke joined Continental last month."),
    ("The roof repair is on August 2.", "The roof repair moved to August 16."),
    ("Rosa's email address is rosa.k@web.de.", "Rosa changed her email to rk77@posteo.de."),
]
NEAR_MISSES = [
    ("Lars lives in Uppsala.", "Lars's brother lives in Malmo."),
    ("Lars lives in Uppsala.", "Henning moved to Malmo."),
    ("Lars lives in Uppsala.", "Lars grew up in Malmo."),
    ("Imke works at Bosch.", "Imke had an interview at Continental, nothing came of it."),
    ("Imke works at Bosch.", "Imke worked at Continental in her twenties."),
    ("Tobias's phone number is 0612 448 902.", "Tobias's boss has the number 0699 120 337."),
    ("Greta drives a Ford Focus.", "Greta's son drives an Audi A3."),
    ("Lars lives in Uppsala.", "Imke works at Bosch."),
]
RESTATEMENTS = [
    ("Lars lives in Uppsala.", "Lars is still living in Uppsala."),
    ("Imke works at Bosch.", "Imke is still with Bosch."),
    ("Tobias's phone number is 0612 448 902.", "Tobias can still be reached on 0612 448 902."),
]


@pytest.fixture(scope="module")
def decider() -> LearnedDecider:
    return LearnedDecider()


def _op(decider: LearnedDecider, old: str, new: str) -> str:
    return decider.decide(new, [old])[0].op


def test_the_shipped_weights_match_the_features() -> None:
    model = load_model()
    assert tuple(model["features"]) == FEATURES
    for head in ("supersede", "restate"):
        assert len(model[head]["weights"]) == len(FEATURES)
        assert 0.5 <= model[head]["threshold"] < 1
    # The blind splits are never trained on.
    assert not {"blind24b", "blind25", "blind26"} & set(model["trained_on"])


def test_values_are_masked_and_the_subject_matched_as_an_entity() -> None:
    one = side("Rosa changed her email to rk77@posteo.de.", "rosa")
    assert one.masked == "Sam changed her email to X" and one.kinds == {"address"}
    owned = side("Lars's brother lives in Malmo.", "lars")
    assert owned.masked == "Sam's brother lives in X" and owned.owner_only
    assert not side("Henning moved to Malmo.", "lars").named


@needs_minilm
@pytest.mark.parametrize(("old", "new"), UPDATES)
def test_updates_supersede(decider: LearnedDecider, old: str, new: str) -> None:
    assert _op(decider, old, new) == "supersede"


@needs_minilm
@pytest.mark.parametrize(("old", "new"), NEAR_MISSES)
def test_near_misses_supersede_nothing(decider: LearnedDecider, old: str, new: str) -> None:
    assert _op(decider, old, new) == "add"


@needs_minilm
@pytest.mark.parametrize(("old", "new"), RESTATEMENTS)
def test_restatements_merge(decider: LearnedDecider, old: str, new: str) -> None:
    assert _op(decider, old, new) == "noop"


def test_the_reader_reads_a_date_and_a_moved_date() -> None:
    """Two reader bugs: "is on May 10" read as the value "on", and "The roof repair moved to
    August 16" read as nothing."""
    exam = parse_claim("The exam is on May 10.")
    assert exam is not None and exam.value == "may 10"
    moved = parse_claim("The roof repair moved to August 16.")
    old = parse_claim("The roof repair is on August 2.")
    assert moved is not None and old is not None
    assert (moved.subject, moved.slot, moved.value) == (old.subject, old.slot, "august 16")
    assert parse_claim("Maya's sister moved to Porto.").slot == "residence"  # type: ignore[union-attr]


@pytest.fixture
def mem(store: Any) -> Iterator[Memory]:
    with Memory.open(store, embeddings=HashEmbeddings()) as memory:
        yield memory


@needs_minilm
def test_consolidation_with_the_learned_decider(mem: Memory, decider: LearnedDecider) -> None:
    """Through the store on both backends: the update hides the old fact, the near miss and the
    other person's fact stay, the restatement is merged."""
    facts = [
        "Lars lives in Uppsala.",
        "Imke works at Bosch.",
        "Lars's brother lives in Malmo.",
        "Lars moved to Malmo in the summer.",
        "Imke is still with Bosch.",
    ]
    uppsala, bosch, brother, moved, again = [
        mem.archival.insert(
            text, user_id="u1", metadata={"created_at": f"2026-01-01T00:0{i}:00+00:00"}
        )
        for i, text in enumerate(facts)
    ]
    consolidate(mem, user_id="u1", decider=decider)

    def hidden(rid: str) -> bool:
        return bool(mem.archival.get(rid, user_id="u1").metadata.get("superseded_at"))

    assert hidden(uppsala) and not hidden(moved)
    assert not hidden(brother) and not hidden(bosch)
    assert hidden(again)  # merged into the older copy
