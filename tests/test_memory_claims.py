"""The cue reader of claims.py: phrasings no fixed pattern knows, in several languages, read as
(subject, slot, value); near misses (another subject, relation or attribute, a past fact, a
wish, a trip) never supersede; restatements are merged, through the store on every backend."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from langgraph_memgpt.memory import Memory, RuleDecider, consolidate, parse_claim
from langgraph_memgpt.memory.testing import HashEmbeddings
from langgraph_memgpt.memory.text.claims import parse_by_patterns, read_by_cues

U = {"user_id": "u1"}


def _ops(new: str, old: str) -> list[str]:
    return [p.op for p in RuleDecider().decide(new, [old])]


@pytest.mark.parametrize(
    ("sentence", "subject", "slot", "value"),
    [
        ("Amara finally settled down in Graz last year.", "amara", "residence", "graz"),
        ("As of last winter, Bo resides in Aarhus.", "bo", "residence", "aarhus"),
        ("Seit Mai wohnt Hamid in Bremen.", "hamid", "residence", "bremen"),  # verb second
        ("Eline is verhuisd naar Gent.", "eline", "residence", "gent"),
        ("Ola bor numera i Bergen.", "ola", "residence", "bergen"),
        ("Kasia przeprowadziła się do Gdańska.", "kasia", "residence", "gdańska"),
        ("Noor accepted a role with Philips.", "noor", "employer", "philips"),
        ("Luca lavora presso Ferrero da marzo.", "luca", "employer", "ferrero"),
        ("Ana is working in Berlin.", "ana", "workplace", "berlin"),
        ("Léa travaille à Paris.", "léa", "workplace", "paris"),
        ("Yuki's cell number changed to 555-0101.", "yuki", "attr:phone number", "555-0101"),
        ("Die Telefonnummer von Jan ist jetzt 555-0202.", "jan", "attr:phone number", "555-0202"),
        ("La couleur préférée de Zoé est le vert.", "zoé", "attr:favourite colour", "vert"),
        ("Omar's fav color these days is mint.", "omar", "attr:favourite colour", "mint"),
        (
            "Priya says her favourite colour is amber now.",
            "priya",
            "attr:favourite colour",
            "amber",
        ),
        ("El hermano de Ana vive en Oporto.", "ana>hermano", "residence", "oporto"),
        ("Maya's best friend joined Nokia.", "maya>best>friend", "employer", "nokia"),
    ],
)
def test_cue_reader_reads_unseen_phrasings(
    sentence: str, subject: str, slot: str, value: str
) -> None:
    claim = parse_claim(sentence)
    assert claim is not None, sentence
    assert (claim.subject, claim.slot, claim.value) == (subject, slot, value)


def test_the_cue_reader_reads_what_the_patterns_do_not() -> None:
    for sentence in ("Fabio packed up and moved to Seville", "These days Liam calls Seville home"):
        assert parse_by_patterns(sentence) is None
        claim = read_by_cues(sentence)
        assert claim is not None and claim.slot == "residence" and claim.value == "seville"


def test_a_transcript_line_is_not_a_claim_about_its_speaker() -> None:
    assert parse_claim("John: Yeah, let's work hard to help those around us.") is None
    assert parse_claim("Maria: Yeah, that's important. A safe home is key.") is None
    update = parse_claim("Update: Carla lives in Dublin now.")
    assert update is not None and (update.subject, update.slot) == ("carla", "residence")
    told = parse_claim("Remember: Carla lives in Dublin.")  # said to the agent, not a speaker
    assert told is not None and (told.subject, told.slot) == ("carla", "residence")


def test_reported_speech_is_not_read_as_an_attribute_of_the_reporter() -> None:
    claim = parse_claim("Celine says navy is her favourite colour")
    assert claim is None or claim.slot == "attr:favourite colour", claim


def test_cues_say_update_restatement_and_past() -> None:
    moved = parse_claim("Diego vive en Cracovia ahora")
    assert moved is not None and moved.update and not moved.restated
    confirmed = parse_claim("Just to confirm, Diego lives in Oslo")
    assert confirmed is not None and confirmed.restated and confirmed.value == "oslo"
    past = parse_claim("Diego lived in Oslo as a student")
    assert past is not None and past.past
    old = parse_claim("Diego's old phone number was 555-0100")
    assert old is not None and old.past and old.slot == "attr:phone number"


@pytest.mark.parametrize(
    ("older", "newer"),
    [
        ("Carla works at Unilever", "Carla trabaja ahora para Danone"),
        ("Carla works at Unilever", "Carla arbeitet seit Juni bei Henkel"),
        ("Carla works at Unilever", "Carla got hired by Danone"),
        ("Carla lives in Lisbon", "Carla s'est installée à Nantes"),
        ("Carla lives in Lisbon", "Carla woont tegenwoordig in Leiden"),
        ("Carla lives in Lisbon", "Carla left Lisbon and moved to Faro"),
        ("Carla's phone number is 555-0100", "Carla's mobile is now 555-0199"),
        ("Carla's phone number is 555-0100", "Het telefoonnummer van Carla is nu 555-0199"),
        ("Carla's favourite colour is blue", "Carla says her favorite color is now red"),
        ("Carla works at Unilever", "Carla left her job at Unilever"),  # ended: retired
        # the past word belongs to the clause she left, not to the current fact
        ("Carla works at Unilever", "Carla quit her old job and is now at Danone"),
    ],
)
def test_updates_in_other_words_and_languages_supersede(older: str, newer: str) -> None:
    assert _ops(newer, older) == ["supersede"], (older, newer, parse_claim(newer))


@pytest.mark.parametrize(
    "near_miss",
    [
        "Maya's brother moved to Porto",  # another subject, in four languages
        "El hermano de Maya se mudó a Oporto",
        "De broer van Maya woont in Porto",
        "Die Schwester von Maya wohnt jetzt in Porto",
        "Tom says he moved to Porto",
        "Maya's office moved to Porto",  # another attribute
        "Maya wants to move to Porto",  # not a fact yet
        "Maya is thinking about moving to Porto",
        "Maya will move to Porto in May",
        "Maya spent the summer in Porto",
        "Maya has a house in Porto",  # owning a place is not living there
        "Maya lived in Porto for ten years",  # past facts
        "Maya vivía en Oporto",
        "Maya wohnte früher in Porto",
        "Maya grew up in Porto",
        "She moved to Porto",  # who?
        "Maya and Porto FC signed a deal",  # no residence word
    ],
)
def test_near_misses_never_supersede_a_residence(near_miss: str) -> None:
    assert "supersede" not in _ops(near_miss, "Maya lives in Lisbon")


@pytest.mark.parametrize(
    ("older", "near_miss"),
    [
        ("Maya works at Google", "Maya's husband joined Microsoft"),
        ("Maya works at Google", "Maya turned down an offer from Microsoft"),
        ("Maya works at Google", "Maya had an interview at Microsoft"),
        ("Maya works at Google", "Maya arbeitet in Berlin"),  # where, not for whom
        ("Maya works at Google", "Maya used to be employed by Microsoft"),
        ("Maya's phone number is 555-0100", "Maya's work phone is 555-0199"),
        ("Maya's phone number is 555-0100", "Maya's fax number is 555-0199"),
        ("Maya's phone number is 555-0100", "Tom can be reached at 555-0199"),
        ("Maya's favourite colour is blue", "Maya's least favourite colour is red"),
        ("Maya's favourite colour is blue", "La couleur préférée de la sœur de Maya est rouge"),
        ("Maya lives in Lisbon", "Maya still lives in Porto"),  # contradicts a restatement
    ],
)
def test_near_misses_of_other_relations_and_attributes_never_supersede(
    older: str, near_miss: str
) -> None:
    assert "supersede" not in _ops(near_miss, older)


@pytest.mark.parametrize(
    ("older", "restated"),
    [
        ("Maya lives in Lisbon", "Just to confirm, Maya lives in Lisbon"),
        ("Maya lives in Lisbon", "Maya sigue viviendo en Lisbon"),
        ("Maya's phone number is 555-0100", "Maya's phone number remains 555-0100"),
        ("Maya works at Google", "Maya arbeitet immer noch bei Google"),
    ],
)
def test_restatements_in_other_words_are_merged(older: str, restated: str) -> None:
    assert _ops(restated, older) == ["noop"]


@pytest.fixture
def mem(store: Any) -> Iterator[Memory]:
    with Memory.open(store, embeddings=HashEmbeddings()) as memory:
        yield memory


def test_consolidation_settles_cue_read_updates_and_keeps_near_misses(mem: Memory) -> None:
    facts = [
        "Elif lives in Izmir",
        "Elif works at Adidas",
        "Elif's phone number is 555-0100",
        "Elif ist nach Hamburg gezogen",  # update (de)
        "Elif's sister works at Puma",  # near miss: another subject
        "Elif's number changed to 555-0199",  # update (attribute synonym)
        "Elif dreams of working at Puma",  # near miss: a wish
        "Elif's phone number remains 555-0199",  # restatement
    ]
    ids = [
        mem.archival.insert(text, metadata={"created_at": f"2026-01-01T00:0{i}"}, **U)
        for i, text in enumerate(facts)
    ]
    report = consolidate(mem, **U)
    assert report.superseded == 2 and report.merged == 1

    def superseded_by(i: int) -> str | None:
        return mem.archival.get(ids[i], **U).metadata.get("superseded_by")

    assert superseded_by(0) == ids[3] and superseded_by(2) == ids[5]
    assert superseded_by(7) == ids[5]  # the restatement merged into the update it restates
    for kept in (1, 3, 4, 5, 6):
        assert superseded_by(kept) is None, facts[kept]
    visible = [hit.text for hit in mem.archival.search("Elif", k=10, **U)]
    assert "Elif works at Adidas" in visible and "Elif lives in Izmir" not in visible


@pytest.mark.parametrize("name", ["Soren", "Sofia", "Okafor", "Oralia", "Wellington", "Alsop"])
def test_a_name_that_starts_like_an_opening_word_stays_the_subject(name: str) -> None:
    claim = parse_claim(f"{name} lives in Vienna.")  # "So", "Ok", "Ora", "Well", "Also"
    assert claim is not None and claim.subject == name.casefold()
    assert _ops(f"{name} packed up and moved to Munich.", f"{name} lives in Vienna.") == [
        "supersede"
    ]


@pytest.mark.parametrize(
    ("older", "newer"),
    [
        ("My mobile is +44 7700 900 123", "My mobile is now +44 7700 900 456."),
        ("Tomasz's phone number is 601 222 333", "Tomasz's phone number changed to 601 888 999"),
    ],
)
def test_a_number_written_in_groups_is_read_whole(older: str, newer: str) -> None:
    """A phone number with spaces was read as its first group, so two numbers of one country
    looked alike and the new one was merged away as a restatement of the old."""
    claim = parse_claim(newer)
    assert claim is not None and claim.value.split()[-1] in newer
    assert len(claim.value.split()) >= 3
    assert _ops(newer, older) == ["supersede"]
    assert _ops(older, older) == ["noop"]
