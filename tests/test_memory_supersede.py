"""Memory rot: supersede-not-delete, duplicates, deciders, the applier, schema upgrades."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from langchain_core.language_models.fake_chat_models import FakeListChatModel

from langgraph_memgpt.memory import (
    Memory,
    MemoryStoreError,
    ModelDecider,
    Proposal,
    RuleDecider,
    apply_proposals,
    parse_claim,
)
from langgraph_memgpt.memory.backends.postgres_schema import SCHEMA_VERSION as POSTGRES_VERSION
from langgraph_memgpt.memory.backends.sqlite_db import SCHEMA_VERSION as SQLITE_VERSION
from langgraph_memgpt.memory.testing import HashEmbeddings
from langgraph_memgpt.tools import format_hits

U = {"user_id": "u1"}


@pytest.fixture
def mem(store: Any) -> Iterator[Memory]:
    with Memory.open(store, embeddings=HashEmbeddings()) as memory:
        yield memory


def _ids(hits: Any) -> list[str]:
    return [hit.id for hit in hits]


def test_superseded_record_is_kept_hidden_and_explained(mem: Memory) -> None:
    old = mem.archival.insert("Maya lives in Lisbon", **U)
    new = mem.archival.insert("Maya moved to Porto", **U)
    mem.archival.supersede(old, by=new, reason="moved", **U)

    visible = mem.archival.search("where does Maya live", k=5, **U)
    assert old not in _ids(visible) and new in _ids(visible)
    assert visible[0].metadata["supersedes"] == [{"id": old, "text": "Maya lives in Lisbon"}]
    assert "updates 1 earlier record" in format_hits(
        visible, tier="archival memory", query="q", page=0
    )

    everything = mem.archival.search("where does Maya live", k=5, include_superseded=True, **U)
    stale = next(hit for hit in everything if hit.id == old)
    assert stale.metadata["superseded_by"] == new
    assert stale.metadata["superseded_at"] and stale.metadata["superseded_reason"] == "moved"
    assert mem.archival.get(old, **U).metadata["superseded_by"] == new
    assert mem.archival.count(**U) == 2 and mem.archival.count_superseded(**U) == 1
    assert mem.stats(**U)["archival_superseded"] == 1
    events = [(e["record"], e["event"], e["other"]) for e in mem.archival.history(old, **U)]
    assert events == [(old, "add", None), (old, "supersede", new)]
    assert (old, "supersede", new) in [
        (e["record"], e["event"], e["other"]) for e in mem.archival.history(new, **U)
    ]


def test_a_page_of_results_stays_full_when_many_records_are_superseded(mem: Memory) -> None:
    ids = mem.archival.insert_many([f"Maya's note number {i} about Lisbon" for i in range(12)], **U)
    for rid in ids[:8]:
        mem.archival.supersede(rid, by=ids[-1], reason="old note", **U)
    hits = mem.archival.search("Maya note Lisbon", k=4, **U)
    assert len(hits) == 4 and not set(_ids(hits)) & set(ids[:8])


def test_only_delete_removes_and_deleting_the_newer_restores_the_older(mem: Memory) -> None:
    old = mem.archival.insert("Maya lives in Lisbon", **U)
    new = mem.archival.insert("Maya moved to Porto", **U)
    mem.archival.supersede(old, by=new, reason="moved", **U)
    mem.archival.delete(new, reason="user said to forget the move", **U)
    with pytest.raises(MemoryStoreError):
        mem.archival.get(new, **U)
    assert old in _ids(mem.archival.search("where does Maya live", **U))
    assert "superseded_by" not in mem.archival.get(old, **U).metadata
    assert [e["event"] for e in mem.archival.history(new, **U)][-2:] == ["restore", "delete"]


def test_supersede_validates(mem: Memory) -> None:
    a = mem.archival.insert("Maya lives in Lisbon", **U)
    b = mem.archival.insert("Maya moved to Porto", **U)
    c = mem.archival.insert("Maya moved to Faro", **U)
    with pytest.raises(MemoryStoreError, match="no archival record"):
        mem.archival.supersede(a, by="nope", reason="x", **U)
    with pytest.raises(MemoryStoreError, match="itself"):
        mem.archival.supersede(a, by=a, reason="x", **U)
    with pytest.raises(MemoryStoreError, match="reason"):
        mem.archival.supersede(a, by=b, reason=" ", **U)
    mem.archival.supersede(b, by=c, reason="moved again", **U)
    with pytest.raises(MemoryStoreError, match="itself superseded"):
        mem.archival.supersede(a, by=b, reason="x", **U)
    mem.archival.supersede(a, by=c, reason="moved", **U)
    mem.archival.supersede(a, by=c, reason="moved", **U)  # the same again: nothing changes
    with pytest.raises(MemoryStoreError, match="already superseded"):
        mem.archival.supersede(a, by=None, reason="x", **U)
    with pytest.raises(MemoryStoreError, match="no archival record"):
        mem.archival.supersede(a, by=c, reason="x", user_id="other")
    mem.archival.restore(a, reason="wrong call", **U)
    assert a in _ids(mem.archival.search("Maya Lisbon", **U))


def test_equal_text_is_stored_once(mem: Memory) -> None:
    first = mem.archival.insert("Maya lives in Lisbon.", metadata={"turn": 1}, **U)
    again = mem.archival.insert_many_detailed(
        ["  maya LIVES in lisbon ", "Maya lives in Lisbon!!", "Tom likes tea", "tom likes tea."],
        metadatas=[{"turn": 7}] * 4,
        **U,
    )
    assert [s.id for s in again[:2]] == [first, first] and again[0].duplicate
    assert not again[2].duplicate and again[3].id == again[2].id and again[3].duplicate
    assert mem.archival.count(**U) == 2
    assert any(
        e["event"] == "restate" and "turn 7" in e["reason"]
        for e in mem.archival.history(first, **U)
    )
    assert mem.archival.insert("Maya lives in Lisbon", dedupe=False, **U) != first
    assert mem.archival.insert("Maya lives in Lisbon", user_id="u2") != first  # users apart


def test_a_superseded_fact_stated_again_is_a_new_record(mem: Memory) -> None:
    old = mem.archival.insert("Maya lives in Lisbon", **U)
    new = mem.archival.insert("Maya moved to Porto", **U)
    mem.archival.supersede(old, by=new, reason="moved", **U)
    back = mem.archival.insert("Maya lives in Lisbon", **U)
    assert back not in (old, new)


@pytest.mark.parametrize(
    ("older", "newer"),
    [
        ("Maya lives in Lisbon", "Maya moved to Porto"),
        ("Maya lives in Lisbon", "Update: Maya has relocated to Porto."),
        ("Maya lives in Lisbon", "Maya is now living in Porto"),
        ("Maya vive en Lisboa", "Maya se mudó a Oporto"),
        ("Maya wohnt in Berlin", "Maya ist nach München gezogen"),
        ("Maya works at Google", "Maya joined Microsoft"),
        ("Maya's favourite colour is blue", "Maya's favorite color is now green"),
        ("My phone number is 555-1234", "I changed my phone number to 555-9999"),
        ("Maya lives in Lisbon", "Maya no longer lives in Lisbon"),
    ],
)
def test_rule_decider_supersedes_an_update(older: str, newer: str) -> None:
    assert RuleDecider().decide(newer, [older]) == [
        Proposal("supersede", 0, RuleDecider().decide(newer, [older])[0].reason)
    ]


@pytest.mark.parametrize(
    "near_miss",
    [
        "Maya's brother lives in Porto",  # another subject
        "Mia lives in Porto",
        "Maya works in Porto",  # another relation
        "Maya was born in Porto",
        "Maya visited Porto last week",
        "Maya used to live in Porto",  # a past fact
        "Maya's office is in Porto",  # another attribute
        "Maya's favourite city is Porto",
        "She moved to Porto",  # who? unknown subjects change nothing
        "Maya doesn't live in Porto",
    ],
)
def test_rule_decider_never_supersedes_a_near_miss(near_miss: str) -> None:
    ops = RuleDecider().decide(near_miss, ["Maya lives in Lisbon"])
    assert all(p.op != "supersede" for p in ops)


@pytest.mark.parametrize(
    "restated",
    ["Maya lives in Lisbon.", "As I said, Maya still lives in Lisbon", "Maya is living in Lisbon"],
)
def test_rule_decider_knows_a_restatement(restated: str) -> None:
    assert [p.op for p in RuleDecider().decide(restated, ["Maya lives in Lisbon"])] == ["noop"]


@pytest.mark.parametrize(
    ("older", "restated"),
    [
        ("Dorota works at Philips", "Dorota is still at Philips."),
        ("Maya lives in Lisbon", "Maya is still in Lisbon, as before."),
        ("Bastian's phone number is 555-1259", "You can reach Bastian at 555-1259."),
    ],
)
def test_an_unread_sentence_repeating_subject_and_value_is_a_restatement(
    older: str, restated: str
) -> None:
    assert parse_claim(restated) is None  # neither reader reads it: the value decides
    assert [p.op for p in RuleDecider().decide(restated, [older])] == ["noop"]


@pytest.mark.parametrize(
    "other",
    [
        "Dorota visited Philips last week.",
        "Dorota was still at Philips in 2019.",
        "Dorota is no longer at Philips.",
        "Dorota wants to stay at Philips.",
        "Tom is still at Philips with Dorota's help.",
        "You can reach Dorota's mother at 555-1259.",
    ],
)
def test_an_unread_sentence_about_something_else_is_not_merged(other: str) -> None:
    older = ["Dorota works at Philips", "Dorota's phone number is 555-1259"]
    assert all(p.op != "noop" for p in RuleDecider().decide(other, older)), other


def test_a_preference_stated_as_the_top_one_is_the_favourite() -> None:
    decide = RuleDecider().decide
    older = ["Ilse's favourite colour is orange"]
    assert [p.op for p in decide("Ilse still loves orange most of all.", older)] == ["noop"]
    assert [p.op for p in decide("Ilse now prefers teal over any other colour.", older)] == [
        "supersede"
    ]
    # no kind named, but teal is a colour
    assert [p.op for p in decide("Ilse likes teal best these days.", older)] == ["supersede"]
    # the kind is unknown ("best" of what?) or not a favourite: nothing changes
    assert [p.op for p in decide("Ilse loves pasta most of all.", older)] == ["add"]
    # two favourites of unknown kinds are two facts
    assert [p.op for p in decide("Ilse likes jazz best.", ["Ilse likes pasta best."])] == ["add"]
    assert [p.op for p in decide("Ilse now prefers tea.", older)] == ["add"]
    assert [p.op for p in decide("Ilse prefers jazz over any other music.", older)] == ["add"]


@pytest.mark.parametrize(
    ("older", "newer"),
    [
        ("Elias's favourite colour is red", "Elias has a new favourite colour: blue."),
        ("My phone number is 555-0100", "I got a new phone number, 555-0199."),
        ("Rasmus lives in Oslo", "After the move, Rasmus lives in Madrid."),
    ],
)
def test_a_new_attribute_and_an_opening_clause_are_read(older: str, newer: str) -> None:
    assert [p.op for p in RuleDecider().decide(newer, [older])] == ["supersede"]


def test_a_sentence_opener_is_never_a_subject() -> None:
    # "After" is capitalised only for opening the sentence: read as a person, it would let
    # "After the party, Tom lives in Rome" supersede this
    claim = parse_claim("After the move Rasmus lives in Madrid")
    assert claim is None or claim.subject == "rasmus"
    assert RuleDecider().decide(
        "After the party, Tom lives in Rome.", ["After the move, Rasmus lives in Madrid."]
    ) == [Proposal("add")]


def test_claims_read_subject_slot_and_value() -> None:
    claim = parse_claim("Maya's sister's favourite colour is green")
    assert claim is not None and (claim.subject, claim.slot, claim.value) == (
        "maya>sister",
        "attr:favourite colour",
        "green",
    )
    assert parse_claim("Where does Maya live?") is None


def test_applier_validates_and_never_deletes_unasked(mem: Memory) -> None:
    a = mem.archival.insert("Maya lives in Lisbon", **U)
    b = mem.archival.insert("Maya works at Google", **U)
    new = mem.archival.insert("Maya moved to Porto", **U)
    older = [mem.archival.get(a, **U), mem.archival.get(b, **U)]
    applied = apply_proposals(
        mem.archival,
        new,
        older,
        [Proposal("delete", 0, "moved"), Proposal("supersede", 7), Proposal("explode", 1)],
        **U,
    )
    assert applied.superseded == [(a, new)] and not applied.deleted
    assert sorted(why.split()[0] for _, why in applied.rejected) == ["unknown", "unknown"]
    assert mem.archival.get(a, **U).metadata["superseded_by"] == new
    assert "delete not requested" in mem.archival.get(a, **U).metadata["superseded_reason"]
    assert "superseded_by" not in mem.archival.get(b, **U).metadata
    forgotten = apply_proposals(
        mem.archival, new, older, [Proposal("delete", 1, "forget")], allow_delete=True, **U
    )
    assert forgotten.deleted == [b]
    with pytest.raises(MemoryStoreError):
        mem.archival.get(b, **U)


def test_applier_merges_a_restatement_into_the_older_record(mem: Memory) -> None:
    a = mem.archival.insert("Maya lives in Lisbon", **U)
    new = mem.archival.insert("Maya is living in Lisbon", **U)
    applied = apply_proposals(
        mem.archival, new, [mem.archival.get(a, **U)], [Proposal("noop", 0)], **U
    )
    assert applied.merged_into == a
    assert _ids(mem.archival.search("Maya Lisbon", **U)) == [a]


def test_model_decider_parses_small_ids_and_the_applier_rejects_unknown_ones(mem: Memory) -> None:
    a = mem.archival.insert("Maya lives in Lisbon", **U)
    new = mem.archival.insert("Maya moved to Porto", **U)
    model = FakeListChatModel(
        responses=[
            '```json\n{"operations": [{"op": "supersede", "id": 0, "reason": "moved"}, '
            '{"op": "supersede", "id": "3f2a-uuid", "reason": "bogus"}]}\n```'
        ]
    )
    decider = ModelDecider(model)
    assert "0: Maya lives in Lisbon" in decider.prompt(
        "Maya moved to Porto", ["Maya lives in Lisbon"]
    )
    proposals = decider.decide("Maya moved to Porto", ["Maya lives in Lisbon"])
    applied = apply_proposals(mem.archival, new, [mem.archival.get(a, **U)], proposals, **U)
    assert applied.superseded == [(a, new)] and len(applied.rejected) == 1
    garbage = ModelDecider(FakeListChatModel(responses=["I think so"]))
    assert garbage.decide("x", ["y"]) == []


def _downgrade_sqlite(path: Path) -> None:
    conn = sqlite3.connect(path / "memory.sqlite")
    conn.execute("DROP TABLE archival_validity")
    conn.execute("DROP TABLE archival_history")
    conn.execute("UPDATE meta SET value='2' WHERE key='schema_version'")
    conn.commit()
    conn.close()


def _downgrade_postgres(url: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DROP TABLE archival_validity")
        conn.execute("DROP TABLE archival_history")
        conn.execute("UPDATE meta SET value='1' WHERE key='schema_version'")


def test_an_older_store_is_upgraded_in_place(store: Any, backend: str) -> None:
    with Memory.open(store, embeddings=HashEmbeddings()) as mem:
        rid = mem.archival.insert("Maya lives in Lisbon", **U)
    if backend == "sqlite":
        _downgrade_sqlite(Path(store))
    else:
        _downgrade_postgres(store)
    with Memory.open(store, embeddings=HashEmbeddings()) as mem:
        assert mem.archival.insert("maya lives in LISBON", **U) == rid  # old rows have keys
        new = mem.archival.insert("Maya moved to Porto", **U)
        mem.archival.supersede(rid, by=new, reason="moved", **U)
        assert _ids(mem.archival.search("Maya", **U)) == [new]
        assert mem.archival.unsettled(**U)[0].id == new  # old records count as settled
        version = mem._db.get_meta("schema_version")
    assert version == str(SQLITE_VERSION if backend == "sqlite" else POSTGRES_VERSION)


@pytest.mark.parametrize(
    ("older", "newer"),
    [
        ("Felix lives in Hamburg", "Since the summer Felix has lived in Munich."),
        ("Irene's favourite colour is teal", "Irene's favourite colour? Yellow, as of now."),
        ("Walter's favourite colour is lilac", "A cor favorita de Walter agora é green."),
        ("Carmen's favourite colour is orange", "Carmen's favourite shade is olive now."),
        ("Gemma works at Unilever", "Gemma ha empezado a trabajar en Sanofi."),
    ],
)
def test_perfect_tense_answered_attributes_and_folded_names_update(older: str, newer: str) -> None:
    assert [p.op for p in RuleDecider().decide(newer, [older])] == ["supersede"]


def test_a_verb_frame_whose_value_names_another_attribute_is_not_read() -> None:
    # "switched to" read as a job change once hid "Irene works at Ikea"
    ops = RuleDecider().decide(
        "Irene switched to a new phone number, 555-1629.",
        ["Irene works at Ikea", "Irene's phone number is 555-1999"],
    )
    assert ops == [Proposal("supersede", 1, ops[0].reason)]


def test_a_corrected_date_is_never_merged_into_the_date_it_corrects(mem: Memory) -> None:
    """Two records of one subject and slot whose numbers differ do not restate each other, even
    where the reader takes only the preposition as the value ("is on" of "is on May 10"): the
    correction stays current and leads, the old date is superseded."""
    from langgraph_memgpt.memory import consolidate

    mem.archival.insert("The dentist appointment is on May 3.", **U)
    consolidate(mem, **U)
    mem.archival.insert("The dentist appointment is now on May 10.", **U)
    consolidate(mem, **U)
    hits = mem.archival.search("When is the dentist appointment?", **U)
    assert [h.text for h in hits][:1] == ["The dentist appointment is now on May 10."]
    assert "The dentist appointment is on May 3." not in [h.text for h in hits]


def test_numbers_that_differ_make_no_restatement() -> None:
    decide = RuleDecider().decide
    older = ["The dentist appointment is on May 3."]
    assert decide("The dentist appointment is on May 3.", older)[0].op == "noop"
    assert decide("The dentist appointment is now on May 10.", older)[0].op != "noop"
