"""Subject-aware ranking: a question about one person ranks that person's facts first."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from langgraph_memgpt.memory import Memory, consolidate
from langgraph_memgpt.memory.search.subject_focus import (
    MAX_FACT_CHARS,
    boost_subject,
    query_words,
    slot_score,
)
from langgraph_memgpt.memory.testing import HashEmbeddings

U = {"user_id": "u1"}

#: Other people's facts of the same kinds, phrased the way the question is.
CROWD = [
    "Mia lives in Porto.",
    "Tom lives in Rome.",
    "Ana lives in Madrid.",
    "Mia works at Google.",
    "Tom works at Spotify.",
    "Ana's phone number is 555-1000.",
]


@pytest.fixture
def mem(store: Any) -> Iterator[Memory]:
    with Memory.open(store, embeddings=HashEmbeddings()) as memory:
        yield memory


def _ranked(texts: list[str], query: str, scores: list[float] | None = None) -> list[str]:
    """Rank ``texts`` (given in fused order, or with ``scores``) through the boost."""
    scores = scores or [1.0 - i / len(texts) for i in range(len(texts))]
    fused = list(enumerate(scores))
    heads = dict(enumerate(texts))
    return [texts[rid] for rid, _ in boost_subject(fused, heads, query)]


def test_the_named_persons_fact_of_the_asked_relation_comes_first() -> None:
    texts = [*CROWD, "Marco works at Ericsson.", "Marco vive en Sevilla ahora."]
    ranked = _ranked(texts, "Where does Marco live?")
    assert ranked[0] == "Marco vive en Sevilla ahora."
    assert ranked[1] == "Marco works at Ericsson."
    ranked = _ranked(texts, "Who does Marco work for?")
    assert ranked[:2] == ["Marco works at Ericsson.", "Marco vive en Sevilla ahora."]


def test_another_subject_named_in_a_possessive_is_not_the_person() -> None:
    texts = ["Maya's brother lives in Porto.", "Tom lives in Rome.", "Maya lives in Lisbon."]
    assert _ranked(texts, "Where does Maya live?")[0] == "Maya lives in Lisbon."
    assert _ranked(texts, "Where does Maya's brother live?")[0] == "Maya's brother lives in Porto."


def test_a_partial_attribute_name_is_not_the_attribute_asked() -> None:
    words = query_words("Where does Elif work?")
    assert slot_score("employer", words) > slot_score("attr:work phone", words) == 0
    words = query_words("What's Elif's favorite color?")
    assert slot_score("attr:favourite colour", words) == 2
    assert slot_score("attr:least favourite colour", words) == 0
    texts = ["Elif's work phone is 555-1407.", "Elif works at Bosch.", "Mia works at Nokia."]
    assert _ranked(texts, "Where does Elif work?")[0] == "Elif works at Bosch."


def test_a_question_naming_nobody_known_changes_nothing() -> None:
    texts = [*CROWD, "Marco works at Ericsson."]
    scores = [0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3]
    fused = list(enumerate(scores))
    heads = dict(enumerate(texts))
    for query in ("Where does Lucia live?", "who lives in a big city", "phone numbers"):
        assert boost_subject(fused, heads, query) == fused


def test_a_past_fact_is_not_raised_and_a_passage_only_for_naming_the_person() -> None:
    passage = "Marco " + "talked about the weather and the trains for a while. " * 6
    assert len(passage) > MAX_FACT_CHARS
    texts = ["Marco used to live in Faro.", passage, "Tom lives in Rome.", "Marco lives in Porto."]
    fused = [(0, 0.5), (1, 0.5), (2, 0.5), (3, 0.1)]
    boosted = dict(boost_subject(fused, dict(enumerate(texts)), "Where does Marco live?"))
    assert boosted[0] == boosted[2] == 0.5  # the past fact stays where the rankers put it
    assert boosted[3] > boosted[1] > 0.5  # the current fact, then the passage naming Marco


def test_search_puts_the_current_fact_first_on_every_backend(mem: Memory) -> None:
    for text in CROWD:
        mem.archival.insert(text, **U)
    old = mem.archival.insert("Marco lives in Lisbon.", **U)
    mem.archival.insert("Marco works at Ericsson.", **U)
    new = mem.archival.insert("Marco ist nach Hamburg gezogen.", **U)
    consolidate(mem, **U)
    hits = mem.archival.search("Where does Marco live?", k=3, **U)
    assert hits[0].id == new
    assert old not in [hit.id for hit in hits]
    # the user's own facts: "my" and "I" name the user
    mem.archival.insert("I live in Ghent.", **U)
    assert mem.archival.search("Where do I live?", k=1, **U)[0].text == "I live in Ghent."


#: One person's four facts among other people's, and questions about each, asked the ways
#: people ask (not the benchmark's phrasings).
MAYA = {
    "residence": "Maya packed her bags and settled in Ghent.",
    "employer": "Maya is employed by Siemens.",
    "colour": "Maya's favourite colour is teal.",
    "phone": "Maya's phone number is 555-0142.",
}
QUESTIONS = {
    "residence": [
        "Where's Maya based now?",
        "What city is Maya in?",
        "Where does Maya call home?",
        "Where has Maya moved to?",
        "Maya's address?",
        "¿Dónde vive Maya?",
        "Wo wohnt Maya?",
        "Where can I find Maya these days?",
    ],
    "employer": [
        "Where is Maya working now?",
        "Which company hired Maya?",
        "Who employs Maya?",
        "What firm is Maya at?",
        "¿Para quién trabaja Maya?",
        "Bei welcher Firma arbeitet Maya?",
    ],
    "colour": [
        "What colour does Maya love most?",
        "Maya's favourite colour?",
        "Which color is Maya's favorite?",
        "Welche Lieblingsfarbe hat Maya?",
    ],
    "phone": [
        "What's Maya's number?",
        "How do I reach Maya?",
        "Maya's mobile?",
        "Can you give me Maya's phone?",
        "¿Cuál es el teléfono de Maya?",
        "Wie ist Mayas Telefonnummer?",
    ],
}


@pytest.mark.parametrize("reverse", [False, True])
@pytest.mark.parametrize(
    ("slot", "question"), [(slot, q) for slot, qs in QUESTIONS.items() for q in qs]
)
def test_questions_asked_many_ways_find_the_persons_fact(
    slot: str, question: str, reverse: bool
) -> None:
    others = [
        "Tom settled in Porto.",
        "Ana is employed by Nokia.",
        "Tom's favourite colour is red.",
        "Ana's phone number is 555-0199.",
    ]
    # the worst case for the boost: every other fact ranked above Maya's by the rankers
    # and Maya's own facts in both orders, so the asked slot is never first by luck
    mine = list(MAYA.values())
    texts = [*others, *(mine[::-1] if reverse else mine)]
    assert _ranked(texts, question)[0] == MAYA[slot]


def test_a_question_naming_nobody_reads_no_record(monkeypatch: pytest.MonkeyPatch) -> None:
    from langgraph_memgpt.memory.search import subject_focus

    read: list[str] = []
    monkeypatch.setattr(subject_focus, "_claim", lambda text: read.append(text))
    texts = [f"the user likes the lamp{i} with friends at home" for i in range(60)]
    fused = [(i, 1.0 - i / 100) for i in range(60)]
    query = "what does the user like about the lamp7 with friends?"
    assert boost_subject(fused, dict(enumerate(texts)), query) == fused
    assert read == []
    # a name is read only in the records that contain it
    texts[3] = "Maya likes the lamp7 with friends at home"
    boost_subject(fused, dict(enumerate(texts)), "What does Maya like?")
    assert read == [texts[3]]


def test_an_update_comes_first_before_consolidation_has_read_it(mem: Memory) -> None:
    for text in CROWD:
        mem.archival.insert(text, **U)
    mem.archival.insert("Maya lives in Lisbon.", metadata={"created_at": "2026-01-01"}, **U)
    mem.archival.insert("Maya works at Nokia.", **U)
    new = mem.archival.insert(
        "Maya ist nach Hamburg gezogen.", metadata={"created_at": "2026-02-01"}, **U
    )
    # no consolidate(): both residence facts are current, the newer one ranks first
    hits = mem.archival.search("Where does Maya live?", k=3, **U)
    assert hits[0].id == new
    assert "Maya lives in Lisbon." in [hit.text for hit in hits]  # still shown, not hidden
    # the same value said twice is no conflict, and a time decides nothing then
    texts = ["Maya lives in Lisbon.", "Maya is living in Lisbon."]
    fused = [(0, 0.9), (1, 0.1)]
    times = {0: "2026-01-01", 1: "2026-02-01"}
    boosted = boost_subject(fused, dict(enumerate(texts)), "Where does Maya live?", times=times)
    assert [rid for rid, _ in boosted] == [0, 1]


def test_a_past_fact_is_never_the_newest_of_a_conflict() -> None:
    texts = ["Maya lives in Lisbon.", "Maya moved to Porto.", "Maya used to live in Faro."]
    times = {0: "2026-01-01", 1: "2026-02-01", 2: "2026-03-01"}
    fused = [(0, 0.9), (1, 0.5), (2, 0.4)]
    ranked = boost_subject(fused, dict(enumerate(texts)), "Where does Maya live?", times=times)
    assert [rid for rid, _ in ranked] == [1, 0, 2]
