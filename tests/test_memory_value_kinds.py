"""The rule decider's wrong supersedes, fixed by structure (issue 24), on text written for
these tests: a value of another kind (a thing, a trait, a person) never replaces a named
employer, partner or city; a name in a later clause with a verb of its own, a person one lives
with or a titled person is no place or employer; two years make a closed, past period. Updates
in unusual phrasings still supersede."""

from __future__ import annotations

import pytest

from langgraph_memgpt.memory import RuleDecider
from langgraph_memgpt.memory.hygiene.value_kinds import kinds_agree, value_kind
from langgraph_memgpt.memory.text.claims import parse_claim


def _ops(new: str, old: str) -> list[str]:
    return [p.op for p in RuleDecider().decide(new, [old])]


@pytest.mark.parametrize(
    ("older", "newer"),
    [
        ("Ottilie works at Bosch.", "Ottilie has switched to a standing desk."),
        ("Ottilie works at Bosch.", "Ottilie switched to an Aprilia scooter last week."),
        ("Leopold's wife is Marguerite.", "Leopold's wife is left-handed."),
        ("Henrike lives in Graz.", "Henrike moved in with Bartholomew last spring."),
        ("Ruairi works at Diageo.", "Ruairi works under Dr Vasquez these days."),
        ("Tobiah lives in Bergen.", "Tobiah moved on, he is dating Philippa now."),
        ("Sunniva works at Equinor.", "Sunniva was employed by Statkraft from 2011 to 2016."),
    ],
)
def test_values_of_another_kind_never_supersede(older: str, newer: str) -> None:
    assert "supersede" not in _ops(newer, older)


@pytest.mark.parametrize(
    ("older", "newer"),
    [
        ("Eamon's email address is eamon.k@posteo.de.", "Eamon's new email address: hi@eb.com."),
        ("Wilhelmina's favourite colour is olive.", "Wilhelmina's favourite colour? Maroon, now."),
        ("Henrike lives in Graz.", "Henrike has just moved into a studio in Salzburg."),
        ("Ottilie drives a Skoda.", "Ottilie now drives a Hyundai."),
        ("Henrike lives in Graz.", "Henrike relocated, she is in Linz now."),
        ("Bastiaan lives in Delft.", "Bastiaan se ha mudado a Zaragoza."),
    ],
)
def test_updates_in_unusual_phrasings_still_supersede(older: str, newer: str) -> None:
    assert _ops(newer, older) == ["supersede"]


def test_value_kinds() -> None:
    assert value_kind("Ottilie switched to a standing desk.", "standing desk") == "thing"
    assert value_kind("Ottilie works at Bosch.", "bosch") == "name"
    assert value_kind("Leopold's wife is left-handed.", "left-handed") == "word"
    assert value_kind("leopold's wife is left-handed", "left-handed") is None  # no case at all
    assert value_kind("Bastiaan se ha mudado a Zaragoza.", "zaragoza") is None
    assert value_kind("Bastiaan bought a Volvo.", "volvo") is None  # "a": article or preposition
    assert value_kind("Piet's number is 0612 448902.", "0612 448902") == "number"
    assert value_kind("Favourite colour? Maroon.", "maroon") is None  # opens a sentence
    assert kinds_agree("Ottilie works at Bosch.", "bosch", "Ottilie joined Bayer.", "bayer")
    assert not kinds_agree("Ottilie works at Bosch.", "bosch", "Ottilie got an iguana.", "iguana")


def test_two_years_make_a_past_period() -> None:
    claim = parse_claim("Sunniva was employed by Statkraft from 2011 to 2016.")
    assert claim is not None and claim.past
    since = parse_claim("Sunniva has worked at Statkraft since 2016.")
    assert since is not None and not since.past
