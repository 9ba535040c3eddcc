"""The claim reader's word lists as data (``claim_words.json``) and the review's fixes, each on
text written for these tests: French "a dit" leaves "a" an auxiliary, "turned" reads as an age
while "turned down" is no fact, a trailing "lately" is no part of a value, and the articles are
one list the reader's uses derive from."""

from __future__ import annotations

import json
from importlib import resources

import pytest

from langgraph_memgpt.memory import RuleDecider, parse_claim
from langgraph_memgpt.memory.text import claim_words
from langgraph_memgpt.memory.text.claim_structure import split_tokens
from langgraph_memgpt.memory.text.claims import read_by_cues


def _data() -> dict[str, dict[str, object]]:
    text = resources.files("langgraph_memgpt.memory.text").joinpath("claim_words.json")
    return {k: v for k, v in json.loads(text.read_text(encoding="utf-8")).items() if k != "_about"}


def _ops(new: str, old: str) -> list[str]:
    return [p.op for p in RuleDecider().decide(new, [old])]


def test_every_entry_is_tagged_and_every_word_is_one_token() -> None:
    """A word the tokenizer never produces ("lately," with its comma) can never match."""
    for name, entry in _data().items():
        assert entry.get("tag") and entry.get("about"), name
        lists = [entry["words"]] if "words" in entry else []
        if isinstance(entry.get("map"), dict):
            lists += [v for v in entry["map"].values() if isinstance(v, list)]
        for words in lists:
            for word in words:  # type: ignore[attr-defined]
                if name == "attribute_names" or word.endswith("*"):
                    continue  # names of several words; prefixes
                assert split_tokens(word) == [word], (name, word)


def test_the_articles_are_listed_once() -> None:
    articles = set(claim_words.DETERMINERS)
    for name, entry in _data().items():
        if name != "articles" and "words" in entry:
            shared = articles & set(entry["words"])  # type: ignore[arg-type]
            assert len(shared) < 8 or name.startswith("articles_"), (name, sorted(shared))
    assert articles >= claim_words.ARTICLES_IN_VALUES
    assert claim_words.ARTICLE_AFTER_OPENER - articles == claim_words.words("possessives")


@pytest.mark.parametrize(
    ("sentence", "slot", "value"),
    [
        ("Mathis a déménagé à Rennes.", "residence", "rennes"),
        ("Céleste a été embauchée par Michelin.", "employer", "michelin"),
    ],
)
def test_french_a_is_an_auxiliary_not_a_reporting_verb(
    sentence: str, slot: str, value: str
) -> None:
    assert "a" not in claim_words.REPORTING and "dit" in claim_words.REPORTING
    claim = read_by_cues(sentence)
    assert claim is not None and (claim.slot, claim.value) == (slot, value)


def test_french_a_dit_still_reports_someone_else() -> None:
    assert parse_claim("Mathis a dit que Céleste habite à Rennes.") is None
    assert _ops("Mathis a déménagé à Rennes.", "Mathis lives in Nantes.") == ["supersede"]


@pytest.mark.parametrize("sentence", ["Ingrid turned 33.", "Ingrid turned 33 in March."])
def test_turned_with_a_number_is_an_age(sentence: str) -> None:
    claim = parse_claim(sentence)
    assert claim is not None and (claim.subject, claim.slot, claim.value) == ("ingrid", "age", "33")
    assert _ops("Ingrid has turned 34.", "Ingrid is 33.") == ["supersede"]


@pytest.mark.parametrize(
    "sentence",
    [
        "Ingrid turned down an offer from Bosch.",
        "Ingrid turned down a job at Bosch.",
        "Ingrid is turning down the role at Bosch.",
    ],
)
def test_turned_down_is_no_fact(sentence: str) -> None:
    assert parse_claim(sentence) is None
    assert "supersede" not in _ops(sentence, "Ingrid works at Lidl.")


@pytest.mark.parametrize(
    ("sentence", "value"),
    [
        ("Lately, Bartosz has been working at Allegro.", "allegro"),
        ("Bartosz works at Allegro, lately.", "allegro"),
        ("Bartosz lives in Wroclaw lately.", "wroclaw"),
    ],
)
def test_lately_is_no_part_of_the_value(sentence: str, value: str) -> None:
    claim = parse_claim(sentence)
    assert claim is not None and claim.subject == "bartosz" and claim.value == value


def test_a_trailing_lately_restates_and_updates() -> None:
    assert _ops("Bartosz lives in Wroclaw lately.", "Bartosz lives in Wroclaw.") == ["noop"]
    assert _ops("Bartosz lives in Wroclaw lately.", "Bartosz lives in Poznan.") == ["supersede"]
